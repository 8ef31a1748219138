/**
 * The visitor's session id, sent with each click and lead: one per browser session, kept in a
 * session cookie (no expiry) once consent is given, in memory for this page before. A cookie, not
 * sessionStorage: the page's cookies are read once anyway, while a first look at sessionStorage
 * costs a landing several milliseconds of main thread before its click can leave.
 */
import { newEventId } from '../core/outbox';
import { COOKIE_SESSION } from '../core/cookie-names';
import { isPlausibleId } from '../core/values';
import { readCookie } from './cookies';
import { firstJar, setCookie } from './jar';

let id: string | undefined;
let stored = false;

/** Unique as an event id is: the time and ten random base-36 digits. */
export const newSessionId = (): string => 'sess_' + newEventId();

/** This session's id; written to its cookie when `persist` (consent given) and not there yet. */
export function sessionId(persist: boolean): string {
  if (!id) {
    const found = readCookie(COOKIE_SESSION, isPlausibleId, firstJar());
    stored = !!found;
    id = found ?? newSessionId();
  }
  if (persist && !stored) {
    stored = true;
    setCookie(COOKIE_SESSION, id);
  }
  return id;
}

/** Consent given: an id this page already sent is kept from now on, as the attribution is. */
export const keepSessionId = (): void => void (id && sessionId(true));

/**
 * Consent withdrawn: the id's cookie is deleted with the others, and the jar as the page found it
 * no longer counts. A new id serves from now on, written once consent is given again.
 */
export const restartSessionId = (): void => {
  id = newSessionId();
  stored = false;
};

/** A fresh page view (tests). */
export const forgetSessionId = (): void => {
  id = undefined;
  stored = false;
};
