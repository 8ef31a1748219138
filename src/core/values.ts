/** Checks on values that come from URLs, cookies and server answers. */

/** Click ids are server-made (`cust_<id>_<ms>`); a cookie value far from that shape is not ours. */
export const isPlausibleId = (value: unknown): value is string =>
  typeof value == 'string' && /^[\w.:-]{1,128}$/.test(value);

export const DEFAULT_WINDOW_DAYS = 60;

/** The tracking API an `apiBase` left unset means. */
export const DEFAULT_API_BASE = 'https://api.affitor.com';

/** `url`'s origin (against `base`), or undefined for what is no URL. */
export const originOf = (url: string, base?: string): string | undefined => {
  try {
    return new URL(url, base).origin;
  } catch {
    return undefined;
  }
};

/** The tracking API's origin for an `apiBase` option (a `URL` object works as its text), against the page's URL (without one, an absolute apiBase's only). */
export const apiOriginOf = (apiBase: string | undefined, pageUrl?: string): string | undefined => originOf(String(apiBase || DEFAULT_API_BASE), pageUrl);

/** The cookie lifetime from a click answer: whole days in 1..365, 60 when missing or not a number. */
export const clampWindowDays = (raw: unknown): number =>
  Number.isFinite(raw) ? Math.min(365, Math.max(1, Math.round(raw as number))) : DEFAULT_WINDOW_DAYS;

/** A host name that never leaves this machine; `URL` has already lower-cased it and spelled out IPv4. */
export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost') || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** Whether `apiBase` is a same-origin path (`/relay`): the first-party handler, which may write the cookies itself. */
export const isHandlerPath = (apiBase?: string | null): boolean => /^\/(?!\/)/.test(apiBase ?? '');

/** A program id is a positive whole number, given as a number or a numeric string; anything else is null. */
export const parseProgramId = (raw: unknown): number | null =>
  /^\d{1,15}$/.test(typeof raw == 'number' ? String(raw) : typeof raw == 'string' ? raw.trim() : '') && +raw! > 0 ? +raw! : null;

/**
 * A cookie holds about 4 KB: a landing URL 1,024 characters or longer as written in one is kept as
 * what attribution needs, its origin and `aff` (the first-party handler's `Set-Cookie` too). Measured
 * written (percent-encoded), not as given: text in other scripts (a Japanese `utm_term`) is up to 9
 * times longer written, and a URL's own escapes are escaped again (`%E3` as `%25E3`). Measured as
 * given, 1,000 characters became a 9 KB cookie the browser dropped whole (the landing URL, or the
 * outbox and every event in it), or a `Set-Cookie` that, with a returning visitor's history and twin
 * deletions, passed a proxy's 4 KB header buffer.
 * One that is no URL with `aff` (junk in the outbox cookie) is kept as nothing, never thrown on.
 */
export function slimLanding(url: string, aff = readAff(url)): string {
  try {
    if (encodeURIComponent(url).length < 1024) return url;
  } catch {
    /* a lone surrogate (a hand-made outbox): kept as the rest */
  }
  return aff ? `${new URL(url).origin}/?aff=${encodeURIComponent(aff)}` : '';
}

/**
 * The `aff` query parameter of an absolute http(s) URL, trimmed; null when absent, empty or the URL is
 * unusable. A hash-mode app's route (`/#/pricing?aff=X`, Vue's or Angular's) has its query in the hash:
 * a partner link to it is read there. Only a web page is a landing: `javascript:…?aff=X` parses as
 * well, and the landing URL is handed to the merchant (`getData().affiliateUrl`), who may render it as a link.
 */
export function readAff(url: string | null | undefined): string | null {
  // None given is none found, not a thrown TypeError: a page's first exception costs a fresh
  // Chromium tab about 2 ms, and the landing asks this of its last landing, none yet, before its click.
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return (/^https?:$/.test(parsed.protocol) && (parsed.searchParams.get('aff') || new URL(parsed.hash.slice(1), parsed).searchParams.get('aff'))?.trim()) || null;
  } catch {
    return null;
  }
}

/**
 * The landing URL as a click sends it, for a URL readAff read `aff` from: the API looks up the query's
 * `aff` as it stands, so one with spaces around it, or in the hash, would be no partner's.
 */
export function clickUrl(url: string, aff: string): string {
  const parsed = new URL(url);
  if (parsed.searchParams.get('aff') != aff) parsed.searchParams.set('aff', aff);
  return parsed.href;
}

/**
 * A UTC offset as a time zone identifier, `+05:30` (ECMAScript takes these where it takes IANA
 * names), from what `Date.prototype.getTimezoneOffset()` answers: minutes to add to local time
 * to reach UTC, so east of UTC is negative.
 */
export const offsetTimeZone = (timezoneOffset: number): string =>
  // The offset as a time of day on 1 January 1970 (UTC), written `HH:MM` by toISOString().
  (timezoneOffset > 0 ? '-' : '+') + new Date(Math.abs(timezoneOffset) * 6e4).toISOString().slice(11, 16);

/**
 * The largest whole number of pixels, up to 32,767, for which `atLeast(px)` holds (0 when none
 * does), by bisection: 15 questions. `atLeast` must hold for every number below one it holds for.
 */
export function largestPixels(atLeast: (px: number) => boolean): number {
  let found = 0;
  for (let step = 1 << 14; step; step >>= 1) if (atLeast(found + step)) found += step;
  return found;
}
