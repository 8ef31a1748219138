/** The visitor's attribution (click id, landing, history, window), where it is kept, and who hears it change. */
import { appendHistory, parseHistory, standsAgainst } from '../core/attribution';
import { DEFAULT_WINDOW_DAYS, isPlausibleId, readAff } from '../core/values';
import { readCookie } from './cookies';
import { COOKIE_AFFILIATE_URL, COOKIE_CLICK_ID, COOKIE_HISTORY, COOKIE_LEGACY_CLICK_ID, COOKIE_SET_BY, COOKIE_TOUCH } from '../core/cookie-names';
import { cookiesProven, deleteTwins, lookInJar, setCookie } from './jar';
import { consent, log, mayPersist, programId } from './options';

export interface AffitorData {
  clickId: string | null;
  programId: number | null;
  hasAttribution: boolean;
  affiliateUrl: string | null;
}

/** Called with the new and the previous attribution whenever a click id is set, replaced or forgotten (consent revoked). */
export type AttributionListener = (current: AffitorData, previous: AffitorData) => void;

export let clickId: string | null = null;
export let affiliateUrl: string | null = null;
/** Click ids of this visitor, oldest first. */
export let history: string[] = [];
/** Cookie lifetime from the last click answer. */
export let windowDays: number | null = null;
/** The cookie lifetime of an attribution held in memory while consent is pending; 0 when none is. */
export let unsavedDays = 0;
/** The browser refused the cookies: the attribution lives in memory for this page. */
export let cookiesBlocked = false;
/** When restore() last read the attribution from the jar (Date.now()). */
export let readAt = 0;
/** The click id in the jar when this page last put its attribution in memory (consent not given): another tab's, if any. */
let jarWhenHeld: string | null = null;

export const listeners = new Set<AttributionListener>();

/** The cookies an attribution is written to (persist), the first-party handler's too. */
const ATTRIBUTION_COOKIES = [COOKIE_CLICK_ID, COOKIE_LEGACY_CLICK_ID, COOKIE_HISTORY, COOKIE_AFFILIATE_URL];

export const data = (): AffitorData => ({ clickId, programId, hasAttribution: !!clickId, affiliateUrl });

/**
 * Reads the stored attribution from the cookies; a legacy `customer_code` is migrated. Not where
 * the attribution lives in memory only (consent pending, or the browser refused the cookies): the
 * jar does not hold it, and reading it would forget it.
 */
export function restore(): void {
  // Nor what consent was withdrawn for (a withdrawal the stub queued is replayed after init and its
  // landing): read, a new partner's click carried the withdrawn click id, and a landing on the
  // withdrawn partner's link was taken for the stored one and sent no click.
  if (unsavedDays || cookiesBlocked || consent() == 'revoked') return;
  readAt = Date.now();
  const jar = lookInJar();
  clickId = readCookie(COOKIE_CLICK_ID, isPlausibleId, jar);
  affiliateUrl = readCookie(COOKIE_AFFILIATE_URL, readAff, jar);
  history = parseHistory(readCookie(COOKIE_HISTORY, Boolean, jar));
  const legacy = !clickId && readCookie(COOKIE_LEGACY_CLICK_ID, isPlausibleId, jar);
  if (legacy) save(legacy, DEFAULT_WINDOW_DAYS);
}

/**
 * Writes the attribution held in memory to every cookie, for `days`; while consent is not given,
 * holds it in memory for grantConsent() instead. Checked here, not by each caller: a click sent with
 * consent (whose answer the handler wrote over a newer one's) may answer after consent turned back to pending.
 */
export function persist(days = unsavedDays): void {
  if (!mayPersist()) {
    unsavedDays = days;
    jarWhenHeld = readCookie(COOKIE_CLICK_ID, isPlausibleId);
    return log('info', 'kept in memory: consent', consent());
  }
  setCookie(COOKIE_CLICK_ID, clickId, days);
  setCookie(COOKIE_LEGACY_CLICK_ID, clickId, days);
  setCookie(COOKIE_HISTORY, history.join('|'), days);
  setCookie(COOKIE_AFFILIATE_URL, affiliateUrl, days);
  // Written by the page now, not the handler: diagnose() tells them apart by this cookie.
  setCookie(COOKIE_SET_BY, null, 0);
  unsavedDays = 0;
  // Read back only when no cookie of ours was seen to stick on this page (a configured or host-only domain).
  cookiesBlocked = !cookiesProven() && readCookie(COOKIE_CLICK_ID) != clickId;
  if (cookiesBlocked) log('warn', 'cookies blocked: attribution kept in memory');
}

/**
 * Consent given: writes the attribution held in memory, unless another tab stored a newer one since
 * it was held (a partner's link followed in a tab with consent): that one is read instead, as when
 * the page is shown again. Written over it, the older partner would take every later signup, in
 * every tab. One another tab stored from an older landing (given consent first, it too had held
 * its own) gives way to this page's `landing` (its touch), as landing.ts tells them apart; one
 * stored with no touch (behind the first-party handler) is taken for newer. Says whether this
 * page's attribution was written.
 */
export function persistHeld(landing?: string): boolean {
  const newest = readCookie(COOKIE_TOUCH);
  if (readCookie(COOKIE_CLICK_ID, isPlausibleId) == jarWhenHeld || (landing && newest && standsAgainst(newest.slice(0, 8), landing))) {
    persist();
    return true;
  }
  unsavedDays = 0;
  reread();
  return false;
}

/**
 * Makes `id` (landed on `url`, when a click answer gives it) the attribution: in cookies for
 * `days`, or in memory only while consent is not given. `byServer`: the first-party handler
 * already wrote the cookies, which writing them again with `document.cookie` would cap at 7
 * days in Safari; they are only read back. Not found there (a CDN in front stripped the
 * `Set-Cookie`, the browser refused its `Domain`), the page writes them, as without the handler:
 * held in memory only, the partner would be lost on the next page.
 */
export function save(id: string, days: number, url = affiliateUrl, byServer?: boolean): void {
  clickId = id;
  affiliateUrl = url;
  history = appendHistory(history, id);
  // The handler's cookie shadowed by an older twin on the page's folder (an integration that wrote
  // without path=/; the handler knows no folders): the twins go, and it is read again.
  if (byServer && (readCookie(COOKIE_CLICK_ID) == id || (ATTRIBUTION_COOKIES.map(deleteTwins), readCookie(COOKIE_CLICK_ID) == id))) {
    unsavedDays = 0;
    cookiesBlocked = false;
  } else persist(days);
}

/** Tells every listener the attribution changed from `previous` (a listener's failure is logged, not thrown). */
function announce(previous: AffitorData): void {
  for (const listener of listeners) {
    try {
      listener(data(), previous);
    } catch (error) {
      log('error', 'onAttribution listener failed:', error);
    }
  }
}

/** A click answer: the new attribution, announced to every listener. */
export function applyClick(id: string, url: string, days: number, byServer?: boolean): void {
  const previous = data();
  windowDays = days;
  save(id, days, url, byServer);
  log('info', 'click saved', id);
  announce(previous);
}

/**
 * Reads the attribution again, as another tab of the site may have written it since (a partner's
 * link followed in a new tab), and tells the listeners when it changed: when the page is shown
 * again, and before a lead is built. Not where it may not be read (consent not given); restore()
 * keeps an attribution that lives in memory only. True when it changed.
 */
export function reread(): boolean | void {
  try {
    if (mayPersist()) {
      const previous = data();
      restore();
      if (clickId != previous.clickId) {
        announce(previous);
        return true;
      }
    }
  } catch (error) {
    // An event listener of the page's: nothing may reach its error monitoring.
    log('error', 'reading the cookies again failed:', error);
  }
}

/** Calls `listener(current, previous)` whenever a click id is set, replaced or forgotten (consent revoked). Returns a function that stops it. */
export function onAttribution(listener: AttributionListener): () => void {
  // Said now, not as a failed listener at the next change, long after the call that was wrong.
  if (typeof listener == 'function') listeners.add(listener);
  else log('error', 'onAttribution: not a function:', listener);
  return () => void listeners.delete(listener);
}

/**
 * Forgets the attribution (consent revoked). Listeners hear it when there was one, so that what
 * they copied the click id into (a checkout reference, Stripe links) can let go of it too.
 */
export function forget(): void {
  const previous = data();
  clickId = affiliateUrl = null;
  history = [];
  unsavedDays = 0;
  if (previous.clickId) announce(previous);
}

/** A fresh page view (tests). */
export const resetAttribution = (): void => {
  // No listener of the page view before hears the reset.
  listeners.clear();
  forget();
  windowDays = null;
  readAt = 0;
  cookiesBlocked = false;
};
