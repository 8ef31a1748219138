/** What the two files of the `<script>` build agree on: the file loaded when asked, and how the two meet. */
import type * as core from './browser/core';
import type { retry } from './browser/delivery';
import type { diagnose } from './browser/diagnose';

/** The rest of the SDK, fetched from the folder the first file (`affitor.global.js`) came from. */
export const MORE_FILE = 'affitor.more.js';

/** The key under which `window.affitor` holds the meeting point: a registry symbol, so it is no API name. */
export const HANDOVER = Symbol.for('affitor');

/** The first file's steps, and `now()` for its state that changes (tsup.config.ts gives the rest that state by name). */
export type Handed = Omit<typeof core, keyof ReturnType<typeof core.now>>;

/**
 * What the rest brings. `version` is the one part every release keeps as it is: the first file
 * compares it before it uses anything else the rest brings, and refuses a rest of another release
 * (a self-hosted copy the browser cached apart from the first file, a range URL resolved to a newer
 * release since), whose steps need not be its own.
 */
export interface More {
  /** The package's version, as built into both files. */
  version: string;
  /** The report, with the script build's own warnings (script-more.ts). */
  diagnose: () => ReturnType<typeof diagnose>;
  retry: typeof retry;
  /** Starts the Stripe decoration on `window.affitor`'s attribution (`data-affitor-stripe="true"`). */
  decorateStripe: () => void;
}

/** The meeting point: the first file's live state and steps, and where the rest hands itself over. */
export interface Handover {
  core: Handed;
  take: (more: More) => void;
}
