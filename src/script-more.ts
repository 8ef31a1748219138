/**
 * The rest of the `<script>` build (`dist/affitor.more.js`): retries, the diagnosis
 * and the Stripe decoration (`data-affitor-stripe="true"`), which
 * the main file (`affitor.main.js`) loads only when asked. Built with `./browser/core`
 * resolved to the state the main file hands over (tsup.config.ts), so both work on one tracker.
 */
import { retry } from './browser/delivery';
import { diagnose, scriptTagWarnings } from './browser/diagnose';
import { decorateStripe } from './browser/stripe-links';
import type { AttributionSource } from './browser/stripe-links';
import { HANDOVER, HANDOVER_VERSION } from './script-handover';
import type { Handover } from './script-handover';

const host = window as { affitor?: { [HANDOVER]?: Handover } & Partial<AttributionSource> };
const first = host.affitor?.[HANDOVER];
if (first) {
  // The decoration reads the attribution through the main file's public API (getClickId, onAttribution).
  first.take({ version: HANDOVER_VERSION, diagnose: () => diagnose(scriptTagWarnings()), retry, decorateStripe: () => decorateStripe(host.affitor as AttributionSource) });
}
else console.error('[Affitor] affitor.more.js runs only when affitor.main.js loads it');
