/**
 * The `<script>` build's first file (`dist/affitor.global.js`), all a landing downloads. It reads
 * `data-affitor-*` from its own tag, exposes `window.affitor`, and does a landing's work itself:
 * the `?aff=` click leaves from this file, with no other download before it, and its answer
 * becomes the cookies here too; so do `trackClick` and `signup`, whose events are in the outbox
 * before they leave. The rest of the SDK (`affitor.more.js`, from the same folder: retries, the
 * diagnosis, the Stripe decoration) is loaded only when needed (`needsMore`, a call of the rest,
 * or a failed try). If it cannot be loaded, one `[Affitor]` error says why, and every call waiting
 * for it settles: an event whose first try failed then waits in the outbox for the next page view.
 *
 * Calls queued by the stub snippet (README) before this script loaded are replayed in
 * order; queued `init` options are folded into the first `init`, so it runs once with
 * everything the page asked for.
 */
import { onAttribution } from './browser/attribution';
import { cookieDomain } from './browser/jar';
import { current, markLanded, pendingClick, renderedAhead, startClick } from './browser/landing';
import { enqueue, madeHere, outbox } from './browser/outbox';
import type { PendingEvent } from './core/outbox';
import { consent, log, mergeOptions } from './browser/options';
import { answered, post, record, rest } from './browser/send';
import { now } from './browser/core';
import { grantConsent } from './browser/consent';
import { revokeConsent } from './browser/erase';
import type { AffitorInitOptions } from './browser/tracker';
import { resend } from './browser/resend';
import { signup } from './browser/signup';
import { start } from './browser/start';
import { trackClick } from './browser/track-click';
import { isExpectedLeadRefusal } from './core/attribution';
import { needsMore } from './core/needs-more';
import { CLICKED, HANDOVER, HANDOVER_VERSION, LANDED, LISTENERS, MADE, MORE_FILE, ON_ITS_WAY, QUEUED, VERSION } from './script-handover';
import type { AttributionListener } from './browser/attribution';
import { LOAD_AGAIN_MS, loadScript } from './browser/load-script';
import { findTag, tagOptions } from './browser/script-tag';
import type { Handed, Handover, More } from './script-handover';

type Method = (...args: never[]) => unknown;
type Api = Record<string, Method>;
/** The rest, as the first file calls it: by name, with the arguments it was given. */
type Rest = Record<Exclude<keyof More, 'version'>, Method>;

/** `window.affitor` as this file finds it: the stub's, the first file's (its queue, landings and listeners), or the SDK's. */
type Found = {
  q?: unknown;
  [QUEUED]?: unknown;
  [LANDED]?: unknown;
  [LISTENERS]?: unknown;
  [ON_ITS_WAY]?: [PendingEvent, string[]];
  [MADE]?: PendingEvent[];
  [CLICKED]?: [Response, Record<string, unknown>, number];
  [VERSION]?: unknown;
};
const host = window as unknown as { affitor?: Found | Api };
// Only a list is the stub's queue: a page's element with id="affitor" is window.affitor too, and a
// form's field named q is its `.q`, which no loop can read (the script stopped there, the landing lost).
// Each entry is a [method, arguments] list, as the stub pushes them; one written by hand may be
// anything, which the loops below could not even take apart (init would never run).
// Loaded by the first file, the stub's queue is where that file keeps it.
const stub = host.affitor as Found | undefined;
/** A first file of another release (VERSION): this file leaves the page to it (below). */
const otherRelease = !!stub?.[QUEUED] && stub[VERSION] !== HANDOVER_VERSION;
const queued = stub?.[QUEUED] ?? stub?.q;
const queue = (Array.isArray(queued) ? (queued as Array<[string, unknown[]]>) : []).filter(
  (call) => Array.isArray(call) || log('error', 'queued call failed:', call),
);
// The landings the first file handled before it loaded this file: not landed again. Its listeners are told from now on.
markLanded(stub?.[LANDED]);
// The answer to the first file's landing click: diagnose() reports it as the last click, until this file sends one.
const [clicked, body, at] = stub?.[CLICKED] ?? [];
if (clicked) answered.click ??= { status: clicked.status, requestId: clicked.headers?.get('x-request-id'), body, at: at! };
for (const listener of (stub?.[LISTENERS] as Iterable<AttributionListener> | undefined) ?? []) onAttribution(listener);
const tag = findTag();
const options: AffitorInitOptions = tagOptions(tag);

let more: Rest | undefined;
/** The rest's arrival, once asked for: settles with it, or without it (undefined) once it failed. */
let arrival: Promise<Rest | undefined> | undefined;
/** Why the rest that ran was not taken: it is said as its other failures are. */
let refused: string | undefined;

const loadMore = (): Promise<Rest | undefined> =>
  (arrival ??= loadScript(MORE_FILE, tag, () => (more ? undefined : refused ?? 'not the SDK')).then((arrived) => {
    // (Not once it arrived late, after a failure: it is here, and is not asked for again.)
    if (!arrived) setTimeout(() => more || (arrival = undefined), LOAD_AGAIN_MS);
    return more;
  }));

/**
 * A method of the rest: loads the rest and calls it there with the arguments, or settles with
 * undefined once the rest cannot be had.
 */
const later =
  (method: keyof Rest) =>
  (...args: never[]): unknown =>
    more ? more[method](...args) : loadMore().then((arrived) => arrived?.[method](...args));

// Retrying a failed try is the rest's work: it is loaded for it. Not for a lead the API refuses as
// it should (its visitor came through no partner, or it is recorded already), which is neither
// retried nor, without debug, logged: a signup with no partner, the most common, downloaded
// affitor.more.js to do nothing.
rest.retry = (event, outcome, ...others) =>
  !options.debug && event.route == 'lead' && isExpectedLeadRefusal(JSON.stringify(outcome.body), !!event.body.click_id)
    ? void record(event, outcome, true)
    : (later('retry') as typeof rest.retry)(event, outcome, ...others);

const api: Api & { [HANDOVER]?: Handover } = {
  init: (newOptions?: AffitorInitOptions) => {
    // As the tracker merges them: an option given as undefined keeps the tag's value (or an earlier init's).
    start(mergeOptions(options, newOptions));
    // What earlier page views left is sent from here too: a lead kept while the rest could not be
    // had must not wait for it again.
    resend();
    // The rest for debug and the Stripe decoration (opt-in) is asked for after the landing's click
    // left (its fetch() follows a microtask: transport.ts), not before it: a task later.
    setTimeout(() => {
      if (needsMore({ debug: !!options.debug, asked: false })) void loadMore();
      if (options.decorateStripe) void later('decorateStripe')();
    });
    return api;
  },
  getClickId: () => current().clickId,
  getData: current,
  getTracker: () => api,
  // Here, not in the rest: a partner link the page reports is a landing too, and its click must
  // not wait on a second download.
  trackClick,
  grantConsent,
  // Here, not in the rest: a withdrawal must delete what earlier pages wrote even when the rest
  // cannot be had. A promise, as the script tag's revokeConsent has always returned (async: fewer bytes than Promise.resolve).
  // eslint-disable-next-line @typescript-eslint/require-await
  revokeConsent: async () => revokeConsent(),
  onAttribution,
  // Here too: the lead is in the outbox at once, so a page that leaves right after (a form that
  // redirects) cannot lose it while a second file downloads, and it leaves without waiting for one.
  signup,
  /** Until the rest has loaded, `null` (and the rest is loaded): call it again, or with debug on. */
  diagnose: () => (more ? more.diagnose() : (void loadMore(), null)),
  /** Runs `callback(window.affitor)`; through the stub, once the script has loaded. */
  ready: (callback: (affitor: Api) => void) =>
    typeof callback == 'function' ? callback(api) : log('error', 'ready: not a function:', callback),
};

/**
 * What the rest reads and calls here: the names `./browser/core` exports, as one plain object
 * (see there); the state that changes through `now()`, which the rest's side turns back into names.
 */
const core: Handed = { answered, consent, cookieDomain, log, now, post, record };

api[HANDOVER] = {
  core,
  take: (handed) => {
    // Also when it arrives after the calls waiting for it were settled without it: later calls use it.
    if (more) return;
    // A rest of a release that exchanges something else with this file: its steps are not this one's.
    if (handed.version != HANDOVER_VERSION) return void (refused = 'of another release');
    more = handed;
    // Once the landing's click answered: printed while it is on its way, a healthy landing looks failed.
    // A page rendered ahead makes its landing once opened (landHere, whose listener comes first).
    const printDiagnosis = (): void =>
      renderedAhead() ? document.addEventListener('prerenderingchange', printDiagnosis, { once: true }) : void Promise.resolve(pendingClick).then(handed.diagnose);
    if (options.debug) printDiagnosis();
  },
};
// A page that includes this file's tag twice (a theme and a tag manager): a second copy has its own
// state and its own History API hook, so it would send each later landing's click again. The first
// copy keeps window.affitor and runs alone; the second only says so.
if ((host.affitor as typeof api | undefined)?.[HANDOVER]) log('error', 'Another copy of the SDK runs on this page: keep one');
else if (otherRelease) stub[VERSION] = 'of another release';
else {
  // Another script may have defined window.affitor read-only, or as a getter: the assignment threw a
  // TypeError into the page before init, and the landing was lost. The landing goes on; the page's
  // calls (and the rest, which finds the first file there) cannot reach the SDK, which is said once.
  try {
    host.affitor = api;
  } catch {
    log('error', 'window.affitor cannot be set: the page cannot call the SDK');
  }

  // Before anything reads the outbox (a queued withdrawal below, else init).
  madeHere.push(...(stub?.[MADE] ?? []));
  // A hand-written `['init']` has no arguments: nothing to fold, and no TypeError before init ran.
  // Merged as init merges them: a queued `init({ consent: settings.consent })` with none set keeps
  // `data-affitor-consent="pending"`, and an unset apiBase the tag's data-affitor-api-base.
  /** The withdrawals queued and not replayed yet: a grant queued before one of them is not replayed (below). */
  let withdrawn = 0;
  for (const [method, args] of queue) {
    if (method == 'init') mergeOptions(options, args?.[0] as AffitorInitOptions | undefined);
    // A withdrawal made before the script loaded holds for the landing init handles, as the npm
    // functions' does. Replayed only after init (it is, below, to delete what earlier pages wrote), it
    // came after the landing's cookies were written and its click told the first-party handler to
    // write them with its answer, which a visitor who leaves at once keeps. (A grant after the last
    // withdrawal needs no such care: what init holds in memory, its replay writes.)
    else if (method == 'revokeConsent') {
      // As the npm functions' revokeConsent() before init: the session id and the clicks earlier page
      // views kept are forgotten too, not resent by init with the withdrawn session id.
      revokeConsent();
      withdrawn++;
    }
  }
  // The first file's landing click on its way when consent was withdrawn (the withdrawal is in the
  // queue, replayed above): sent again (its event id: recorded once), its answer held in memory as
  // this file's own click's would be, for a grant to write. In the outbox before the leads made
  // behind it, which wait for its click id (lead.ts), as this file's own would.
  const [handed, behind] = stub?.[ON_ITS_WAY] ?? [];
  let onItsWay: PendingEvent | undefined;
  if (handed) {
    // The first file kept it in the outbox too, before those leads, for the next page view had this
    // file not come (withdraw): this is that click, in its place.
    const copy = outbox.findIndex((event) => event.body.event_id == handed.body.event_id);
    const at = copy < 0 ? outbox.findIndex((event) => behind!.includes(event.body.event_id)) : (outbox.splice(copy, 1), copy);
    onItsWay = enqueue(handed, at < 0 ? outbox.length : at);
  }
  api.init!();
  if (onItsWay) void startClick(onItsWay);
  /**
   * A queued signup's lead that cannot be kept in the outbox (consent not given: memory only), until
   * delivered: the stub's promise (the `ready` it queued right after the call) settles then. Settled
   * at once, the README's `await affitor.signup(...)` before a redirect lost the lead.
   */
  let unkept: Promise<unknown> | undefined;
  for (const [method, args] of queue) {
    const make = (): unknown => {
      try {
        // `args` is the stub's `arguments`, which `apply` takes as it is; what is no list (a
        // hand-written `['signup', 'user_42']`) it refuses, where a spread would make a lead for 'u'.
        return api[method]!.apply(api, args as never[]);
      } catch (error) {
        log('error', 'queued call failed:', method, error);
      }
    };
    // A grant a later withdrawal takes back is skipped: replayed, it would write the probe, the
    // session id and the outbox (and any queued call between would write) until that withdrawal's replay deletes them.
    // A withdrawal ran before init (above): replayed, it would start yet another session id.
    if (method == 'revokeConsent') withdrawn--;
    else if (method != 'init' && (method != 'grantConsent' || !withdrawn))
      unkept =
        method == 'ready' && unkept
          ? unkept.then(make)
          : method == 'signup' && consent() != 'granted'
            ? (make() as Promise<unknown>)
            : void make();
  }
}
