/** The `<script>` build's files, by name: the first-party handler serves them, each file loads the next when asked. */

/** The first file, every page view: the one a page's `<script>` tag names. It lands a plain landing alone. */
export const LOADER_FILE = 'affitor.global.js';

/** The main file: loaded by the first when a page view asks more than a plain landing (calls, consent, kept events). */
export const MAIN_FILE = 'affitor.main.js';

/** The rest of the SDK, fetched from the folder the first file came from, only when needed. */
export const MORE_FILE = 'affitor.more.js';
