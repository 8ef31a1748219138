/**
 * @affitor/sdk — affiliate attribution in the browser.
 * Importing this module touches no browser global; every function is a no-op on the server.
 */
import { isBrowser } from './browser/env';
import { firstCopy } from './browser/start';
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

/** The npm functions' tracker, and whether a tracker of its copy of the SDK ran `init`. */
interface PageTracker {
  tracker: AffitorTracker;
  ready: () => boolean;
}

/**
 * The npm functions' tracker, made (not initialised) on first use, so consent and listeners can be
 * set before `init`. Every tracker is a handle on the page's one tracker (tracker.ts), so once any
 * of them ran `init` (this module's, or a `new AffitorTracker().init()` of the page's) this one
 * reads the same attribution. Kept on the page's first copy of the SDK (start.ts): where the
 * package is bundled twice (an ES module import beside a CommonJS require), the second copy's
 * functions work on the first copy's tracker, where they had started a second tracker, whose
 * signups went without the partner.
 */
const pageTracker = (): PageTracker | undefined =>
  isBrowser() ? ((firstCopy() as { npm?: PageTracker }).npm ??= { tracker: new AffitorTracker(), ready: () => initialised }) : undefined;
const shared = (): AffitorTracker | null => pageTracker()?.tracker ?? null;

/** Starts tracking (or updates options). Returns null on the server. */
export function init(options?: AffitorInitOptions): AffitorTracker | null {
  return shared()?.init(options) ?? null;
}

/**
 * Runs `call` on the page's tracker. Called before any `init`, it first lets the rest of this task
 * run (one microtask), then initialises with default options if no init came meanwhile: React runs
 * a child's mount effect before its `AffitorProvider`'s, in one go, and a signup made there, started
 * at once with the defaults, would be dropped for want of the provider's program id (or sent with
 * the defaults' apiBase and consent). A microtask, not a timer: the lead is still in the outbox
 * before the page can navigate away, and the call settles within the same bound.
 */
const onTracker = async (call: (tracker: AffitorTracker) => Promise<void>): Promise<void> => {
  if (!pageTracker()?.ready()) await Promise.resolve();
  const tracker = getTracker() ?? init();
  if (tracker) return call(tracker);
};

/** Reports a signup. Initialises with default options first if no `init` was called by the end of this task. */
export function signup(customerKey: string, email?: string): Promise<void> {
  return onTracker((tracker) => tracker.signup(customerKey, email));
}

/** Reports a click for a partner link (default: the current URL). */
export function trackClick(affiliateUrl?: string, existingClickId?: string | null): Promise<void> {
  return onTracker((tracker) => tracker.trackClick(affiliateUrl, existingClickId));
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
  const page = pageTracker();
  return page?.ready() ? page.tracker : null;
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
