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

/** What the rest brings. */
export interface More {
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
