/** What the page's tracker holds, gathered for `diagnose()`. */
import { readAnswer, unroutedHint } from '../core/answers';
import type { AffitorDiagnosis, RequestReport } from '../core/diagnosis';
import { normaliseCookieDomain, pageCookieDomain } from '../core/cookie-codec';
import { isHandlerPath } from '../core/values';
import { answered, chosenDomain, consent as consentNow, cookieDomain, cookiesBlocked, options, probes, programId, windowDays } from './core';
import { isBrowser } from './env';
import { pageProgramId, programIdAttribute } from './page';

export type Snapshot = Omit<AffitorDiagnosis, 'aff' | 'cookies' | 'cookiesSetBy' | 'warnings'> & {
  debug: boolean;
  /** A `cookieDomain` option that is no domain, or not one of this page's, or null. */
  invalidCookieDomain: string | null;
  /** A program id that was given but is no positive whole number, as the warning shows it; or null. */
  invalidProgramId: string | null;
  /** `apiBase` when it is the first-party handler's path (`/relay`), or null. */
  handler: string | null;
  /** `cookie_window_days` as the last click answer gave it, when it gave one (diagnosisWarnings checks it). */
  windowGiven: unknown;
};

/** The last outcome of `route`, as diagnose() reports it. */
function report(route: string): RequestReport | null {
  const outcome = answered[route];
  if (!outcome) return null;
  const answer = readAnswer(outcome, location.origin);
  const ok = typeof answer == 'object';
  // No answer: the message is the failure alone; the warning says what to check (diagnosis.ts), once.
  // An answer: what to check follows it, as in the console's `not recorded` line.
  const message = ok ? null : outcome.status ? answer + unroutedHint(outcome, options.apiBase) : outcome.failure ?? null;
  return { status: outcome.status, ok, requestId: outcome.requestId ?? null, message, at: new Date(outcome.at).toISOString() };
}

/** A value given as the program id, shown as no throw can stop (a string quoted, so `""` shows). */
const shown = (raw: unknown): string => (typeof raw == 'string' ? JSON.stringify(raw) : typeof raw == 'number' ? String(raw) : typeof raw);

export function snapshot(): Snapshot {
  const browser = isBrowser();
  const consent = consentNow();
  // Choosing the domain (by probe) is what the next click would do; not without consent, nor in a
  // page rendered ahead, which writes nothing until it is opened (landing.ts).
  if (browser && consent == 'granted' && !(document as { prerendering?: boolean }).prerendering) cookieDomain();
  const configured = options.cookieDomain;
  const domain = configured && (browser ? pageCookieDomain(configured, location.hostname) : normaliseCookieDomain(configured));
  const invalid = !!configured && !domain;
  // A valid option the browser refused (a public suffix) is not the domain in use: the probe chose that.
  const reason = chosenDomain === null ? 'not chosen yet' : domain && domain == chosenDomain ? 'option' : chosenDomain ? 'probe' : 'host-only';
  // As options.ts resolves it: the source of an invalid value is named too, as the place to fix.
  const given = options.programId ?? (browser ? pageProgramId() : undefined);
  return {
    programId,
    programIdSource: given == null ? null : options.programId != null ? 'option' : programIdAttribute() ? 'script-attribute' : 'window',
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
    invalidProgramId: !programId && given != null ? shown(given) : null,
    handler: isHandlerPath(options.apiBase) ? options.apiBase! : null,
    windowGiven: answered.click?.body?.cookie_window_days,
  };
}
