/**
 * `AffitorTracker`: the public API as a class. The SDK keeps one tracker per page (its state
 * lives in the modules beside this one, each owning its concern), so every instance is a
 * handle on that one tracker: two instances never track one landing twice. The script build
 * and an npm import on one page are two copies of these modules (start.ts names the second).
 */
import type { AffitorDiagnosis, ConsentState, RequestReport } from '../core/diagnosis';
import { onAttribution } from './attribution';
import type { AffitorData, AttributionListener } from './attribution';
import { grantConsent } from './consent';
import { retry } from './delivery';
import { diagnose } from './diagnose';
import { isBrowser } from './env';
import { current } from './landing';
import { revokeConsent } from './erase';
import { mergeOptions } from './options';
import type { AffitorInitOptions as CoreInitOptions } from './options';
import { resend } from './resend';
import { rest } from './send';
import { signup } from './signup';
import { start } from './start';
import { decorateStripe } from './stripe-links';
import { trackClick } from './track-click';

export type { AffitorData, AffitorDiagnosis, AttributionListener, ConsentState, RequestReport };

export interface AffitorInitOptions extends CoreInitOptions {
  /**
   * Add the click id to Stripe's checkouts on the page: `client_reference_id` on Payment Links
   * (`https://buy.stripe.com/...`) and `client-reference-id` on `<stripe-pricing-table>` and
   * `<stripe-buy-button>`, also those added later. A value you set yourself is kept.
   * @default false
   */
  decorateStripe?: boolean | undefined;
}
export { COOKIE_AFFILIATE_URL, COOKIE_CLICK_ID, COOKIE_HISTORY, COOKIE_LEGACY_CLICK_ID, COOKIE_OUTBOX } from '../core/cookie-names';
export { RETRY_DELAYS_MS } from './delivery';
export { SIGNUP_WAIT_MS } from './signup';
export { diagnose, grantConsent, onAttribution, revokeConsent, signup, start, trackClick };

/** Whether a tracker's `init` ran on this page: the npm functions (index.ts) work on the attribution it read from then on. */
export let initialised = false;

export class AffitorTracker {
  /** Reads the stored attribution and handles a `?aff=` landing. Calling it again updates options; one landing is never tracked twice. */
  readonly init: (options?: AffitorInitOptions) => AffitorTracker;
  /** The click id of the visitor's last partner, or null. */
  readonly getClickId = (): string | null => current().clickId;
  readonly getData: () => AffitorData = current;
  /** Reports a click for a partner link. Defaults: the current URL, and the stored click id for last touch. */
  readonly trackClick = trackClick;
  /** Reports a signup (lead) for `customerKey`, carrying the click id of the visitor's last partner. */
  readonly signup = signup;
  /** Consent given: writes what is held in memory (the attribution, and the events not delivered yet) to cookies, and persists from now on. */
  readonly grantConsent = (): void => void (isBrowser() && grantConsent());
  /** Consent withdrawn: deletes every cookie and stored item the SDK wrote, and forgets the attribution. */
  readonly revokeConsent = (): void => void (isBrowser() && revokeConsent());
  readonly onAttribution = onAttribution;
  /** Why there is (no) attribution, as JSON-serialisable data; logged with `debug`. */
  readonly diagnose = diagnose;

  /** `options` are applied when `init` is called, under the options `init` is given. */
  constructor(options: AffitorInitOptions = {}) {
    // This build carries the whole SDK: the first part goes on with the rest directly.
    rest.retry = retry;
    this.init = (newOptions = {}) => {
      // As init merges options everywhere: one given as undefined keeps the constructor's value, and
      // the constructor's are merged too (a 'false' from a config is false there as well).
      const merged = mergeOptions(mergeOptions<AffitorInitOptions>({}, options), newOptions);
      if (isBrowser()) {
        initialised = true;
        start(merged);
        resend();
        if (merged.decorateStripe) decorateStripe({ getClickId: () => current().clickId, onAttribution });
      }
      return this;
    };
  }
}
