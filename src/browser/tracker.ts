/** `AffitorTracker`: wires the attribution rules to cookies, the page and the network. */
import { appendHistory, isExpectedLeadRefusal, isNewLanding, parseHistory } from '../core/attribution';
import { readAnswer } from '../core/answers';
import { normaliseCookieDomain } from '../core/cookie-codec';
import { createLogger } from '../core/logger';
import { buildClickPayload, buildLeadPayload } from '../core/payloads';
import { clampWindowDays, DEFAULT_WINDOW_DAYS, isPlausibleId, parseProgramId, readAff } from '../core/values';
import { findRootDomain, readCookie, writeCookie } from './cookies';
import { isBrowser } from './env';
import { isSecurePage, pageProgramId, readPageContext, sessionId } from './page';
import { postJson } from './transport';

export interface AffitorInitOptions {
  /** The program id. Default: the `data-affitor-program-id` of a script tag, then `window.AFFITOR_PROGRAM_ID`. */
  programId?: number | string;
  /** Log every step to the console with the `[Affitor]` prefix. Errors are logged regardless. @default false */
  debug?: boolean;
  /** `Domain` for the cookies, e.g. `example.com`. @default the broadest domain the browser accepts */
  cookieDomain?: string;
  /** Base URL of the tracking API. @default 'https://api.affitor.com' */
  apiBase?: string;
}

export interface AffitorData {
  clickId: string | null;
  programId: number | null;
  hasAttribution: boolean;
  affiliateUrl: string | null;
}

export const COOKIE_CLICK_ID = 'affitor_click_id';
export const COOKIE_AFFILIATE_URL = 'affitor_aff_url';
export const COOKIE_HISTORY = 'affitor_click_ids';
export const COOKIE_LEGACY_CLICK_ID = 'customer_code';

/** How long `signup` waits for a click still in flight before sending the lead anyway. */
export const SIGNUP_WAIT_MS = 5_000;

const NO_PROGRAM_ID = 'No program id: set programId in init(), data-affitor-program-id or window.AFFITOR_PROGRAM_ID';

/**
 * One visitor's attribution on this page. The methods are bound functions over private
 * state held in the constructor's closure: they can be passed around, and the minifier
 * can shorten every internal name, which keeps the script build small.
 */
export class AffitorTracker {
  /** Reads the stored attribution and handles a `?aff=` landing. Calling it again updates options; one landing is never tracked twice. */
  readonly init: (options?: AffitorInitOptions) => AffitorTracker;
  /** The click id of the visitor's last partner, or null. */
  readonly getClickId: () => string | null;
  readonly getData: () => AffitorData;
  /** Reports a click for a partner link. Defaults: the current URL, and the stored click id for last touch. */
  readonly trackClick: (affiliateUrl?: string, existingClickId?: string | null) => Promise<void>;
  /** Reports a signup (lead) for `customerKey`, carrying the click id of the visitor's last partner. */
  readonly signup: (customerKey: string, email?: string) => Promise<void>;

  constructor(initialOptions: AffitorInitOptions = {}) {
    const options: AffitorInitOptions = { ...initialOptions };
    const log = createLogger(() => !!options.debug);
    let programId: number | null = null;
    let clickId: string | null = null;
    let affiliateUrl: string | null = null;
    let history: string[] = [];
    /** The chosen cookie domain: undefined for host-only, null while not chosen yet. */
    let cookieDomain: string | undefined | null = null;
    /** The `aff` value whose landing this page has already handled. */
    let handledAff: string | null = null;
    let pendingClick: Promise<void> | null = null;
    let clicksStarted = 0;
    let newestApplied = 0;

    /** Runs `task` only in a browser, and turns anything it throws into an error log: nothing reaches the page. */
    const guard =
      <A extends unknown[]>(name: string, task: (...args: A) => Promise<unknown> | void) =>
      async (...args: A): Promise<void> => {
        try {
          if (isBrowser()) await task(...args);
        } catch (error) {
          log('error', name + ' failed:', error);
        }
      };

    /** POSTs to a tracking route; resolves to the answer's body, or logs why there is none. */
    const post = async (route: string, payload: object, isExpected: (message: string) => boolean) => {
      log('info', route, payload);
      const answer = readAnswer(
        await postJson(`${(options.apiBase || 'https://api.affitor.com').replace(/\/+$/, '')}/api/v1/track/${route}`, payload),
      );
      if (typeof answer == 'object') return answer;
      log(isExpected(answer) ? 'warn' : 'error', route + ' not recorded:', answer);
    };

    /** Makes `id` the attribution and writes every cookie for `days`. */
    const save = (id: string, days: number): void => {
      clickId = id;
      history = appendHistory(history, id);
      const secure = isSecurePage();
      if (cookieDomain === null) {
        const configured = options.cookieDomain;
        cookieDomain = configured && normaliseCookieDomain(configured);
        if (configured && !cookieDomain) log('error', 'Invalid cookieDomain, using the root domain:', configured);
        cookieDomain ||= findRootDomain(location.hostname, secure);
        log('info', 'cookie domain', cookieDomain ?? 'host-only');
      }
      for (const [name, value] of [
        [COOKIE_CLICK_ID, id],
        [COOKIE_LEGACY_CLICK_ID, id],
        [COOKIE_HISTORY, history.join('|')],
        [COOKIE_AFFILIATE_URL, affiliateUrl],
      ] as const) {
        // A host-only twin (an earlier integration, or an earlier cookieDomain) would be read
        // first and shadow the new value: remove it before writing on the domain.
        if (cookieDomain) writeCookie(name, '', 0, undefined, secure);
        if (value) writeCookie(name, value, days, cookieDomain, secure);
      }
    };

    const sendClick = guard('click', async (url: string, aff: string, existingClickId: string | null, sequence: number) => {
      const answer = await post(
        'click',
        buildClickPayload(url, readPageContext(), sessionId(), programId!, existingClickId),
        // A known but inactive partner link (200, success:false) is expected, not a failure.
        (message) => /inactive/.test(message),
      );
      if (!answer) return;
      if (!isPlausibleId(answer.click_id)) return log('error', 'click answer has no usable click_id');
      // An older request answering after a newer one must not undo last touch.
      if (sequence < newestApplied) return;
      newestApplied = sequence;
      // A cookie holds about 4 KB: an overlong landing URL is kept as what attribution needs.
      affiliateUrl = url.length < 1024 ? url : `${location.origin}/?aff=${encodeURIComponent(aff)}`;
      save(answer.click_id, clampWindowDays(answer.cookie_window_days));
      log('info', 'click saved', answer.click_id);
    });

    /** Applies the last-touch table to a landing on `url`; starts a click request when it calls for one. */
    const land = (url: string, aff: string | null, existingClickId = clickId): Promise<void> | void => {
      if (!aff || !programId) return;
      handledAff = aff;
      if (!isNewLanding(aff, clickId, affiliateUrl)) return log('info', 'same partner as stored: no click');
      const click = sendClick(url, aff, existingClickId, ++clicksStarted);
      void click.then(() => pendingClick == click && (pendingClick = null));
      return (pendingClick = click);
    };

    this.init = (newOptions = {}) => {
      if (isBrowser()) {
        try {
          for (const [key, value] of Object.entries(newOptions)) {
            if (value !== undefined) (options as Record<string, unknown>)[key] = value;
          }
          if (newOptions.cookieDomain) cookieDomain = null;
          log('info', 'init', options);
          const rawProgramId = options.programId ?? pageProgramId();
          programId = parseProgramId(rawProgramId);
          if (programId) log('info', 'program id', programId);
          else if (rawProgramId == null) log('error', NO_PROGRAM_ID);
          else log('error', 'Invalid program id (a positive whole number expected):', rawProgramId);

          clickId = readCookie(COOKIE_CLICK_ID, isPlausibleId);
          affiliateUrl = readCookie(COOKIE_AFFILIATE_URL, readAff);
          history = parseHistory(readCookie(COOKIE_HISTORY));
          const legacy = !clickId && readCookie(COOKIE_LEGACY_CLICK_ID, isPlausibleId);
          if (legacy) save(legacy, DEFAULT_WINDOW_DAYS);
          log('info', 'stored attribution', clickId);

          const aff = readAff(location.href);
          if (aff != handledAff) void land(location.href, aff);
        } catch (error) {
          log('error', 'init failed:', error);
        }
      }
      return this;
    };

    this.getClickId = () => clickId;

    this.getData = () => ({ clickId, programId, hasAttribution: !!clickId, affiliateUrl });

    this.trackClick = guard('trackClick', async (url?: string, existingClickId?: string | null) => {
      let aff: string | null = null;
      try {
        url = new URL(url ?? location.href, location.href).href;
        aff = readAff(url);
      } catch {
        /* reported below */
      }
      if (!aff) return log('error', 'trackClick: not a URL with an aff parameter:', url);
      // The same landing already on its way (init() just handled it): join it instead of sending it twice.
      return aff == handledAff && pendingClick
        ? pendingClick
        : land(url!, aff, existingClickId === undefined ? clickId : isPlausibleId(existingClickId) ? existingClickId : null);
    });

    this.signup = guard('signup', async (customerKey: string, email?: string) => {
      if (typeof customerKey != 'string' || !customerKey.trim()) {
        return log('error', 'signup: customerKey must be a non-empty string, got', customerKey);
      }
      if (email != null && typeof email != 'string') return log('error', 'signup: email must be a string, got', email);
      if (!programId) return log('error', 'signup not sent. ' + NO_PROGRAM_ID);
      // Bounded: a click that never answers must not hold the lead back for long.
      if (pendingClick) await Promise.race([pendingClick, new Promise((resolve) => setTimeout(resolve, SIGNUP_WAIT_MS))]);
      const sentClickId = clickId;
      const answer = await post(
        'lead',
        buildLeadPayload(customerKey.trim(), email?.trim(), sentClickId, history, location.href, sessionId(), programId),
        (message) => isExpectedLeadRefusal(message, !!sentClickId),
      );
      if (answer) log('info', 'lead recorded');
    });
  }
}
