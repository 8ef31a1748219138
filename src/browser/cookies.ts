/** The only module that reads or writes `document.cookie`. */
import { readCookieValues, serializeCookie } from '../core/cookie-codec';
import { COOKIE_PROBE as PROBE } from '../core/cookie-names';
import { cookieDomainCandidates } from '../core/root-domain';

/** The first value of cookie `name` that passes `accept`. Blocked cookies read as none. */
export function readCookie(name: string, accept: (value: string) => unknown = Boolean): string | null {
  try {
    return readCookieValues(document.cookie, name).find(accept) ?? null;
  } catch {
    // Sandboxed iframes and some privacy modes throw on access.
    return null;
  }
}

/** Writes (or, with `days <= 0`, deletes) a cookie on `domain` (undefined: host-only). */
export function writeCookie(name: string, value: string, days: number, domain: string | undefined, secure: boolean): void {
  try {
    document.cookie = serializeCookie(name, value, days, domain, secure, Date.now());
  } catch {
    /* cookies blocked: attribution stays in memory for this page */
  }
}


/**
 * The broadest domain this browser lets the page set cookies on (undefined: host-only),
 * found by writing a probe cookie on each candidate from the shortest and reading it back.
 * Public suffixes (`co.uk`, `github.io`) are refused by the browser itself. `onProbe`
 * hears each attempt, for diagnostics.
 */
export function findRootDomain(
  hostname: string,
  secure: boolean,
  onProbe?: (domain: string, accepted: boolean) => void,
): string | undefined {
  for (const domain of cookieDomainCandidates(hostname)) {
    writeCookie(PROBE, '1', 1, domain, secure);
    const accepted = !!readCookie(PROBE);
    onProbe?.(domain, accepted);
    if (accepted) {
      writeCookie(PROBE, '', 0, domain, secure);
      return domain;
    }
  }
}
