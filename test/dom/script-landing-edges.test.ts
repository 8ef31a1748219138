/**
 * The first file of the script build (src/script-landing.ts) at the edges of what it does alone:
 * calls made while the main file downloads or when it cannot be had, consent, cookies refused, a
 * legacy click id, listeners, single-page apps, a page's fetch that throws, queued callbacks.
 */
import { describe, expect, it, vi } from 'vitest';
import { HttpResponse, cookieValue, http, recordCookieWrites, refuseCookies, setUrl, storedOutbox, useScriptBuildPage, useTrackingApi } from '../support/dom';
import { MAIN_SRC, affitor, run, scriptTag, useMainFile } from '../support/script-build';
import { OUTBOX_MAX_BYTES } from '../../src/core/outbox';
import type { PendingEvent } from '../../src/core/outbox';
import { readAff } from '../../src/core/values';

const api = useTrackingApi();
useScriptBuildPage();

const { held, mainRequested, mainArrives, mainMissing, landAlone } = useMainFile(api);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Once the first file said the main file could not be had (the spy may hold an earlier test's late lines). */
const mainFailed = (error: { mock: { calls: unknown[][] } }) =>
  vi.waitFor(() => expect(error.mock.calls.some((call) => call[1] == 'could not load affitor.main.js')).toBe(true));
/** A click answer held until released. */
function holdClick(clickId = 'cust_1_1') {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  api.answer('click', async () => {
    await gate;
    return HttpResponse.json({ click_id: clickId, cookie_window_days: 30 });
  });
  return release;
}

/** Click answers held until released, then the reference server's: for the clicks `held` picks by their landing URL (all by default). */
function holdServerAnswers(held: (affiliateUrl: string) => boolean = () => true) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  api.answer('click', async ({ request }) => {
    const body = (await request.clone().json()) as { affiliate_url: string };
    if (held(body.affiliate_url)) await gate;
    return api.app.fetch(request);
  });
  return release;
}

describe('the first file at its edges', () => {
  it("A's link opened again after B's landing, while A's first click is still on its way: A's click goes again with its event id, and as the newest touch it stands", async () => {
    const release = holdServerAnswers((affiliateUrl) => affiliateUrl.includes('PARTNER123'));
    const pageView = async (url: string) => {
      vi.resetModules();
      delete (window as { affitor?: unknown }).affitor;
      setUrl(url);
      await run('script-landing', scriptTag());
    };
    await pageView('https://www.shop.example.com/?aff=PARTNER123');
    await vi.waitFor(() => expect(api.clicks()).toHaveLength(1));
    // Another tab: partner B's link, answered at once.
    await pageView('https://www.shop.example.com/deal?aff=PARTNER456');
    await vi.waitFor(() => expect(cookieValue('affitor_aff_url')).toBe('https://www.shop.example.com/deal?aff=PARTNER456'));
    // A third: A's link again, a landing after B's.
    await pageView('https://www.shop.example.com/?aff=PARTNER123');
    await vi.waitFor(() => expect(api.clicks()).toHaveLength(3));
    expect(api.clicks()[2]!.body.event_id).toBe(api.clicks()[0]!.body.event_id);
    release();
    await vi.waitFor(() => expect(storedOutbox()).toEqual([]));
    expect(api.app.inspect().clicks.map((click) => click.short_link).sort()).toEqual(['PARTNER123', 'PARTNER456']);
    expect(cookieValue('affitor_aff_url')).toBe('https://www.shop.example.com/?aff=PARTNER123');
    expect(cookieValue('affitor_click_id')).toBe(api.app.inspect().clicks.find((click) => click.short_link == 'PARTNER123')!.click_id);
  });

  it.each([
    ['', 'https://www.shop.example.com/?aff=PARTNER123'],
    [' (a landing URL kept shortened in the outbox: an ad click id of 1,100 characters)', `https://www.shop.example.com/?aff=PARTNER123&gclid=${'x'.repeat(1100)}`],
  ])("a reload while the landing's click is on its way sends that click again with its event id%s: the server records the visit once", async (_, landing) => {
    const release = holdServerAnswers();
    setUrl(landing);
    await run('script-landing', scriptTag());
    await vi.waitFor(() => expect(api.clicks()).toHaveLength(1));
    // The visitor reloads before the answer came: a new page view on the same landing, its click still in the outbox.
    vi.resetModules();
    delete (window as { affitor?: unknown }).affitor;
    await run('script-landing', scriptTag());
    await vi.waitFor(() => expect(api.clicks()).toHaveLength(2));
    const [first, again] = api.clicks();
    expect(again!.body.event_id).toBe(first!.body.event_id);
    release();
    await vi.waitFor(() => expect(cookieValue('affitor_click_id')).toBeDefined());
    await vi.waitFor(() => expect(storedOutbox()).toEqual([]));
    expect(api.app.inspect().clicks).toHaveLength(1);
    expect(cookieValue('affitor_click_id')).toBe(api.app.inspect().clicks[0]!.click_id);
  });

  it('revokeConsent while the landing click is in flight: no attribution cookie is written after it; a grant then has the main file send the click again with its event id, and writes its attribution', async () => {
    const release = holdClick('cust_1_77');
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    await run('script-landing', scriptTag());
    await vi.waitFor(() => expect(api.clicks()).toHaveLength(1));
    await affitor().revokeConsent!();
    release();
    await sleep(100);
    expect(held.requested).toEqual([]); // no main file asked for
    expect(cookieValue('affitor_click_id')).toBeUndefined();
    const granted = affitor().grantConsent!();
    await mainArrives();
    await granted;
    await vi.waitFor(() => expect(cookieValue('affitor_click_id')).toBe('cust_1_77'));
    const [first, again] = api.clicks();
    expect(again!.body.event_id).toBe(first!.body.event_id);
    expect(affitor().getData!()).toMatchObject({ clickId: 'cust_1_77', hasAttribution: true });
  });

  it('a withdrawal while the main file is on its way (a signup asked for it): that file starts withdrawn and writes nothing', async () => {
    const release = holdClick('cust_1_78');
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    await run('script-landing', scriptTag());
    await vi.waitFor(() => expect(api.clicks()).toHaveLength(1));
    void affitor().signup!('user_42');
    await affitor().revokeConsent!();
    const writes = recordCookieWrites();
    release();
    await mainArrives();
    await vi.waitFor(() => expect(api.clicks()).toHaveLength(2));
    await vi.waitFor(() => expect(api.leads()).toHaveLength(1));
    await sleep(100);
    expect(writes.filter((cookie) => !cookie.includes('max-age=-1'))).toEqual([]);
    expect(affitor().getData!()).toMatchObject({ clickId: 'cust_1_78' });
    expect(api.leads()[0]!.body).toMatchObject({ customer_key: 'user_42' });
  });

  it.each([
    ['consent pending: a grant, then a withdrawal', { 'data-affitor-consent': 'pending' }, ['grantConsent', 'revokeConsent']],
    ['a plain landing: a withdrawal, a grant, a withdrawal', {}, ['revokeConsent', 'grantConsent', 'revokeConsent']],
  ])('%s, before the main file arrives: the last word holds, nothing stays written', async (_, attributes: Record<string, string>, calls) => {
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    vi.spyOn(console, 'info').mockImplementation(() => {});
    await run('script-landing', scriptTag(attributes));
    await vi.waitFor(() => expect(api.clicks()).toHaveLength(attributes['data-affitor-consent'] ? 0 : 1));
    const settled = calls.map((method) => affitor()[method]!());
    await mainArrives();
    await Promise.all(settled);
    await vi.waitFor(() => expect(api.clicks().length).toBeGreaterThan(0));
    await sleep(200);
    expect(document.cookie).toBe('');
  });

  it('a signup while the landing\'s click is on its way, then a withdrawal: the lead still carries that click\'s id', async () => {
    // Held, then answered by the reference server, which then knows the click the lead names.
    const release = holdServerAnswers();
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    await run('script-landing', scriptTag());
    await vi.waitFor(() => expect(api.clicks()).toHaveLength(1));
    void affitor().signup!('user_42');
    await affitor().revokeConsent!();
    release();
    await mainArrives();
    await vi.waitFor(() => expect(api.leads()).toHaveLength(1));
    const [customer] = api.app.inspect().customers as Array<{ click_id: string; status: string }>;
    expect(api.leads()[0]!.body).toMatchObject({ customer_key: 'user_42', click_id: customer!.click_id });
    await sleep(200);
    expect(customer!.status).toBe('lead');
    expect(api.clicks().map((click) => click.body.event_id)).toEqual([api.clicks()[0]!.body.event_id, api.clicks()[0]!.body.event_id]);
    expect(api.leads()).toHaveLength(1);
  });

  it('a signup while the landing\'s click is on its way, then a withdrawal, and the main file cannot be had: the next page view sends the lead with that click\'s id', async () => {
    const release = holdServerAnswers();
    const error = mainMissing();
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    await run('script-landing', scriptTag());
    await vi.waitFor(() => expect(api.clicks()).toHaveLength(1));
    const signedUp = affitor().signup!('user_42');
    await affitor().revokeConsent!();
    release();
    await signedUp;
    await vi.waitFor(() => expect(error).toHaveBeenCalledTimes(1));
    // Kept for the lead's click id only: superseded, its answer is no attribution.
    expect(storedOutbox().map((event) => [event.route, event.stale])).toEqual([
      ['click', true],
      ['lead', undefined],
    ]);
    expect(cookieValue('affitor_click_id')).toBeUndefined();
    // The next page view, where the main file is had again.
    vi.resetModules();
    api.server.use(http.get(MAIN_SRC, () => new HttpResponse('/* the main file */', { headers: { 'Content-Type': 'text/javascript' } })));
    held.requested = [];
    delete (window as { affitor?: unknown }).affitor;
    setUrl('https://www.shop.example.com/pricing');
    await run('script-landing', scriptTag());
    await mainArrives();
    await vi.waitFor(() => expect(api.leads()).toHaveLength(1));
    const [customer] = api.app.inspect().customers as Array<{ click_id: string; status: string }>;
    expect(api.leads()[0]!.body).toMatchObject({ customer_key: 'user_42', click_id: customer!.click_id });
    expect(new Set(api.clicks().map((click) => click.body.event_id)).size).toBe(1);
    await vi.waitFor(() => expect(storedOutbox()).toEqual([]));
    expect(cookieValue('affitor_click_id')).toBeUndefined();
  });

  it('a withdrawal the stub queued, on a page view whose outbox holds only an earlier lead: only deletions are written, the lead stays', async () => {
    mainMissing();
    await landAlone();
    void affitor().signup!('user_7');
    await vi.waitFor(() => expect(storedOutbox().map((event) => event.route)).toEqual(['lead']));
    vi.resetModules();
    (window as { affitor?: unknown }).affitor = { q: [['revokeConsent', []]] };
    setUrl('https://www.shop.example.com/pricing');
    const writes = recordCookieWrites();
    await run('script-landing', scriptTag());
    expect(writes.filter((cookie) => !cookie.includes('max-age=-1'))).toEqual([]);
    expect(storedOutbox()).toEqual([expect.objectContaining({ route: 'lead', body: expect.objectContaining({ customer_key: 'user_7' }) as unknown })]);
  });

  it('a signup behind a click whose try failed keeps waiting for that click: another partner\'s landing before the main file takes over does not give the lead its click id', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let tries = 0;
    api.answer('click', async ({ request }) => (++tries == 1 ? (await gate, new HttpResponse('down', { status: 503 })) : api.app.fetch(request)));
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    await run('script-landing', scriptTag());
    await vi.waitFor(() => expect(tries).toBe(1));
    void affitor().signup!('user_42');
    release();
    await mainRequested();
    history.pushState(null, '', '/pricing?aff=PARTNER456');
    await vi.waitFor(() => expect(cookieValue('affitor_click_id')).toBeDefined());
    const lead = storedOutbox().find((event) => event.route == 'lead')!;
    expect(lead.body.click_id).toBeUndefined();
    expect(storedOutbox().map((event) => [event.route, readAff(event.body.affiliate_url as string)])).toEqual([
      ['click', 'PARTNER123'],
      ['lead', null],
    ]);
    // The main file sends that click again, and the lead with its click id: PARTNER123's customer.
    await mainArrives();
    await vi.waitFor(() => expect(api.leads()).toHaveLength(1));
    const customers = api.app.inspect().customers as Array<{ click_id: string; partner_id: number }>;
    const recorded = api.clicks().map((click) => readAff(click.body.affiliate_url as string));
    expect(recorded).toEqual(['PARTNER123', 'PARTNER456', 'PARTNER123']);
    expect(customers.map((customer) => customer.click_id)).toContain(api.leads()[0]!.body.click_id);
    expect(api.leads()[0]!.body.click_id).not.toBe(cookieValue('affitor_click_id'));
  });

  it('a withdrawal the stub queued deletes what earlier page views wrote at once, also when the main file cannot be had', async () => {
    const error = mainMissing();
    await landAlone();
    expect(cookieValue('affitor_click_id')).toBeDefined();
    vi.resetModules();
    (window as { affitor?: unknown }).affitor = { q: [['revokeConsent', []]] };
    setUrl('https://www.shop.example.com/pricing');
    await run('script-landing', scriptTag());
    expect(document.cookie).toBe('');
    await vi.waitFor(() => expect(error).toHaveBeenCalledTimes(1));
    expect(api.clicks()).toHaveLength(1);
  });

  it('asks for the main file again a minute after it could not be had, not before: a consent-pending landing is reported once the grant comes', async () => {
    const error = mainMissing();
    const timers = vi.spyOn(globalThis, 'setTimeout');
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    await run('script-landing', scriptTag({ 'data-affitor-consent': 'pending' }));
    await mainFailed(error);
    // Within the minute, a call settles without asking again.
    await affitor().grantConsent!();
    expect(held.requested).toEqual([]);
    const again = timers.mock.calls.find(([, ms]) => ms === 60_000)?.[0];
    expect(again).toBeTypeOf('function');
    // The network is back (a deploy finished): the next call a minute on asks for it, and it does the page view.
    api.server.use(http.get(MAIN_SRC, () => new HttpResponse('/* the main file */', { headers: { 'Content-Type': 'text/javascript' } })));
    (again as () => void)();
    const granted = affitor().grantConsent!();
    await mainArrives();
    await granted;
    await vi.waitFor(() => expect(cookieValue('affitor_click_id')).toBeDefined());
    expect(api.clicks()).toHaveLength(1);
  });

  it('cookies refused (a sandboxed iframe): the main file lands it, holding the click id in memory, and sends the signup with it', async () => {
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    refuseCookies();
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      await run('script-landing', scriptTag());
      await mainArrives();
      await vi.waitFor(() => expect(api.clicks()).toHaveLength(1));
      await vi.waitFor(() => expect(affitor().getClickId!()).toMatch(/^cust_/));
      await affitor().signup!('user_42');
      expect(api.leads()).toEqual([expect.objectContaining({ body: expect.objectContaining({ click_id: affitor().getClickId!() }) as unknown })]);
    } finally {
      delete (document as unknown as Record<string, unknown>).cookie;
    }
  });

  it('a legacy customer_code: getClickId answers it, and the main file migrates it; a signup carries it', async () => {
    setUrl('https://www.shop.example.com/pricing');
    document.cookie = 'customer_code=cust_5_100; path=/';
    await run('script-landing', scriptTag());
    const before = affitor().getClickId!();
    // The API knows no such click: the main file's retry of the refused lead needs the rest, not served here.
    api.server.use(http.get(MAIN_SRC.replace('main', 'more'), () => new HttpResponse('Not found', { status: 404 })));
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const signedUp = affitor().signup!('user_42');
    await mainArrives();
    await signedUp;
    await vi.waitFor(() => expect(api.leads()).toHaveLength(1));
    expect({ before, click_id: api.leads()[0]!.body.click_id }).toEqual({ before: 'cust_5_100', click_id: 'cust_5_100' });
  });

  it('a legacy customer_code and a new partner: the main file lands it, with existing_click_id', async () => {
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    document.cookie = 'customer_code=cust_5_100; path=/';
    await run('script-landing', scriptTag());
    await mainArrives();
    await vi.waitFor(() => expect(api.clicks()).toHaveLength(1));
    expect(api.clicks()[0]!.body.existing_click_id).toBe('cust_5_100');
  });

  it('ready(a => a.onAttribution(cb)) returns the stop function (README), and cb hears the landing, with no other file', async () => {
    const heard: unknown[] = [];
    let stop: unknown;
    (window as { affitor?: unknown }).affitor = { q: [['ready', [(a: Record<string, (...args: unknown[]) => unknown>) => (stop = a.onAttribution!((now: { clickId: string }) => heard.push(now.clickId)))]]] };
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    await run('script-landing', scriptTag());
    await vi.waitFor(() => expect(cookieValue('affitor_click_id')).toBeDefined());
    expect({ stop: typeof stop, heard }).toEqual({ stop: 'function', heard: [cookieValue('affitor_click_id')] });
    expect(held.requested).toEqual([]);
  });

  it('pushState to partner B while A\'s click is in flight, then the router strips ?aff=: B is landed once A answered, with A\'s click id', async () => {
    const release = holdClick();
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    await run('script-landing', scriptTag());
    await vi.waitFor(() => expect(api.clicks()).toHaveLength(1));
    history.pushState(null, '', '/offer?aff=PARTNER456');
    history.replaceState(null, '', '/offer');
    release();
    await vi.waitFor(() => expect(api.clicks()).toHaveLength(2));
    expect(api.clicks().map((click) => new URL(click.body.affiliate_url as string).searchParams.get('aff'))).toEqual(['PARTNER123', 'PARTNER456']);
    expect(api.clicks()[1]!.body.existing_click_id).toBe('cust_1_1');
  });

  it('consent pending, a withdrawal while the main file downloads: only deletions are written, no probe', async () => {
    setUrl('https://www.shop.example.com/');
    await run('script-landing', scriptTag({ 'data-affitor-consent': 'pending' }));
    // (useTrackingApi stops recording after each test.)
    const writes = recordCookieWrites();
    await affitor().revokeConsent!();
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.filter((cookie) => !cookie.includes('max-age=-1'))).toEqual([]);
  });

  it('consent pending: trackClick made while the main file downloads writes no cookie', async () => {
    setUrl('https://www.shop.example.com/');
    await run('script-landing', scriptTag({ 'data-affitor-consent': 'pending' }));
    void affitor().trackClick!('https://www.shop.example.com/?aff=PARTNER123');
    await sleep(200);
    expect(document.cookie).not.toMatch(/affitor_|customer_code/);
  });

  it('data-affitor-cookie-domain naming one of the page\'s domains: the first file lands alone, its cookies on that domain', async () => {
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    const writes = recordCookieWrites();
    await run('script-landing', scriptTag({ 'data-affitor-cookie-domain': 'shop.example.com' }));
    await vi.waitFor(() => expect(cookieValue('affitor_click_id')).toBeDefined());
    expect(api.clicks()).toHaveLength(1);
    expect(held.requested).toEqual([]);
    const written = (name: string) => writes.filter((cookie) => cookie.startsWith(name + '=') && !cookie.includes('max-age=-1'));
    for (const name of ['affitor_click_id', 'affitor_aff_url', 'affitor_outbox']) expect(written(name).map((cookie) => /domain=([^;]*)/.exec(cookie)?.[1])).toEqual(written(name).map(() => '.shop.example.com'));
    // Not the broader example.com, which the page would choose by itself.
    expect(writes.join('\n')).not.toMatch(/domain=\.example\.com/);
  });

  it.each([
    ['written otherwise (the main file normalises it)', '.Shop.Example.com'],
    ['another site\'s (the main file says it is invalid)', 'other.example'],
  ])('data-affitor-cookie-domain %s: the landing is the main file\'s, which is asked for at once', async (_, domain) => {
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    await run('script-landing', scriptTag({ 'data-affitor-cookie-domain': domain }));
    await mainRequested();
    expect(api.clicks()).toEqual([]);
    await mainArrives();
    await vi.waitFor(() => expect(api.clicks()).toHaveLength(1));
    await vi.waitFor(() => expect(cookieValue('affitor_click_id')).toBeDefined());
    expect(error.mock.calls.map((call) => call.join(' '))).toEqual(domain == 'other.example' ? ['[Affitor] Invalid cookieDomain, using the root domain: other.example'] : []);
  });

  it('data-affitor-stripe: the landing\'s click leaves from the first file, and the main file (which starts the decoration) is asked for once it settled', async () => {
    const release = holdClick();
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    await run('script-landing', scriptTag({ 'data-affitor-stripe': 'true' }));
    await vi.waitFor(() => expect(api.clicks()).toHaveLength(1));
    await sleep(50);
    expect(held.requested).toEqual([]);
    release();
    await vi.waitFor(() => expect(cookieValue('affitor_click_id')).toBe('cust_1_1'));
    await mainRequested();
    expect(held.requested[0]!.getAttribute('data-affitor-stripe')).toBe('true');
  });

  it('a landing in a page rendered ahead writes no cookie, not even the domain probe, until the visitor opens it; then lands once', async () => {
    setUrl('https://www.shop.example.com/pricing?aff=PARTNER123');
    Object.defineProperty(document, 'prerendering', { value: true, configurable: true });
    const writes = recordCookieWrites();
    try {
      await run('script-landing', scriptTag());
      await sleep(50);
      expect([...writes]).toEqual([]);
      expect(api.clicks()).toEqual([]);
      Object.defineProperty(document, 'prerendering', { value: false, configurable: true });
      document.dispatchEvent(new Event('prerenderingchange'));
      await vi.waitFor(() => expect(cookieValue('affitor_click_id')).toBeDefined());
      expect(api.clicks()).toHaveLength(1);
      expect(cookieValue('affitor_probe')).toBeUndefined();
    } finally {
      delete (document as { prerendering?: boolean }).prerendering;
    }
  });

  it('a lead kept by an earlier page view and the main file cannot be had: the landing\'s click still leaves', async () => {
    api.server.use(http.get(MAIN_SRC, () => new HttpResponse('Not found', { status: 404 })));
    vi.spyOn(console, 'error').mockImplementation(() => {});
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    document.cookie = `affitor_outbox=${encodeURIComponent(JSON.stringify([{ route: 'lead', body: { customer_key: 'kept', session_id: 's', program_id: 1, click_ids: [], page_url: 'https://www.shop.example.com/', event_id: 'kept000000000000000' } }]))}; path=/`;
    await run('script-landing', scriptTag());
    await sleep(300);
    expect(api.clicks()).toHaveLength(1);
  });
});

describe('the first file and the page\'s own code', () => {
  it('a page whose fetch wrapper throws synchronously: the file does not throw, the queued signup is kept', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.stubGlobal('fetch', () => {
      throw new Error('fetch blocked');
    });
    (window as { affitor?: unknown }).affitor = { q: [['signup', ['queued_user']]] };
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    let thrown: unknown;
    await run('script-landing', scriptTag()).catch((error: unknown) => (thrown = error));
    vi.unstubAllGlobals();
    expect({ thrown, leads: storedOutbox().filter((event) => event.route == 'lead').length }).toEqual({ thrown: undefined, leads: 1 });
  });

  it('a queued ready callback that throws runs once', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const ready = vi.fn(() => {
      throw new Error('page bug');
    });
    (window as { affitor?: unknown }).affitor = { q: [['ready', [ready]]] };
    setUrl('https://www.shop.example.com/');
    await run('script-landing', scriptTag());
    await sleep(50);
    expect(ready).toHaveBeenCalledTimes(1);
    expect(held.requested).toEqual([]);
  });

  it('consent pending: trackClick is the main file\'s, which sends the click and writes no cookie', async () => {
    setUrl('https://www.shop.example.com/');
    await run('script-landing', scriptTag({ 'data-affitor-consent': 'pending' }));
    const tracked = affitor().trackClick!('https://www.shop.example.com/?aff=PARTNER123');
    await mainArrives();
    await tracked;
    await vi.waitFor(() => expect(api.clicks()).toHaveLength(1));
    expect(document.cookie).not.toMatch(/affitor_|customer_code/);
  });
});

describe('a signup after the main file was asked for', () => {
  it('a CMP calls grantConsent, the main file cannot be had: a later signup\'s lead waits in the outbox (README)', async () => {
    mainMissing();
    await landAlone();
    await affitor().grantConsent!();
    await affitor().signup!('user_42');
    expect(storedOutbox().map((event) => event.route)).toEqual(['lead']);
  });

  it('a consent tool\'s grantConsent on a page view the first file has alone (consent given already) loads no file; the main file, asked for later, replays it', async () => {
    await landAlone();
    await affitor().grantConsent!();
    await sleep(100);
    expect(held.requested).toEqual([]);
    const signedUp = affitor().signup!('user_42');
    await mainArrives();
    await signedUp;
    expect(api.leads()).toEqual([expect.objectContaining({ body: expect.objectContaining({ customer_key: 'user_42', click_id: cookieValue('affitor_click_id') }) as unknown })]);
  });

  it("a consent tool's grantConsent the stub queued before the first file ran (a CMP that fires at load), on a page view that file has alone, loads no file either", async () => {
    // A returning visitor who consented: the CMP fires its accept event before the async tag ran.
    (window as unknown as { affitor: { q: unknown[] } }).affitor = { q: [['grantConsent', []]] };
    setUrl('https://www.shop.example.com/pricing');
    await run('script-landing', scriptTag());
    await sleep(100);
    expect(held.requested).toEqual([]);
    // Still replayed by the main file once a call needs it.
    const signedUp = affitor().signup!('user_42');
    await mainArrives();
    await signedUp;
    expect(api.leads()).toEqual([expect.objectContaining({ body: expect.objectContaining({ customer_key: 'user_42' }) as unknown })]);
  });

  it('the main file asked for and still on its way: a signup\'s lead is in the outbox at once (a page that redirects now)', async () => {
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    await run('script-landing', scriptTag());
    await vi.waitFor(() => expect(cookieValue('affitor_click_id')).toBeDefined());
    // init called again is the main file's.
    void affitor().init!({});
    await mainRequested();
    void affitor().signup!('user_42');
    expect(storedOutbox().map((event) => event.route)).toEqual(['lead']);
  });
});

describe('the click is in the outbox before it leaves, or the main file lands it', () => {
  /**
   * A landing whose click's first try fails, made where the first file must not send it: it sends
   * nothing, and the main file lands it. Returns the outbox as the click found it when it arrived.
   */
  async function landedByMain(): Promise<() => PendingEvent[] | undefined> {
    let outboxAtSend: PendingEvent[] | undefined;
    api.answer('click', () => ((outboxAtSend ??= storedOutbox()), new HttpResponse('down', { status: 503 })));
    // The rest, which the main file asks for to retry, is not served here: the retry is not what is looked at.
    api.server.use(http.get(MAIN_SRC.replace('main', 'more'), () => new HttpResponse('Not found', { status: 404 })));
    vi.spyOn(console, 'error').mockImplementation(() => {});
    await run('script-landing', scriptTag());
    await sleep(50);
    expect(api.clicks()).toEqual([]);
    await mainArrives();
    return () => outboxAtSend;
  }

  it('a consent tool refuses the outbox cookie by name, the probe passes: the main file lands the click, and it is never sent unkept', async () => {
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    recordCookieWrites((cookie) => !/^affitor_outbox=[^;]/.test(cookie));
    const outboxAtSend = await landedByMain();
    await vi.waitFor(() => expect(api.clicks()).toHaveLength(1));
    expect(outboxAtSend()).toEqual([]);
  });

  it('an outbox earlier page views filled near its bound, which the new click would take past what a cookie holds: the main file lands it, in its outbox', async () => {
    setUrl('https://www.shop.example.com/?aff=PARTNER456');
    // Four kept clicks, 3,500 bytes as the cookie holds them: within the main file's bound (OUTBOX_MAX_BYTES).
    const kept = (n: number, pad: number): PendingEvent => ({
      route: 'click',
      body: { affiliate_url: `https://www.shop.example.com/?aff=PARTNER123&n=${n}&x=${'x'.repeat(pad)}`, session_id: 's', additional_data: { program_id: 1 }, event_id: `m0000000${n}abcdefghij` },
      stale: true,
    });
    const outboxOf = (pad: number) => encodeURIComponent(JSON.stringify([1, 2, 3, 4].map((n) => kept(n, pad))));
    let pad = 0;
    while (outboxOf(pad + 1).length <= 3_500) pad++;
    expect(outboxOf(pad).length).toBeLessThanOrEqual(OUTBOX_MAX_BYTES);
    document.cookie = `affitor_outbox=${outboxOf(pad)}; path=/; domain=.example.com`;
    // As Chromium: a cookie whose name and value are over 4,096 bytes is refused.
    recordCookieWrites((cookie) => cookie.split(';')[0]!.length <= 4096);
    const outboxAtSend = await landedByMain();
    await vi.waitFor(() => expect(outboxAtSend()).toBeDefined());
    expect(outboxAtSend()!.map((event) => event.body.event_id)).toContain(api.clicks()[0]!.body.event_id);
  });
});

describe('last touch over what earlier page views kept', () => {
  it("a click an earlier page view kept for partner A, then a landing on B: B's answer makes the attribution, and A's resend by the main file does not take it back", async () => {
    setUrl('https://www.shop.example.com/?aff=PARTNER456');
    const keptA = { route: 'click', body: { affiliate_url: 'https://www.shop.example.com/?aff=PARTNER123', session_id: 's', additional_data: { program_id: 1 }, event_id: 'kept00000000000000a' } };
    document.cookie = `affitor_outbox=${encodeURIComponent(JSON.stringify([keptA]))}; path=/`;
    await run('script-landing', scriptTag());
    // The landing's click first, from this file; the main file then, for the kept click.
    await vi.waitFor(() => expect(cookieValue('affitor_aff_url')).toBe('https://www.shop.example.com/?aff=PARTNER456'));
    const clickOfB = cookieValue('affitor_click_id');
    expect(storedOutbox()).toEqual([expect.objectContaining({ stale: true, body: expect.objectContaining({ event_id: 'kept00000000000000a' }) as unknown })]);
    await mainArrives();
    await vi.waitFor(() => expect(api.clicks()).toHaveLength(2));
    await vi.waitFor(() => expect(cookieValue('affitor_outbox')).toBeUndefined());
    expect(api.clicks().map((click) => click.body.event_id)).toContain('kept00000000000000a');
    expect(cookieValue('affitor_click_id')).toBe(clickOfB);
    expect(cookieValue('affitor_aff_url')).toBe('https://www.shop.example.com/?aff=PARTNER456');
  });

  it("a signup while B's click is on its way, A's kept click before it: the lead carries B's click id, also once the main file gets A's click through", async () => {
    setUrl('https://www.shop.example.com/?aff=PARTNER456');
    const keptA = { route: 'click', body: { affiliate_url: 'https://www.shop.example.com/?aff=PARTNER123', session_id: 's', additional_data: { program_id: 1 }, event_id: 'kept00000000000000a' } };
    document.cookie = `affitor_outbox=${encodeURIComponent(JSON.stringify([keptA]))}; path=/`;
    const release = holdServerAnswers((affiliateUrl) => affiliateUrl.includes('PARTNER456'));
    await run('script-landing', scriptTag());
    await vi.waitFor(() => expect(api.clicks()).toHaveLength(1));
    void affitor().signup!('user_1');
    release();
    await vi.waitFor(() => expect(cookieValue('affitor_aff_url')).toBe('https://www.shop.example.com/?aff=PARTNER456'));
    const clickOfB = cookieValue('affitor_click_id');
    // The lead, signed up under B, before the click B's landing superseded: it waits for no click.
    expect(storedOutbox().map((event) => event.route)).toEqual(['lead', 'click']);
    await mainArrives();
    await vi.waitFor(() => expect(api.app.inspect().leads).toHaveLength(1));
    await vi.waitFor(() => expect(api.app.inspect().clicks).toHaveLength(2));
    expect(api.leads().map((lead) => lead.body.click_id)).toEqual([clickOfB]);
    expect(cookieValue('affitor_click_id')).toBe(clickOfB);
  });

  it('another tab stores a newer landing while the click is on its way: that attribution stands, and the answered click leaves the outbox (nothing to resend)', async () => {
    const release = holdClick('cust_1_1');
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    await run('script-landing', scriptTag());
    await vi.waitFor(() => expect(api.clicks()).toHaveLength(1));
    await sleep(5);
    // The other tab's landing on PARTNER456, made and stored after this one's click left.
    document.cookie = 'affitor_click_id=cust_1_2; path=/';
    document.cookie = `affitor_aff_url=${encodeURIComponent('https://www.shop.example.com/?aff=PARTNER456')}; path=/`;
    document.cookie = `affitor_touch=${Date.now().toString(36)}0000000000; path=/`;
    release();
    await vi.waitFor(() => expect(cookieValue('affitor_outbox')).toBeUndefined());
    expect(cookieValue('affitor_click_id')).toBe('cust_1_2');
    expect(cookieValue('affitor_aff_url')).toBe('https://www.shop.example.com/?aff=PARTNER456');
    await sleep(50);
    expect(held.requested).toEqual([]);
  });

  describe.each([
    ['debug', { 'data-affitor-debug': 'true' }, undefined],
    ['the first-party handler', { 'data-affitor-api-base': '/relay' }, undefined],
    ['a legacy customer_code to migrate', {}, 'customer_code'],
  ])('a page view the main file does (%s), the main file not to be had', (_, attributes: Record<string, string>, legacy) => {
    /** A returning visitor on www.shop.example.com/signup, its click id stored as `name`; the main file 404. */
    async function returning(queued: unknown[] = []) {
      vi.spyOn(console, 'info').mockImplementation(() => {});
      const error = mainMissing();
      await landAlone();
      const clickId = cookieValue('affitor_click_id')!;
      if (legacy) {
        document.cookie = 'affitor_click_id=; max-age=-1; path=/; domain=example.com';
        document.cookie = `${legacy}=${clickId}; path=/`;
      }
      vi.resetModules();
      (window as { affitor?: unknown }).affitor = { q: queued };
      setUrl('https://www.shop.example.com/signup');
      await run('script-landing', scriptTag(attributes));
      return { clickId, error };
    }

    it('a signup\'s lead waits in the outbox with the stored click id, and the next page view sends it; one made in a ready callback too', async () => {
      const { clickId, error } = await returning();
      await affitor().ready!((sdk: Record<string, (...args: unknown[]) => unknown>) => void sdk.signup!('user_in_ready'));
      expect(await affitor().signup!('user_42', 'ada@example.com')).toBeUndefined();
      await mainFailed(error);
      await vi.waitFor(() =>
        expect(storedOutbox().map((event) => [event.route, event.body.customer_key, event.body.click_id])).toEqual([
          ['lead', 'user_in_ready', clickId],
          ['lead', 'user_42', clickId],
        ]),
      );
      vi.resetModules();
      delete (window as { affitor?: unknown }).affitor;
      api.server.use(http.get(MAIN_SRC, () => new HttpResponse('/* the main file */', { headers: { 'Content-Type': 'text/javascript' } })));
      held.requested = [];
      // (A plain tag: this test's API serves no first-party handler's path.)
      setUrl('https://www.shop.example.com/app');
      await run('script-landing', scriptTag());
      await mainArrives();
      await vi.waitFor(() =>
        expect(api.leads().map((lead) => [lead.body.customer_key, lead.body.click_id])).toEqual([
          ['user_in_ready', clickId],
          ['user_42', clickId],
        ]),
      );
    });

    it('a signup the stub queued waits in the outbox too (one queued with no list of arguments is none), queued ready callbacks run (one that throws is said), and onAttribution returns its removal at once', async () => {
      const readied = vi.fn();
      const { clickId, error } = await returning([
        ['signup', ['queued_user']],
        ['signup', 'not_a_list'],
        [
          'ready',
          [
            () => {
              throw new Error('the page\'s callback');
            },
          ],
        ],
        ['ready', [readied]],
      ]);
      const stop = affitor().onAttribution!(() => {});
      expect(stop).toBeTypeOf('function');
      expect(() => (stop as () => void)()).not.toThrow();
      await mainFailed(error);
      await vi.waitFor(() => expect(readied).toHaveBeenCalledWith(affitor()));
      expect(error.mock.calls.some((call) => call[1] == 'queued call failed:' && call[2] == 'ready')).toBe(true);
      await sleep(20);
      expect(storedOutbox().map((event) => [event.route, event.body.customer_key, event.body.click_id])).toEqual([['lead', 'queued_user', clickId]]);
    });
  });

  it.each([
    ['consent pending', { 'data-affitor-consent': 'pending' }, []],
    ['a withdrawal the stub queued', {}, [['revokeConsent', []]]],
  ])('%s, the main file not to be had: a signup writes no cookie', async (_, attributes: Record<string, string>, queued) => {
    const error = mainMissing();
    (window as { affitor?: unknown }).affitor = { q: queued };
    setUrl('https://www.shop.example.com/signup');
    const writes = recordCookieWrites();
    await run('script-landing', scriptTag(attributes));
    await affitor().signup!('user_42');
    await mainFailed(error);
    expect(writes.filter((cookie) => !cookie.includes('max-age=-1'))).toEqual([]);
  });

  it('Global Privacy Control respected (a queued init), the browser not sending it: the first file lands alone, asking for no other file', async () => {
    (window as { affitor?: unknown }).affitor = { q: [['init', [{ respectGlobalPrivacyControl: true }]]] };
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    await run('script-landing', scriptTag());
    await vi.waitFor(() => expect(cookieValue('affitor_click_id')).toBeDefined());
    await sleep(50);
    expect(held.requested).toEqual([]);
  });

  it('Global Privacy Control respected and sent by the browser: the main file does the page view, and writes no cookie', async () => {
    Object.defineProperty(navigator, 'globalPrivacyControl', { configurable: true, get: () => true });
    try {
      (window as { affitor?: unknown }).affitor = { q: [['init', [{ respectGlobalPrivacyControl: true }]]] };
      setUrl('https://www.shop.example.com/?aff=PARTNER123');
      await run('script-landing', scriptTag());
      await mainArrives();
      await vi.waitFor(() => expect(api.clicks()).toHaveLength(1));
      await sleep(50);
      expect(document.cookie).toBe('');
    } finally {
      delete (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl;
    }
  });

  it('a main file of another release than the first file (a browser cached one apart from the other) leaves the page to the first file: one error says so, the lead waits in the outbox', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    await landAlone();
    const clickId = cookieValue('affitor_click_id');
    // The first file that ran is of another release than the main file about to arrive.
    affitor()[Symbol.for('affitor.version') as unknown as string] = 0 as never;
    const first = affitor();
    const signedUp = affitor().signup!('user_42');
    await mainArrives();
    await signedUp;
    await mainFailed(error);
    expect(error.mock.calls.filter((call) => call[1] == 'could not load affitor.main.js')).toEqual([['[Affitor]', 'could not load affitor.main.js', MAIN_SRC, '(of another release)']]);
    expect(affitor()).toBe(first);
    expect(affitor().getClickId!()).toBe(clickId);
    expect(storedOutbox().map((event) => [event.route, event.body.customer_key, event.body.click_id])).toEqual([['lead', 'user_42', clickId]]);
    expect(api.leads()).toEqual([]);
  });
});
