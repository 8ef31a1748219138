/**
 * The names of the attribution cookies, shared by the browser SDK (which writes them with
 * `document.cookie`) and the first-party handler (which writes them with `Set-Cookie`).
 */
export const COOKIE_CLICK_ID = 'affitor_click_id';
export const COOKIE_AFFILIATE_URL = 'affitor_aff_url';
export const COOKIE_HISTORY = 'affitor_click_ids';
/** Legacy name of the click id, still written for older integrations. */
export const COOKIE_LEGACY_CLICK_ID = 'customer_code';
/**
 * `server` when the first-party handler wrote the attribution cookies: lets a later page
 * view know who wrote them, which `document.cookie` cannot tell.
 */
export const COOKIE_SET_BY = 'affitor_set_by';
/** Events not yet delivered (outbox.ts). */
export const COOKIE_OUTBOX = 'affitor_outbox';
/** The visitor's session id (session.ts): a session cookie, no expiry. */
export const COOKIE_SESSION = 'affitor_session_id';
/**
 * The event id of the click the stored attribution comes from (it begins with its landing's time),
 * for the session: every tab of the site sees it, so a tab whose click answers after another tab
 * stored a newer landing's attribution does not take last touch back (landing.ts).
 */
export const COOKIE_TOUCH = 'affitor_touch';
/** Written and deleted while choosing the cookie domain. */
export const COOKIE_PROBE = 'affitor_probe';
/** Every cookie the SDK may write: read by diagnose(), deleted by revokeConsent(). */
export const COOKIE_NAMES = [COOKIE_CLICK_ID, COOKIE_LEGACY_CLICK_ID, COOKIE_HISTORY, COOKIE_AFFILIATE_URL, COOKIE_SET_BY, COOKIE_OUTBOX, COOKIE_SESSION, COOKIE_TOUCH, COOKIE_PROBE];
