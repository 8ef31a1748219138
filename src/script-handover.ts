/** What the two files of the `<script>` build agree on: where the tracker is, and how it is handed over. */
import type { AffitorTracker } from './browser/tracker';

/** The tracker file, fetched from the folder the loader (`affitor.global.js`) came from. */
export const TRACKER_FILE = 'affitor.tracker.js';

/** The key under which `window.affitor` takes the tracker: a registry symbol, so it is no API name. */
export const HANDOVER = Symbol.for('affitor');

/** Called by the tracker file when it has run: the loader then starts the tracker. */
export type TrackerHandover = (tracker: typeof AffitorTracker, setUrlAtLoad: (url: string) => void) => void;
