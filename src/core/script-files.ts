/** The `<script>` build's two files, by name: the first-party handler serves them, the first file loads the second. */

/** The first file, every page view: the one a page's `<script>` tag names. */
export const LOADER_FILE = 'affitor.global.js';

/** The rest of the SDK, fetched from the folder the first file came from, only when needed. */
export const MORE_FILE = 'affitor.more.js';
