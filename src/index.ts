/**
 * @affitor/sdk — affiliate attribution in the browser.
 * Importing this module touches no browser global; every function is a no-op on the server.
 */
import { isBrowser } from './browser/env';
import { AffitorTracker } from './browser/tracker';
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
/** Whether `init` ran: the tracker made for consent calls, listeners or diagnose() alone has not read the page yet. */
let initialised = false;

/** The module's tracker, made (not initialised) on first use, so consent and listeners can be set before `init`. */
const shared = (): AffitorTracker | null => (isBrowser() ? (tracker ??= new AffitorTracker()) : null);

/** Starts tracking (or updates options). Returns null on the server. */
export function init(options?: AffitorInitOptions): AffitorTracker | null {
  const started = shared()?.init(options) ?? null;
  initialised ||= !!started;
  return started;
}

/** Reports a signup. Initialises with default options first if `init` was not called. */
export function signup(customerKey: string, email?: string): Promise<void> {
  return (initialised ? tracker : init())?.signup(customerKey, email) ?? Promise.resolve();
}

/** Reports a click for a partner link (default: the current URL). */
export function trackClick(affiliateUrl?: string, existingClickId?: string | null): Promise<void> {
  return (initialised ? tracker : init())?.trackClick(affiliateUrl, existingClickId) ?? Promise.resolve();
}

export function getClickId(): string | null {
  return tracker ? tracker.getClickId() : null;
}

/** The current attribution, or null before `init`. */
export function getData(): AffitorData | null {
  return initialised ? tracker!.getData() : null;
}

export function getTracker(): AffitorTracker | null {
  return tracker;
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
