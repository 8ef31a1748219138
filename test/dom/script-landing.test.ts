/**
 * The `<script>` build's first file (src/script-landing.ts, built as affitor.global.js): a plain
 * landing made alone, and the main file (src/script.ts, affitor.main.js) loaded for anything more,
 * after the landing's click. Real browsers: test/e2e (script-tag, never-lost, lazy-file).
 */
import { describe, expect, it, vi } from 'vitest';
import { HttpResponse, cookieValue, http, recordCookieWrites, setUrl, storedOutbox, useScriptBuildPage, useTrackingApi } from '../support/dom';
import { MAIN_SRC, affitor, run, scriptTag, useMainFile } from '../support/script-build';
import { MORE_FILE } from '../../src/core/script-files';

const MORE_SRC = MAIN_SRC.replace(/[^/]+$/, MORE_FILE);

const api = useTrackingApi();
useScriptBuildPage();

const { held, mainRequested, mainArrives, mainMissing, landAlone } = useMainFile(api);
const host = window as unknown as { affitor?: object };

describe('the <script> build: the first file alone', () => {
  it('lands a plain landing by itself: one text/plain click, the cookies of its answer, an empty outbox, no other file', async () => {
    setUrl('https://www.shop.example.com/pricing?aff=PARTNER123');
    await run('script-landing', scriptTag());
    await vi.waitFor(() => expect(cookieValue('affitor_click_id')).toBeDefined());
    const clickId = cookieValue('affitor_click_id')!;
    expect(api.clicks()).toHaveLength(1);
    expect(api.clicks()[0]!.contentType).toMatch(/^text\/plain/);
    expect(api.clicks()[0]!.body).toMatchObject({
      affiliate_url: 'https://www.shop.example.com/pricing?aff=PARTNER123',
      page_url: 'https://www.shop.example.com/pricing?aff=PARTNER123',
      session_id: cookieValue('affitor_session_id'),
      additional_data: { program_id: 1 },
    });
    expect(api.clicks()[0]!.body.existing_click_id).toBeUndefined();
    expect(cookieValue('customer_code')).toBe(clickId);
    expect(cookieValue('affitor_click_ids')).toBe(clickId);
    expect(cookieValue('affitor_aff_url')).toBe('https://www.shop.example.com/pricing?aff=PARTNER123');
    expect(cookieValue('affitor_touch')).toBe(api.clicks()[0]!.body.event_id);
    await vi.waitFor(() => expect(cookieValue('affitor_outbox')).toBeUndefined());
    expect(affitor().getData!()).toEqual({ clickId, programId: 1, hasAttribution: true, affiliateUrl: 'https://www.shop.example.com/pricing?aff=PARTNER123' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(held.requested).toEqual([]);
  });

  it('puts the click in the outbox before it leaves', async () => {
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    let outboxAtSend: unknown;
    api.answer('click', () => {
      outboxAtSend = storedOutbox();
      return HttpResponse.json({ click_id: 'cust_1_1', cookie_window_days: 30 });
    });
    await run('script-landing', scriptTag());
    await vi.waitFor(() => expect(cookieValue('affitor_click_id')).toBe('cust_1_1'));
    expect(outboxAtSend).toEqual([expect.objectContaining({ route: 'click', body: expect.objectContaining({ event_id: api.clicks()[0]!.body.event_id }) as unknown })]);
  });

  it('reads the jar twice before its click, once with the domain probe written ahead and once to see the click in the outbox, and no navigation entry; no probe cookie is left', async () => {
    setUrl('https://www.shop.example.com/pricing?aff=PARTNER123');
    const jar = recordCookieWrites();
    let readsAtClick = -1;
    const send = window.fetch.bind(window);
    vi.spyOn(window, 'fetch').mockImplementation((...request) => ((readsAtClick = jar.reads), send(...request)));
    api.answer('click', () => HttpResponse.json({ click_id: 'cust_1_1', cookie_window_days: 30 }));
    // Needed only for a reload onto a stored attribution, or a URL a router changed.
    const entries = vi.spyOn(performance, 'getEntriesByType');
    await run('script-landing', scriptTag());
    await vi.waitFor(() => expect(cookieValue('affitor_click_id')).toBe('cust_1_1'));
    expect(readsAtClick).toBe(2);
    expect(jar.filter((cookie) => cookie.startsWith('affitor_probe='))).toEqual([
      expect.stringContaining('domain=.example.com'),
      expect.stringMatching(/^affitor_probe=;.*max-age=-1.*domain=\.example\.com/),
    ]);
    expect(entries).not.toHaveBeenCalled();
    expect(cookieValue('affitor_probe')).toBeUndefined();
  });

  it('last touch: the stored partner again sends nothing; another partner sends one click with existing_click_id', async () => {
    setUrl('https://www.shop.example.com/blog?aff=PARTNER123');
    document.cookie = 'affitor_click_id=cust_1_1700000000000; path=/';
    document.cookie = 'affitor_click_ids=cust_1_1700000000000; path=/';
    document.cookie = `affitor_aff_url=${encodeURIComponent('https://www.shop.example.com/?aff=PARTNER123')}; path=/`;
    await run('script-landing', scriptTag());
    expect(api.clicks()).toEqual([]);
    expect(cookieValue('affitor_touch')).toBeDefined();

    vi.resetModules();
    delete host.affitor;
    setUrl('https://www.shop.example.com/blog?aff=PARTNER456');
    await run('script-landing', scriptTag());
    await vi.waitFor(() => expect(cookieValue('affitor_click_id')).not.toBe('cust_1_1700000000000'));
    expect(api.clicks()).toHaveLength(1);
    expect(api.clicks()[0]!.body.existing_click_id).toBe('cust_1_1700000000000');
    expect(cookieValue('affitor_click_ids')).toBe(`cust_1_1700000000000|${cookieValue('affitor_click_id')}`);
  });

  it('lands a later ?aff= the app adds with pushState by itself', async () => {
    setUrl('https://www.shop.example.com/');
    await run('script-landing', scriptTag());
    expect(api.clicks()).toEqual([]);
    history.pushState(null, '', '/pricing?aff=PARTNER123');
    await vi.waitFor(() => expect(cookieValue('affitor_click_id')).toBeDefined());
    expect(api.clicks()).toHaveLength(1);
    expect(held.requested).toEqual([]);
  });

  it('a signup: the lead is in the outbox at once, with the click id of the landing whose click was on its way; the main file sends it', async () => {
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    await run('script-landing', scriptTag());
    const signedUp = affitor().signup!('user_42', 'ada@example.com');
    // Kept before anything else happens: a page that redirects now loses nothing.
    expect(storedOutbox().map((event) => event.route)).toEqual(['click', 'lead']);
    await mainArrives();
    await signedUp;
    const clickId = cookieValue('affitor_click_id');
    expect(clickId).toBeDefined();
    expect(api.leads()).toEqual([expect.objectContaining({ body: expect.objectContaining({ customer_key: 'user_42', email: 'ada@example.com', click_id: clickId }) as unknown })]);
    expect(api.clicks()).toHaveLength(1);
    await vi.waitFor(() => expect(cookieValue('affitor_outbox')).toBeUndefined());
  });

  it('a lead another tab took out of the outbox cookie (its write from an older read) is sent by the main file all the same, with the click id of the landing it was made behind', async () => {
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    await run('script-landing', scriptTag());
    const signedUp = affitor().signup!('user_42', 'ada@example.com');
    // Asked for once the landing's click was answered: the lead now carries its click id.
    await mainRequested();
    const clickId = cookieValue('affitor_click_id');
    expect(storedOutbox()).toEqual([expect.objectContaining({ route: 'lead', body: expect.objectContaining({ click_id: clickId }) as unknown })]);
    // Another tab writes the outbox as it read it before this lead was kept in it.
    document.cookie = 'affitor_outbox=; path=/; domain=.example.com; max-age=-1';
    expect(cookieValue('affitor_outbox')).toBeUndefined();
    await mainArrives();
    await signedUp;
    await vi.waitFor(() =>
      expect(api.leads()).toEqual([expect.objectContaining({ body: expect.objectContaining({ customer_key: 'user_42', email: 'ada@example.com', click_id: clickId }) as unknown })]),
    );
  });

  it('the main file cannot be had: every call settles, one error names the file, its URL and why, and the lead waits in the outbox', async () => {
    const error = mainMissing();
    await landAlone();
    const settled = await Promise.all([affitor().signup!('user_42'), affitor().trackClick!(), affitor().diagnose!(), affitor().grantConsent!()]);
    // diagnose() says null until the rest is here, as always.
    expect(settled).toEqual([undefined, undefined, null, undefined]);
    expect(error.mock.calls).toEqual([['[Affitor]', 'could not load affitor.main.js', MAIN_SRC, '(HTTP 404)']]);
    expect(storedOutbox()).toEqual([expect.objectContaining({ route: 'lead', body: expect.objectContaining({ customer_key: 'user_42', click_id: cookieValue('affitor_click_id') }) as unknown })]);
    expect(held.requested).toEqual([]);
  });

  it('revokeConsent deletes what the landing wrote at once, but the leads in the outbox, and asks for no file', async () => {
    mainMissing();
    await landAlone();
    await affitor().signup!('user_42');
    await affitor().revokeConsent!();
    expect(document.cookie.split('; ').map((pair) => pair.split('=')[0])).toEqual(['affitor_outbox']);
    expect(storedOutbox().map((event) => event.route)).toEqual(['lead']);
    expect(affitor().getData!()).toMatchObject({ clickId: null, hasAttribution: false });
  });

  it('a failed click is the main file\'s: it is loaded once the click settled, finds the click in the outbox and sends it again', async () => {
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    api.app.setChaos({ failFirst: { click: 1 } });
    vi.spyOn(console, 'error').mockImplementation(() => {});
    await run('script-landing', scriptTag());
    await mainArrives();
    await vi.waitFor(() => expect(cookieValue('affitor_click_id')).toBeDefined());
    const [first, second] = api.clicks();
    expect(second!.body.event_id).toBe(first!.body.event_id);
  });

  it.each([
    ['consent pending', { 'data-affitor-consent': 'pending' }],
    ['consent "false" (no consent given: pending, as the spec says)', { 'data-affitor-consent': 'false' }],
    ['debug', { 'data-affitor-debug': 'true' }],
    ['the first-party handler', { 'data-affitor-api-base': '/relay' }],
  ])('%s: the page view is the main file\'s from the start; the first file sends nothing', async (_, attributes) => {
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    vi.spyOn(console, 'info').mockImplementation(() => {});
    vi.spyOn(console, 'error').mockImplementation(() => {});
    await run('script-landing', scriptTag(attributes));
    await mainRequested();
    expect(api.clicks()).toEqual([]);
  });

  it('a queued init with consent: false (no consent given): the first file writes no cookie, and the main file reports the landing with its click id in memory', async () => {
    (window as { affitor?: unknown }).affitor = { q: [['init', [{ consent: false }]]] };
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    const writes = recordCookieWrites();
    await run('script-landing', scriptTag());
    await mainArrives();
    await vi.waitFor(() => expect(affitor().getData!()).toMatchObject({ hasAttribution: true }));
    expect(api.clicks()).toHaveLength(1);
    expect(writes.filter((cookie) => !cookie.includes('max-age=-1'))).toEqual([]);
    expect(document.cookie).toBe('');
  });

  it('events an earlier page view left: the main file is asked for on a page view with no landing too, and sends them', async () => {
    setUrl('https://www.shop.example.com/');
    document.cookie = `affitor_outbox=${encodeURIComponent(JSON.stringify([{ route: 'lead', body: { customer_key: 'kept', session_id: 's', program_id: 1, click_ids: [], page_url: 'https://www.shop.example.com/', event_id: 'kept000000000000000' } }]))}; path=/`;
    await run('script-landing', scriptTag());
    await mainArrives();
    await vi.waitFor(() => expect(api.leads()).toHaveLength(1));
    expect(api.leads()[0]!.body).toMatchObject({ customer_key: 'kept', event_id: 'kept000000000000000' });
  });

  it('the stub\'s queued calls are made after the landing: a queued signup carries its click id; the main file does not land again', async () => {
    (window as { affitor?: unknown }).affitor = { q: [['init', [{ programId: 1 }]], ['signup', ['queued_user']]] };
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    await run('script-landing', scriptTag());
    await mainArrives();
    await vi.waitFor(() => expect(api.leads()).toHaveLength(1));
    expect(api.leads()[0]!.body).toMatchObject({ customer_key: 'queued_user', click_id: cookieValue('affitor_click_id') });
    expect(api.clicks()).toHaveLength(1);
    // The page's calls reach the main file's methods now.
    expect(affitor().getTracker!()).toBe(host.affitor);
    expect(Object.getOwnPropertySymbols(host.affitor!)).toContain(Symbol.for('affitor'));
  });

  it("ready runs its callback with window.affitor at once, and a hand-written queue's call that is no list is left to the main file to name", async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const ready = vi.fn();
    (window as { affitor?: unknown }).affitor = { q: [['ready', [ready]], ['signup', 'user_42']] };
    setUrl('https://www.shop.example.com/');
    await run('script-landing', scriptTag());
    expect(ready).toHaveBeenCalledWith(host.affitor);
    await mainArrives();
    expect(error).toHaveBeenCalledWith('[Affitor]', 'queued call failed:', 'signup', expect.any(TypeError));
    expect(api.leads()).toEqual([]);
  });

  it("init in a ready callback returns the handle at once, whose getters answer, and the main file takes the options", async () => {
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    await run('script-landing', scriptTag());
    await vi.waitFor(() => expect(cookieValue('affitor_click_id')).toBeDefined());
    const info = vi.spyOn(console, 'info').mockImplementation(() => {});
    let tracker: unknown;
    affitor().ready!((handle: { init: (options: object) => { getData: () => unknown } }) => {
      tracker = handle.init({ debug: true });
    });
    expect(tracker).toBe(host.affitor);
    expect((tracker as { getData: () => unknown }).getData()).toMatchObject({ clickId: cookieValue('affitor_click_id'), hasAttribution: true });
    expect(info).not.toHaveBeenCalled();
    // The main file, loaded for it, runs with debug on: it says what it does.
    await mainArrives();
    await vi.waitFor(() => expect(info.mock.calls.some((call) => call[0] == '[Affitor]')).toBe(true));
  });
  it("diagnose(): the last click is the landing's the first file sent, with its status and request id, once the rest is here", async () => {
    api.server.use(http.get(MORE_SRC, () => new HttpResponse('/* the rest */', { headers: { 'Content-Type': 'text/javascript' } })));
    await landAlone();
    const requestId = api.app.requests().find((entry) => entry.path.endsWith('/click'))!.request_id;
    const signedUp = affitor().signup!('user_1');
    await mainArrives();
    await signedUp;
    expect(affitor().diagnose!()).toBeNull();
    await vi.waitFor(() => expect(held.requested.map((tag) => tag.src)).toEqual([MAIN_SRC, MORE_SRC]));
    await import('../../src/script-more');
    held.requested[1]!.onload?.(new Event('load'));
    const report = await vi.waitFor(() => affitor().diagnose!() as { lastClick: unknown; lastLead: unknown; warnings: string[] } | null);
    expect(report!.lastClick).toEqual({ status: 200, ok: true, requestId, message: null, at: expect.stringMatching(/^\d{4}-/) as unknown });
    expect(report!.lastLead).toMatchObject({ status: 200, ok: true });
  });
});

describe('the <script> build: the first file twice on a page', () => {
  it('the second copy says so and lands nothing: one click', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    await run('script-landing', scriptTag());
    vi.resetModules();
    await run('script-landing', scriptTag());
    await vi.waitFor(() => expect(cookieValue('affitor_click_id')).toBeDefined());
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(api.clicks()).toHaveLength(1);
    expect(error.mock.calls).toEqual([['[Affitor]', 'Another copy of the SDK runs on this page: keep one']]);
  });
});
