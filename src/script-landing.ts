/**
 * The `<script>` build's first file (`dist/affitor.global.js`): all a plain page view downloads.
 * It reads `data-affitor-*` from its own tag and does a plain landing's work alone: the `?aff=`
 * click (at load, or added by the History API) goes in the outbox, leaves, and its answer becomes
 * the cookies. Everything else is the main file's (`affitor.main.js`, from the same folder; see
 * `landingAlone` for when), loaded once the landing's click settled, or at once when this file
 * cannot land alone. Calls of the page are queued for it as the stub snippet queues them; if it
 * cannot be had, one `[Affitor]` error says why, every call settles, and a signup's lead waits in
 * the outbox for the next page view.
 */
import { appendHistory, isNewLanding, parseHistory, standsAgainst } from './core/attribution';
import { readCookieValues } from './core/cookie-codec';
import {
  COOKIE_AFFILIATE_URL,
  COOKIE_CLICK_ID,
  COOKIE_HISTORY,
  COOKIE_LEGACY_CLICK_ID,
  COOKIE_NAMES,
  COOKIE_OUTBOX,
  COOKIE_PROBE,
  COOKIE_SESSION,
  COOKIE_SET_BY,
  COOKIE_TOUCH,
} from './core/cookie-names';
import { cookieDomainCandidates } from './core/root-domain';
import { OUTBOX_MAX_BYTES, newEventId, slimmed, tooLargeToSend, withoutAnswered } from './core/outbox';
import { CALL_WAIT_MS, bounded } from './browser/bounded';
import { toJson } from './core/json';
import type { PendingEvent } from './core/outbox';
import { buildClickPayload, buildLeadPayload } from './core/payloads';
import { MAIN_FILE } from './core/script-files';
import { landingAlone, mayKeep } from './core/landing-alone';
import { mergeOptions } from './browser/options';
import type { AffitorInitOptions } from './browser/tracker';
import { findTag, tagOptions } from './browser/script-tag';
import { clampWindowDays, clickUrl, isPlausibleId, parseProgramId, readAff, slimLanding } from './core/values';
import { onUrlChange, revisited, urlAtLoad } from './browser/history';
import { cookiePlaces } from './browser/jar';
import { readJar, writeCookie } from './browser/cookies';
import { LOAD_AGAIN_MS, loadScript } from './browser/load-script';
import { logError as log } from './core/logger';
import { globalPrivacyControl, readPageContext } from './browser/page';
import { CLICKED, HANDOVER, HANDOVER_VERSION, LANDED, LISTENERS, MADE, ON_ITS_WAY, QUEUED, VERSION } from './script-handover';

type Call = [string, unknown[]];
type Stub = { q?: Call[] } & Record<string | symbol, unknown>;

const host = window as unknown as { affitor?: Stub; AFFITOR_PROGRAM_ID?: unknown };
// Errors only (logError): the main file does the debug log.
/** The stub's queue, as it is (the main file says what in it is no call). */
const queue: unknown[] = Array.isArray(host.affitor?.q) ? host.affitor.q : [];
/** Its calls: each a [method, arguments] list, as the stub pushes them. */
const calls = (): Call[] => queue.filter((call): call is Call => Array.isArray(call));
const tag = findTag();
/** The options the page set: the tag's, and those of queued `init` calls over them (as the main file merges them). */
const options: AffitorInitOptions = tagOptions(tag);
for (const [method, args] of calls()) if (method == 'init') mergeOptions(options, args?.[0] as AffitorInitOptions);
const programId = parseProgramId(options.programId ?? (tag?.getAttribute('data-affitor-program-id') || host.AFFITOR_PROGRAM_ID));

const secure = location.protocol == 'https:';
/**
 * The jar as this run of the file's code last read it. Each read of `document.cookie` after a write
 * is a round trip to the browser process (about a millisecond in a fresh Chromium tab), and the
 * landing looks at a dozen cookies before its click: they are read from one string, read again
 * after each write, and at the next task (another tab may have written meanwhile).
 */
let held: string | undefined;
const jar = (): string => held ?? (queueMicrotask(() => (held = undefined)), (held = readJar()));
const read = (name: string, accept: (value: string) => unknown = Boolean): string | null => readCookieValues(jar(), name).find(accept) ?? null;
const write = (name: string, value: string, days?: number, domain?: string, path?: string): void => {
  held = undefined;
  writeCookie(name, value, days, domain, secure, path);
};
/**
 * The domains to probe, broadest first (the browser refuses public suffixes); from a `cookieDomain`
 * option on, as jar.ts chooses (one this page cannot use leaves the page view to the main file).
 */
const domains = cookieDomainCandidates(location.hostname);
const candidates = domains.slice(Math.max(0, domains.indexOf(options.cookieDomain!)));
const probe = (at: number): void => write(COOKIE_PROBE, '1', 1, candidates[at]);
/** Whether the first domain's probe went out before the page's first read of the jar (start). */
let probedAhead = false;
/** The cookies as the page found them (start): an earlier integration's twin can only be one of these. */
let firstJar = '';
let domain: string | undefined | null = null;
/**
 * The broadest domain the browser lets this page write, as jar.ts chooses it: the first whose probe
 * sticks. Deleting the probe changes no cookie read after it: the jar as read stays good.
 */
const cookieDomain = (): string | undefined =>
  domain !== null
    ? domain
    : (domain = candidates.find((candidate, at) => ((at || !probedAhead) && probe(at), read(COOKIE_PROBE) && (writeCookie(COOKIE_PROBE, '', 0, candidate, secure), true))));
/**
 * Writes a cookie on the chosen domain. One of that name the page found may be a twin (written
 * host-only, or on another domain or folder, by an earlier integration) that the browser would
 * list first: it is deleted everywhere else, as jar.ts does.
 */
const store = (name: string, value: string | null, days?: number): void => {
  if (readCookieValues(firstJar, name).length) for (const [domain, path] of cookiePlaces()) if (domain != cookieDomain() || path != '/') write(name, '', 0, domain, path);
  write(name, value ?? '', value == null ? 0 : days, cookieDomain());
};

/**
 * This file does the page view's work: a plain page view (landingAlone), with no withdrawal and no
 * cookie refused since. Otherwise the main file does all of it, and this file only hands it calls.
 */
let alone = false;
/**
 * This file may write the page view's cookies (mayKeep), though the main file does its work: where
 * that file cannot be had, the signups asked for are kept in the outbox here, for the next page view.
 */
let keeps = false;
/** Cookies only the main file reads: the first-party handler's, or a legacy click id to migrate. */
const mainCookies = (): boolean => !!(read(COOKIE_SET_BY) || (!read(COOKIE_CLICK_ID) && read(COOKIE_LEGACY_CLICK_ID)));
/** The outbox as the jar holds it now (another tab may have written it): the main file checks each event. */
const outbox = (): PendingEvent[] => {
  try {
    const events: unknown = JSON.parse(read(COOKIE_OUTBOX)!);
    return Array.isArray(events) ? (events as PendingEvent[]) : [];
  } catch {
    return [];
  }
};
/** Stores the outbox, each event slimmed to half of what it may hold (outbox.ts): the main file keeps it within bounds. */
const keep = (events: PendingEvent[]): void =>
  store(COOKIE_OUTBOX, events.length ? toJson(events.map((event) => slimmed(event, OUTBOX_MAX_BYTES / 2))) : null, 60);

let session: string | null | undefined;
const sessionId = (): string => (session ??= read(COOKIE_SESSION, isPlausibleId)) ?? (store(COOKIE_SESSION, (session = 'sess_' + newEventId())), session);

const api: Stub = {};
/** The landing URLs this file handled: the main file does not land them again. */
const landed: string[] = (api[LANDED] = []);
/** This file's click on its way, if any: the main file loads, and a lead is made, once it settled. */
let clicking: Promise<void> | undefined;
/** The click of the landing last made here: the one on its way while `clicking`. */
let flying: PendingEvent | undefined;
let main: Promise<unknown> | undefined;
/** The main file has the page (it set window.affitor): this file's work is over. */
const handedOver = (): boolean => !!host.affitor?.[HANDOVER];

/**
 * Loads the main file, after the landing's click settled: it is never in that click's way; one that
 * could not be had is asked for again by the next call a minute on (LOAD_AGAIN_MS). Never rejects.
 */
const loadMain = (): Promise<unknown> =>
  (main ??= Promise.race([clicking, new Promise((late) => setTimeout(late, CALL_WAIT_MS))]).then(() =>
    // A main file of another release says why it left the page to this file (VERSION).
    loadScript(MAIN_FILE, tag, () => (handedOver() ? undefined : api[VERSION] != HANDOVER_VERSION ? (api[VERSION] as string) : 'not the SDK'), true).then(
      (arrived) => arrived || void setTimeout(() => (main = undefined), LOAD_AGAIN_MS),
    ),
  ));

/** The leads this file put in the outbox, as it last wrote them: the main file keeps them (MADE). */
const made: PendingEvent[] = (api[MADE] = []);

/** The leads this file put in the outbox while its click was on its way: its answer names their partner. */
let behind: string[] = [];

/**
 * A signup's lead, in the outbox at once: a page that redirects right after keeps it. The main file
 * sends it as one an earlier page view left, and if that file cannot be had, the next page view
 * does. Settles once it is delivered, or within CALL_WAIT_MS, as the main file's signup. A call
 * that file would refuse is left to it, to say why.
 */
const signup = (customerKey: unknown, email: unknown): Promise<unknown> | void => {
  if (typeof customerKey != 'string' || !customerKey.trim() || (email != null && typeof email != 'string')) return;
  const lead: PendingEvent = {
    route: 'lead',
    body: {
      ...buildLeadPayload(customerKey.trim(), email?.trim(), data().clickId, parseHistory(read(COOKIE_HISTORY)), location.href, sessionId(), programId!),
      event_id: newEventId(),
    },
  };
  const id = lead.body.event_id;
  if (tooLargeToSend(lead)) return;
  keep([...outbox(), lead]);
  // Cookies refused (a sandboxed frame): the main file keeps the lead in memory.
  if (!outbox().some((event) => event.body.event_id == id)) return void (alone = false);
  made.push(lead);
  if (clicking) behind.push(id);
  // Looked for until then, not for the page's life (the API may be down for it).
  const until = Date.now() + CALL_WAIT_MS;
  const delivered = (): Promise<void> | void => {
    if (handedOver() && Date.now() < until && outbox().some((event) => event.body.event_id == id)) return new Promise((next) => setTimeout(next, 50)).then(delivered);
  };
  return bounded(loadMain().then(delivered));
};

/** The listeners onAttribution added here: told when this file's click made the attribution, and handed to the main file. */
const listeners = (api[LISTENERS] = new Set<(current: unknown, previous: unknown) => void>());

/** The attribution, as getData() tells it (a legacy click id too, until the main file migrates it). */
const data = () => {
  const clickId = read(COOKIE_CLICK_ID, isPlausibleId) ?? read(COOKIE_LEGACY_CLICK_ID, isPlausibleId);
  return { clickId, programId, hasAttribution: !!clickId, affiliateUrl: read(COOKIE_AFFILIATE_URL, readAff) };
};

/** The clicks in the outbox, superseded (`by` a landing whose click is on its way, or for good), as landing.ts marks them. */
const supersede = (events: PendingEvent[], by: string | true): PendingEvent[] =>
  events.map((pending) => (pending.route == 'click' && pending.stale !== true ? { ...pending, stale: by } : pending));

/**
 * Applies a click's answer: the cookies of the attribution, unless consent was withdrawn since, or
 * another tab stored a newer landing's meanwhile (then the click only leaves the outbox). The clicks
 * it superseded are so for good, and the leads made while it was on its way carry its click id.
 */
function apply(event: PendingEvent, answer: Record<string, unknown>): void {
  const id = answer.click_id;
  const at = event.body.event_id;
  // The landing it stands for: its own, or a later one on its link that sent it again (land).
  const touch = event.touch!;
  if (handedOver() || !alone || !isPlausibleId(id)) return;
  // All it reads, before it writes: a read after a write is a round trip (see jar).
  const newest = read(COOKIE_TOUCH)?.slice(0, 8) ?? '';
  // Unless another tab stored a newer landing's attribution meanwhile (landing.ts tells it the same way).
  const stands = standsAgainst(newest, touch);
  const previous = data();
  const history = appendHistory(parseHistory(read(COOKIE_HISTORY)), id);
  const events = outbox();
  const days = clampWindowDays(answer.cookie_window_days);
  if (stands) {
    store(COOKIE_CLICK_ID, id, days);
    store(COOKIE_LEGACY_CLICK_ID, id, days);
    store(COOKIE_HISTORY, history.join('|'), days);
    store(COOKIE_AFFILIATE_URL, slimLanding(event.body.affiliate_url as string), days);
    store(COOKIE_TOUCH, touch);
  }
  const withClickId = (pending: PendingEvent): PendingEvent =>
    stands && behind.includes(pending.body.event_id) ? { ...pending, body: { ...pending.body, click_id: id, click_ids: history } } : pending;
  // Answered, it leaves the outbox, also when it does not stand (the server recorded it); the leads
  // made behind it go before the clicks it superseded (withoutAnswered).
  keep(
    withoutAnswered(events, at)
      // What it superseded stays so, also when a later landing is refused.
      .map((pending) => (pending.stale ? { ...pending, stale: true } : pending))
      .map(withClickId),
  );
  for (const [index, lead] of made.entries()) made[index] = withClickId(lead);
  behind = [];
  for (const listener of stands ? listeners : []) {
    try {
      listener(data(), previous);
    } catch (error) {
      log('error', 'onAttribution listener failed:', error);
    }
  }
}

/** A plain landing on `url`: the last-touch table, and the click it calls for. Anything else is the main file's. */
function land(url: string, reported?: boolean): Promise<void> | void {
  const aff = readAff(url);
  if (!aff || handedOver()) return;
  // Back to a route landed before: the landing last made again, so a route on from it that keeps its `?aff=` is the same.
  if (!reported && landed.includes(url)) return void landed.push(url);
  if (!alone) return void loadMain();
  // A route that keeps `?aff=` is the same landing; a report of the landing whose click is on its way joins it.
  if (readAff(landed[landed.length - 1]) == aff && (clicking || !reported)) return landed.push(url), clicking;
  // Another partner's landing while this file's click is on its way: made once that click settled (its answer first).
  if (clicking) return clicking.then(() => land(url, reported));
  landed.push(url);
  const clickId = read(COOKIE_CLICK_ID, isPlausibleId);
  // A page opened again (reload, Back) on its landing: the visitor may have followed another partner's link since.
  if (clickId && !reported && revisited(url)) return;
  // The stored partner's link: no click, but the newest touch; clicks kept by earlier page views are superseded.
  if (!isNewLanding(aff, clickId, read(COOKIE_AFFILIATE_URL, readAff))) {
    const events = outbox();
    if (events.length) keep(supersede(events, true));
    return store(COOKIE_TOUCH, newEventId());
  }
  // Read before the session cookie is written: a read after a write is a round trip (see jar).
  const events = outbox();
  const touch = newEventId();
  // This partner's click still in the outbox (the page reloaded, or another tab landed on its link,
  // while it was on its way): sent again in its place with its event id, which the server records
  // once, as landing.ts does; this landing is its touch. A new id counted the visit twice. Told by
  // `aff`, as there: a long landing URL is kept shortened (slimLanding).
  const id = events.find((pending) => readAff(pending.body.affiliate_url as string) == aff)?.body.event_id ?? touch;
  const event: PendingEvent = {
    route: 'click',
    body: { ...buildClickPayload(clickUrl(url, aff), readPageContext(), sessionId(), programId!, clickId), event_id: id },
    touch,
  };
  const others = supersede(events, id).map((pending) => (pending.body.event_id == id ? event : pending));
  keep(id == touch ? [...others, event] : others);
  // Not in the outbox as written back (cookies refused, as in a sandboxed frame; an outbox cookie a
  // consent tool blocks by name; one grown past what a cookie holds, which the main file trims):
  // the main file lands it, holding the attribution in memory. A probe that stuck does not say so.
  if (!outbox().some((pending) => pending.body.event_id == event.body.event_id)) {
    alone = false;
    landed.pop();
    return void loadMain();
  }
  flying = event;
  // fetch() a task later: a page's wrapper of it that throws must not stop this file.
  return (clicking = Promise.resolve()
    .then(() =>
      fetch(String(options.apiBase || 'https://api.affitor.com').replace(/[\s/]+$/, '') + '/api/v1/track/click', {
        method: 'POST',
        body: toJson(event.body),
        keepalive: true,
      }),
    )
    // The answer, and when it came, kept for the main file's diagnose() (CLICKED).
    .then((response) =>
      response.ok ? response.json().then((answer: Record<string, unknown>) => ((api[CLICKED] = [response, answer, Date.now()]), apply(event, answer))) : Promise.reject(new Error()),
    )
    // A failed try is the main file's to retry and tell: it finds the click in the outbox, and the
    // leads made behind it there, which wait for it (not for a later landing's click made here).
    .catch(() => void loadMain())
    .finally(() => ((clicking = undefined), (behind = []))));
}

/** Whether the browser renders this page ahead of a visit that may never come: its landings wait until the visitor opens it. */
function renderedAhead(): boolean | undefined {
  return (document as { prerendering?: boolean }).prerendering;
}
const opened = (): Promise<unknown> => new Promise((open) => (renderedAhead() ? document.addEventListener('prerenderingchange', open, { once: true }) : open(0)));

/** The landing URL: the URL now, or at load when a router stripped `?aff=` since. */
function landingUrl(): string {
  return readAff(location.href) || !readAff(urlAtLoad()) ? location.href : urlAtLoad()!;
}

/** The landing of this page view (at once, before the page's queued calls), once opened. */
const landHere = (): void => void (renderedAhead() ? document.addEventListener('prerenderingchange', landHere, { once: true }) : land(landingUrl()));

/**
 * A withdrawal deletes what was written at once, also when the main file cannot be had, but the
 * leads in the outbox (the merchant's signups), and the clicks they wait behind for their click id,
 * superseded (their answers are no attribution), as the main file's clearOutbox keeps them. A
 * landing's click on its way goes to the main file (ON_ITS_WAY), with the leads made behind it: it
 * sends it again (its event id: recorded once), holds the answer in memory, as it does its own, for
 * a grant to write, and those leads carry its click id; if that file cannot be had, the next page
 * view's sends the click kept here, and the leads. This file, withdrawn, leaves the answer alone.
 */
function withdraw(): void {
  alone = keeps = false;
  if (clicking) api[ON_ITS_WAY] = [flying, behind];
  const events = outbox();
  const kept = events
    .slice(0, events.map((event) => event.route).lastIndexOf('lead') + 1)
    .map((event): PendingEvent => (event.route == 'lead' ? event : { ...event, stale: true }));
  // Rewritten only when that changes it: with nothing to keep it is deleted as the rest is, and
  // one of leads alone stays as it is, so no probe is written for it either.
  if (kept.length && toJson(kept) != toJson(events)) keep(kept);
  for (const name of COOKIE_NAMES) if (name != COOKIE_OUTBOX || !kept.length) for (const [domain, path] of cookiePlaces()) write(name, '', 0, domain, path);
}

/**
 * What this file does for a call the main file could not be had for: a signup's lead kept in the
 * outbox where this page view may keep it (keeps); a ready callback run, as on a page view this file
 * has alone (a signup it makes comes back here). A call that is no list of arguments (a
 * hand-written `['signup', 'user_42']`) is none.
 */
const without = (method: string, args: ArrayLike<unknown> | undefined): unknown =>
  typeof args == 'object' &&
  (method == 'ready' ? typeof args?.[0] == 'function' && (args[0] as (affitor: Stub) => void)(api) : method == 'signup' && keeps && signup(args?.[0], args?.[1]));

/** The main file's method, with these arguments: once it has the page; where it could not be had, `without`. */
const later = (method: string, args: unknown[]): Promise<unknown> =>
  bounded(loadMain().then(() => (handedOver() ? (host.affitor![method] as (...args: unknown[]) => unknown)(...args) : without(method, args))));

/**
 * What this file does itself while it alone has the page (the getters, the withdrawal and
 * diagnose() also when not); anything else waits for the main file.
 */
const own: Record<string, (...args: unknown[]) => unknown> = {
  // Its options are the main file's, which it loads; the handle at once, as that file's init returns
  // it (`ready(a => a.init(options).getData())`): a promise in its place was no tracker.
  init: (...args) => (void later('init', args), api),
  getClickId: () => data().clickId,
  getData: data,
  getTracker: () => api,
  // A partner link the page reports is a landing too: its click must not wait on the main file.
  // But what only the main file tells (an invalid URL) or does (the click id given) is its.
  trackClick: (affiliateUrl, existingClickId) => {
    let url = '';
    try {
      url = new URL((affiliateUrl as string | undefined) ?? landingUrl(), location.href).href;
    } catch {
      /* the main file says so */
    }
    return existingClickId !== undefined || !readAff(url)
      ? later('trackClick', [affiliateUrl, existingClickId])
      : bounded(opened().then(() => land(url, affiliateUrl != null)));
  },
  // Until the main file (and the rest it loads) is here, null, as the main file's says: call it again.
  diagnose: () => (void later('diagnose', []), null),
  // What the callback calls comes back to these methods.
  ready: (callback) => (typeof callback == 'function' ? void (callback as (affitor: Stub) => void)(api) : later('ready', [callback])),
  // Told when this file's click makes the attribution; the main file takes the listeners over. The
  // function returned stops it there too (adding one that is there changes nothing, and returns its removal).
  onAttribution: (listener) => {
    if (typeof listener != 'function') return later('onAttribution', [listener]);
    listeners.add(listener as (current: unknown, previous: unknown) => void);
    return () => {
      listeners.delete(listener as (current: unknown, previous: unknown) => void);
      if (handedOver()) ((host.affitor!.onAttribution as (listener: unknown) => () => void)(listener))();
    };
  },
  // What follows the deletion is the main file's, which has not run yet (else it would have this
  // call): it replays the withdrawal before its init, so it writes nothing from the start.
  revokeConsent: () => (withdraw(), queue.push(['revokeConsent', []]), Promise.resolve()),
  // Queued too, in its place among the withdrawals: the main file replays them in order before and
  // after its init (a grant a later withdrawal takes back is skipped), so the last word holds. On a
  // page view this file has alone, consent is given already and nothing waits in memory: the grant
  // (a consent tool's, at every page view) loads no file; the main file replays it if it comes.
  grantConsent: (...args) => (queue.push(['grantConsent', args]), alone ? Promise.resolve() : bounded(loadMain().then(() => undefined))),
  signup: (customerKey, email) => signup(customerKey, email) ?? later('signup', [customerKey, email]),
};
for (const method of Object.keys(own))
  api[method] = (...args: unknown[]) =>
    handedOver()
      ? (host.affitor![method] as (...args: unknown[]) => unknown)(...args)
      : // A page view the main file does: what this file tells itself (the getters, onAttribution's
        // removal function at once) or does whatever that file does after (a withdrawal, a grant) stays
        // here; the rest waits for that file.
        own[method] && (alone || !/^(trackClick|signup|ready)$/.test(method))
        ? own[method](...args)
        : later(method, args);
/** What the stub queued, for the main file: it replays it (script.ts). */
api[QUEUED] = queue;
api[VERSION] = HANDOVER_VERSION;

/** Makes each call the stub queued, in order, through `make`: one that throws is said, not thrown into the page. */
function replay(make: (call: Call) => unknown): void {
  for (const call of calls()) {
    try {
      make(call);
    } catch (error) {
      log('error', 'queued call failed:', call[0], error);
    }
  }
}

/** Puts the SDK on the page: a plain page view alone, else the main file from the start. */
function start(): void {
  try {
    host.affitor = api;
  } catch {
    /* read-only window.affitor: the landing goes on; the main file says so */
  }
  const facts = { options: options as Record<string, unknown>, programId, kept: false, calls: calls().map(([method]) => method), domains, gpc: globalPrivacyControl() };
  // On a landing this file may make, the probe of the first domain goes out before the page's first
  // read of the jar, which then stands for its read-back, as jar.ts does: the probe costs the click
  // no read of its own. Not for a page view that writes nothing (consent pending), nor in a page
  // rendered ahead: one never opened writes no cookie.
  if (landingAlone(facts) && !renderedAhead() && readAff(landingUrl()) && candidates[0]) {
    probe(0);
    probedAhead = true;
  }
  firstJar = jar();
  // The probe written ahead goes (or the next candidates are tried), also where nothing is written after.
  if (probedAhead) cookieDomain();
  alone = landingAlone({ ...facts, kept: mainCookies() });
  keeps = mayKeep(facts);
  // A withdrawal the stub queued deletes at once too, also when the main file cannot be had.
  if (facts.calls.includes('revokeConsent')) withdraw();
  // The queued calls are the main file's to replay; where it cannot be had, this file keeps what it can.
  if (!alone) return void loadMain().then(() => handedOver() || replay(([method, args]) => without(method, args)));
  // Events earlier page views left: the main file resends them, after this page view's landing.
  const earlier = !!read(COOKIE_OUTBOX);
  try {
    landHere();
  } catch (error) {
    log('error', 'init failed:', error);
  }
  onUrlChange(landHere);
  // What the page asked before this file ran, after the landing and in order, through the methods
  // above; `init`'s options are read above, and stay queued for the main file to read too. A call
  // that is no list of arguments is the main file's to name.
  replay(
    (call) =>
      call[0] != 'init' &&
      call[1] &&
      typeof call[1] == 'object' &&
      (queue.splice(queue.indexOf(call), 1), (api[call[0]] as (...args: unknown[]) => unknown).apply(api, call[1])),
  );
  // The Stripe decoration is the main file's (and the rest's), after the landing's click as well. Not
  // for a grant the stub queued (a consent tool's, fired at load): consent is given here already.
  if (earlier || options.decorateStripe || queue.some((call) => !Array.isArray(call) || !/^(init|grantConsent)$/.test((call as Call)[0]))) void loadMain();
}

// A page that includes the tag twice (a theme and a tag manager): the second copy would land each
// landing again. The first keeps window.affitor and runs alone; the second only says so.
if (host.affitor?.[HANDOVER] || host.affitor?.[LANDED]) log('error', 'Another copy of the SDK runs on this page: keep one');
else start();
