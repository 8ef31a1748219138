/** What the page's tracker holds, gathered for `diagnose()`. */
import { normaliseCookieDomain } from '../core/cookie-codec';
import type { AffitorDiagnosis } from '../core/diagnosis';
import { cookiesBlocked, windowDays } from './attribution';
import { isBrowser } from './env';
import { reports } from './delivery';
import { chosenDomain, cookieDomain, domainReason, probes } from './jar';
import { consent, mayPersist, options, programId, programIdSource } from './options';

export type Snapshot = Omit<AffitorDiagnosis, 'aff' | 'cookies' | 'cookiesSetBy' | 'warnings'> & {
  debug: boolean;
  /** A `cookieDomain` option that is no domain, or null. */
  invalidCookieDomain: string | null;
};

export function snapshot(): Snapshot {
  // Choosing the domain (by probe) is what the next click would do; not without consent.
  if (isBrowser() && mayPersist()) cookieDomain();
  const configured = options.cookieDomain;
  return {
    programId,
    programIdSource,
    cookieDomain: chosenDomain ?? null,
    cookieDomainReason: domainReason,
    probes,
    cookiesBlocked,
    windowDays,
    lastClick: reports.click ?? null,
    lastLead: reports.lead ?? null,
    consent: consent(),
    debug: !!options.debug,
    invalidCookieDomain: configured && !normaliseCookieDomain(configured) ? configured : null,
  };
}
