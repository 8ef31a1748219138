/**
 * Consent calls: `grantConsent` writes what is held in memory (the attribution, the session id);
 * a withdrawal stops every write and forgets the attribution at once. `revokeConsent` (erase.ts)
 * also deletes what earlier pages wrote. Browser only.
 */
import { forget, persist, unsavedDays } from './attribution';
import { setConsent } from './options';
import { clearOutbox } from './outbox';
import { keepSessionId, restartSessionId } from './session';

export function grantConsent(): void {
  setConsent('granted');
  if (unsavedDays) persist();
  keepSessionId();
}

/** Consent withdrawn, in this page: nothing more is written, the attribution, the outbox and the session id are forgotten. */
export function withdrawConsent(): void {
  setConsent('revoked');
  forget();
  clearOutbox();
  restartSessionId();
}
