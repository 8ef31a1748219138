/** What the two files of the `<script>` build agree on: the file loaded when asked, and how the two meet. */
import type * as core from './browser/core';
import type { retry } from './browser/delivery';
import type { diagnose } from './browser/diagnose';

export { MORE_FILE } from './core/script-files';

/** The key under which `window.affitor` holds the meeting point: a registry symbol, so it is no API name. */
export const HANDOVER = Symbol.for('affitor');

/**
 * Where the first file's `window.affitor` lists the landing URLs it handled (script-landing.ts): the
 * main file, loaded after, does not land them again (a second click, when the cookies are gone).
 */
export const LANDED = Symbol.for('affitor.landed');

/**
 * Where the first file's `window.affitor` holds the calls the stub queued before it ran, for the
 * main file to replay: not as `q`, which would make a stub method page code kept push its calls
 * there, where nothing reads them once the main file ran (or when it never loads).
 */
export const QUEUED = Symbol.for('affitor.queued');

/**
 * Where the first file's `window.affitor` holds its landing's click that was on its way when
 * consent was withdrawn, and the event ids of the leads made behind it: the main file sends it
 * again, holds its answer in memory, and has those leads carry its click id (script.ts).
 */
export const ON_ITS_WAY = Symbol.for('affitor.onItsWay');

/**
 * Where the first file's `window.affitor` holds the answer to the landing's click it sent: the
 * response, its JSON and when it came (epoch ms). The main file's diagnose() reports it as the last
 * click (send.ts's `answered`); without it, a landing this file sent alone was reported as no click.
 */
export const CLICKED = Symbol.for('affitor.clicked');

/**
 * Where the first file's `window.affitor` holds the leads it put in the outbox cookie, as it last
 * wrote them: the main file sends those the cookie no longer holds. Another tab's write, made from a
 * read of the cookie older than this file's write, takes them out (Chromium hands cookie writes to
 * other tabs a few ms late), and the lead was never sent, with no word.
 */
export const MADE = Symbol.for('affitor.made');

/** Where the first file's `window.affitor` holds the onAttribution listeners added there: the main file takes them over. */
export const LISTENERS = Symbol.for('affitor.listeners');

/**
 * Where the first file's `window.affitor` holds its HANDOVER_VERSION (below). A main file of
 * another release (a browser cached one apart from the other) takes nothing from it, whose queue,
 * landings and handed click may mean something else there: it leaves the page to the first file,
 * and writes here why, which that file says as it says the main file's other failures.
 */
export const VERSION = Symbol.for('affitor.version');

/** The first file's steps, and `now()` for its state that changes (tsup.config.ts gives the rest that state by name). */
export type Handed = Omit<typeof core, keyof ReturnType<typeof core.now>>;

/**
 * The version of what the files exchange (the first file's `window.affitor` and its symbols above;
 * the main file's `Handed`, `now()`'s names, `More`): raised by a release that changes any of it,
 * in name or in meaning. Not the package's: the two files of
 * different releases meet whenever a browser cached one apart from the other (the first-party
 * handler serves both at fixed paths, for an hour; a CDN URL naming no version resolves to a newer release), and
 * releases that keep the exchange as it is work together.
 */
export const HANDOVER_VERSION = 1;

/**
 * What the rest brings. `version` is the one part every release keeps as it is: the first file
 * compares it with its own HANDOVER_VERSION before it uses anything else the rest brings, and
 * refuses a rest that exchanges something else, whose steps would not be its own.
 */
export interface More {
  /** The rest's HANDOVER_VERSION. */
  version: number;
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
