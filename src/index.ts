/**
 * @affitor/sdk — affiliate attribution in the browser.
 * Importing this module touches no browser global; every function is a no-op on the server.
 */
import { isBrowser } from './browser/env';
import { AffitorTracker, initialised } from './browser/tracker';
import type {
  AffitorData,
  AffitorDiagnosis,
  AffitorInitOptions,
  AttributionListener,
  ConsentState,
  RequestReport,
} from './browser/tracker';

export { AffitorTracker };
export type { AffitorData, AffitorDiagnosis, AffitorInitOptions, AttributionListener, ConsentState, RequestReport };

let tracker: AffitorTracker | null = null;

/**
 * The module's tracker, made (not initialised) on first use, so consent and listeners can be set
 * before `init`. Every tracker is a handle on the page's one tracker (tracker.ts), so once any of
 * them ran `init` (this module's, or a `new AffitorTracker().init()` of the page's) this one reads
 * the same attribution.
 */
const shared = (): AffitorTracker | null => (isBrowser() ? (tracker ??= new AffitorTracker()) : null);

/** Starts tracking (or updates options). Returns null on the server. */
export function init(options?: AffitorInitOptions): AffitorTracker | null {
  return shared()?.init(options) ?? null;
}

/** Reports a signup. Initialises with default options first if `init` was not called. */
export function signup(customerKey: string, email?: string): Promise<void> {
  return (getTracker() ?? init())?.signup(customerKey, email) ?? Promise.resolve();
}

/** Reports a click for a partner link (default: the current URL). */
export function trackClick(affiliateUrl?: string, existingClickId?: string | null): Promise<void> {
  return (getTracker() ?? init())?.trackClick(affiliateUrl, existingClickId) ?? Promise.resolve();
}

export function getClickId(): string | null {
  return getTracker()?.getClickId() ?? null;
}

/** The current attribution, or null before `init`. */
export function getData(): AffitorData | null {
  return getTracker()?.getData() ?? null;
}

/** The page's tracker once `init` ran, else null. */
export function getTracker(): AffitorTracker | null {
  return initialised ? shared() : null;
}

/** Consent given: persists the attribution held in memory (see the `consent` option). */
export function grantConsent(): void {
  shared()?.grantConsent();
}

/** Consent withdrawn: deletes every cookie and stored item the SDK wrote. */
export function revokeConsent(): void {
  shared()?.revokeConsent();
}

/** Calls `listener(current, previous)` whenever a click id is set, replaced or forgotten by `revokeConsent()` (`current.clickId` null). Returns a function that stops it. */
export function onAttribution(listener: AttributionListener): () => void {
  return shared()?.onAttribution(listener) ?? (() => {});
}

/** A JSON-serialisable report of why there is (no) attribution; null on the server. */
export function diagnose(): AffitorDiagnosis | null {
  return shared()?.diagnose() ?? null;
}
