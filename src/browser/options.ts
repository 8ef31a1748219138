/** The options in force, the program id they resolve to, consent, and the `[Affitor]` log. */
import { createLogger, logError } from '../core/logger';
import type { ConsentState } from '../core/diagnosis';
import { DEFAULT_API_BASE, isHandlerPath, parseProgramId } from '../core/values';
import { globalPrivacyControl, pageProgramId } from './page';

export interface AffitorInitOptions {
  /** The program id. Default: the `data-affitor-program-id` of a script tag, then `window.AFFITOR_PROGRAM_ID`. */
  programId?: number | string | undefined;
  /** Log every step to the console with the `[Affitor]` prefix. Errors are logged regardless. @default false */
  debug?: boolean | undefined;
  /** `Domain` for the cookies, e.g. `example.com`. @default the broadest domain the browser accepts */
  cookieDomain?: string | undefined;
  /** Base URL of the tracking API. @default 'https://api.affitor.com' */
  apiBase?: string | undefined;
  /**
   * `'pending'`: capture and report the landing, but keep the click id in memory only (no
   * cookie, no storage) until `grantConsent()`. Any other value is treated as `'pending'`
   * (`'denied'` and `false` silently, others with an `[Affitor]` error).
   * Turning back to `'pending'` deletes nothing already written: call `revokeConsent()`.
   * @default 'granted'
   */
  consent?: 'granted' | 'pending' | undefined;
  /** Treat the browser's Global Privacy Control signal as consent pending. @default false */
  respectGlobalPrivacyControl?: boolean | undefined;
}

export let options: AffitorInitOptions = {};
export let programId: number | null = null;
/** Whether a missing or invalid program id was logged: said once a page view, not at every init. */
let complained = false;
/** Set by grantConsent()/revokeConsent(); wins over the options (a withdrawal until the consent option changes: applyOptions). */
let consentCall: ConsentState | undefined;

export const log = createLogger(() => !!options.debug);

export const NO_PROGRAM_ID = 'No program id: set programId in init(), data-affitor-program-id or window.AFFITOR_PROGRAM_ID';

/**
 * Merges `newOptions` over `into`: an option given as undefined keeps its value. Returns `into`.
 * None (undefined, or a page's `init(null)`) merges nothing. A `'false'` (a string from a config
 * or an env variable) is false: as it is, it is truthy, and would turn `debug` or `decorateStripe` on.
 */
export const mergeOptions = <T extends AffitorInitOptions>(into: T, newOptions?: AffitorInitOptions | null): T => {
  // Options that cannot be read (a getter that throws, a revoked proxy) are said, not thrown into the
  // page: those read before stand. Compared as they are, not made text (a toString that throws).
  try {
    for (const key in newOptions) {
      const value: unknown = newOptions[key as keyof AffitorInitOptions];
      if (value !== undefined) (into as Record<string, unknown>)[key] = value !== 'false' && value;
    }
  } catch (error) {
    logError('error', 'init options cannot be read:', error);
  }
  return into;
};

/** Merges `newOptions` (undefined values leave an option as it is) and resolves the program id. */
export function applyOptions(newOptions: AffitorInitOptions): void {
  const consentBefore = options.consent;
  mergeOptions(options, newOptions);
  // A withdrawal wins over the options it was made under, not over a newer word: a consent
  // option (a provider's prop) that turns 'granted' after revokeConsent() is the visitor consenting
  // again. One that turns 'pending' is the same withdrawal (a consent manager's callback calls
  // revokeConsent(), then its prop renders): read as a new word, it left the handler's cookies of
  // a click on its way in place (landing.ts). The first consent option given is no change: a
  // withdrawal queued before the script tag's data-affitor-consent, or made before a provider's first init, holds.
  if (consentCall == 'revoked' && consentBefore !== undefined && options.consent !== consentBefore && options.consent == 'granted') consentCall = undefined;
  // Held as pending, a mistake (true, 'Granted': meant as given) keeps the attribution off the
  // cookies, lost at the next page view: said once per value. 'denied' and false are no mistake.
  // (Read as text: false and undefined, the option unset, pass too.)
  const given = options.consent;
  if (given !== consentBefore && !/^(granted|pending|denied|false|undefined)$/.test(given as string)) log('error', "Invalid consent ('granted' or 'pending' expected):", given);
  log('info', 'init', options);
  const raw = options.programId ?? pageProgramId();
  programId = parseProgramId(raw);
  if (programId) log('info', 'program id', programId);
  // Once: init runs again with none yet (React StrictMode, a provider's other options set before its programId loaded).
  else if (!complained) {
    complained = true;
    if (raw == null) log('error', NO_PROGRAM_ID);
    else log('error', 'Invalid program id (a positive whole number expected):', raw);
  }
}

/** Consent now. A `consent` option of another value ('denied', false, a typo) is no consent given: never read as granted. */
export const consent = (): ConsentState =>
  consentCall ??
  ((options.consent !== undefined && options.consent != 'granted') || (options.respectGlobalPrivacyControl && globalPrivacyControl())
    ? 'pending'
    : 'granted');

export const setConsent = (state: ConsentState): void => {
  consentCall = state;
  log('info', 'consent ' + state);
};

/** Whether cookies and storage may be written: consent given. */
export const mayPersist = (): boolean => consent() == 'granted';

/**
 * Whether `apiBase` is a same-origin path (`/relay`): the first-party handler, which is told
 * the cookie domain and consent with each click and may write the cookies itself.
 */
export const viaHandler = (): boolean => isHandlerPath(options.apiBase);

/**
 * `apiBase` as a string (a `URL` object works as its text), without the slashes and spaces it may end
 * in: a trailing space or line break (an attribute or env value) would end up inside the URL's host.
 * The handler's path is on the page's own origin: left relative, fetch took it against a `<base href>`
 * of another (a CDN for the page's assets), and every click and lead went there.
 */
export const apiUrl = (route: string): string => {
  const url = `${String(options.apiBase || DEFAULT_API_BASE).replace(/[\s/]+$/, '')}/api/v1/track/${route}`;
  // Against the page's URL, not its origin: a sandboxed frame's origin is "null".
  return viaHandler() ? new URL(url, location.href).href : url;
};

/** A fresh page view (tests). */
export const resetOptions = (): void => {
  options = {};
  programId = null;
  complained = false;
  consentCall = undefined;
};
