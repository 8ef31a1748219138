/** The `<script>` build's files, by name: the first-party handler serves them, each file loads the next when asked. */
import { version } from '../../package.json';

/** The first file, every page view: the one a page's `<script>` tag names. It lands a plain landing alone. */
export const LOADER_FILE = 'affitor.global.js';

/** The main file: loaded by the first when a page view asks more than a plain landing (calls, consent, kept events). */
export const MAIN_FILE = 'affitor.main.js';

/** The rest of the SDK, fetched from the folder the first file came from, only when needed. */
export const MORE_FILE = 'affitor.more.js';

/**
 * The URL of `file` beside the script build's file at `from`. A URL in unpkg's or jsDelivr's form
 * naming a range or a tag, the package first in its path (`https://unpkg.com/@affitor/sdk@1/…`,
 * `https://cdn.jsdelivr.net/npm/@affitor/sdk@latest/…`, their mirrors), gives the later files at
 * this file's own version: the range would resolve anew, to a newer release once one is out, whose
 * file would then meet this one (and unpkg answers a range with a redirect, a round trip more).
 * Any other URL is left as it is: a copy served in a folder of its own (`/node_modules/@affitor/sdk/`,
 * `/vendor/@affitor/sdk@1/`) has only that folder. A tag naming the package alone (its `unpkg` or
 * `jsdelivr` field's file) has its folder in the package's `dist/`, not the CDN's; its query or
 * fragment (`?v=2`) is no part of the path.
 */
export const fileBeside = (file: string, from: string): string =>
  new URL(
    file,
    from
      .replace(/^(\w+:\/\/[^/]+(\/npm)?\/@affitor\/sdk)@[^/?#]*/, '$1@' + version)
      .replace(/(\/@affitor\/sdk(@[^/?#]*)?)\/?([?#].*)?$/, '$1/dist/'),
  ).href;
