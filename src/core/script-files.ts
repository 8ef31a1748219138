/** The `<script>` build's files, by name: the first-party handler serves them, each file loads the next when asked. */
import { version } from '../../package.json';

/** The first file, every page view: the one a page's `<script>` tag names. It lands a plain landing alone. */
export const LOADER_FILE = 'affitor.global.js';

/** The main file: loaded by the first when a page view asks more than a plain landing (calls, consent, kept events). */
export const MAIN_FILE = 'affitor.main.js';

/** The rest of the SDK, fetched from the folder the first file came from, only when needed. */
export const MORE_FILE = 'affitor.more.js';

/**
 * The URL of `file` beside the script build's file at `from`. A CDN URL naming a range or a tag
 * (`https://unpkg.com/@affitor/sdk@1/dist/affitor.global.js`, jsDelivr's alike) gives the later
 * files at this file's own version: the range would resolve anew, to a newer release once one is
 * out, whose file would then meet this one (and unpkg answers a range with a redirect, a round trip
 * more). A URL naming no version is left as it is: a path such as `/node_modules/@affitor/sdk/`
 * is a copy served beside the page, not a CDN's. A tag naming the package alone (its `unpkg` or
 * `jsdelivr` field's file) has its folder in the package's `dist/`, not the CDN's.
 */
export const fileBeside = (file: string, from: string): string =>
  new URL(file, from.replace(/(\/@affitor\/sdk)@[^/?#]*/, '$1@' + version).replace(/(\/@affitor\/sdk(@[^/?#]*)?)\/?$/, '$1/dist/')).href;
