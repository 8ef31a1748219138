/** Building and parsing `document.cookie` strings. No DOM access here. */

/**
 * A cookie domain is letters, digits, dots and hyphens. Anything else could smuggle another
 * attribute into the cookie string, so it is refused rather than escaped. Returns the domain
 * without its leading dot, or null.
 */
export function normaliseCookieDomain(input: string): string | null {
  // A value of another type (a number from a config file) is refused as its text is, never thrown on.
  const domain = String(input).trim().toLowerCase().replace(/^\./, '');
  return /^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(domain) ? domain : null;
}

/**
 * A `cookieDomain` option as the `Domain` of the cookies of a page on `hostname`: normalised, and
 * only the host itself or a parent of it. A browser refuses any other (another site's domain,
 * production's on a staging host), so every write would fail. Null: not usable.
 */
export function pageCookieDomain(configured: string, hostname: string): string | null {
  const domain = normaliseCookieDomain(configured);
  return domain && ('.' + hostname.toLowerCase()).endsWith('.' + domain) ? domain : null;
}

/**
 * `name=value;path=/;max-age=…;samesite=lax[;domain=.d][;secure]` (another `path` only to delete a twin there). The value is
 * percent-encoded, so `;`, `,`, `=`, spaces and quotes cannot end it early; `domain`
 * must come from `normaliseCookieDomain` or a hostname. `days` is whole (`clampWindowDays`, or a
 * constant): a fractional `Max-Age` is no number a browser takes, and the cookie would last only
 * the session. No `days`: a session cookie, gone when the browser session ends.
 *
 * The lifetime is `Max-Age`, not an `Expires` date: formatting the page's first `Date` string
 * costs a fresh tab about a millisecond (0.9 ms median, 1.7 ms mean in Chromium 156), and the
 * landing's first write (the domain probe) comes before its click leaves. `days <= 0` deletes
 * with `Max-Age=-1`: every engine drops the cookie at once, also happy-dom, which keeps one
 * with `Max-Age=0` readable until the clock's next millisecond.
 */
export const serializeCookie = (name: string, value: string, days: number | undefined, domain: string | undefined, secure: boolean, path = '/'): string =>
  `${name}=${encodeURIComponent(value)};path=${path}${days == null ? '' : ';max-age=' + (days > 0 ? days * 86_400 : -1)};samesite=lax${
    domain ? `;domain=.${domain}` : ''
  }${secure ? ';secure' : ''}`;

/** Every value for `name` in a `document.cookie` string, in order (host and domain cookies may share a name). */
export function readCookieValues(cookieString: string, name: string): string[] {
  const values: string[] = [];
  for (const part of cookieString.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() == name) {
      try {
        values.push(decodeURIComponent(part.slice(eq + 1).trim()));
      } catch {
        // A malformed escape written by someone else: not ours, skip it.
      }
    }
  }
  return values;
}
