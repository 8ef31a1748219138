/**
 * @affitor/sdk — affiliate attribution in the browser.
 * Importing this module touches no browser global; every function is a no-op on the server.
 */
import { isBrowser } from './browser/env';
import { AffitorTracker } from './browser/tracker';
import type { AffitorData, AffitorInitOptions } from './browser/tracker';

export { AffitorTracker };
export type { AffitorData, AffitorInitOptions };

let tracker: AffitorTracker | null = null;

/** Starts tracking (or updates options). Returns null on the server. */
export function init(options?: AffitorInitOptions): AffitorTracker | null {
  if (!isBrowser()) return null;
  tracker ??= new AffitorTracker();
  return tracker.init(options);
}

/** Reports a signup. Initialises with default options first if `init` was not called. */
export function signup(customerKey: string, email?: string): Promise<void> {
  return (tracker ?? init())?.signup(customerKey, email) ?? Promise.resolve();
}

/** Reports a click for a partner link (default: the current URL). */
export function trackClick(affiliateUrl?: string, existingClickId?: string | null): Promise<void> {
  return (tracker ?? init())?.trackClick(affiliateUrl, existingClickId) ?? Promise.resolve();
}

export function getClickId(): string | null {
  return tracker ? tracker.getClickId() : null;
}

/** The current attribution, or null before `init`. */
export function getData(): AffitorData | null {
  return tracker ? tracker.getData() : null;
}

export function getTracker(): AffitorTracker | null {
  return tracker;
}
