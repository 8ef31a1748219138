import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { API_BASE, HttpResponse, cookieValue, http, recordCookieWrites, setUrl, useScriptBuildPage, useTrackingApi } from '../support/dom';
import { NO_PROGRAM_ID } from '../../src/browser/options';
import { newEventId } from '../../src/core/outbox';
import { HANDOVER, HANDOVER_VERSION } from '../../src/script-handover';
import type { Handover } from '../../src/script-handover';
import { version } from '../../package.json';

const api = useTrackingApi();
type Affitor = Record<string, (...args: unknown[]) => unknown> & { q?: unknown[] };
const host = window as unknown as { affitor?: Affitor };

useScriptBuildPage();

const FIRST_SRC = 'https://cdn.affitor.test/sdk/affitor.global.js';
const MORE_SRC = 'https://cdn.affitor.test/sdk/affitor.more.js';

function scriptTag(attributes: Record<string, string>) {
  const tag = document.createElement('script');
  tag.setAttribute('src', FIRST_SRC);
  for (const [name, value] of Object.entries(attributes)) tag.setAttribute(name, value);
  document.head.append(tag);
}

/** The stub snippet, read from the README (the `<script>` after its "Optional stub" comment), so the two cannot drift apart. */
const STUB_SNIPPET = /<!-- Optional stub[^\n]*\n<script>\n([\s\S]*?)<\/script>/.exec(readFileSync(resolve(__dirname, '../../README.md'), 'utf8'))![1]!;

/** A queue page code wrote itself, not through the stub's `arguments`. */
const handWrittenQueue = (...calls: unknown[][]) => void ((window as { affitor?: unknown }).affitor = { q: calls });

function installStub() {
  // Indirect eval runs the snippet as a classic script in the page's global scope, as a <script> tag would.
  (0, eval)(STUB_SNIPPET);
  if (!host.affitor?.q) throw new Error('the stub snippet did not run');
}

/**
 * The script tags the first file asks the browser to load (`affitor.more.js`), held here
 * instead of added to the page: a test then plays what the browser would do with each, the
 * file arriving (importing src/script-more) or failing (its `error` or `load` handler).
 */
let requested: HTMLScriptElement[] = [];
beforeEach(() => {
  requested = [];
  const append = document.head.append.bind(document.head);
  vi.spyOn(document.head, 'append').mockImplementation((...nodes) => {
    for (const node of nodes) {
      if (node instanceof HTMLScriptElement && !node.hasAttribute('data-affitor-program-id')) requested.push(node);
      else append(node);
    }
  });
});
const requestedFiles = (): string[] => requested.map((tag) => tag.src);

/** How the server answers the first file's look at affitor.more.js before it adds the script tag. */
const serveMore = (answer: () => Response = () => new HttpResponse('/* the rest */', { headers: { 'Content-Type': 'text/javascript' } })) =>
  api.server.use(http.get(MORE_SRC, answer));
beforeEach(() => serveMore());
/** The script tag the first file adds once its look at the answer found JavaScript. */
const moreRequested = () => vi.waitFor(() => expect(requestedFiles()).toEqual([MORE_SRC]));

/**
 * Runs the first file as the page's `<script>` would (document.currentScript is its tag, or null
 * as a browser gives it for a tag of `type="module"`).
 */
async function runFirstFile(tag = [...document.querySelectorAll<HTMLScriptElement>('script[src]')].pop() ?? null): Promise<void> {
  Object.defineProperty(document, 'currentScript', { configurable: true, get: () => tag });
  try {
    await import('../../src/script');
  } finally {
    delete (document as unknown as Record<string, unknown>).currentScript;
  }
  // The landing's click, if the page is one, has settled: that file's own landing module (modules are fresh per test).
  const landing = await import('../../src/browser/landing');
  while (landing.pendingClick) await landing.pendingClick;
}

/**
 * What the two files of the script build exchange, by HANDOVER_VERSION: the names the first file
 * hands over (its steps, and its state through `now()`) and those the rest brings. A release that
 * changes them (or what one of them means) raises the version, so a rest of another release cached
 * beside it is refused, not run.
 */
const EXCHANGED: Record<number, { core: string[]; state: string[]; more: string[] }> = {
  1: {
    core: ['answered', 'consent', 'cookieDomain', 'log', 'now', 'post', 'record'],
    state: ['chosenDomain', 'cookiesBlocked', 'options', 'probes', 'programId', 'windowDays'],
    more: ['decorateStripe', 'diagnose', 'retry', 'version'],
  },
};

/** The rest arrives and runs, as the browser would run the requested affitor.more.js. */
const moreArrives = () => import('../../src/script-more');

describe('the <script> build: the first file', () => {
  it('configures itself from its data-affitor-* attributes, exposes window.affitor, and sends the landing\'s click with no other file', async () => {
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE, 'data-affitor-cookie-domain': 'shop.example.com' });
    await runFirstFile();
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
    expect(api.clicks()[0]!.contentType).toMatch(/^text\/plain/);
    expect(requestedFiles()).toEqual([]);
    expect(affitor.getClickId!()).toBe(cookieValue('affitor_click_id'));
    expect(affitor.getData!()).toMatchObject({ programId: 1, hasAttribution: true });
    expect(affitor.getTracker!()).toBe(affitor);
  });

  it('answers getClickId and getData from the cookies on a page view with nothing to send, and loads nothing', async () => {
    setUrl('https://www.shop.example.com/pricing');
    document.cookie = 'affitor_click_id=cust_7_1700000000000; path=/';
    document.cookie = `affitor_aff_url=${encodeURIComponent('https://www.shop.example.com/?aff=PARTNER123')}; path=/`;
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    await runFirstFile();
    expect(host.affitor!.getData!()).toEqual({
      clickId: 'cust_7_1700000000000',
      programId: 1,
      hasAttribution: true,
      affiliateUrl: 'https://www.shop.example.com/?aff=PARTNER123',
    });
    expect(requestedFiles()).toEqual([]);
    expect(api.sent).toEqual([]);
    expect(error).not.toHaveBeenCalled();
  });

  it('sends nothing for a reload of the stored landing, and one click for another partner\'s link added by pushState', async () => {
    const landing = 'https://www.shop.example.com/?aff=PARTNER123';
    setUrl(landing);
    document.cookie = 'affitor_click_id=cust_7_1700000000000; path=/';
    document.cookie = `affitor_aff_url=${encodeURIComponent(landing)}; path=/`;
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    await runFirstFile();
    expect(api.sent).toEqual([]);
    history.pushState(null, '', '/?aff=PARTNER456');
    await vi.waitFor(() => expect(api.clicks()).toHaveLength(1));
    expect(api.clicks()[0]!.body).toMatchObject({ existing_click_id: 'cust_7_1700000000000' });
    expect(requestedFiles()).toEqual([]);
  });

  it('tracks a landing a single-page app adds later, though the router strips ?aff= at once', async () => {
    setUrl('https://www.shop.example.com/');
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    await runFirstFile();
    history.pushState(null, '', '/pricing?aff=PARTNER456');
    history.replaceState(null, '', '/pricing');
    await vi.waitFor(() => expect(cookieValue('affitor_click_id')).toBeDefined());
    expect(api.clicks().map((click) => click.body.affiliate_url)).toEqual(['https://www.shop.example.com/pricing?aff=PARTNER456']);
  });

  it('tracks the landing when the router stripped ?aff= before the async script tag ran', async () => {
    const landing = 'https://www.shop.example.com/?aff=PARTNER123';
    // The app's bundle ran first: its router replaced the URL the visitor arrived on.
    setUrl('https://www.shop.example.com/login');
    vi.spyOn(performance, 'getEntriesByType').mockImplementation((type) => (type == 'navigation' ? [{ name: landing } as PerformanceEntry] : []));
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    await runFirstFile();
    await vi.waitFor(() => expect(cookieValue('affitor_click_id')).toBeDefined());
    expect(api.clicks().map((click) => click.body.affiliate_url)).toEqual([landing]);
  });

  it('resends what an earlier page view left in the outbox by itself, without loading the rest', async () => {
    setUrl('https://www.shop.example.com/');
    const left = [{ route: 'click', body: { affiliate_url: 'https://www.shop.example.com/?aff=PARTNER123', event_id: 'evt_left_1', additional_data: { program_id: 1 } } }];
    document.cookie = `affitor_outbox=${encodeURIComponent(JSON.stringify(left))}; path=/`;
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    await runFirstFile();
    await vi.waitFor(() => expect(cookieValue('affitor_click_id')).toBeDefined());
    expect(api.clicks().map((click) => click.body.event_id)).toEqual(['evt_left_1']);
    expect(cookieValue('affitor_outbox')).toBeUndefined();
    expect(document.querySelector(`script[src="${MORE_SRC}"]`)).toBeNull();
  });

  it('sends a landing whose click an earlier page view left in the outbox with that event id, without the rest', async () => {
    const landing = 'https://www.shop.example.com/?aff=PARTNER123';
    setUrl(landing);
    const left = [{ route: 'click', body: { affiliate_url: landing, event_id: 'evt_left_2', additional_data: { program_id: 1 } } }];
    document.cookie = `affitor_outbox=${encodeURIComponent(JSON.stringify(left))}; path=/`;
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    await runFirstFile();
    await vi.waitFor(() => expect(cookieValue('affitor_click_id')).toBeDefined());
    expect(api.clicks().map((click) => click.body.event_id)).toEqual(['evt_left_2']);
    expect(cookieValue('affitor_outbox')).toBeUndefined();
    // The landing and the resend are one event, sent once.
    expect(api.clicks()).toHaveLength(1);
  });

  it('calls onAttribution listeners when the click answers; a stopped one never', async () => {
    setUrl('https://www.shop.example.com/');
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    await runFirstFile();
    const heard: unknown[] = [];
    const stopped: unknown[] = [];
    host.affitor!.onAttribution!((current: { clickId: string }) => heard.push(current.clickId));
    const stop = host.affitor!.onAttribution!((current: unknown) => stopped.push(current)) as () => void;
    stop();
    history.pushState(null, '', '/?aff=PARTNER123');
    await vi.waitFor(() => expect(heard).toHaveLength(1));
    expect(heard).toEqual([cookieValue('affitor_click_id')]);
    expect(stopped).toEqual([]);
  });

  it('loads the rest for debug, which prints the diagnosis', async () => {
    setUrl('https://www.shop.example.com/');
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE, 'data-affitor-debug': 'true' });
    const info = vi.spyOn(console, 'info').mockImplementation(() => {});
    await runFirstFile();
    await moreRequested();
    await moreArrives();
    expect(info.mock.calls.some(([, step]) => step === 'diagnosis')).toBe(true);
  });

  it.each([['data-affitor-debug'], ['data-affitor-stripe']])("with %s, asks for the rest only after the landing's click left: no download before it", async (attribute) => {
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    vi.spyOn(console, 'info').mockImplementation(() => {});
    const asked: string[] = [];
    const fetch = window.fetch.bind(window);
    vi.spyOn(window, 'fetch').mockImplementation((input, init) => (asked.push(String(input instanceof Request ? input.url : input)), fetch(input, init)));
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE, [attribute]: 'true' });
    await runFirstFile();
    await moreRequested();
    expect(asked).toEqual([`${API_BASE}/api/v1/track/click`, MORE_SRC]);
  });

  it.each([
    ['', true],
    ['TRUE', true],
    [' true ', true],
    ['false', false],
    ['yes', false],
  ])('data-affitor-stripe="%s" turns the Stripe decoration on: %s (present with no value as HTML\'s own switches, or "true" in any case)', async (value, decorates) => {
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    const asked: string[] = [];
    const fetch = window.fetch.bind(window);
    vi.spyOn(window, 'fetch').mockImplementation((input, init) => (asked.push(String(input instanceof Request ? input.url : input)), fetch(input, init)));
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE, 'data-affitor-stripe': value });
    await runFirstFile();
    // The rest, which decorates, is asked for a task after init.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(asked.includes(MORE_SRC)).toBe(decorates);
  });

  it("prints the diagnosis for debug once the landing's click answered, not while it is on its way (a healthy landing then looked failed)", async () => {
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    api.answer('click', async ({ request }) => {
      await held;
      return api.app.fetch(request);
    });
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE, 'data-affitor-debug': 'true' });
    const info = vi.spyOn(console, 'info').mockImplementation(() => {});
    const printed = () => info.mock.calls.filter(([, step]) => step === 'diagnosis');
    const landing = runFirstFile();
    await moreRequested();
    await moreArrives();
    await vi.waitFor(() => expect(api.clicks()).toHaveLength(1));
    expect(printed()).toEqual([]);
    release();
    await landing;
    await vi.waitFor(() => expect(printed()).toHaveLength(1));
    expect(JSON.stringify(printed()[0])).toContain(cookieValue('affitor_click_id')!);
  });

  it('prints the diagnosis for debug of a page rendered ahead once the visitor opened it and its click answered, probing nothing before', async () => {
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    Object.defineProperty(document, 'prerendering', { value: true, configurable: true });
    onTestFinished(() => void delete (document as { prerendering?: boolean }).prerendering);
    const writes = recordCookieWrites();
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE, 'data-affitor-debug': 'true' });
    const info = vi.spyOn(console, 'info').mockImplementation(() => {});
    const printed = () => info.mock.calls.filter(([, step]) => step === 'diagnosis');
    await runFirstFile();
    await moreRequested();
    await moreArrives();
    // The rest is there; the landing, and so the diagnosis, wait for the visitor. Nothing written meanwhile.
    expect(printed()).toEqual([]);
    expect((host.affitor!.diagnose!() as { cookieDomainReason: string }).cookieDomainReason).toBe('not chosen yet');
    expect([...writes]).toEqual([]);
    // (That call printed its own report, with debug.)
    info.mockClear();
    Object.defineProperty(document, 'prerendering', { value: false, configurable: true });
    document.dispatchEvent(new Event('prerenderingchange'));
    await vi.waitFor(() => expect(printed()).toHaveLength(1));
    expect(api.clicks()).toHaveLength(1);
    expect(JSON.stringify(printed()[0])).toContain(cookieValue('affitor_click_id')!);
    // The browser says it once; another script's second event prints no second diagnosis.
    document.dispatchEvent(new Event('prerenderingchange'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(printed()).toHaveLength(1);
  });
});

describe('the <script> build: the rest, loaded when asked', () => {
  it('is not needed for signup: the lead is in the outbox at once and leaves with the landing\'s click id from the first file', async () => {
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    await runFirstFile();
    const clickId = cookieValue('affitor_click_id');
    const signedUp = host.affitor!.signup!('user_9', 'nine@example.com') as Promise<void>;
    // Before any answer (a page that redirects now loses nothing): the lead waits in the outbox cookie.
    expect(JSON.parse(cookieValue('affitor_outbox')!)).toEqual([
      { route: 'lead', body: expect.objectContaining({ customer_key: 'user_9', click_id: clickId }) as unknown },
    ]);
    await expect(signedUp).resolves.toBeUndefined();
    expect(api.leads().map((lead) => lead.body)).toEqual([expect.objectContaining({ customer_key: 'user_9', click_id: clickId }) as unknown]);
    expect(cookieValue('affitor_outbox')).toBeUndefined();
    expect(requestedFiles()).toEqual([]);
  });

  it.each([
    ['crossorigin="anonymous"', { crossorigin: 'anonymous' }, 'anonymous'],
    ['crossorigin="use-credentials"', { crossorigin: 'use-credentials' }, 'use-credentials'],
    ['no crossorigin', {}, null],
  ])('is loaded as the first file was, %s (a page with Cross-Origin-Embedder-Policy blocks a file of another origin loaded without CORS)', async (_, attributes, expected) => {
    setUrl('https://www.shop.example.com/');
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE, ...attributes });
    await runFirstFile();
    host.affitor!.diagnose!();
    await moreRequested();
    expect(requested[0]!.getAttribute('crossorigin')).toBe(expected);
  });

  it('is loaded for diagnose(), whose report sees the lead the first file sent', async () => {
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    await runFirstFile();
    await host.affitor!.signup!('user_9');
    expect(host.affitor!.diagnose!()).toBeNull();
    await moreRequested();
    await moreArrives();
    expect((host.affitor!.diagnose!() as { lastLead: unknown }).lastLead).not.toBeNull();
  });

  it.each([
    ['naming no version', 'https://unpkg.com/@affitor/sdk/dist/affitor.global.js', 'https://unpkg.com/@affitor/sdk/dist/affitor.more.js', true],
    // The rest is asked for at the version of the file that ran (package.json's), not at the range.
    ['naming a range', 'https://unpkg.com/@affitor/sdk@0/dist/affitor.global.js', `https://unpkg.com/@affitor/sdk@${version}/dist/affitor.more.js`, true],
    ['naming the exact version', `https://unpkg.com/@affitor/sdk@${version}/dist/affitor.global.js`, `https://unpkg.com/@affitor/sdk@${version}/dist/affitor.more.js`, false],
  ])("diagnose() warns about a tag loading the SDK from unpkg %s (a redirect before every landing): %s", async (_, first, more, warned) => {
    setUrl('https://www.shop.example.com/');
    api.server.use(http.get(more, () => new HttpResponse('/* the rest */', { headers: { 'Content-Type': 'text/javascript' } })));
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    document.querySelector('script[data-affitor-program-id]')!.setAttribute('src', first);
    await runFirstFile();
    expect(host.affitor!.diagnose!()).toBeNull();
    await vi.waitFor(() => expect(requestedFiles()).toEqual([more]));
    await moreArrives();
    // In the page, as the browser has it: the rest's tag, whose URL follows the first file's, loads on no landing.
    document.head.appendChild(requested[0]!);
    const { warnings } = host.affitor!.diagnose!() as { warnings: string[] };
    const warning = `${first}: no exact version, so unpkg redirects it before every landing (write @affitor/sdk@x.y.z)`;
    if (warned) expect(warnings.filter((said) => said.includes('exact version'))).toEqual([warning]);
    else expect(warnings.join('\n')).not.toContain('exact version');
  });

  it.each([
    ['neither async nor defer', {}, true],
    ['async', { async: '' }, false],
    ['defer', { defer: '' }, false],
  ])("diagnose() warns about the SDK's tag only when it has neither async nor defer (the page's parser waits for it): %s", async (_, attributes: Record<string, string>, warned) => {
    setUrl('https://www.shop.example.com/');
    serveMore();
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE, ...attributes });
    await runFirstFile();
    expect(host.affitor!.diagnose!()).toBeNull();
    await moreRequested();
    await moreArrives();
    const { warnings } = host.affitor!.diagnose!() as { warnings: string[] };
    const warning = `${FIRST_SRC}: no async or defer, so the page stops parsing until it has run (add async)`;
    if (warned) expect(warnings).toContain(warning);
    else expect(warnings.join('\n')).not.toContain('async');
  });

  it.each([
    ['https://cdn.jsdelivr.net/npm/@affitor/sdk@0.1.0', 'https://cdn.jsdelivr.net/npm/@affitor/sdk@0.1.0/dist/affitor.more.js'],
    ['https://unpkg.com/@affitor/sdk/', 'https://unpkg.com/@affitor/sdk/dist/affitor.more.js'],
  ])("is loaded from the package's dist/ when the tag names the package alone (%s: the CDN serves package.json's unpkg/jsdelivr file)", async (first, more) => {
    setUrl('https://www.shop.example.com/');
    api.server.use(http.get(more, () => new HttpResponse('/* the rest */', { headers: { 'Content-Type': 'text/javascript' } })));
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    document.querySelector('script[data-affitor-program-id]')!.setAttribute('src', first);
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    await runFirstFile();
    expect(host.affitor!.diagnose!()).toBeNull();
    await vi.waitFor(() => expect(requestedFiles()).toEqual([more]));
    expect(error).not.toHaveBeenCalled();
  });

  it.each([
    ['answers HTTP 404', () => serveMore(() => new HttpResponse('Not found', { status: 404 })), undefined, '(HTTP 404)'],
    [
      'answers an HTML page (a host that rewrites unknown paths to index.html), which is never run',
      () => serveMore(() => new HttpResponse('<!doctype html>', { headers: { 'Content-Type': 'text/html' } })),
      undefined,
      'text/html, not JavaScript',
    ],
    [
      'answers JSON with HTTP 200 (an API\'s "not found" where the file should be), which is never run',
      () => serveMore(() => HttpResponse.json({ error: 'not found' })),
      undefined,
      'application/json, not JavaScript',
    ],
    ['fails to load as a script (blocked, offline)', () => {}, (tag: HTMLScriptElement) => void tag.onerror!(new Event('error')), 'HTTP error, blocked or offline'],
    ['runs but is not the SDK', () => {}, (tag: HTMLScriptElement) => void tag.onload!(new Event('load')), 'not the SDK'],
    [
      'is the rest of another release (a copy cached apart from the first file), whose steps are never called',
      () => {},
      (tag: HTMLScriptElement) => {
        const step = () => {
          throw new Error('a step of the other release was called');
        };
        (host.affitor as unknown as Record<symbol, Handover>)[HANDOVER]!.take({ version: HANDOVER_VERSION + 1, diagnose: step, retry: step, decorateStripe: step });
        tag.onload!(new Event('load'));
      },
      'of another release',
    ],
  ])('when it %s: one error names the file and URL, trackClick\'s click leaves without it, and a lead whose first try failed resolves and waits in the outbox for the next page view', async (_, serve, fail, why) => {
    setUrl('https://www.shop.example.com/signup');
    document.cookie = 'affitor_click_id=cust_7_1700000000000; path=/';
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    serve();
    await runFirstFile();
    // The lead's first try fails: retrying it is the rest's work, which cannot be had.
    api.app.setChaos({ failFirst: { lead: 1 } });
    const clicked = host.affitor!.trackClick!('/?aff=PARTNER456') as Promise<void>;
    const signedUp = host.affitor!.signup!('user_9', 'nine@example.com') as Promise<void>;
    if (fail) {
      await moreRequested();
      fail(requested[0]!);
    }
    await expect(signedUp).resolves.toBeUndefined();
    await expect(clicked).resolves.toBeUndefined();
    // A partner link the page reports is sent by the first file: recorded, and the lead carries it.
    expect(api.clicks().map((click) => click.body.affiliate_url)).toEqual(['https://www.shop.example.com/?aff=PARTNER456']);
    const clickId = host.affitor!.getClickId!();
    expect(clickId).not.toBe('cust_7_1700000000000');
    expect(error.mock.calls.map((call) => call.join(' '))).toEqual([expect.stringContaining(`could not load affitor.more.js ${MORE_SRC}`)]);
    expect(error.mock.calls[0]!.join(' ')).toContain(why);
    // An answer that is not JavaScript is never added to the page as a script.
    if (!fail) expect(requestedFiles()).toEqual([]);
    expect(api.leads()).toHaveLength(1);
    expect(api.app.inspect().leads).toEqual([]);
    const waiting = JSON.parse(cookieValue('affitor_outbox')!) as Array<{ route: string; body: Record<string, unknown> }>;
    expect(waiting).toEqual([{ route: 'lead', body: expect.objectContaining({ customer_key: 'user_9', click_id: clickId }) as unknown }]);

    // The next page view finds it in the outbox and sends it from the first file.
    vi.resetModules();
    delete host.affitor;
    requested = [];
    serveMore();
    await runFirstFile();
    await vi.waitFor(() => expect(api.app.inspect().leads).toHaveLength(1));
    expect(api.leads()[1]!.body).toMatchObject({ customer_key: 'user_9', click_id: clickId, event_id: waiting[0]!.body.event_id });
    await vi.waitFor(() => expect(cookieValue('affitor_outbox')).toBeUndefined());
    expect(requestedFiles()).toEqual([]);
  });

  it('does not download the rest for a signup with no partner, which the API refuses as it should: nothing to retry or log', async () => {
    setUrl('https://www.shop.example.com/signup');
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    let looks = 0;
    serveMore(() => (looks++, new HttpResponse('/* the rest */', { headers: { 'Content-Type': 'text/javascript' } })));
    await runFirstFile();
    await expect(host.affitor!.signup!('user_no_partner', 'np@example.com')).resolves.toBeUndefined();
    expect(api.leads()).toHaveLength(1);
    expect(api.leads()[0]!.body.click_id).toBeUndefined();
    expect(cookieValue('affitor_outbox')).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(looks).toBe(0);
    expect(requestedFiles()).toEqual([]);
    expect(error).not.toHaveBeenCalled();
  });

  it('asks for the rest again a minute after it could not be had, not before (a network back, a deploy finished): a page left open gets its diagnosis', async () => {
    setUrl('https://www.shop.example.com/');
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    let looks = 0;
    serveMore(() => (looks++, new HttpResponse('Not found', { status: 404 })));
    const timers = vi.spyOn(globalThis, 'setTimeout');
    await runFirstFile();
    expect(host.affitor!.diagnose!()).toBeNull();
    await vi.waitFor(() => expect(error.mock.calls.map((call) => call.join(' '))).toEqual([`[Affitor] could not load affitor.more.js ${MORE_SRC} (HTTP 404)`]));
    expect(host.affitor!.diagnose!()).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(looks).toBe(1);
    const again = timers.mock.calls.find(([, ms]) => ms === 60_000)?.[0];
    expect(again).toBeTypeOf('function');
    serveMore();
    (again as () => void)();
    expect(host.affitor!.diagnose!()).toBeNull();
    await moreRequested();
    await moreArrives();
    expect(host.affitor!.diagnose!()).toMatchObject({ programId: 1 });
    expect(error).toHaveBeenCalledTimes(1);
  });

  it('revokeConsent forgets the attribution and deletes what earlier pages wrote, host-only and on parent domains, without the rest', async () => {
    setUrl('https://www.shop.example.com/account');
    document.cookie = 'affitor_click_id=cust_7_1700000000000; path=/';
    document.cookie = 'customer_code=cust_7_1700000000000; path=/; domain=.shop.example.com';
    document.cookie = 'affitor_session_id=sess_earlier; path=/; domain=.example.com';
    let looks = 0;
    serveMore(() => (looks++, new HttpResponse('/* the rest */', { headers: { 'Content-Type': 'text/javascript' } })));
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    await runFirstFile();
    expect(host.affitor!.getClickId!()).toBe('cust_7_1700000000000');
    const revoked = host.affitor!.revokeConsent!() as Promise<void>;
    expect(host.affitor!.getClickId!()).toBeNull();
    expect(document.cookie).toBe('');
    await expect(revoked).resolves.toBeUndefined();
    expect(looks).toBe(0);
    expect(requestedFiles()).toEqual([]);
  });

  it('when the rest cannot be loaded, revokeConsent still deletes what earlier pages wrote, and a later landing is held in memory only', async () => {
    setUrl('https://www.shop.example.com/account');
    document.cookie = 'affitor_click_id=cust_7_1700000000000; path=/; domain=.shop.example.com';
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    serveMore(() => new HttpResponse('Not found', { status: 404 }));
    await runFirstFile();
    // A call of the rest finds it missing first (its lead waits in the outbox): the withdrawal must not depend on it.
    await expect(host.affitor!.signup!('user_1')).resolves.toBeUndefined();
    expect(error.mock.calls.map((call) => call.join(' '))).toEqual([`[Affitor] could not load affitor.more.js ${MORE_SRC} (HTTP 404)`]);
    expect(cookieValue('affitor_outbox')).toBeDefined();
    await expect(host.affitor!.revokeConsent!()).resolves.toBeUndefined();
    expect(document.cookie).toBe('');
    history.pushState(null, '', '/?aff=PARTNER123');
    await vi.waitFor(() => expect(api.clicks()).toHaveLength(1));
    // A landing after the revoke is reported and held in memory for the page, never written.
    await vi.waitFor(() => expect(host.affitor!.getData!()).toMatchObject({ hasAttribution: true }));
    expect(document.cookie).toBe('');
    expect(error).toHaveBeenCalledTimes(1);
  });

  it('exchanges with the first file what HANDOVER_VERSION names', async () => {
    setUrl('https://www.shop.example.com/');
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    await runFirstFile();
    const handover = (host.affitor as unknown as Record<symbol, Handover>)[HANDOVER]!;
    let handed: object | undefined;
    const take = handover.take;
    handover.take = (more) => {
      handed = more;
      take(more);
    };
    await moreArrives();
    const exchanged = { core: Object.keys(handover.core).sort(), state: Object.keys(handover.core.now()).sort(), more: Object.keys(handed!).sort() };
    expect(exchanged, 'what the two files exchange changed: raise HANDOVER_VERSION (src/script-handover.ts) and add its row to EXCHANGED').toEqual(
      EXCHANGED[HANDOVER_VERSION],
    );
  });

  it('alone (without the first file) only logs why it does nothing', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    await moreArrives();
    expect(error.mock.calls.map((call) => call.join(' '))).toEqual(['[Affitor] affitor.more.js runs only when affitor.main.js loads it']);
    expect(host.affitor).toBeUndefined();
  });
});

describe('the <script> build: bad input and failures never reach the page', () => {
  /** The promise rejections nothing handled: what the page's error monitoring would report. */
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);
  beforeEach(() => {
    unhandled.length = 0;
    process.on('unhandledRejection', onUnhandled);
  });
  afterEach(() => {
    process.off('unhandledRejection', onUnhandled);
    vi.unstubAllGlobals();
  });
  /** A macrotask: Node reports a rejection left unhandled once the microtasks before it ran. */
  const aTask = () => new Promise((resolve) => setTimeout(resolve, 0));

  it.each([
    [
      'its URL cannot be made (an inline copy of the first file in an about:srcdoc frame: no src, and the page\'s URL is no base)',
      () => {
        setUrl('about:srcdoc');
        const tag = document.createElement('script');
        tag.setAttribute('data-affitor-program-id', '1');
        tag.setAttribute('data-affitor-debug', 'true');
        document.head.append(tag);
        return tag;
      },
      'could not load affitor.more.js  (TypeError: Invalid URL)',
    ],
  ])('when the rest is asked for and %s: one error says so, diagnose() answers, and no rejection is left unhandled', async (_, page, why) => {
    const tag = page();
    vi.spyOn(console, 'info').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    await runFirstFile(tag);
    expect(host.affitor!.diagnose!()).toBeNull();
    await aTask();
    expect(unhandled).toEqual([]);
    expect(error.mock.calls.map((call) => call.join(' '))).toEqual([`[Affitor] ${why}`]);
  });

  it.each([
    [
      'throws (one that reads init.method, which a look without init has not)',
      () => {
        throw new Error('fetch blocked');
      },
    ],
    ['answers a thenable with no catch', () => ({ then: (done: (value: unknown) => void) => done(new Response('/* the rest */', { headers: { 'Content-Type': 'text/javascript' } })) })],
    ['answers an object without headers', () => Promise.resolve({ ok: true, status: 200 })],
  ])("when the page's wrapper of fetch %s: the look is skipped, the rest's script tag is added all the same, and nothing is said or left unhandled", async (_, wrapper) => {
    setUrl('https://www.shop.example.com/');
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE, 'data-affitor-debug': 'true' });
    vi.stubGlobal('fetch', wrapper);
    vi.spyOn(console, 'info').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    await runFirstFile();
    expect(host.affitor!.diagnose!()).toBeNull();
    await moreRequested();
    await aTask();
    expect(unhandled).toEqual([]);
    expect(error).not.toHaveBeenCalled();
  });

  it("when the page refuses the rest's script tag (Trusted Types want a TrustedScriptURL): one error says so at once, diagnose() answers, and no rejection is left unhandled", async () => {
    setUrl('https://www.shop.example.com/');
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    const refusal = "Failed to set the 'src' property on 'HTMLScriptElement': This document requires 'TrustedScriptURL' assignment.";
    vi.spyOn(HTMLScriptElement.prototype, 'src', 'set').mockImplementation(() => {
      throw new TypeError(refusal);
    });
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    await runFirstFile();
    const started = Date.now();
    expect(host.affitor!.diagnose!()).toBeNull();
    await vi.waitFor(() => expect(error.mock.calls.map((call) => call.join(' '))).toEqual([`[Affitor] could not load affitor.more.js ${MORE_SRC} (TypeError: ${refusal})`]));
    // Said as soon as it is known, not as the 5 s timeout's "no answer".
    expect(Date.now() - started).toBeLessThan(1_000);
    await aTask();
    expect(unhandled).toEqual([]);
    expect(requestedFiles()).toEqual([]);
  });

  it('ready() without a function throws nothing into the page: an [Affitor] error says what it needs', async () => {
    setUrl('https://www.shop.example.com/');
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    await runFirstFile();
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    host.affitor!.ready!();
    host.affitor!.ready!('not a function');
    expect(error.mock.calls).toEqual([
      ['[Affitor]', 'ready: not a function:', undefined],
      ['[Affitor]', 'ready: not a function:', 'not a function'],
    ]);
    const ran: unknown[] = [];
    host.affitor!.ready!((affitor: Affitor) => ran.push(affitor));
    expect(ran).toEqual([host.affitor]);
  });

  it('onAttribution() without a function says so at once, and nothing fails when the attribution changes', async () => {
    setUrl('https://www.shop.example.com/');
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    await runFirstFile();
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const stop = host.affitor!.onAttribution!(null) as () => void;
    expect(error.mock.calls).toEqual([['[Affitor]', 'onAttribution: not a function:', null]]);
    stop();
    history.pushState(null, '', '/?aff=PARTNER456');
    await vi.waitFor(() => expect(cookieValue('affitor_click_id')).toBeDefined());
    expect(error).toHaveBeenCalledTimes(1);
  });

  it("reads its attributes from its tag also where the browser gives no document.currentScript: consent pending keeps the landing's cookies unwritten", async () => {
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE, 'data-affitor-consent': 'pending' });
    await runFirstFile(null);
    expect(api.clicks()).toHaveLength(1);
    expect(host.affitor!.getData!()).toMatchObject({ hasAttribution: true });
    expect(document.cookie).not.toMatch(/affitor_click_id|customer_code/);
  });

  it("reads its tag's attributes when a loader runs the file's text in an inline script of its own (a \"delay JavaScript\" optimizer): consent pending is kept", async () => {
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    // The optimizer left the tag in the page, neutralised, and runs the file as a new inline script with no attributes.
    scriptTag({ type: 'text/rocketscript', 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE, 'data-affitor-consent': 'pending' });
    const inline = document.createElement('script');
    document.body.append(inline);
    await runFirstFile(inline);
    expect(api.clicks()).toHaveLength(1);
    expect(host.affitor!.getData!()).toMatchObject({ hasAttribution: true });
    expect(document.cookie).not.toMatch(/affitor_/);
  });

  it("finds its tag by its file where the browser gives no document.currentScript and the program id is the window's: consent pending is kept", async () => {
    // A `type="module"` tag (no document.currentScript) configured without data-affitor-program-id.
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    (window as { AFFITOR_PROGRAM_ID?: unknown }).AFFITOR_PROGRAM_ID = 1;
    // In the body: the first file's own tag, not one it asks for (this file holds those back from the head).
    const tag = document.createElement('script');
    tag.src = FIRST_SRC;
    tag.setAttribute('data-affitor-api-base', API_BASE);
    tag.setAttribute('data-affitor-consent', 'pending');
    document.body.append(tag);
    await runFirstFile(null);
    expect(api.clicks()).toHaveLength(1);
    expect(host.affitor!.getData!()).toMatchObject({ hasAttribution: true });
    expect(document.cookie).not.toMatch(/affitor_click_id|customer_code/);
  });

  it('data-affitor-program-id="" (a template left it blank) falls back to window.AFFITOR_PROGRAM_ID, else says no program id was set', async () => {
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    scriptTag({ 'data-affitor-program-id': '', 'data-affitor-api-base': API_BASE });
    (window as { AFFITOR_PROGRAM_ID?: unknown }).AFFITOR_PROGRAM_ID = 7;
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      await runFirstFile();
    } finally {
      delete (window as { AFFITOR_PROGRAM_ID?: unknown }).AFFITOR_PROGRAM_ID;
    }
    expect(error).not.toHaveBeenCalled();
    expect(api.clicks()[0]!.body.additional_data).toMatchObject({ program_id: 7 });
    // Without it: the error that names where a program id goes, not "Invalid program id" followed by nothing.
    host.affitor!.init!();
    expect(error.mock.calls.map((call) => call.join(' '))).toEqual([`[Affitor] ${NO_PROGRAM_ID}`]);
  });

  it('data-affitor-debug="false" and init({ debug: \'false\' }) (a string from a config) leave debug off', async () => {
    setUrl('https://www.shop.example.com/');
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE, 'data-affitor-debug': 'false' });
    installStub();
    host.affitor!.init!({ debug: 'false' });
    const info = vi.spyOn(console, 'info').mockImplementation(() => {});
    await runFirstFile();
    host.affitor!.init!({ debug: 'false' });
    await aTask();
    expect(info).not.toHaveBeenCalled();
    expect(requestedFiles()).toEqual([]);
  });

  it.each([
    ['answers no list', () => undefined],
    ['throws', () => {
      throw new Error('a wrapper of performance broke');
    }],
  ])('lands, throwing nothing, on a page whose performance.getEntriesByType %s', async (_, entries) => {
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    vi.spyOn(performance, 'getEntriesByType').mockImplementation(entries as never);
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    await runFirstFile();
    expect(api.clicks().map((click) => click.body.affiliate_url)).toEqual(['https://www.shop.example.com/?aff=PARTNER123']);
    expect(cookieValue('affitor_click_id')).toMatch(/^cust_/);
  });

  it('lands, throwing nothing, on a page whose history.pushState is not writable (frozen by a framework or a test harness)', async () => {
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    Object.defineProperty(history, 'pushState', { value: history.pushState.bind(history), writable: false, configurable: true });
    try {
      await runFirstFile();
    } finally {
      delete (history as Partial<History>).pushState;
    }
    expect(error).not.toHaveBeenCalled();
    await vi.waitFor(() => expect(cookieValue('affitor_click_id')).toBeDefined());
    expect(api.clicks()).toHaveLength(1);
    // replaceState, still writable, is still heard.
    history.replaceState(null, '', '/?aff=PARTNER456');
    await vi.waitFor(() => expect(api.clicks()).toHaveLength(2));
  });

  /** Makes `object[key]` read as the page's wrapper or an extension made it; undone after the test. */
  const hostile = (object: object, key: string, descriptor: PropertyDescriptor) => {
    const own = Object.getOwnPropertyDescriptor(object, key);
    Object.defineProperty(object, key, { configurable: true, ...descriptor });
    onTestFinished(() => {
      if (own) Object.defineProperty(object, key, own);
      else delete (object as Record<string, unknown>)[key];
    });
  };
  const cookieAccessors = () => {
    let proto: object | null = document;
    while (proto && !Object.getOwnPropertyDescriptor(proto, 'cookie')) proto = Object.getPrototypeOf(proto) as object | null;
    return Object.getOwnPropertyDescriptor(proto!, 'cookie')!;
  };

  it.each([
    // A consent tool's wrapper of document.cookie whose getter answers nothing, writes passing through.
    ['document.cookie reads as undefined', () => hostile(document, 'cookie', { get: () => undefined, set: (value: string) => cookieAccessors().set!.call(document, value) })],
    ['document.cookie reads as null', () => hostile(document, 'cookie', { get: () => null, set: (value: string) => cookieAccessors().set!.call(document, value) })],
    // Anti-fingerprinting extensions.
    ['window.screen is null', () => hostile(window, 'screen', { get: () => null })],
    ['document.referrer throws', () => hostile(document, 'referrer', { get: () => { throw new Error('blocked'); } })],
    ['navigator.language throws', () => hostile(navigator, 'language', { get: () => { throw new Error('blocked'); } })],
    ['history.pushState is null', () => hostile(history, 'pushState', { value: null, writable: true })],
  ])('sends the landing\'s click, throwing nothing, where %s', async (_, breakPage) => {
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    breakPage();
    // init failed ("Cannot read properties of undefined (reading 'split')", of null (reading 'width')...): no click, no attribution.
    await runFirstFile();
    await vi.waitFor(() => expect(api.clicks()).toHaveLength(1));
    await vi.waitFor(() => expect(host.affitor!.getData!()).toMatchObject({ hasAttribution: true }));
    expect(error).not.toHaveBeenCalled();
    await host.affitor!.signup!('user_9');
    await vi.waitFor(() => expect(api.leads().map((lead) => lead.body.click_id)).toEqual([host.affitor!.getClickId!()]));
  });

  it.each([
    ['read-only', { value: undefined, writable: false }],
    ['a getter without a setter', { get: () => undefined }],
  ])('lands, throwing nothing, on a page whose window.affitor another script made %s; one error says the page cannot call it', async (_, descriptor) => {
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    Object.defineProperty(window, 'affitor', { configurable: true, ...descriptor });
    onTestFinished(() => void delete host.affitor);
    // The assignment threw a TypeError (strict mode) into the page, before init: the landing was lost.
    await runFirstFile();
    await vi.waitFor(() => expect(cookieValue('affitor_click_id')).toBeDefined());
    expect(api.clicks()).toHaveLength(1);
    expect(error.mock.calls.map((call) => call.join(' '))).toEqual([expect.stringContaining('window.affitor cannot be set')]);
  });

  it.each([
    ['denied', false, 0],
    ['no', false, 1],
    ['true', false, 1],
    ['granted', true, 0],
  ])('data-affitor-consent="%s": only "granted" (or none) lets the landing write its cookies (written: %s; errors: %i)', async (value, written, errors) => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE, 'data-affitor-consent': value });
    await runFirstFile();
    await vi.waitFor(() => expect(host.affitor!.getData!()).toMatchObject({ hasAttribution: true }));
    expect(/affitor_click_id=/.test(document.cookie)).toBe(written);
    expect(error.mock.calls.filter((call) => String(call[1]).startsWith('Invalid consent'))).toHaveLength(errors);
  });
});

describe('the <script> build on a page that includes its tag twice', () => {
  it('runs once: one click per landing, window.affitor stays the first copy, and one error says to keep one tag', async () => {
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const tags = [...document.querySelectorAll<HTMLScriptElement>('script[src]')];
    await runFirstFile(tags[0]);
    const first = host.affitor;
    const firstCopy = await import('../../src/browser/landing');
    // The second tag runs its own copy of the file: fresh modules, the same page.
    vi.resetModules();
    await runFirstFile(tags[1]);
    const secondCopy = await import('../../src/browser/landing');
    expect(secondCopy).not.toBe(firstCopy);
    expect(host.affitor).toBe(first);
    history.pushState(null, '', '/?aff=PARTNER456');
    // Each copy starts a landing's click as the URL changes: every click either copy started has settled.
    for (const copy of [firstCopy, secondCopy]) while (copy.clicks.size) await Promise.all(copy.clicks.values());
    expect(api.clicks().map((click) => click.body.affiliate_url)).toEqual([
      'https://www.shop.example.com/?aff=PARTNER123',
      'https://www.shop.example.com/?aff=PARTNER456',
    ]);
    expect(error.mock.calls.map((call) => call.join(' '))).toEqual([expect.stringContaining('keep one')]);
  });
});

describe('the stub snippet', () => {
  it.each(['examples/script-tag/index.html', 'examples/script-tag/signup.html', 'test/e2e/pages/queued.html', 'test/e2e/pages/spa-host/index.html'])(
    "%s carries the README's stub as it is (indentation aside)",
    (path) => {
      const lines = (text: string) => text.split('\n').map((line) => line.trim()).filter(Boolean);
      const page = lines(readFileSync(resolve(__dirname, '../..', path), 'utf8'));
      const stub = lines(STUB_SNIPPET);
      const start = page.indexOf(stub[0]!);
      expect(page.slice(start, start + stub.length)).toEqual(stub);
    },
  );

  /**
   * A page with an element `id="affitor"`: browsers expose it as `window.affitor` (named access, from an
   * object between window and its prototype, so an assignment shadows it). happy-dom does not: done here.
   */
  function elementNamedAffitor(html: string): HTMLElement {
    document.body.insertAdjacentHTML('beforeend', html);
    const element = document.getElementById('affitor')!;
    const proto = Object.getPrototypeOf(window) as object;
    Object.setPrototypeOf(window, Object.create(proto, { affitor: { configurable: true, writable: true, value: element } }) as object);
    onTestFinished(() => {
      Object.setPrototypeOf(window, proto);
      element.remove();
    });
    return element;
  }

  /** A plain element, and a search form whose field named q is its `.q` (no list: it is no queue). */
  const ELEMENTS_NAMED_AFFITOR = ['<div id="affitor"></div>', '<form id="affitor"><input name="q"></form>'];

  it.each(ELEMENTS_NAMED_AFFITOR)('on a page with %s, queues the calls and replays them (not taking the element for the queue, which recursed without end)', async (html) => {
    setUrl('https://shop.example.com/?aff=PARTNER123');
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    const element = elementNamedAffitor(html);
    expect(host.affitor).toBe(element);
    (0, eval)(STUB_SNIPPET);
    // Taken for the queue (the snippet before), the element got the stub's methods, and this call,
    // finding no queue, called itself until a RangeError (a form's field q, taken for the queue, has
    // no push: a TypeError): thrown into the page, the lead lost.
    const signedUp = host.affitor!.signup!('user_7') as Promise<unknown>;
    expect(host.affitor).not.toBe(element);
    expect(host.affitor!.q).toHaveLength(2);
    await runFirstFile();
    await expect(signedUp).resolves.toBeUndefined();
    await vi.waitFor(() => expect(api.leads().map((lead) => lead.body.customer_key)).toEqual(['user_7']));
    expect(api.leads()[0]!.body.click_id).toBe(cookieValue('affitor_click_id'));
    expect(host.affitor!.getData!()).toMatchObject({ hasAttribution: true });
  });

  it.each(ELEMENTS_NAMED_AFFITOR)('on a page with %s and no stub, the first file starts and replaces it as window.affitor', async (html) => {
    setUrl('https://shop.example.com/?aff=PARTNER123');
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    const element = elementNamedAffitor(html);
    const error = vi.spyOn(console, 'error');
    await runFirstFile();
    expect(host.affitor).not.toBe(element);
    expect(api.clicks()).toHaveLength(1);
    await expect(host.affitor!.signup!('user_8')).resolves.toBeUndefined();
    await vi.waitFor(() => expect(api.leads().map((lead) => lead.body.customer_key)).toEqual(['user_8']));
    expect(error).not.toHaveBeenCalled();
  });

  it('replays calls queued before the script loaded, in order, folding queued init options into init', async () => {
    setUrl('https://shop.example.com/?aff=PARTNER123');
    scriptTag({ 'data-affitor-program-id': '1' });
    installStub();
    const readyCalls: unknown[] = [];
    host.affitor!.init!({ apiBase: API_BASE });
    host.affitor!.signup!('user_7', 'q@example.com');
    host.affitor!.ready!((affitor: Affitor) => readyCalls.push(affitor.getData!()));
    await runFirstFile();
    expect(api.clicks()).toHaveLength(1);
    await vi.waitFor(() => expect(api.leads()).toHaveLength(1));
    expect(api.leads()[0]!.body).toMatchObject({ customer_key: 'user_7', click_id: cookieValue('affitor_click_id') });
    expect(readyCalls).toHaveLength(1);
    expect(requestedFiles()).toEqual([]);
  });

  it("queues a consent manager's call made before the script loaded: grantConsent writes the landing held while pending", async () => {
    setUrl('https://shop.example.com/?aff=PARTNER123');
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE, 'data-affitor-consent': 'pending' });
    installStub();
    const heard: unknown[] = [];
    host.affitor!.onAttribution!((data: { clickId: string | null }) => heard.push(data.clickId));
    host.affitor!.grantConsent!();
    await runFirstFile();
    expect(api.clicks()).toHaveLength(1);
    expect(cookieValue('affitor_click_id')).toMatch(/^cust_/);
    expect(heard).toEqual([cookieValue('affitor_click_id')]);
  });

  it('queues revokeConsent: the landing is held in memory only, and nothing is written', async () => {
    setUrl('https://shop.example.com/?aff=PARTNER123');
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    installStub();
    host.affitor!.revokeConsent!();
    await runFirstFile();
    // Reported, and held for the page: not merely a landing that never ran.
    expect(api.clicks()).toHaveLength(1);
    expect(host.affitor!.getClickId!()).toBe(api.app.inspect().customers[0]!.click_id);
    expect(document.cookie).not.toMatch(/affitor_|customer_code/);
  });

  /** What an earlier page view with consent left: the stored partner PARTNER123's landing. */
  const storedAttribution = () => {
    document.cookie = 'affitor_click_id=cust_1_111; path=/';
    document.cookie = `affitor_aff_url=${encodeURIComponent('https://shop.example.com/?aff=PARTNER123')}; path=/`;
  };

  it.each([
    ['a tag without consent attribute', {}],
    // The README's tag for a consent manager: the first init's consent option is no change after the withdrawal.
    ['a tag with data-affitor-consent="pending"', { 'data-affitor-consent': 'pending' }],
  ])("queues revokeConsent: a new partner's click does not carry the withdrawn attribution's click id (%s)", async (_, consentAttribute) => {
    setUrl('https://shop.example.com/?aff=PARTNER456');
    storedAttribution();
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE, ...consentAttribute });
    installStub();
    host.affitor!.revokeConsent!();
    await runFirstFile();
    // Read before the replayed withdrawal deleted it, the old click id went out as existing_click_id,
    // and the server moved the withdrawn customer to the new partner.
    expect(api.clicks()).toHaveLength(1);
    expect(api.clicks()[0]!.body.existing_click_id).toBeUndefined();
    expect(document.cookie).not.toMatch(/affitor_|customer_code/);
  });

  it('queues revokeConsent: the click and session id earlier page views kept are forgotten before the landing (not resent, not sent with it), their lead still delivered', async () => {
    setUrl('https://shop.example.com/?aff=PARTNER456');
    // The lead was made before the click (the visitor followed the partner's link after signing up): it does not wait for it.
    const earlierLead = { route: 'lead', body: { customer_key: 'user_1', session_id: 'sess_earlier', program_id: 1, event_id: newEventId() } };
    const earlierClick = { route: 'click', body: { affiliate_url: 'https://shop.example.com/?aff=PARTNER123', session_id: 'sess_earlier', event_id: newEventId() } };
    document.cookie = `affitor_outbox=${encodeURIComponent(JSON.stringify([earlierLead, earlierClick]))}; path=/`;
    document.cookie = 'affitor_session_id=sess_earlier; path=/';
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    installStub();
    host.affitor!.revokeConsent!();
    await runFirstFile();
    await vi.waitFor(() => expect(api.leads()).toHaveLength(1));
    // The landing's click only: the withdrawn attribution's kept click came back as the page's before.
    expect(api.clicks().map((click) => click.body.affiliate_url)).toEqual(['https://shop.example.com/?aff=PARTNER456']);
    expect(api.clicks()[0]!.body.session_id).not.toBe('sess_earlier');
    expect(api.leads()[0]!.body).toMatchObject({ customer_key: 'user_1', event_id: earlierLead.body.event_id });
    expect(document.cookie).not.toMatch(/affitor_|customer_code/);
  });

  it('queues revokeConsent: a lead an earlier page view kept behind its click (partner B) is credited to B, not to the partner A that click superseded', async () => {
    // Earlier: the visitor came through partner A (click id z), followed partner B's link while the API was down, then signed up.
    const answer = await fetch(`${API_BASE}/api/v1/track/click`, { method: 'POST', body: JSON.stringify({ affiliate_url: 'https://shop.example.com/?aff=PARTNER123' }) });
    const z = ((await answer.json()) as { click_id: string }).click_id;
    const clickB = { route: 'click', body: { affiliate_url: 'https://shop.example.com/?aff=PARTNER456', existing_click_id: z, event_id: newEventId() } };
    const lead = { route: 'lead', body: { customer_key: 'user_1', click_id: z, click_ids: [z], program_id: 1, event_id: newEventId() } };
    setUrl('https://shop.example.com/account');
    document.cookie = `affitor_outbox=${encodeURIComponent(JSON.stringify([clickB, lead]))}; path=/`;
    document.cookie = `affitor_click_id=${z}; path=/`;
    document.cookie = `affitor_aff_url=${encodeURIComponent('https://shop.example.com/?aff=PARTNER123')}; path=/`;
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    installStub();
    host.affitor!.revokeConsent!();
    await runFirstFile();
    await vi.waitFor(() => expect(api.app.inspect().leads).toHaveLength(1));
    const customer = api.app.inspect().customers.find((c) => c.customer_key == 'user_1')!;
    expect(customer.partner_id).toBe(11);
    // Sent for its click id only: not the page's attribution, and no existing_click_id moving A's customer.
    expect(api.clicks().at(-1)!.body.existing_click_id).toBeUndefined();
    expect(host.affitor!.getClickId!()).toBeNull();
    expect(document.cookie).not.toMatch(/affitor_|customer_code/);
  });

  it("queues revokeConsent: a landing on the withdrawn attribution's partner is reported, held in memory only", async () => {
    setUrl('https://shop.example.com/?aff=PARTNER123');
    storedAttribution();
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    installStub();
    host.affitor!.revokeConsent!();
    await runFirstFile();
    // Taken for the stored partner's (no click), then forgotten by the replayed withdrawal: never reported.
    expect(api.clicks()).toHaveLength(1);
    expect(host.affitor!.getClickId!()).toBe(api.app.inspect().customers[0]!.click_id);
    expect(document.cookie).not.toMatch(/affitor_|customer_code/);
  });

  it('queues revokeConsent: in force for the landing, which writes no cookie (not even for a moment) and tells the first-party handler consent is withdrawn', async () => {
    setUrl('https://shop.example.com/?aff=PARTNER123');
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': '/relay' });
    const relayed: Array<Record<string, unknown>> = [];
    api.server.use(
      http.post('https://shop.example.com/relay/api/v1/track/click', async ({ request }) => {
        relayed.push((await request.json()) as Record<string, unknown>);
        return HttpResponse.json({ success: true, click_id: 'cust_1_1' });
      }),
    );
    installStub();
    host.affitor!.revokeConsent!();
    const writes = recordCookieWrites();
    await runFirstFile();
    expect(relayed).toHaveLength(1);
    expect(relayed[0]).toMatchObject({ consent: 'revoked' });
    // Deletions only: the visitor withdrew consent before the script loaded.
    expect(writes.filter((write) => /^[^=]+=[^;]/.test(write))).toEqual([]);
    expect(host.affitor!.getClickId!()).toBe('cust_1_1');
  });

  it('queues grantConsent then revokeConsent: the withdrawal, the last word, holds for the whole replay: no cookie is written, not even for a moment', async () => {
    setUrl('https://shop.example.com/?aff=PARTNER123');
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE, 'data-affitor-consent': 'pending' });
    installStub();
    host.affitor!.grantConsent!();
    host.affitor!.signup!('user_7');
    host.affitor!.revokeConsent!();
    const writes = recordCookieWrites();
    await runFirstFile();
    await vi.waitFor(() => expect(api.leads()).toHaveLength(1));
    expect(api.clicks()).toHaveLength(1);
    // Deletions only: the visitor's last word before the script loaded was a withdrawal.
    expect(writes.filter((write) => /^[^=]+=[^;]/.test(write))).toEqual([]);
    expect(host.affitor!.getClickId!()).toBe(api.app.inspect().customers[0]!.click_id);
  });

  it('queues revokeConsent then grantConsent: the grant, the last word, writes the landing', async () => {
    setUrl('https://shop.example.com/?aff=PARTNER123');
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    installStub();
    host.affitor!.revokeConsent!();
    host.affitor!.grantConsent!();
    await runFirstFile();
    expect(cookieValue('affitor_click_id')).toBe(api.app.inspect().customers[0]!.click_id);
  });

  it('gives a call made before the script loaded a promise, settled once the script ran it: a page that awaits signup and leaves keeps its lead', async () => {
    setUrl('https://shop.example.com/?aff=PARTNER123');
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    installStub();
    const signedUp = host.affitor!.signup!('user_7') as Promise<unknown>;
    // What a page that leaves once the promise settles would have left behind.
    let outboxWhenSettled: string | undefined;
    void signedUp.then(() => (outboxWhenSettled = cookieValue('affitor_outbox')));
    // `.then` works on it, as on the SDK's own signup, and it waits for the script.
    expect(signedUp).toBeInstanceOf(Promise);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(outboxWhenSettled).toBeUndefined();
    await runFirstFile();
    await expect(signedUp).resolves.toBeUndefined();
    expect(outboxWhenSettled).toContain('user_7');
    await vi.waitFor(() => expect(api.leads().map((lead) => lead.body.customer_key)).toEqual(['user_7']));
  });

  it('settles a promise the stub gave within 5 s also when the script never loads (blocked), so a page awaiting it goes on', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    try {
      installStub();
      const signedUp = host.affitor!.signup!('user_7') as Promise<unknown>;
      vi.advanceTimersByTime(5_000);
      await expect(signedUp).resolves.toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
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
    await runFirstFile();
    await moreArrives();
    await vi.waitFor(() => expect(api.leads()).toHaveLength(1));
    // Answered and out of the outbox here, not in the next test, whose jar that write would touch.
    await vi.waitFor(() => expect(document.cookie).not.toContain('affitor_outbox'));
    const logged = error.mock.calls.map((call) => call.join(' ')).join('\n');
    expect(logged).toContain('queued call failed: ready');
    expect(logged).toContain('queued call failed: noSuchMethod');
  });

  it('folds a queued init as init merges options: one given as undefined leaves the attribute\'s value (consent pending stays pending)', async () => {
    setUrl('https://shop.example.com/?aff=PARTNER123');
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE, 'data-affitor-consent': 'pending' });
    installStub();
    // A page that passes its settings as they are, some unset.
    host.affitor!.init!({ programId: 1, consent: undefined, apiBase: undefined });
    await runFirstFile();
    expect(api.clicks()).toHaveLength(1);
    expect(host.affitor!.getData!()).toMatchObject({ hasAttribution: true });
    expect(document.cookie).not.toMatch(/affitor_click_id|customer_code/);
  });

  it('starts, throwing nothing, from a hand-written queue whose init has no arguments', async () => {
    setUrl('https://shop.example.com/?aff=PARTNER123');
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    handWrittenQueue(['init']);
    await runFirstFile();
    expect(api.clicks()).toHaveLength(1);
  });

  it('refuses a queued call whose arguments are no list, as a string would spread into a lead for its first letter', async () => {
    setUrl('https://shop.example.com/?aff=PARTNER123');
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    handWrittenQueue(['signup', 'user_42'], ['signup', ['user_43']]);
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    await runFirstFile();
    await vi.waitFor(() => expect(api.leads().map((lead) => lead.body.customer_key)).toContain('user_43'));
    expect(api.leads().map((lead) => lead.body.customer_key)).toEqual(['user_43']);
    expect(error.mock.calls.map((call) => call.join(' ')).join('\n')).toContain('queued call failed: signup');
    expect(requestedFiles()).toEqual([]);
  });

  it('skips queued entries that are no [method, arguments] list, logging each as a failed call, and still lands and replays the rest', async () => {
    setUrl('https://shop.example.com/?aff=PARTNER123');
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    (window as { affitor?: unknown }).affitor = { q: [null, 5, {}, 'signup', ['signup', ['user_43']]] };
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    await runFirstFile();
    expect(api.clicks()).toHaveLength(1);
    await vi.waitFor(() => expect(api.leads().map((lead) => lead.body.customer_key)).toEqual(['user_43']));
    expect(error.mock.calls.filter((call) => call[1] == 'queued call failed:').map((call): unknown => call[2])).toEqual([null, 5, {}, 'signup']);
  });

  it('forwards a call made through the stub after the script loaded (page code that kept the stub or one of its methods)', async () => {
    setUrl('https://shop.example.com/?aff=PARTNER123');
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    installStub();
    const stub = host.affitor!;
    const trackClick = stub.trackClick!;
    await runFirstFile();
    expect(host.affitor).not.toBe(stub);
    await expect(stub.signup!('user_5')).resolves.toBeUndefined();
    await expect(trackClick('/?aff=PARTNER456')).resolves.toBeUndefined();
    expect(api.leads().map((lead) => lead.body.customer_key)).toEqual(['user_5']);
    expect(api.clicks().map((click) => click.body.affiliate_url)).toEqual(['https://shop.example.com/?aff=PARTNER123', 'https://shop.example.com/?aff=PARTNER456']);
    expect(requestedFiles()).toEqual([]);
  });
});
