import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { API_BASE, clearCookies, cookieValue, setUrl, settle, useTrackingApi } from '../support/dom';

const api = useTrackingApi();
type Affitor = Record<string, (...args: unknown[]) => unknown> & { q?: unknown[] };
const host = window as unknown as { affitor?: Affitor };

/** happy-dom loads no script file: a script tag's `src` then fires `load` (as if fetched), or `error` when a test says so. */
const browserSettings = (window as unknown as { happyDOM: { settings: { handleDisabledFileLoadingAsSuccess: boolean } } }).happyDOM.settings;

// Each test runs a fresh copy of the script build, which wraps the History API again: undo it after each.
const pushState = history.pushState.bind(history);
const replaceState = history.replaceState.bind(history);

beforeAll(() => api.server.listen({ onUnhandledRequest: 'error' }));
beforeEach(() => {
  browserSettings.handleDisabledFileLoadingAsSuccess = true;
  api.reset();
  vi.resetModules();
  delete host.affitor;
});
afterEach(() => {
  Object.assign(history, { pushState, replaceState });
  vi.restoreAllMocks();
  document.querySelectorAll('script').forEach((tag) => tag.remove());
  clearCookies();
});
afterAll(() => api.server.close());

const LOADER_SRC = 'https://cdn.affitor.test/sdk/affitor.global.js';
const TRACKER_SRC = 'https://cdn.affitor.test/sdk/affitor.tracker.js';

function scriptTag(attributes: Record<string, string>) {
  const tag = document.createElement('script');
  tag.setAttribute('src', LOADER_SRC);
  for (const [name, value] of Object.entries(attributes)) tag.setAttribute(name, value);
  document.head.append(tag);
}

/** The stub snippet from the README, evaluated as page script before the SDK loads. */
const STUB_SNIPPET = `
  window.affitor = window.affitor || { q: [] };
  ['init', 'signup', 'trackClick', 'ready'].forEach(function (m) {
    window.affitor[m] = window.affitor[m] || function () { window.affitor.q.push([m, arguments]); };
  });`;

function installStub() {
  // Indirect eval runs the snippet as a classic script in the page's global scope, as a <script> tag would.
  (0, eval)(STUB_SNIPPET);
  if (!host.affitor?.q) throw new Error('the stub snippet did not run');
}

/** The tracker script tags the loader added to the page. */
const trackerTags = (): string[] =>
  [...document.querySelectorAll<HTMLScriptElement>('script:not([data-affitor-program-id])')].map((tag) => tag.src);

/**
 * Runs the loader as the page's `<script>` would, then, when it added the tracker's tag,
 * runs the tracker file as the browser would once fetched. Returns the tracker tags added.
 */
async function runScriptBuild(): Promise<string[]> {
  await import('../../src/script');
  const added = trackerTags();
  if (added.length) await import('../../src/script-tracker');
  await settle();
  return added;
}

describe('the <script> build', () => {
  it('configures itself from its data-affitor-* attributes, exposes window.affitor, and fetches the tracker beside it for a landing', async () => {
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    scriptTag({
      'data-affitor-program-id': '1',
      'data-affitor-api-base': API_BASE,
      'data-affitor-cookie-domain': 'shop.example.com',
      'data-affitor-debug': 'true',
    });
    const info = vi.spyOn(console, 'info').mockImplementation(() => {});
    expect(await runScriptBuild()).toEqual([TRACKER_SRC]);
    const affitor = host.affitor!;
    expect(Object.keys(affitor).sort()).toEqual([
      'diagnose',
      'getClickId',
      'getData',
      'getTracker',
      'grantConsent',
      'init',
      'onAttribution',
      'ready',
      'revokeConsent',
      'signup',
      'trackClick',
    ]);
    await vi.waitFor(() => expect(cookieValue('affitor_click_id')).toBeDefined());
    expect(api.clicks()).toHaveLength(1);
    expect(affitor.getClickId!()).toBe(cookieValue('affitor_click_id'));
    expect(affitor.getData!()).toMatchObject({ programId: 1, hasAttribution: true });
    expect(affitor.getTracker!()).not.toBeNull();
    expect(info).toHaveBeenCalledWith('[Affitor]', 'cookie domain', 'shop.example.com');
  });

  it('answers getClickId and getData from the cookies on a page view with nothing to send, and fetches nothing', async () => {
    setUrl('https://www.shop.example.com/pricing');
    document.cookie = 'affitor_click_id=cust_7_1700000000000; path=/';
    document.cookie = `affitor_aff_url=${encodeURIComponent('https://www.shop.example.com/?aff=PARTNER123')}; path=/`;
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await runScriptBuild()).toEqual([]);
    const affitor = host.affitor!;
    expect(affitor.getClickId!()).toBe('cust_7_1700000000000');
    expect(affitor.getData!()).toEqual({
      clickId: 'cust_7_1700000000000',
      programId: 1,
      hasAttribution: true,
      affiliateUrl: 'https://www.shop.example.com/?aff=PARTNER123',
    });
    expect(affitor.getTracker!()).toBeNull();
    expect(affitor.diagnose).toBeTypeOf('function');
    expect(api.sent).toEqual([]);
    expect(error).not.toHaveBeenCalled();
  });

  it('fetches nothing for a reload of the stored landing, and the tracker for another partner\'s link', async () => {
    const landing = 'https://www.shop.example.com/?aff=PARTNER123';
    setUrl(landing);
    document.cookie = 'affitor_click_id=cust_7_1700000000000; path=/';
    document.cookie = `affitor_aff_url=${encodeURIComponent(landing)}; path=/`;
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    expect(await runScriptBuild()).toEqual([]);
    expect(host.affitor!.getData!()).toMatchObject({ clickId: 'cust_7_1700000000000', affiliateUrl: landing });

    history.pushState(null, '', '/?aff=PARTNER456');
    expect(trackerTags()).toEqual([TRACKER_SRC]);
    await import('../../src/script-tracker');
    await vi.waitFor(() => expect(api.clicks()).toHaveLength(1));
    expect(api.clicks()[0]!.body).toMatchObject({ existing_click_id: 'cust_7_1700000000000' });
  });

  it('gives the same getData before and after the tracker runs, for every cookie state', async () => {
    const states: Array<Record<string, string>> = [
      {},
      { affitor_click_id: 'cust_1_1' },
      { affitor_click_id: 'not a click id; at all', affitor_aff_url: 'https://x.example/?aff=P1' },
      { affitor_click_id: 'cust_2_2', affitor_aff_url: 'no url' },
    ];
    for (const cookies of states) {
      vi.resetModules();
      delete host.affitor;
      document.querySelectorAll('script').forEach((tag) => tag.remove());
      clearCookies();
      setUrl('https://www.shop.example.com/');
      for (const [name, value] of Object.entries(cookies)) document.cookie = `${name}=${encodeURIComponent(value)}; path=/`;
      scriptTag({ 'data-affitor-program-id': '42', 'data-affitor-api-base': API_BASE });
      expect(await runScriptBuild()).toEqual([]);
      const before = host.affitor!.getData!();
      await import('../../src/script-tracker');
      expect(host.affitor!.getTracker!(), JSON.stringify(cookies)).not.toBeNull();
      expect(host.affitor!.getData!(), JSON.stringify(cookies)).toEqual(before);
    }
  });

  it.each([
    ['an outbox an earlier page view left', () => (document.cookie = `affitor_outbox=${encodeURIComponent('[]')}; path=/`), {}],
    ['a legacy customer_code to migrate', () => (document.cookie = 'customer_code=cust_9_9; path=/'), {}],
    ['debug', () => {}, { 'data-affitor-debug': 'true' }],
    ['no program id (the tracker says why nothing is tracked)', () => {}, { 'data-affitor-program-id': '' }],
  ])('fetches the tracker on a page view without ?aff= for %s', async (_, setUp, attributes) => {
    setUrl('https://www.shop.example.com/');
    setUp();
    vi.spyOn(console, 'info').mockImplementation(() => {});
    vi.spyOn(console, 'error').mockImplementation(() => {});
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE, ...attributes });
    expect(await runScriptBuild()).toEqual([TRACKER_SRC]);
    expect(host.affitor!.getTracker!()).not.toBeNull();
  });

  it('fetches the tracker for signup, sends the lead with the stored click id, and resolves the promise once it is sent', async () => {
    setUrl('https://www.shop.example.com/signup');
    document.cookie = 'affitor_click_id=cust_7_1700000000000; path=/';
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    expect(await runScriptBuild()).toEqual([]);
    const signedUp = host.affitor!.signup!('user_9', 'nine@example.com') as Promise<void>;
    expect(trackerTags()).toEqual([TRACKER_SRC]);
    expect(api.leads()).toHaveLength(0);
    await import('../../src/script-tracker');
    await signedUp;
    expect(api.leads().map((lead) => lead.body)).toEqual([
      expect.objectContaining({ customer_key: 'user_9', click_id: 'cust_7_1700000000000' }) as unknown,
    ]);
  });

  it('fetches the tracker when a single-page app adds ?aff= later, and tracks that landing though the router strips it before the tracker runs', async () => {
    setUrl('https://www.shop.example.com/');
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    expect(await runScriptBuild()).toEqual([]);
    history.pushState(null, '', '/pricing?aff=PARTNER456');
    history.replaceState(null, '', '/pricing');
    expect(trackerTags()).toEqual([TRACKER_SRC]);
    await import('../../src/script-tracker');
    await vi.waitFor(() => expect(cookieValue('affitor_click_id')).toBeDefined());
    expect(api.clicks().map((click) => click.body.affiliate_url)).toEqual(['https://www.shop.example.com/pricing?aff=PARTNER456']);
  });

  it('holds onAttribution listeners without fetching the tracker, and calls them once it runs; a stopped one never', async () => {
    setUrl('https://www.shop.example.com/');
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    await runScriptBuild();
    const heard: unknown[] = [];
    const stopped: unknown[] = [];
    host.affitor!.onAttribution!((current: { clickId: string }) => heard.push(current.clickId));
    const stop = host.affitor!.onAttribution!((current: unknown) => stopped.push(current)) as () => void;
    stop();
    expect(trackerTags()).toEqual([]);
    void host.affitor!.trackClick!('https://www.shop.example.com/?aff=PARTNER123');
    await import('../../src/script-tracker');
    await vi.waitFor(() => expect(heard).toHaveLength(1));
    expect(heard).toEqual([cookieValue('affitor_click_id')]);
    expect(stopped).toEqual([]);
  });

  it('logs one clear error naming the tracker file when it cannot be fetched, and keeps the page working', async () => {
    browserSettings.handleDisabledFileLoadingAsSuccess = false;
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    await import('../../src/script');
    await vi.waitFor(() => expect(error).toHaveBeenCalledTimes(1));
    expect(error.mock.calls[0]!.join(' ')).toBe(
      `[Affitor] could not load the tracker: serve affitor.tracker.js beside affitor.global.js ${TRACKER_SRC}`,
    );
    expect(host.affitor!.getData!()).toMatchObject({ clickId: null, programId: 1 });
    expect(api.sent).toEqual([]);
  });

  it('the tracker file alone (without the loader) only logs why it does nothing', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    await import('../../src/script-tracker');
    expect(error.mock.calls.map((call) => call.join(' '))).toEqual([
      '[Affitor] affitor.tracker.js runs only when affitor.global.js loads it',
    ]);
    expect(host.affitor).toBeUndefined();
  });

  it('replays calls queued by the stub before it loaded, in order, folding queued init options into init', async () => {
    setUrl('https://shop.example.com/?aff=PARTNER123');
    scriptTag({ 'data-affitor-program-id': '1' });
    installStub();
    const readyCalls: unknown[] = [];
    host.affitor!.init!({ apiBase: API_BASE });
    host.affitor!.signup!('user_7', 'q@example.com');
    host.affitor!.ready!((affitor: Affitor) => readyCalls.push(affitor.getData!()));
    expect(await runScriptBuild()).toEqual([TRACKER_SRC]);
    await vi.waitFor(() => expect(api.leads()).toHaveLength(1));
    expect(api.clicks()).toHaveLength(1);
    expect(api.leads()[0]!.body).toMatchObject({ customer_key: 'user_7', click_id: cookieValue('affitor_click_id') });
    expect(readyCalls).toHaveLength(1);
  });

  it('keeps going when a queued call is bad, logging it', async () => {
    setUrl('https://shop.example.com/');
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    installStub();
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    host.affitor!.ready!(() => {
      throw new Error('merchant bug');
    });
    host.affitor!.q!.push(['noSuchMethod', []]);
    host.affitor!.signup!('user_8');
    expect(await runScriptBuild()).toEqual([TRACKER_SRC]);
    await vi.waitFor(() => expect(api.leads()).toHaveLength(1));
    const logged = error.mock.calls.map((call) => call.join(' ')).join('\n');
    expect(logged).toContain('queued call failed: ready');
    expect(logged).toContain('queued call failed: noSuchMethod');
  });
});
