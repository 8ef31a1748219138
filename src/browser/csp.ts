/**
 * Requests the page's Content-Security-Policy blocks (`connect-src`). The browser fails such a
 * fetch as it fails one CORS refused (a TypeError, no answer), and the hint for that sends the
 * merchant to the program's allowed origins, which cannot help. It tells the page of each blocked
 * request with a `securitypolicyviolation` event: heard from the first failed try on (the script
 * build loads this part then), every later try the policy blocks is named as such (delivery.ts).
 */
import { cspBlocked } from '../core/answers';
import type { HttpOutcome } from '../core/answers';
import { apiOriginOf, originOf } from '../core/values';

/** The origins a blocked request went to, since the watch began. */
const blockedOrigins = new Set<string>();
let watching = false;

/**
 * A request the policy blocked: `connect-src`'s (fetch's, also where `default-src` gave it). An
 * inline script or style it blocked reports `inline`, which is no request (and, read against the
 * page's URL, would name the page's own origin: the first-party handler's).
 */
const heard = (event: SecurityPolicyViolationEvent): void => {
  if (event.effectiveDirective == 'connect-src') blockedOrigins.add(originOf(event.blockedURI)!);
};

/** Starts hearing the requests the page's policy blocks (once; not at import: the npm build must touch no browser global then). */
export function watchCsp(): void {
  if (!watching) {
    watching = true;
    document.addEventListener('securitypolicyviolation', heard);
  }
}

/**
 * Says so in `outcome` when the request that got no answer went to the tracking API at `apiBase`
 * and the page's policy blocked it. The browser fires the event in a task of its own, which may
 * come after fetch failed: it is waited for.
 */
export async function noteCspBlock(outcome: HttpOutcome, apiBase?: string): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve));
  const apiOrigin = apiOriginOf(apiBase, location.href);
  if (!outcome.status && apiOrigin && blockedOrigins.has(apiOrigin)) outcome.failure = cspBlocked(apiOrigin);
}

/** A fresh page view (tests). */
export const resetCsp = (): void => {
  document.removeEventListener('securitypolicyviolation', heard);
  watching = false;
  blockedOrigins.clear();
};
