/** Consent calls: `grantConsent` writes what is held in memory; `revokeConsent` deletes everything the SDK wrote. */
import { forget, persist, unsavedDays } from './attribution';
import { clearOutbox } from './delivery';
import { isBrowser } from './env';
import { deleteAllCookies } from './jar';
import { setConsent } from './options';
import { forgetSession } from './page';

export function grantConsent(): void {
  setConsent('granted');
  if (isBrowser() && unsavedDays) persist();
}

export function revokeConsent(): void {
  setConsent('revoked');
  forget();
  clearOutbox();
  if (!isBrowser()) return;
  deleteAllCookies();
  forgetSession();
}
