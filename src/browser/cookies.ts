/** The only module that reads or writes `document.cookie`. */
import { readCookieValues, serializeCookie } from '../core/cookie-codec';
import { COOKIE_PROBE as PROBE } from '../core/cookie-names';
import { cookieDomainCandidates } from '../core/root-domain';

/**
 * `document.cookie`, or '' where reading it throws (sandboxed iframes, some privacy modes) or
 * answers no string (a consent tool's wrapper of it whose getter returns nothing: taken apart, it
 * stopped init, and the landing was lost). Each read can be a round trip to the browser process (a
 * millisecond or more on a busy phone once the page has written a cookie), so a step that reads
 * several cookies reads once.
 */
export function readJar(): string {
  try {
    return document.cookie || '';
  } catch {
    return '';
  }
}

/** The first value of cookie `name` in `jar` (default: read now) that passes `accept`. Blocked cookies read as none. */
export const readCookie = (name: string, accept: (value: string) => unknown = Boolean, jar = readJar()): string | null =>
  readCookieValues(jar, name).find(accept) ?? null;

/** Writes (or, with `days <= 0`, deletes) a cookie on `domain` (undefined: host-only) and `path`; no `days`: a session cookie. */
export function writeCookie(name: string, value: string, days: number | undefined, domain: string | undefined, secure: boolean, path?: string): void {
  try {
    document.cookie = serializeCookie(name, value, days, domain, secure, path);
  } catch {
    /* cookies blocked: attribution stays in memory for this page */
  }
}


/** Writes the probe cookie on `domain`: whether it sticks says whether the browser accepts that domain. */
const writeProbe = (domain: string, secure: boolean): void => writeCookie(PROBE, '1', 1, domain, secure);

/** Writes the probe on the hostname's first candidate (see findRootDomain's `jarAfterFirstProbe`); says whether there is one. */
export function probeFirstCandidate(hostname: string, secure: boolean): boolean {
  const first = cookieDomainCandidates(hostname)[0];
  if (first) writeProbe(first, secure);
  return !!first;
}

/**
 * The broadest domain this browser lets the page set cookies on (undefined: host-only),
 * found by writing a probe cookie on each candidate from the shortest (or from `from`, a
 * `cookieDomain` option) and reading it back. Public suffixes (`co.uk`, `github.io`) are
 * refused by the browser itself. `onProbe` hears each attempt, for diagnostics.
 * `jarAfterFirstProbe`: the first candidate's probe was written already (probeFirstCandidate),
 * and this jar read after it stands for its read-back.
 */
export function findRootDomain(
  hostname: string,
  secure: boolean,
  onProbe?: (domain: string, accepted: boolean) => void,
  jarAfterFirstProbe?: string,
  from?: string | null,
): string | undefined {
  const candidates = cookieDomainCandidates(hostname);
  // From the option on, when it is a candidate: the browser may refuse it too (`co.uk`), and then the next one.
  for (const domain of candidates.slice(Math.max(0, candidates.indexOf(from!)))) {
    const jar = jarAfterFirstProbe ?? (writeProbe(domain, secure), readJar());
    jarAfterFirstProbe = undefined;
    const accepted = !!readCookie(PROBE, Boolean, jar);
    onProbe?.(domain, accepted);
    if (accepted) {
      writeCookie(PROBE, '', 0, domain, secure);
      return domain;
    }
  }
}
