/**
 * Consent calls: `grantConsent` writes what is held in memory (the attribution, the session id,
 * the events not delivered yet); a withdrawal stops every write and forgets the attribution at
 * once. `revokeConsent` (erase.ts) also deletes what earlier pages wrote. Browser only.
 */
import { DEFAULT_WINDOW_DAYS } from '../core/values';
import { cookiesBlocked, forget, persist, persistHeld, unsavedDays, windowDays } from './attribution';
import { forgetCookieDomain } from './jar';
import { appliedClick, handOver, touch, touchOf } from './landing';
import { log, setConsent } from './options';
import { clearOutbox, storeOutbox } from './outbox';
import { keepSessionId, restartSessionId } from './session';

export function grantConsent(): void {
  // Never thrown into the consent manager's callback, which the page's error monitoring sees.
  try {
    setConsent('granted');
    keepHeld();
  } catch (error) {
    log('error', 'grantConsent failed:', error);
  }
}

/** Writes what was held in memory while consent was pending: grantConsent(), or a later init's `consent` option. */
export function keepHeld(): void {
  // Written at once, so a visitor who leaves right after consenting keeps the partner, with the
  // landing it comes from (landing.ts: an older click answering late in another tab does not take
  // it back); then, behind the first-party handler, written again by it with Set-Cookie.
  if (unsavedDays && persistHeld(appliedClick && touchOf(appliedClick)) && appliedClick) {
    touch(touchOf(appliedClick));
    void handOver(appliedClick);
  }
  // Cookie writes were dropped so far: an auto-blocking consent manager (its wrapper of
  // document.cookie) lets them through once the visitor accepts. Tried again, on a domain probed
  // again (the first probe stuck nowhere): held in memory, the partner was lost on the next page.
  if (cookiesBlocked) {
    forgetCookieDomain();
    persist(windowDays ?? DEFAULT_WINDOW_DAYS);
  }
  keepSessionId();
  // Events not delivered yet (the API was down) were held in memory only: now a later page view can send them.
  storeOutbox();
}

/** Consent withdrawn, in this page: nothing more is written, the attribution, the outbox (but for clicks on their way, and leads) and the session id are forgotten. */
export function withdrawConsent(): void {
  setConsent('revoked');
  forget();
  clearOutbox();
  restartSessionId();
}
