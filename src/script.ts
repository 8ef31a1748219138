/**
 * The `<script>` build's loader (`dist/affitor.global.js`), the only part every page view
 * downloads. Reads `data-affitor-*` from its own tag, exposes `window.affitor`, and answers
 * `getClickId`/`getData` from the cookies. The tracker itself (`dist/affitor.tracker.js`,
 * from the same folder) is fetched only when the page has work for it: a `?aff=` landing (at
 * load or by the History API) other than a reload of the stored one, events an earlier page
 * could not deliver, a legacy cookie to migrate, `debug`, a missing program id, or a call
 * such as `signup`. Most page views have none of these and send no further request.
 *
 * Calls queued by the stub snippet (README) before this script loaded are replayed in
 * order; queued `init` options are folded into the first `init`, so it runs once with
 * everything the page asked for.
 */
import { readCookie } from './browser/cookies';
import { onUrlChange } from './browser/history';
import { pageProgramId } from './browser/page';
import { COOKIE_AFFILIATE_URL, COOKIE_CLICK_ID, COOKIE_LEGACY_CLICK_ID, COOKIE_OUTBOX } from './browser/tracker';
import type { AffitorData, AffitorInitOptions, AffitorTracker, AttributionListener } from './browser/tracker';
import { isNewLanding } from './core/attribution';
import { isPlausibleId, parseProgramId, readAff } from './core/values';
import { HANDOVER, TRACKER_FILE } from './script-handover';
import type { TrackerHandover } from './script-handover';

type Api = Record<string, (...args: never[]) => unknown>;
/** A call for the tracker: method, arguments, and what to do with its result. */
type Call = [method: string, args: ArrayLike<unknown>, done?: (result: never) => void];

const host = window as unknown as { affitor?: { q?: Call[] } | Api };
const queue = (host.affitor?.q as Call[] | undefined) ?? [];
const tag = document.currentScript ?? document.querySelector('script[data-affitor-program-id]');
const attribute = (name: string): string | undefined => tag?.getAttribute('data-affitor-' + name) ?? undefined;
// data-affitor-program-id is read by the tracker itself (so diagnose() can name it as the source).
const options: AffitorInitOptions = {
  debug: attribute('debug') == 'true',
  apiBase: attribute('api-base'),
  cookieDomain: attribute('cookie-domain'),
  consent: attribute('consent') == 'pending' ? 'pending' : undefined,
};

let tracker: AffitorTracker | undefined;
let loading = false;
/** Calls waiting for the tracker, in the order the page made them. */
const waiting: Call[] = [];
/** The latest URL with `?aff=` this page had: a router may strip it before the tracker runs. */
let landingUrl = location.href;

const load = (): void => {
  if (loading) return;
  loading = true;
  const script = document.createElement('script');
  const own = tag as HTMLScriptElement | null;
  script.src = new URL(TRACKER_FILE, own?.src || location.href).href;
  // A page whose Content-Security-Policy allows scripts by nonce allowed this one: pass it on.
  if (own?.nonce) script.nonce = own.nonce;
  script.onerror = () => console.error('[Affitor] could not load the tracker: serve', TRACKER_FILE, 'beside affitor.global.js', script.src);
  document.head.append(script);
};

const programId = (): number | null => parseProgramId(options.programId ?? pageProgramId()[0]);
const storedClickId = (): string | null => readCookie(COOKIE_CLICK_ID, isPlausibleId);
const storedAffiliateUrl = (): string | null => readCookie(COOKIE_AFFILIATE_URL, readAff);
/** A `?aff=` on the current URL that the last-touch table sends a click for (not a reload of the stored landing). */
const isLanding = (clickId = storedClickId()): boolean => isNewLanding(readAff(location.href), clickId, storedAffiliateUrl());

/** Whether this page view has work only the tracker can do. */
const hasWork = (clickId = storedClickId()): unknown =>
  options.debug ||
  !programId() ||
  isLanding(clickId) ||
  readCookie(COOKIE_OUTBOX) ||
  (!clickId && readCookie(COOKIE_LEGACY_CLICK_ID, isPlausibleId));

/** A method that runs on the tracker, fetching it first if `fetch`; its result is a promise until then. */
const forward =
  (method: string, fetch = true) =>
  (...args: unknown[]): unknown => {
    if (tracker) return (tracker as unknown as Api)[method]!(...(args as never[]));
    if (fetch) load();
    return new Promise((done) => waiting.push([method, args, done]));
  };

const api: Api & { [HANDOVER]?: TrackerHandover } = {
  init: (newOptions: AffitorInitOptions = {}) => {
    if (tracker) return tracker.init(newOptions);
    Object.assign(options, newOptions);
    if (hasWork()) load();
    return null;
  },
  getClickId: () => (tracker ? tracker.getClickId() : storedClickId()),
  getData: (): AffitorData => {
    if (tracker) return tracker.getData();
    const clickId = storedClickId();
    return { clickId, programId: programId(), hasAttribution: !!clickId, affiliateUrl: storedAffiliateUrl() };
  },
  getTracker: () => tracker ?? null,
  signup: forward('signup'),
  trackClick: forward('trackClick'),
  grantConsent: forward('grantConsent'),
  revokeConsent: forward('revokeConsent'),
  /** Until the tracker runs, `null` (and the tracker is fetched): call it again, or with debug on. */
  diagnose: () => (tracker ? tracker.diagnose() : (load(), null)),
  /** Attribution changes only once the tracker runs: the listener waits for it without fetching it. */
  onAttribution: (listener: AttributionListener) => {
    if (tracker) return tracker.onAttribution(listener);
    let stopped = false;
    let stop = (): void => {};
    waiting.push(['onAttribution', [listener], (stopper: () => void) => (stopped ? stopper() : (stop = stopper))]);
    return () => {
      stopped = true;
      stop();
    };
  },
  /** Runs `callback(window.affitor)`; through the stub, once the script has loaded. */
  ready: (callback: (affitor: Api) => void) => callback(api),
};

api[HANDOVER] = (Tracker, setUrlAtLoad) => {
  if (tracker) return;
  setUrlAtLoad(landingUrl);
  tracker = new Tracker();
  tracker.init(options);
  for (const [method, args, done] of waiting.splice(0)) {
    try {
      done!((tracker as unknown as Api)[method]!(...(Array.from(args) as never[])) as never);
    } catch (error) {
      console.error('[Affitor] call failed:', method, error);
    }
  }
};
host.affitor = api;

// A single-page app may add ?aff= after load.
onUrlChange(() => {
  if (!tracker && isLanding()) {
    landingUrl = location.href;
    load();
  }
});

for (const [method, args] of queue) if (method == 'init') Object.assign(options, args[0]);
api.init!();
for (const [method, args] of queue) {
  try {
    if (method != 'init') void api[method]!(...(Array.from(args) as never[]));
  } catch (error) {
    console.error('[Affitor] queued call failed:', method, error);
  }
}
