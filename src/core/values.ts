/** Checks on values that come from URLs, cookies and server answers. */

/** Click ids are server-made (`cust_<id>_<ms>`); a cookie value far from that shape is not ours. */
export const isPlausibleId = (value: unknown): value is string =>
  typeof value == 'string' && /^[\w.:-]{1,128}$/.test(value);

export const DEFAULT_WINDOW_DAYS = 60;

/** The cookie lifetime from a click answer: whole days in 1..365, 60 when missing or not a number. */
export const clampWindowDays = (raw: unknown): number =>
  Number.isFinite(raw) ? Math.min(365, Math.max(1, Math.round(raw as number))) : DEFAULT_WINDOW_DAYS;

/** A program id is a positive whole number, given as a number or a numeric string; anything else is null. */
export const parseProgramId = (raw: unknown): number | null =>
  /^\d{1,15}$/.test(typeof raw == 'number' ? String(raw) : typeof raw == 'string' ? raw.trim() : '') && +raw! > 0 ? +raw! : null;

/** A cookie holds about 4 KB: an overlong landing URL is kept as what attribution needs, its origin and `aff`. */
export const slimLanding = (url: string): string =>
  url.length < 1024 ? url : `${new URL(url).origin}/?aff=${encodeURIComponent(readAff(url) ?? '')}`;

/** The `aff` query parameter of an absolute URL; null when absent, empty or the URL is unusable. */
export function readAff(url: string | null | undefined): string | null {
  try {
    return new URL(url!).searchParams.get('aff')?.trim() || null;
  } catch {
    return null;
  }
}
