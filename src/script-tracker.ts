/**
 * The tracker of the `<script>` build (`dist/affitor.tracker.js`). The loader
 * (`affitor.global.js`) adds it to the page when the page has work for it; it hands the
 * loader the tracker class, and the loader starts it with the options and calls it holds.
 */
import { setUrlAtLoad } from './browser/history';
import { AffitorTracker } from './browser/tracker';
import { HANDOVER } from './script-handover';
import type { TrackerHandover } from './script-handover';

const loader = (window as { affitor?: { [HANDOVER]?: TrackerHandover } }).affitor;
if (loader?.[HANDOVER]) loader[HANDOVER](AffitorTracker, setUrlAtLoad);
else console.error('[Affitor] affitor.tracker.js runs only when affitor.global.js loads it');
