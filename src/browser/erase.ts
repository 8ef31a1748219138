/**
 * `revokeConsent`: deletes every cookie and stored item the SDK wrote. In the script build's first
 * file, so that a withdrawal never waits on (or is lost with) a second download. Browser only.
 */
import { COOKIE_NAMES } from '../core/cookie-names';
import { withdrawConsent } from './consent';
import { writeCookie } from './cookies';
import { cookiePlaces } from './jar';
import { log } from './options';
import { readEarlier } from './outbox';
import { isSecurePage } from './page';

/**
 * Deletes the SDK's cookies (the session id's too), host-only and on each parent domain (earlier
 * pages may have used any), on `/` and the page's folders (one written without `path=/`). The
 * domain this page chose is one of those: the probe tries no other.
 */
export function erase(): void {
  for (const name of COOKIE_NAMES) for (const [domain, path] of cookiePlaces()) writeCookie(name, '', 0, domain, isSecurePage(), path);
}

export function revokeConsent(): void {
  // Never thrown into the consent manager's callback, which the page's error monitoring sees.
  try {
    // Before init (a consent manager declining on load): the events earlier page views left are read
    // first, so the withdrawal keeps their leads (the merchant's signups) and forgets their clicks, as
    // it does for this page's, instead of deleting the outbox with the leads in it.
    readEarlier();
    withdrawConsent();
    erase();
  } catch (error) {
    log('error', 'revokeConsent failed:', error);
  }
}
