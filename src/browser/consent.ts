/**
 * Consent calls: `grantConsent` writes what is held in memory (the attribution, the session id,
 * the events not delivered yet); a withdrawal stops every write and forgets the attribution at
 * once. `revokeConsent` (erase.ts) also deletes what earlier pages wrote. Browser only.
 */
import { forget, persist, unsavedDays } from './attribution';
import { appliedClick, handlerFields } from './landing';
import { setConsent } from './options';
import { clearOutbox, storeOutbox } from './outbox';
import { post } from './send';
import { keepSessionId, restartSessionId } from './session';

export function grantConsent(): void {
  setConsent('granted');
  keepHeld();
}

/** Writes what was held in memory while consent was pending: grantConsent(), or a later init's `consent` option. */
export function keepHeld(): void {
  if (unsavedDays) {
    // Written at once, so a visitor who leaves right after consenting keeps the partner.
    persist();
    // Behind the first-party handler, the click is sent again (same event id: the API records it
    // once) for the handler to write the cookies with Set-Cookie: written with document.cookie,
    // Safari keeps them 7 days, not the program's window. Not retried: the page's are written.
    const extra = appliedClick && handlerFields(appliedClick);
    if (extra) void post(appliedClick!, extra);
  }
  keepSessionId();
  // Events not delivered yet (the API was down) were held in memory only: now a later page view can send them.
  storeOutbox();
}

/** Consent withdrawn, in this page: nothing more is written, the attribution, the outbox and the session id are forgotten. */
export function withdrawConsent(): void {
  setConsent('revoked');
  forget();
  clearOutbox();
  restartSessionId();
}
