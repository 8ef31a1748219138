/** The `diagnose()` report, and the warnings read from it. Pure: the tracker gathers the facts. */
import { noAnswerHint } from './answers';
import { apiOriginOf, originOf } from './values';

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
  /** Where the program id was found, also one that is invalid (the place to fix it); null when none was given. */
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

/**
 * Whether a script URL loads the SDK from unpkg without naming its exact version (none, a range
 * such as `@0`, a tag such as `@latest`): unpkg answers such a URL with a redirect to the matching
 * version's, and every landing waits for it, one more round trip before the script downloads.
 */
export const isUnpinnedUnpkgUrl = (src: string): boolean => /^https?:\/\/unpkg\.com\/@affitor\/sdk(?![\w.-]|@\d+\.\d+\.\d+(?![\d.]))/.test(src);

/** The warning for such a URL (the script build's diagnose() gives it: see script-more.ts). */
export const unpinnedUrlWarning = (src: string): string => `${src}: no exact version, so unpkg redirects it before every landing (write @affitor/sdk@x.y.z)`;

/** What a blocking tag check reads of a script tag. */
export type ScriptTag = Pick<HTMLScriptElement, 'src' | 'async' | 'defer' | 'type' | 'hasAttribute'>;

/**
 * Whether a script tag loads the SDK's first file in a way that stops the page's parser until the
 * file has downloaded and run: a classic script with a `src` (its file's name, the package as a CDN
 * names it, or the program id attribute say it is the SDK's), neither `async` nor `defer`. On slow
 * 4G that is the whole download before the rest of the page is parsed and shown. A module is
 * deferred anyway; a tag a script inserts (a tag manager, the stub) is async unless made otherwise;
 * a tag of another type (`text/plain`, which consent managers swap for a new one) never runs.
 */
export const isBlockingSdkTag = (tag: ScriptTag): boolean =>
  !!tag.src &&
  !tag.async &&
  !tag.defer &&
  /^$|script$/i.test(tag.type) &&
  (tag.hasAttribute('data-affitor-program-id') || /affitor\.global\.js|@affitor\/sdk(@[^/]*)?\/?$/.test(tag.src));

/** The warning for such a tag (the script build's diagnose() gives it: see script-more.ts). */
export const blockingTagWarning = (src: string): string => `${src}: no async or defer, so the page stops parsing until it has run (add async)`;

/** What the preconnect check reads of a `<link rel="preconnect">`: its URL, and its `crossorigin` attribute as written (null when absent). */
export interface PreconnectLink {
  href: string;
  crossorigin: string | null;
}

/**
 * The warnings for `<link rel="preconnect">`s to the tracking API whose connection the SDK's calls
 * cannot use. Those calls are CORS requests without credentials, which browsers send over
 * connections of their own kind: only a preconnect with `crossorigin` (anonymous) opens one. Without
 * it (or with `use-credentials`) the link opens a connection that nothing uses, and the landing's
 * click still sets up its own, after the script has run. A handler on the page's own origin
 * (`apiBase: '/relay'`) is called with credentials, over the page's connection: no warning there.
 */
export function preconnectWarnings(links: Iterable<PreconnectLink>, apiBase: string | undefined, pageUrl: string): string[] {
  const api = apiOriginOf(apiBase, pageUrl);
  const warnings: string[] = [];
  if (!api || api == originOf(pageUrl)) return warnings;
  for (const link of links) {
    // As browsers read the attribute: absent, or `use-credentials` in any case, is a connection with
    // credentials; any other value (`crossorigin` alone, a typo) is anonymous.
    if ((link.crossorigin == null || /^use-credentials$/i.test(link.crossorigin)) && originOf(link.href, pageUrl) == api) {
      warnings.push(`${link.href}: a preconnect the SDK's calls cannot use (they go without credentials): write <link rel="preconnect" href="${api}" crossorigin>`);
    }
  }
  return warnings;
}

export const SAFARI_CAP_WARNING = 'Safari keeps cookies written by the page at most 7 days: serve the SDK through createAffitorHandler';

/**
 * The warnings, each naming what to fix. `origin`: the page's, which the API's CORS settings must
 * allow; the other arguments are null, or a `cookieDomain` option refused, a program id given but
 * invalid (as shown), and (`handler`) `apiBase` when it is the first-party handler's path. `apiBase`:
 * the option as given (http on an https page: blocked as mixed content).
 */
export function diagnosisWarnings(
  report: Omit<AffitorDiagnosis, 'warnings'>,
  origin: string,
  invalidCookieDomain: string | null,
  invalidProgramId: string | null,
  handler: string | null,
  apiBase?: string,
  windowGiven?: unknown,
): string[] {
  const warnings: string[] = [];
  // One given but invalid (a template left in the attribute) is not "none": the fix is that value.
  if (!report.programId) {
    warnings.push(
      invalidProgramId ? `invalid program id ${invalidProgramId}: a positive whole number expected, nothing is tracked` : 'no program id: nothing is tracked',
    );
  }
  if (invalidCookieDomain) warnings.push('invalid cookieDomain ignored: ' + invalidCookieDomain);
  if (report.cookiesBlocked) warnings.push('cookies blocked by the browser: attribution kept in memory for this page only');
  else if (report.cookieDomainReason == 'host-only' && report.probes.length) {
    warnings.push('host-only cookies: the browser accepted no parent domain, subdomains do not share attribution');
  }
  for (const [name, last] of [['click', report.lastClick], ['lead', report.lastLead]] as const) {
    if (last && !last.ok) {
      warnings.push(last.status ? `last ${name} failed: ${last.message}` : `last ${name} got no answer (${last.message})` + noAnswerHint(last.message!, origin, handler ?? apiBase));
    }
  }
  if (report.cookiesSetBy == 'page') {
    // Behind the handler already, serving the SDK through it is not the fix: its cookies did not stay.
    warnings.push(
      handler
        ? `Safari keeps cookies written by the page at most 7 days: these are not the handler's at ${handler} (a CDN stripping Set-Cookie?)`
        : SAFARI_CAP_WARNING,
    );
  }
  if (report.consent != 'granted') warnings.push(`consent ${report.consent}: attribution kept in memory only`);
  // Survived (clamped, or the default: windowDays), but the program's setting, or the API, is wrong:
  // said here, which debug prints once the landing's click answered, at no cost to the file every page view loads.
  // (A value parsed from JSON: JSON.stringify shows it, quoting a string.)
  if (windowGiven != null && report.windowDays && windowGiven !== report.windowDays) {
    warnings.push(`cookie_window_days ${JSON.stringify(windowGiven)} in the click answer is not 1 to 365 whole days: ${report.windowDays} used`);
  }
  return warnings;
}
