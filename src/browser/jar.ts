/** The cookie jar: which `Domain` the SDK writes on (chosen once per page), and writing on it. */
import { normaliseCookieDomain } from '../core/cookie-codec';
import type { AffitorDiagnosis } from '../core/diagnosis';
import { readCookieValues } from '../core/cookie-codec';
import { findRootDomain, readJar, writeCookie } from './cookies';
import { log, options } from './options';
import { isSecurePage } from './page';

/** The chosen domain: undefined for host-only, null while not chosen yet. */
export let chosenDomain: string | undefined | null = null;
/** The cookies as the page first found them: a host-only twin can only be one of these. */
let jarBefore: string | null = null;
/** Each domain the probe tried, for diagnose(). */
export let probes: AffitorDiagnosis['probes'] = [];

/** The `Domain` for the SDK's cookies: the option, else the broadest one the browser accepts (probed once). */
export function cookieDomain(): string | undefined {
  if (chosenDomain === null) {
    const configured = options.cookieDomain;
    chosenDomain = configured && normaliseCookieDomain(configured);
    if (!chosenDomain) {
      if (configured) log('error', 'Invalid cookieDomain, using the root domain:', configured);
      probes = [];
      chosenDomain = findRootDomain(location.hostname, isSecurePage(), (domain, accepted) => probes.push({ domain, accepted }));
    }
    log('info', 'cookie domain', chosenDomain ?? 'host-only');
  }
  return chosenDomain;
}

/** A new `cookieDomain` option: choose again on the next write. */
export const forgetCookieDomain = (): void => void (chosenDomain = jarBefore = null);

/**
 * Writes cookie `name` on the chosen domain for `days`; an empty value deletes it. A host-only
 * twin (an earlier integration, or an earlier cookieDomain) would be read first and shadow the
 * value: it is removed first, when the page had a cookie of that name (no extra write otherwise).
 */
export function setCookie(name: string, value: string | null, days: number): void {
  const domain = cookieDomain();
  const secure = isSecurePage();
  if (domain && readCookieValues((jarBefore ??= readJar()), name).length) writeCookie(name, '', 0, undefined, secure);
  writeCookie(name, value || '', value ? days : 0, domain, secure);
}

/** A fresh page view (tests). */
export const resetJar = (): void => {
  chosenDomain = jarBefore = null;
  probes = [];
};
