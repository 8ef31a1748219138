/** The cookie jar: which `Domain` the SDK writes on (chosen once per page), and writing on it. */
import { pageCookieDomain, readCookieValues } from '../core/cookie-codec';
import type { AffitorDiagnosis } from '../core/diagnosis';
import { cookieDomainCandidates } from '../core/root-domain';
import { findRootDomain, probeFirstCandidate, readJar, writeCookie } from './cookies';
import { log, options } from './options';
import { isSecurePage } from './page';

/** The chosen domain: undefined for host-only, null while not chosen yet. */
export let chosenDomain: string | undefined | null = null;
/** The cookies as the page first found them: a host-only twin can only be one of these. */
let jarBefore: string | null = null;
/** Names this page (or the first-party handler, for it) wrote a value for: only those, and the ones it found, can need deleting. */
export const written = new Set<string>();
/** Each domain the probe tried, for diagnose(). */
export let probes: AffitorDiagnosis['probes'] = [];
/** Whether the first candidate's probe went out before the page's first read of the jar (probeAhead). */
let probedAhead = false;

/**
 * The cookies as the page first found them (read now if nothing has read them yet). A read after a
 * write can be a round trip to the browser process: the page's first read serves every later look
 * at what it found (twins, the outbox earlier page views left).
 */
export const firstJar = (): string => (jarBefore ??= readJar());

/**
 * For a page that is about to write cookies (a landing): writes the first candidate's probe
 * before the page's first read of the jar, so that read, which last touch needs anyway, is also
 * the probe's read-back, and a first landing reads the jar once instead of twice. Only where the
 * domain will be probed: none chosen or configured, and nothing read yet. Says whether it wrote.
 */
export function probeAhead(): boolean {
  if (chosenDomain === null && jarBefore === null && !options.cookieDomain) probedAhead = probeFirstCandidate(location.hostname, isSecurePage());
  return probedAhead;
}

/** `document.cookie` now, kept as the page's first look when it is one. */
export const lookInJar = (): string => {
  const jar = readJar();
  jarBefore ??= jar;
  return jar;
};

/**
 * The `Domain` for the SDK's cookies, probed once: the option, else the broadest one the browser
 * accepts. The option is probed too: one the browser refuses (a public suffix, `localhost`) would
 * keep every cookie out, and the partner would be lost on the next page; the next candidate that
 * sticks is used instead (diagnose() shows the probes).
 */
export function cookieDomain(): string | undefined {
  if (chosenDomain === null) {
    const configured = options.cookieDomain;
    const domain = configured && pageCookieDomain(configured, location.hostname);
    if (configured && !domain) log('error', 'Invalid cookieDomain, using the root domain:', configured);
    probes = [];
    const jarAfterFirstProbe = probedAhead ? firstJar() : undefined;
    probedAhead = false;
    chosenDomain = findRootDomain(location.hostname, isSecurePage(), (tried, accepted) => probes.push({ domain: tried, accepted }), jarAfterFirstProbe, domain);
    log('info', 'cookie domain', chosenDomain ?? 'host-only');
  }
  return chosenDomain;
}

/**
 * Whether this page has seen a cookie of ours stick on the domain it writes on: the probe chose it.
 * Then a write needs no reading back to know cookies are not blocked (a configured domain, also one
 * set after a probe, still does).
 */
export const cookiesProven = (): boolean => probes.some((probe) => probe.accepted && probe.domain == chosenDomain);

/** A new `cookieDomain` option: choose again on the next write. */
export const forgetCookieDomain = (): void => void (chosenDomain = jarBefore = null, probedAhead = false);

/**
 * `/` and the folders above the page (`/k` of `/k/landing`): a cookie written without `path=/` (an
 * older integration, the shop's own code) lives on its page's folder, and its pages read it before
 * ours, which stays on `/`: their signups went to the partner it named.
 */
const folders = (): string[] => {
  // Not map's third argument: Prototype.js (1.7.0 and earlier, as Magento 1 ships it) replaces map
  // with one that passes two, and every write over a cookie the page found threw.
  const parts = location.pathname.split('/').slice(0, -1);
  return parts.map((_, at) => parts.slice(0, at + 1).join('/') || '/');
};

/** Every place a cookie of ours may be, as `[domain, path]`: host-only and each parent domain, on each of the page's folders. */
export const cookiePlaces = (): Array<[string | undefined, string]> => {
  const paths = folders();
  return [undefined, ...cookieDomainCandidates(location.hostname)].flatMap((domain) => paths.map((path): [string | undefined, string] => [domain, path]));
};

/** Whether the page found a cookie `name` when it first read the jar. */
const found = (name: string): boolean => readCookieValues(firstJar(), name).length > 0;

/**
 * Deletes cookie `name` everywhere but on the chosen domain's `/`, when the page found one of that
 * name (no write otherwise). A twin on another domain (host-only: an earlier integration; a parent
 * or a subdomain: an earlier cookieDomain) or folder (folders), being older or narrower, is read
 * first and shadows the value there.
 */
export function deleteTwins(name: string): void {
  if (found(name)) for (const [twin, path] of cookiePlaces()) if (twin != cookieDomain() || path != '/') writeCookie(name, '', 0, twin, isSecurePage(), path);
}

/**
 * Writes cookie `name` on the chosen domain for `days` (none: for the browser session), its twins
 * deleted first; an empty value deletes it. Deleting a cookie the page neither found nor wrote writes nothing.
 */
export function setCookie(name: string, value: string | null, days?: number): void {
  if (!value && !found(name) && !written.has(name)) return;
  if (value) written.add(name);
  deleteTwins(name);
  writeCookie(name, value || '', value ? days : 0, cookieDomain(), isSecurePage());
}

/** A fresh page view (tests). */
export const resetJar = (): void => {
  chosenDomain = jarBefore = null;
  probedAhead = false;
  written.clear();
  probes = [];
};
