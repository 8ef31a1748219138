/** `AffitorTracker`: wires the attribution rules to cookies, the page and the network. */
import { appendHistory, isExpectedLeadRefusal, isNewLanding, parseHistory } from '../core/attribution';
import { readAnswer } from '../core/answers';
import type { HttpOutcome } from '../core/answers';
import { normaliseCookieDomain } from '../core/cookie-codec';
import { diagnosisWarnings } from '../core/diagnosis';
import type { AffitorDiagnosis, ConsentState, RequestReport } from '../core/diagnosis';
import { createLogger } from '../core/logger';
import { OUTBOX_PAGE_VIEWS, formatOutbox, isRetryable, newEventId, parseOutbox } from '../core/outbox';
import type { PendingEvent } from '../core/outbox';
import { buildClickPayload, buildLeadPayload } from '../core/payloads';
import { cookieDomainCandidates } from '../core/root-domain';
import { clampWindowDays, DEFAULT_WINDOW_DAYS, isPlausibleId, parseProgramId, readAff } from '../core/values';
import { findRootDomain, readCookie, writeCookie } from './cookies';
import { isBrowser } from './env';
import { onUrlChange, urlAtLoad } from './history';
import { forgetSession, globalPrivacyControl, isSecurePage, pageProgramId, readPageContext, sessionId } from './page';
import { postJson } from './transport';

export type { AffitorDiagnosis, ConsentState, RequestReport };

export interface AffitorInitOptions {
  /** The program id. Default: the `data-affitor-program-id` of a script tag, then `window.AFFITOR_PROGRAM_ID`. */
  programId?: number | string;
  /** Log every step to the console with the `[Affitor]` prefix. Errors are logged regardless. @default false */
  debug?: boolean;
  /** `Domain` for the cookies, e.g. `example.com`. @default the broadest domain the browser accepts */
  cookieDomain?: string;
  /** Base URL of the tracking API. @default 'https://api.affitor.com' */
  apiBase?: string;
  /**
   * `'pending'`: capture and report the landing, but keep the click id in memory only (no
   * cookie, no storage) until `grantConsent()`. @default 'granted'
   */
  consent?: 'granted' | 'pending';
  /** Treat the browser's Global Privacy Control signal as consent pending. @default false */
  respectGlobalPrivacyControl?: boolean;
}

export interface AffitorData {
  clickId: string | null;
  programId: number | null;
  hasAttribution: boolean;
  affiliateUrl: string | null;
}

/** Called with the new and the previous attribution whenever a click id is set or replaced. */
export type AttributionListener = (current: AffitorData, previous: AffitorData) => void;

export const COOKIE_CLICK_ID = 'affitor_click_id';
export const COOKIE_AFFILIATE_URL = 'affitor_aff_url';
export const COOKIE_HISTORY = 'affitor_click_ids';
export const COOKIE_LEGACY_CLICK_ID = 'customer_code';
export const COOKIE_OUTBOX = 'affitor_outbox';
const COOKIE_NAMES = [COOKIE_CLICK_ID, COOKIE_LEGACY_CLICK_ID, COOKIE_HISTORY, COOKIE_AFFILIATE_URL, COOKIE_OUTBOX, 'affitor_probe'];

/** Waits between attempts of one request in the page (a little jitter is added); then it waits in the outbox. */
export const RETRY_DELAYS_MS = [500, 1500];

/** Requests under way in this page, by event id, shared by every tracker so one event is never sent twice at once. */
const inFlight = new Map<string, Promise<Record<string, unknown> | undefined>>();

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
  /** Consent given: writes what attribution is held in memory to cookies, and persists from now on. */
  readonly grantConsent: () => void;
  /** Consent withdrawn: deletes every cookie and stored item the SDK wrote, and forgets the attribution. */
  readonly revokeConsent: () => void;
  /** Calls `listener(current, previous)` whenever a click id is set or replaced. Returns a function that stops it. */
  readonly onAttribution: (listener: AttributionListener) => () => void;
  /** Why there is (no) attribution, as JSON-serialisable data; printed as a table with `debug`. */
  readonly diagnose: () => AffitorDiagnosis;

  constructor(initialOptions: AffitorInitOptions = {}) {
    const options: AffitorInitOptions = { ...initialOptions };
    const log = createLogger(() => !!options.debug);
    let programId: number | null = null;
    let programIdSource: AffitorDiagnosis['programIdSource'] = null;
    let clickId: string | null = null;
    let affiliateUrl: string | null = null;
    let history: string[] = [];
    let windowDays: number | null = null;
    /** Set by grantConsent()/revokeConsent(); wins over the options. */
    let consentCall: ConsentState | undefined;
    /** The cookie lifetime of an attribution held in memory while consent is pending. */
    let unsavedDays = 0;
    let cookiesBlocked = false;
    /** The chosen cookie domain: undefined for host-only, null while not chosen yet. */
    let cookieDomain: string | undefined | null = null;
    let cookieDomainReason = 'not chosen yet';
    let probes: AffitorDiagnosis['probes'] = [];
    /** The `aff` value whose landing this page has already handled. */
    let handledAff: string | null = null;
    let pendingClick: Promise<void> | null = null;
    let clicksStarted = 0;
    let newestApplied = 0;
    let watching = false;
    let outbox: PendingEvent[] = [];
    const clicks = new Map<string, Promise<void>>();
    const reports: Record<string, RequestReport> = {};
    const listeners = new Set<AttributionListener>();

    const consent = (): ConsentState =>
      consentCall ??
      (options.consent == 'pending' || (options.respectGlobalPrivacyControl && globalPrivacyControl()) ? 'pending' : 'granted');
    const mayPersist = (): boolean => consent() == 'granted';
    const data = (): AffitorData => ({ clickId, programId, hasAttribution: !!clickId, affiliateUrl });

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

    const storeOutbox = (): void => {
      const secure = isSecurePage();
      if (mayPersist()) {
        writeCookie(COOKIE_OUTBOX, formatOutbox(outbox), outbox.length ? DEFAULT_WINDOW_DAYS : 0, chooseCookieDomain(secure), secure);
      }
    };

    /**
     * Sends an outbox event, retrying in the page while the outcome is retryable; resolves to the
     * answer's body, or logs why there is none. A definitive answer takes the event out of the
     * outbox; one still failing stays there for a later page view.
     */
    const deliver = (event: PendingEvent, isExpected: (message: string) => boolean) => {
      const id = event.body.event_id;
      const sending =
        inFlight.get(id) ??
        (async () => {
          const { route } = event;
          log('info', route, event.body);
          let outcome: HttpOutcome;
          for (let attempt = 0; ; attempt++) {
            outcome = await postJson(
              `${(options.apiBase || 'https://api.affitor.com').replace(/\/+$/, '')}/api/v1/track/${route}`,
              event.body,
            );
            const delay = RETRY_DELAYS_MS[attempt];
            if (!isRetryable(outcome.status) || delay === undefined) break;
            log('info', route + ' retry', outcome.status);
            await new Promise((resolve) => setTimeout(resolve, delay * (1 + Math.random() / 2)));
          }
          const answer = readAnswer(outcome);
          const ok = typeof answer == 'object';
          const retryable = isRetryable(outcome.status);
          reports[route] = {
            status: outcome.status,
            ok,
            requestId: outcome.requestId ?? null,
            message: ok ? null : answer,
            at: new Date().toISOString(),
          };
          if (!retryable) {
            outbox = outbox.filter((pending) => pending.body.event_id != id);
            storeOutbox();
          }
          inFlight.delete(id);
          if (ok) return answer;
          log(isExpected(answer) ? 'warn' : 'error', route + ' not recorded:', answer, retryable ? '(kept to resend)' : '');
        })();
      inFlight.set(id, sending);
      return sending;
    };

    /** Puts an event in the outbox (and its cookie) before it is sent, so leaving the page cannot lose it. */
    const enqueue = (event: PendingEvent): PendingEvent => {
      outbox.push(event);
      storeOutbox();
      return event;
    };

    const chooseCookieDomain = (secure: boolean): string | undefined => {
      if (cookieDomain === null) {
        const configured = options.cookieDomain;
        cookieDomain = configured && normaliseCookieDomain(configured);
        cookieDomainReason = 'option';
        if (!cookieDomain) {
          if (configured) log('error', 'Invalid cookieDomain, using the root domain:', configured);
          probes = [];
          cookieDomain = findRootDomain(location.hostname, secure, (domain, accepted) => probes.push({ domain, accepted }));
          cookieDomainReason = cookieDomain ? 'probe' : 'host-only';
        }
        log('info', 'cookie domain', cookieDomain ?? 'host-only');
      }
      return cookieDomain;
    };

    /** Writes the attribution held in memory to every cookie, for `days`. */
    const persist = (days: number): void => {
      const secure = isSecurePage();
      const domain = chooseCookieDomain(secure);
      for (const [name, value] of [
        [COOKIE_CLICK_ID, clickId],
        [COOKIE_LEGACY_CLICK_ID, clickId],
        [COOKIE_HISTORY, history.join('|')],
        [COOKIE_AFFILIATE_URL, affiliateUrl],
      ] as const) {
        // A host-only twin (an earlier integration, or an earlier cookieDomain) would be read
        // first and shadow the new value: remove it before writing on the domain.
        if (domain) writeCookie(name, '', 0, undefined, secure);
        if (value) writeCookie(name, value, days, domain, secure);
      }
      unsavedDays = 0;
      cookiesBlocked = readCookie(COOKIE_CLICK_ID) != clickId;
      if (cookiesBlocked) log('warn', 'cookies unavailable: attribution kept in memory for this page');
    };

    /** Makes `id` the attribution: in cookies for `days`, or in memory only while consent is not given. */
    const save = (id: string, days: number): void => {
      clickId = id;
      history = appendHistory(history, id);
      if (mayPersist()) persist(days);
      else {
        unsavedDays = days;
        log('info', 'consent ' + consent() + ': attribution kept in memory');
      }
    };

    const sendClick = guard('click', async (event: PendingEvent, sequence: number) => {
      // A known but inactive partner link (200, success:false) is expected, not a failure.
      const answer = await deliver(event, (message) => /inactive/.test(message));
      const url = event.body.affiliate_url as string;
      const aff = readAff(url)!;
      if (!answer) return;
      if (!isPlausibleId(answer.click_id)) return log('error', 'click answer has no usable click_id');
      // Last touch: an older request answering after a newer one, or a click from an earlier
      // page view that a newer landing superseded, is recorded by the server but not applied.
      if (event.stale || sequence < newestApplied) return;
      newestApplied = sequence;
      const previous = data();
      // A cookie holds about 4 KB: an overlong landing URL is kept as what attribution needs.
      affiliateUrl = url.length < 1024 ? url : `${location.origin}/?aff=${encodeURIComponent(aff)}`;
      windowDays = clampWindowDays(answer.cookie_window_days);
      save(answer.click_id, windowDays);
      log('info', 'click saved', answer.click_id);
      for (const listener of listeners) {
        try {
          listener(data(), previous);
        } catch (error) {
          log('error', 'onAttribution listener failed:', error);
        }
      }
    });

    /** Applies the last-touch table to a landing on `url`; starts a click request when it calls for one. */
    const land = (url: string, aff: string | null, existingClickId = clickId): Promise<void> | void => {
      if (!aff || !programId) return;
      handledAff = aff;
      if (!isNewLanding(aff, clickId, affiliateUrl)) return log('info', 'same partner as stored: no click');
      // A landing whose click is still in the outbox (the page was left, the API was down) is
      // sent again with its event id, which the server records once.
      let event = outbox.find((pending) => pending.route == 'click' && readAff(pending.body.affiliate_url as string) == aff);
      if (!event) {
        for (const pending of outbox) if (pending.route == 'click') pending.stale = true;
        event = enqueue({
          route: 'click',
          body: {
            ...buildClickPayload(url, readPageContext(), sessionId(mayPersist()), programId, existingClickId),
            event_id: newEventId(),
          },
        });
      }
      return startClick(event);
    };

    /** Sends a click event and applies its answer; joins the same event when it is already under way. */
    const startClick = (event: PendingEvent): Promise<void> => {
      const id = event.body.event_id;
      let click = clicks.get(id);
      if (!click) {
        const started = sendClick(event, ++clicksStarted);
        clicks.set(id, started);
        void started.then(() => {
          clicks.delete(id);
          if (pendingClick == started) pendingClick = null;
        });
        click = started;
      }
      return (pendingClick = click);
    };

    /** Handles a landing on the current URL, or on the URL at load when a router stripped `?aff=` since. */
    const landHere = (): void => {
      const url = readAff(location.href) || !readAff(urlAtLoad) ? location.href : urlAtLoad!;
      const aff = readAff(url);
      if (aff != handledAff) void land(url, aff);
    };

    this.init = (newOptions = {}) => {
      if (isBrowser()) {
        try {
          for (const [key, value] of Object.entries(newOptions)) {
            if (value !== undefined) (options as Record<string, unknown>)[key] = value;
          }
          if (newOptions.cookieDomain) cookieDomain = null;
          log('info', 'init', options);
          const [rawProgramId, source]: [unknown, AffitorDiagnosis['programIdSource']] =
            options.programId != null ? [options.programId, 'option'] : pageProgramId();
          programId = parseProgramId(rawProgramId);
          programIdSource = programId ? source : null;
          if (programId) log('info', 'program id', programId);
          else if (rawProgramId == null) log('error', NO_PROGRAM_ID);
          else log('error', 'Invalid program id (a positive whole number expected):', rawProgramId);

          // Attribution held in memory (consent pending) is newer than any cookie.
          if (!unsavedDays) {
            clickId = readCookie(COOKIE_CLICK_ID, isPlausibleId);
            affiliateUrl = readCookie(COOKIE_AFFILIATE_URL, readAff);
            history = parseHistory(readCookie(COOKIE_HISTORY));
            const legacy = !clickId && readCookie(COOKIE_LEGACY_CLICK_ID, isPlausibleId);
            if (legacy) save(legacy, DEFAULT_WINDOW_DAYS);
          }
          log('info', 'stored attribution', clickId);

          if (!watching && programId) {
            watching = true;
            // Events an earlier page view could not deliver: clicks first, so leads can wait for them.
            // Each page view tries them again, up to OUTBOX_PAGE_VIEWS times: a request that fails
            // that often (an origin the program does not allow) is not worth sending forever.
            outbox = parseOutbox(readCookie(COOKIE_OUTBOX)).filter((event) => {
              const keep = (event.tries = (event.tries ?? 0) + 1) <= OUTBOX_PAGE_VIEWS;
              if (!keep) log('error', `${event.route} given up after ${OUTBOX_PAGE_VIEWS} page views:`, event.body);
              return keep;
            });
            storeOutbox();
            for (const event of outbox) {
              if (event.route == 'click') void startClick(event);
              else void deliver(event, (message) => isExpectedLeadRefusal(message, !!event.body.click_id));
            }
            onUrlChange(landHere);
          }
          landHere();
        } catch (error) {
          log('error', 'init failed:', error);
        }
      }
      return this;
    };

    this.getClickId = () => clickId;

    this.getData = data;

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
      const body = buildLeadPayload(customerKey.trim(), email?.trim(), sentClickId, history, location.href, sessionId(mayPersist()), programId);
      const event = enqueue({ route: 'lead', body: { ...body, event_id: newEventId() } });
      const answer = await deliver(event, (message) => isExpectedLeadRefusal(message, !!sentClickId));
      if (answer) log('info', 'lead recorded');
    });

    this.grantConsent = () => {
      consentCall = 'granted';
      log('info', 'consent granted');
      if (isBrowser() && unsavedDays) persist(unsavedDays);
    };

    this.revokeConsent = () => {
      consentCall = 'revoked';
      log('info', 'consent revoked: deleting cookies');
      clickId = affiliateUrl = null;
      history = [];
      outbox = [];
      unsavedDays = 0;
      if (!isBrowser()) return;
      const secure = isSecurePage();
      // Earlier pages may have written on any parent domain: delete on each, and host-only.
      const domains = [undefined, cookieDomain ?? undefined, ...cookieDomainCandidates(location.hostname)];
      for (const name of COOKIE_NAMES) for (const domain of domains) writeCookie(name, '', 0, domain, secure);
      forgetSession();
    };

    this.onAttribution = (listener) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    };

    this.diagnose = () => {
      // Choosing the domain (by probe) is what the next click would do; not without consent.
      if (isBrowser() && mayPersist()) chooseCookieDomain(isSecurePage());
      const cookies: Record<string, string> = {};
      for (const name of COOKIE_NAMES) {
        const value = isBrowser() && readCookie(name);
        if (value) cookies[name] = value;
      }
      const report = {
        aff: isBrowser() ? readAff(location.href) : null,
        programId,
        programIdSource,
        cookieDomain: cookieDomain ?? null,
        cookieDomainReason,
        probes,
        cookies,
        cookiesBlocked,
        windowDays,
        lastClick: reports.click ?? null,
        lastLead: reports.lead ?? null,
        consent: consent(),
      };
      const diagnosis: AffitorDiagnosis = {
        ...report,
        warnings: diagnosisWarnings(
          report,
          isBrowser() ? location.origin : '',
          options.cookieDomain && !normaliseCookieDomain(options.cookieDomain) ? options.cookieDomain : null,
        ),
      };
      if (options.debug) log('info', 'diagnosis', diagnosis);
      return diagnosis;
    };
  }
}
