/**
 * The attribution cookies the first-party handler sets with `Set-Cookie`: the names, values
 * and encoding the browser SDK writes with `document.cookie`, built by the same core code.
 * Pure: the handler passes in what it read from the request.
 */
import { appendHistory, parseHistory } from '../../core/attribution';
import { normaliseCookieDomain, readCookieValues, serializeCookie } from '../../core/cookie-codec';
import { COOKIE_AFFILIATE_URL, COOKIE_CLICK_ID, COOKIE_HISTORY, COOKIE_LEGACY_CLICK_ID, COOKIE_SET_BY } from '../../core/cookie-names';
import { cookieDomainCandidates } from '../../core/root-domain';
import { clampWindowDays, slimLanding } from '../../core/values';

/**
 * The `Domain` for the cookies: the merchant's `cookieDomain`, else the domain the SDK's probe
 * found and sent, each only when it is one of the request's hosts or a parent of it (a domain
 * the browser would refuse, or one of another site, is never written). Undefined: host-only.
 */
export function chooseCookieDomain(hosts: readonly string[], configured: string | undefined, sent: unknown): string | undefined {
  const allowed = new Set(hosts.flatMap(cookieDomainCandidates));
  const offered = [configured, typeof sent == 'string' ? normaliseCookieDomain(sent) : null];
  return offered.find((domain): domain is string => !!domain && allowed.has(domain));
}

export interface ClickCookies {
  clickId: string;
  /** The landing URL the click was reported for (`affiliate_url`). */
  affiliateUrl: string;
  /** `cookie_window_days` of the click answer, as received. */
  windowDays: unknown;
  /** The visitor's `Cookie` header: the click-id history grows from the one the browser holds. */
  cookieHeader: string | null;
  domain: string | undefined;
  /**
   * The other domains the request's hosts could hold cookies on (`cookieDomainCandidates`): a
   * cookie of ours the visitor sent is deleted on each, as the SDK does, since one an earlier
   * `cookieDomain` left there is older, read first, and would shadow the new value.
   */
  twinDomains?: readonly string[];
  secure: boolean;
}

/**
 * The landing URL as the SDK stores it (slimLanding): whole when short once written, else its origin
 * and `aff`. A lone surrogate (only a hand-made body has one) as the browser writes it, U+FFFD.
 */
export const storedLandingUrl = (given: string): string => slimLanding(given.replace(/[\uD800-\uDFFF]/gu, '\uFFFD'));

/**
 * A `Set-Cookie` value that deletes cookie `name` on `domain` (undefined: the host-only one). As
 * short as a deletion can be: a returning visitor's answer carries up to twenty of them, and the
 * whole head must fit a proxy's header buffer (nginx's default is one 4 KB page, and a longer head
 * is a 502 for every retry of the click). A cookie is matched by name, domain and path alone;
 * `Max-Age=0` deletes it as the answer arrives (`Secure` is not needed over https to delete a secure
 * one, and over http cannot be set).
 */
const deletion = (name: string, domain: string | undefined): string => `${name}=;path=/;max-age=0${domain ? `;domain=.${domain}` : ''}`;

/**
 * `Set-Cookie` values for a click answer. Each cookie gets `Max-Age` (the window, clamped as
 * the SDK clamps it), as the SDK writes it. When a `Domain` is set, a host-only twin
 * left by an earlier integration is deleted first, as the SDK does, so it cannot shadow the new
 * value; so are twins on `twinDomains` of a cookie the visitor sent.
 */
export function clickCookies(input: ClickCookies): string[] {
  const days = clampWindowDays(input.windowDays);
  const previous = readCookieValues(input.cookieHeader ?? '', COOKIE_HISTORY).find(Boolean) ?? null;
  const history = appendHistory(parseHistory(previous), input.clickId);
  const cookies: string[] = [];
  for (const [name, value] of [
    [COOKIE_CLICK_ID, input.clickId],
    [COOKIE_LEGACY_CLICK_ID, input.clickId],
    [COOKIE_HISTORY, history.join('|')],
    [COOKIE_AFFILIATE_URL, storedLandingUrl(input.affiliateUrl)],
    [COOKIE_SET_BY, 'server'],
  ] as const) {
    if (input.domain) cookies.push(deletion(name, undefined));
    if (readCookieValues(input.cookieHeader ?? '', name).length) {
      for (const twin of input.twinDomains ?? []) if (twin != input.domain) cookies.push(deletion(name, twin));
    }
    cookies.push(serializeCookie(name, value, days, input.domain, input.secure));
  }
  return cookies;
}
