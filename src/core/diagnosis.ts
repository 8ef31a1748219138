/** The `diagnose()` report, and the warnings read from it. Pure: the tracker gathers the facts. */

export type ConsentState = 'granted' | 'pending' | 'revoked';

/** The outcome of the last click or lead request. */
export interface RequestReport {
  /** HTTP status; 0 when no answer arrived (network error, CORS refusal, timeout). */
  status: number;
  ok: boolean;
  /** The server's `X-Request-ID`, to quote to support. */
  requestId: string | null;
  /** Why it failed, or null. */
  message: string | null;
  /** ISO time of the answer. */
  at: string;
}

export interface AffitorDiagnosis {
  /** The `aff` parameter of the current URL. */
  aff: string | null;
  programId: number | null;
  programIdSource: 'option' | 'script-attribute' | 'window' | null;
  /** The `Domain` the cookies are written on; null for host-only or not chosen yet. */
  cookieDomain: string | null;
  /** Why that domain: `option`, `probe`, `host-only`, or `not chosen yet`. */
  cookieDomainReason: string;
  /** Each suffix probed and whether the browser accepted a cookie on it, shortest first. */
  probes: Array<{ domain: string; accepted: boolean }>;
  /** The SDK's cookies present on this page, decoded. */
  cookies: Record<string, string>;
  /**
   * Who wrote the attribution cookies: `server` (the first-party handler, with `Set-Cookie`: kept
   * for the whole window), `page` (`document.cookie`: Safari keeps them 7 days at most), or null (none).
   */
  cookiesSetBy: 'server' | 'page' | null;
  /** The browser refused the attribution cookies (blocked, or a cross-site frame): attribution lives in memory only. */
  cookiesBlocked: boolean;
  /** Cookie lifetime from the last click answer, in days. */
  windowDays: number | null;
  lastClick: RequestReport | null;
  lastLead: RequestReport | null;
  consent: ConsentState;
  warnings: string[];
}

export const SAFARI_CAP_WARNING = 'Safari keeps cookies written by the page at most 7 days: serve the SDK through createAffitorHandler';

export function diagnosisWarnings(
  report: Omit<AffitorDiagnosis, 'warnings'>,
  origin: string,
  invalidCookieDomain: string | null,
): string[] {
  const warnings: string[] = [];
  if (!report.programId) warnings.push('no program id: nothing is tracked');
  if (invalidCookieDomain) warnings.push('invalid cookieDomain ignored: ' + invalidCookieDomain);
  if (report.cookiesBlocked) warnings.push('cookies blocked by the browser: attribution kept in memory for this page only');
  else if (report.cookieDomainReason == 'host-only' && report.probes.length) {
    warnings.push('host-only cookies: the browser accepted no parent domain, subdomains do not share attribution');
  }
  for (const [name, last] of [['click', report.lastClick], ['lead', report.lastLead]] as const) {
    if (last && !last.ok) {
      warnings.push(
        last.status
          ? `last ${name} failed: ${last.message}`
          : `last ${name} got no answer (${last.message}): is ${origin} in the program's allowed origins (CORS)?`,
      );
    }
  }
  if (report.cookiesSetBy == 'page') warnings.push(SAFARI_CAP_WARNING);
  if (report.consent != 'granted') warnings.push(`consent ${report.consent}: attribution kept in memory only`);
  return warnings;
}
