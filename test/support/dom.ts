/**
 * happy-dom helpers for the SDK's DOM tests: the page URL, cookies, and a tracking API
 * answered in-process by the reference server (examples/server) behind msw.
 */
import { http, HttpResponse } from 'msw';
import { afterAll, afterEach, beforeAll, beforeEach, onTestFinished, vi } from 'vitest';
import type { HttpHandler } from 'msw';
import { setupServer } from 'msw/node';
import { DROP_HEADER, createTrackingServer } from '../../examples/server/src/app';
import type { SeedInput } from '../../examples/server/src/app';
import { clicks } from '../../src/browser/landing';
import { parseOutbox } from '../../src/core/outbox';
import type { PendingEvent } from '../../src/core/outbox';
import { newPageView } from '../../src/browser/page-view';
import { AffitorTracker } from '../../src/index';
import type { AffitorInitOptions } from '../../src/index';
import { PARTNER_A, PARTNER_B, seed } from './seed';

export const API_BASE = 'https://api.affitor.test';

export const testSeed = (): SeedInput =>
  seed()
    .program(1, 'aff_test_1', { cookie_window_days: 30 })
    .partnersWithLinks(1, PARTNER_A, PARTNER_B)
    .link('P1', 1, PARTNER_A.id)
    .link('INACTIVE1', 1, PARTNER_A.id, 'inactive')
    .admin('admin')
    .build();

export interface SentRequest {
  route: string;
  body: Record<string, unknown>;
  contentType: string | null;
}

export interface DomSuiteOptions {
  /** Silence `console.error` in each test: the suite provokes failures the SDK rightly logs. */
  quietErrors?: boolean;
}

/**
 * msw in front of a fresh reference server per test; `sent` lists what the SDK posted. It
 * registers its own set-up and tear-down: msw listens for the file, and each test starts with a
 * fresh server, no cookies, no session storage and no spies.
 */
export function useTrackingApi({ quietErrors = false }: DomSuiteOptions = {}) {
  const state = { app: createTrackingServer(testSeed()), sent: [] as SentRequest[] };
  const forward = http.all(`${API_BASE}/*`, async ({ request }) => {
    const body = (await request.clone().json().catch(() => ({}))) as Record<string, unknown>;
    state.sent.push({ route: new URL(request.url).pathname.split('/').pop()!, body, contentType: request.headers.get('content-type') });
    const response = await state.app.fetch(request);
    // The server's "drop" test switch: no answer at all, as a network error.
    return response.headers.has(DROP_HEADER) ? HttpResponse.error() : response;
  });
  const server = setupServer(forward);
  const api = {
    server,
    get app() {
      return state.app;
    },
    get sent() {
      return state.sent;
    },
    clicks: () => state.sent.filter((r) => r.route === 'click'),
    leads: () => state.sent.filter((r) => r.route === 'lead'),
    reset(seed: SeedInput = testSeed()) {
      state.app = createTrackingServer(seed);
      state.sent = [];
      server.resetHandlers();
    },
    /** Replaces the answer of one route (for answers the reference server never gives). */
    answer(route: 'click' | 'lead', resolver: Parameters<typeof http.post>[1]) {
      const handler: HttpHandler = http.post(`${API_BASE}/api/v1/track/${route}`, async (info) => {
        const body = (await info.request.clone().json().catch(() => ({}))) as Record<string, unknown>;
        state.sent.push({ route, body, contentType: info.request.headers.get('content-type') });
        return resolver(info);
      });
      server.use(handler);
    },
  };
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  beforeEach(() => {
    api.reset();
    sessionStorage.clear();
    if (quietErrors) vi.spyOn(console, 'error').mockImplementation(() => {});
  });
  afterEach(() => {
    vi.restoreAllMocks();
    stopRecordingCookies();
    clearCookies();
    sessionStorage.clear();
  });
  afterAll(() => server.close());
  return api;
}

/** The History API's methods as they are now: the returned function puts them back (over any wrapper installed since). */
function keepHistory(): () => void {
  const pushState = history.pushState.bind(history);
  const replaceState = history.replaceState.bind(history);
  return () => void Object.assign(history, { pushState, replaceState });
}

/**
 * A page that runs the `<script>` build, fresh for each test: happy-dom fires `load` for a script
 * file it does not fetch, each test imports a fresh copy of the build (which wraps the History API
 * again: undone after each), and no `window.affitor` or script tag is left from the test before.
 */
export function useScriptBuildPage(): void {
  const restoreHistory = keepHistory();
  const settings = (window as unknown as { happyDOM: { settings: { handleDisabledFileLoadingAsSuccess: boolean } } }).happyDOM.settings;
  beforeEach(() => {
    settings.handleDisabledFileLoadingAsSuccess = true;
    vi.resetModules();
    delete (window as { affitor?: unknown }).affitor;
    // The modules are fresh: the page has no copy of the SDK yet.
    delete (window as unknown as Record<symbol, unknown>)[Symbol.for('affitor.copy')];
  });
  afterEach(() => {
    restoreHistory();
    document.querySelectorAll('script').forEach((tag) => tag.remove());
  });
}

/**
 * For a test that imports a fresh copy of the SDK (`vi.resetModules()`): that copy's init wraps
 * the History API, which `newPageView()` (the static copy's reset) never undoes, so it would send
 * a click for each later test's `?aff=` navigation. Call it before the fresh import; undone when
 * the test ends. Captured then, not when the file loads: the static copy's own wrapper stays.
 */
export const undoFreshCopyHistory = (): void => onTestFinished(keepHistory());

/** Resolves once every click the page view started (if any) has settled: answered, retries included. */
export const landed = async (): Promise<void> => {
  // Every click under way, not only the last started: a landing beside an earlier page view's
  // resent click starts two, and one still retrying would answer into a later test.
  while (clicks.size) await Promise.all(clicks.values());
};

/**
 * A page view on `url`, as after a navigation (a fresh tracker, program 1, the test API), once
 * its landing has settled: the click answered (retries included) and the cookies written.
 */
export async function land(url: string, options: AffitorInitOptions = {}): Promise<AffitorTracker> {
  setUrl(url);
  newPageView();
  const tracker = new AffitorTracker({ programId: 1, apiBase: API_BASE, ...options }).init();
  await landed();
  return tracker;
}

export { http, HttpResponse };

export function setUrl(url: string): void {
  (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(url);
}

/**
 * Every `document.cookie = …` string the page writes, in order, until `stopRecordingCookies()`.
 * `accept` decides which writes reach the cookie jar (default: all), to imitate a browser that refuses some.
 */
export function recordCookieWrites(accept: (cookie: string) => boolean = () => true): string[] & { reads: number } {
  const writes = Object.assign([] as string[], { reads: 0 });
  let proto: object | null = Object.getPrototypeOf(document) as object;
  while (proto && !Object.getOwnPropertyDescriptor(proto, 'cookie')) proto = Object.getPrototypeOf(proto) as object | null;
  const native = Object.getOwnPropertyDescriptor(proto!, 'cookie')!;
  Object.defineProperty(document, 'cookie', {
    configurable: true,
    get: () => {
      writes.reads++;
      return native.get!.call(document) as string;
    },
    set: (value: string) => {
      writes.push(value);
      if (accept(value)) native.set!.call(document, value);
    },
  });
  return writes;
}

/** The page's cookies throw, as in an iframe sandboxed without allow-same-origin; undone by stopRecordingCookies(). */
export function refuseCookies(): void {
  const refuse = () => {
    throw new DOMException('The document is sandboxed', 'SecurityError');
  };
  Object.defineProperty(document, 'cookie', { configurable: true, get: refuse, set: refuse });
}

export function stopRecordingCookies(): void {
  delete (document as unknown as Record<string, unknown>).cookie;
}

export function cookieValue(name: string): string | undefined {
  const found = document.cookie
    .split('; ')
    .map((pair) => pair.split(/=(.*)/s))
    .find(([key]) => key === name);
  return found ? decodeURIComponent(found[1] ?? '') : undefined;
}

/** The events the outbox cookie holds, oldest first; none without the cookie. */
export const storedOutbox = (): PendingEvent[] => parseOutbox(cookieValue('affitor_outbox') ?? null);

/** Deletes every cookie on the host and each parent domain (happy-dom keeps them between tests). */
export function clearCookies(): void {
  const labels = location.hostname.split('.');
  const domains = [undefined, ...labels.map((_, i) => labels.slice(i).join('.'))];
  for (const pair of document.cookie.split('; ')) {
    const name = pair.split('=')[0];
    if (!name) continue;
    for (const domain of domains) {
      // Also without a path: happy-dom keeps a cookie written with no path apart from `path=/`.
      for (const path of ['; path=/', '']) {
        document.cookie = `${name}=${path}; expires=Thu, 01 Jan 1970 00:00:00 GMT${domain ? `; domain=.${domain}` : ''}`;
      }
    }
  }
}
