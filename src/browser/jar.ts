/** The cookie jar: its cookie names, and which `Domain` the SDK writes on (chosen once per page). */
import { normaliseCookieDomain } from '../core/cookie-codec';
import type { AffitorDiagnosis } from '../core/diagnosis';
import { cookieDomainCandidates } from '../core/root-domain';
import { findRootDomain, writeCookie } from './cookies';
import { log, options } from './options';
import { isSecurePage } from './page';

import { COOKIE_AFFILIATE_URL, COOKIE_CLICK_ID, COOKIE_HISTORY, COOKIE_LEGACY_CLICK_ID, COOKIE_SET_BY } from '../core/cookie-names';

export { COOKIE_AFFILIATE_URL, COOKIE_CLICK_ID, COOKIE_HISTORY, COOKIE_LEGACY_CLICK_ID, COOKIE_SET_BY };
export const COOKIE_OUTBOX = 'affitor_outbox';
export const COOKIE_NAMES = [COOKIE_CLICK_ID, COOKIE_LEGACY_CLICK_ID, COOKIE_HISTORY, COOKIE_AFFILIATE_URL, COOKIE_SET_BY, COOKIE_OUTBOX, 'affitor_probe'];

/** The chosen domain: undefined for host-only, null while not chosen yet. */
export let chosenDomain: string | undefined | null = null;
export let domainReason = 'not chosen yet';
export let probes: AffitorDiagnosis['probes'] = [];

/** The `Domain` for the SDK's cookies: the option, else the broadest one the browser accepts (probed once). */
export function cookieDomain(): string | undefined {
  if (chosenDomain === null) {
    const configured = options.cookieDomain;
    chosenDomain = configured && normaliseCookieDomain(configured);
    domainReason = 'option';
    if (!chosenDomain) {
      if (configured) log('error', 'Invalid cookieDomain, using the root domain:', configured);
      probes = [];
      chosenDomain = findRootDomain(location.hostname, isSecurePage(), (domain, accepted) => probes.push({ domain, accepted }));
      domainReason = chosenDomain ? 'probe' : 'host-only';
    }
    log('info', 'cookie domain', chosenDomain ?? 'host-only');
  }
  return chosenDomain;
}

/** A new `cookieDomain` option: choose again on the next write. */
export const forgetCookieDomain = (): void => void (chosenDomain = null);

/**
 * Writes cookie `name` on the chosen domain for `days`; an empty value deletes it. A host-only
 * twin (an earlier integration, or an earlier cookieDomain) would be read first and shadow the
 * value: it is removed first.
 */
export function setCookie(name: string, value: string | null, days: number): void {
  const domain = cookieDomain();
  const secure = isSecurePage();
  if (domain) writeCookie(name, '', 0, undefined, secure);
  writeCookie(name, value || '', value ? days : 0, domain, secure);
}

/** Deletes every cookie the SDK may have written, host-only and on each parent domain (earlier pages may have used any). */
export function deleteAllCookies(): void {
  const secure = isSecurePage();
  for (const name of COOKIE_NAMES) {
    for (const domain of [undefined, chosenDomain ?? undefined, ...cookieDomainCandidates(location.hostname)]) {
      writeCookie(name, '', 0, domain, secure);
    }
  }
}

/** A fresh page view (tests). */
export const resetJar = (): void => {
  chosenDomain = null;
  domainReason = 'not chosen yet';
  probes = [];
};
