/** What the page's tracker holds, gathered for `diagnose()`. */
import { readAnswer } from '../core/answers';
import type { AffitorDiagnosis, RequestReport } from '../core/diagnosis';
import { normaliseCookieDomain, pageCookieDomain } from '../core/cookie-codec';
import { answered, chosenDomain, consent as consentNow, cookieDomain, cookiesBlocked, options, probes, programId, windowDays } from './core';
import { isBrowser } from './env';
import { programIdAttribute } from './page';

export type Snapshot = Omit<AffitorDiagnosis, 'aff' | 'cookies' | 'cookiesSetBy' | 'warnings'> & {
  debug: boolean;
  /** A `cookieDomain` option that is no domain, or not one of this page's, or null. */
  invalidCookieDomain: string | null;
};

/** The last outcome of `route`, as diagnose() reports it. */
function report(route: string): RequestReport | null {
  const outcome = answered[route];
  if (!outcome) return null;
  const answer = readAnswer(outcome, location.origin);
  const ok = typeof answer == 'object';
  // No answer: the message is the failure alone; the warning asks about the origin (diagnosis.ts), once.
  const message = ok ? null : outcome.status ? answer : outcome.failure ?? null;
  return { status: outcome.status, ok, requestId: outcome.requestId ?? null, message, at: new Date(outcome.at).toISOString() };
}

export function snapshot(): Snapshot {
  const browser = isBrowser();
  const consent = consentNow();
  // Choosing the domain (by probe) is what the next click would do; not without consent.
  if (browser && consent == 'granted') cookieDomain();
  const configured = options.cookieDomain;
  const invalid = !!configured && !(browser ? pageCookieDomain(configured, location.hostname) : normaliseCookieDomain(configured));
  const reason = chosenDomain === null ? 'not chosen yet' : configured && !invalid ? 'option' : chosenDomain ? 'probe' : 'host-only';
  return {
    programId,
    programIdSource: !programId ? null : options.programId != null ? 'option' : browser && programIdAttribute() ? 'script-attribute' : 'window',
    cookieDomain: chosenDomain ?? null,
    cookieDomainReason: reason,
    probes,
    cookiesBlocked,
    windowDays,
    lastClick: browser ? report('click') : null,
    lastLead: browser ? report('lead') : null,
    consent,
    debug: !!options.debug,
    invalidCookieDomain: invalid ? configured : null,
  };
}
