/** Consent calls: `grantConsent` writes what is held in memory; `revokeConsent` deletes everything the SDK wrote. */
import { COOKIE_NAMES } from '../core/cookie-names';
import { cookieDomainCandidates } from '../core/root-domain';
import { forget, persist, unsavedDays } from './attribution';
import { writeCookie } from './cookies';
import { isBrowser } from './env';
import { chosenDomain } from './jar';
import { setConsent } from './options';
import { clearOutbox } from './outbox';
import { forgetSession, isSecurePage } from './page';

export function grantConsent(): void {
  setConsent('granted');
  if (isBrowser() && unsavedDays) persist();
}

export function revokeConsent(): void {
  setConsent('revoked');
  forget();
  clearOutbox();
  if (!isBrowser()) return;
  // Host-only and on each parent domain: earlier pages may have used any.
  for (const name of COOKIE_NAMES) {
    for (const domain of [undefined, chosenDomain ?? undefined, ...cookieDomainCandidates(location.hostname)]) {
      writeCookie(name, '', 0, domain, isSecurePage());
    }
  }
  forgetSession();
}
