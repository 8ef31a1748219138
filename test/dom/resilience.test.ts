import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { newPageView } from '../../src/browser/page-view';
import type { MockInstance } from 'vitest';
import { AffitorTracker } from '../../src/index';
import { postJson } from '../../src/browser/transport';
import { API_BASE, HttpResponse, cookieValue, http, land as landWith, setUrl, useTrackingApi, storedOutbox } from '../support/dom';

const api = useTrackingApi();
let error: MockInstance<typeof console.error>;
let warn: MockInstance<typeof console.warn>;

beforeEach(() => {
  error = vi.spyOn(console, 'error').mockImplementation(() => {});
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const errorText = () => error.mock.calls.map((call) => call.join(' ')).join('\n');


describe('bad click answers are logged and survived, and keep what was recorded', () => {
  it.each([
    ['a 5xx from the server', () => api.app.setFaults({ click: true }), 'HTTP 500: Click tracking failed'],
    ['an answer that is not JSON', () => api.answer('click', () => new HttpResponse('<html>502</html>', { status: 200 })), 'not JSON'],
    ['a JSON answer that is not an object', () => api.answer('click', () => HttpResponse.json('ok')), 'not JSON'],
    ["a firewall's page refusing it", () => api.answer('click', () => new HttpResponse('<html>Forbidden</html>', { status: 403 })), "HTTP 403, answer is not the API's JSON"],
    ['an answer without click_id', () => api.answer('click', () => HttpResponse.json({ success: true })), 'no usable click_id'],
    ['a network error', () => api.answer('click', () => HttpResponse.error()), "no answer (TypeError: Failed to fetch): is https://shop.example.com in the program's allowed origins (CORS)?"],
  ])('%s', async (_, breakServer, expected) => {
    await landWith('https://shop.example.com/?aff=PARTNER123');
    const before = cookieValue('affitor_click_id');
    breakServer();
    const tracker = await landWith('https://shop.example.com/?aff=PARTNER456');
    expect(errorText()).toContain(expected);
    // Nothing already recorded is lost: the earlier partner's attribution stays.
    expect(tracker.getClickId()).toBe(before);
    expect(cookieValue('affitor_click_id')).toBe(before);
  });

  /** A click that gets no answer, with the `securitypolicyviolation` event a browser fires when the page's policy blocked something at `blockedURI`. */
  const blockedByPolicy = (blockedURI: (requestUrl: string) => string, effectiveDirective = 'connect-src') =>
    api.answer('click', ({ request }) => {
      document.dispatchEvent(Object.assign(new Event('securitypolicyviolation'), { blockedURI: blockedURI(request.url), effectiveDirective }));
      return HttpResponse.error();
    });

  it("names the page's Content-Security-Policy, and the origin to add to its connect-src, when it blocks the tracking API: not CORS", async () => {
    blockedByPolicy((requestUrl) => requestUrl);
    await landWith('https://shop.example.com/?aff=PARTNER123');
    expect(errorText()).toContain(`click not recorded: no answer (blocked by the page's Content-Security-Policy: add ${new URL(API_BASE).origin} to its connect-src) (kept to resend)`);
    expect(errorText()).not.toContain('CORS');
  });

  it.each([
    ['requests to another origin', () => blockedByPolicy(() => 'https://analytics.example.net/collect')],
    ["no request (an image from the API's origin)", () => blockedByPolicy((requestUrl) => requestUrl, 'img-src')],
    ['no request (an inline script)', () => blockedByPolicy(() => 'inline', 'script-src-elem')],
  ])('keeps the CORS hint when the policy blocked %s only', async (_, block) => {
    block();
    await landWith('https://shop.example.com/?aff=PARTNER123');
    expect(errorText()).toContain("no answer (TypeError: Failed to fetch): is https://shop.example.com in the program's allowed origins (CORS)? Else does https://api.affitor.test answer (a typo in apiBase, the API down, a content blocker in this browser)? (kept to resend)");
    expect(errorText()).not.toContain('Content-Security-Policy');
  });

  it('warns, without an error, when the link is inactive (an expected business answer)', async () => {
    vi.spyOn(console, 'info').mockImplementation(() => {});
    // Warnings print with debug only.
    const tracker = await landWith('https://shop.example.com/?aff=INACTIVE1', { debug: true });
    expect(warn).toHaveBeenCalledWith('[Affitor]', 'click not recorded:', 'HTTP 200: Referral link is inactive');
    expect(error).not.toHaveBeenCalled();
    expect(tracker.getClickId()).toBeNull();
    expect(cookieValue('affitor_click_id')).toBeUndefined();
  });

  it('logs a clear error when the API answers 400 for an unknown partner link', async () => {
    await landWith('https://shop.example.com/?aff=NOBODY');
    expect(errorText()).toContain('HTTP 400: Referral link not found');
  });

  it('survives fetch itself throwing synchronously', async () => {
    vi.stubGlobal('fetch', () => {
      throw new Error('fetch blocked');
    });
    const tracker = await landWith('https://shop.example.com/?aff=PARTNER123');
    await expect(tracker.signup('user_1')).resolves.toBeUndefined();
    expect(errorText()).toContain('fetch blocked');
  });
});

describe("a page's fetch wrapper", () => {
  it('that answers a Response-like object without headers (a hand-made wrapper): the answer still makes the attribution', async () => {
    const realFetch = globalThis.fetch;
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      const answer = await realFetch(url, init);
      return { ok: answer.ok, status: answer.status, text: () => answer.text() };
    });
    const tracker = await landWith('https://shop.example.com/?aff=PARTNER123');
    expect(tracker.getClickId()).toMatch(/^cust_/);
    expect(cookieValue('affitor_click_id')).toBe(tracker.getClickId());
    expect(errorText()).toBe('');
  });
});

describe('options of the wrong type', () => {
  it('a cookieDomain that is not a string is refused as its text is, and the landing is tracked on the root domain', async () => {
    const tracker = await landWith('https://www.shop.example.com/?aff=PARTNER123', { cookieDomain: 42 as unknown as string });
    expect(errorText()).toBe('[Affitor] Invalid cookieDomain, using the root domain: 42');
    expect(api.clicks()).toHaveLength(1);
    expect(cookieValue('affitor_click_id')).toBe(tracker.getClickId());
  });

  it('an apiBase given as a URL object works as its text', async () => {
    const tracker = await landWith('https://www.shop.example.com/?aff=PARTNER123', { apiBase: new URL(API_BASE) as unknown as string });
    expect(errorText()).toBe('');
    expect(api.clicks()).toHaveLength(1);
    expect(tracker.getClickId()).toMatch(/^cust_/);
  });

  it('never throws into the page, also when an earlier page view left an event to resend', () => {
    const kept = [{ route: 'click', body: { affiliate_url: 'https://www.shop.example.com/?aff=PARTNER123', event_id: 'lz0abc0123456789', additional_data: { program_id: 1 } } }];
    // On the page first: a cookie written before setUrl belongs to the page the test before left.
    setUrl('https://www.shop.example.com/pricing');
    document.cookie = `affitor_outbox=${encodeURIComponent(JSON.stringify(kept))};path=/`;
    newPageView();
    const tracker = new AffitorTracker({ programId: 1, apiBase: API_BASE, cookieDomain: 42 as unknown as string });
    tracker.init();
    expect(errorText()).toBe('[Affitor] Invalid cookieDomain, using the root domain: 42');
    expect(tracker.diagnose().warnings).toContain('invalid cookieDomain ignored: 42');
  });
});

describe('transport', () => {
  it('gives up on a request that does not answer within its timeout', async () => {
    api.server.use(http.post(`${API_BASE}/hang`, () => new Promise<never>(() => {})));
    const outcome = await postJson(`${API_BASE}/hang`, {}, 50);
    expect(outcome).toEqual({ status: 0, failure: 'timed out' });
  });

  it('posts JSON as text/plain (no CORS preflight) with keepalive', async () => {
    const spy = vi.spyOn(globalThis, 'fetch');
    await landWith('https://shop.example.com/?aff=PARTNER123');
    const [, init] = spy.mock.calls[0]!;
    expect(init).toMatchObject({ method: 'POST', keepalive: true });
    expect(JSON.parse(init!.body as string)).toMatchObject({ affiliate_url: 'https://shop.example.com/?aff=PARTNER123' });
    expect(api.clicks()[0]!.contentType).toMatch(/^text\/plain/);
  });

  it('sends the viewport as innerWidth x innerHeight, found by media queries where the page has matchMedia', async () => {
    const queries = vi.spyOn(window, 'matchMedia');
    await landWith('https://shop.example.com/?aff=PARTNER123');
    expect(api.clicks()[0]!.body.viewport_size).toBe(`${innerWidth}x${innerHeight}`);
    expect(queries).toHaveBeenCalledWith('(min-width:1024px)');
  });

  it('reads innerWidth and innerHeight where the page has no matchMedia (jsdom), and still sends the click', async () => {
    const matchMedia = Object.getOwnPropertyDescriptor(window, 'matchMedia')!;
    // @ts-expect-error -- jsdom's window has none
    delete window.matchMedia;
    expect('matchMedia' in window).toBe(false);
    try {
      await landWith('https://shop.example.com/?aff=PARTNER123');
    } finally {
      Object.defineProperty(window, 'matchMedia', matchMedia);
    }
    expect(api.clicks()[0]!.body.viewport_size).toBe(`${innerWidth}x${innerHeight}`);
  });

  it('reads innerWidth and innerHeight where the page\'s matchMedia throws, and still sends the click', async () => {
    vi.spyOn(window, 'matchMedia').mockImplementation(() => {
      throw new Error('a wrapper of matchMedia broke');
    });
    await landWith('https://shop.example.com/?aff=PARTNER123');
    expect(api.clicks()).toHaveLength(1);
    expect(api.clicks()[0]!.body.viewport_size).toBe(`${innerWidth}x${innerHeight}`);
  });

  it('sends the IANA time zone where the page has Temporal', async () => {
    vi.stubGlobal('Temporal', { Now: { timeZoneId: () => 'Asia/Kolkata' } });
    await landWith('https://shop.example.com/?aff=PARTNER123');
    expect(api.clicks()[0]!.body.timezone).toBe('Asia/Kolkata');
  });

  it.each([
    ['an older Temporal (a polyfill of an earlier draft: Now.timeZone())', { Now: { timeZone: () => ({ id: 'UTC' }) } }],
    ['a Temporal whose timeZoneId throws', { Now: { timeZoneId: () => { throw new RangeError('no time zone'); } } }],
    ['a Temporal whose timeZoneId answers no string', { Now: { timeZoneId: () => ({ id: 'UTC' }) } }],
  ])('sends the click with the UTC offset as its time zone where the page has %s', async (_, temporal) => {
    vi.stubGlobal('Temporal', temporal);
    const tracker = await landWith('https://shop.example.com/?aff=PARTNER123');
    expect(errorText()).toBe('');
    expect(api.clicks()).toHaveLength(1);
    expect(api.clicks()[0]!.body.timezone).toMatch(/^[+-]\d\d:\d\d$/);
    expect(tracker.getClickId()).toMatch(/^cust_/);
  });

  it.each([
    ['answers NaN', () => NaN],
    [
      'throws',
      () => {
        throw new RangeError('no offset');
      },
    ],
  ])("sends the click with no time zone where the page has no Temporal and a Date whose getTimezoneOffset %s", async (_, offset) => {
    vi.stubGlobal('Temporal', undefined);
    vi.spyOn(Date.prototype, 'getTimezoneOffset').mockImplementation(offset);
    const tracker = await landWith('https://shop.example.com/?aff=PARTNER123');
    expect(errorText()).toBe('');
    expect(api.clicks()).toHaveLength(1);
    expect(api.clicks()[0]!.body.timezone).toBe('');
    expect(tracker.getClickId()).toMatch(/^cust_/);
  });

  it("sends a whole millisecond's event id where the page's Date.now answers a fraction, so a click kept through an outage is sent by the next page view", async () => {
    // A page's own high-resolution Date.now.
    vi.spyOn(Date, 'now').mockImplementation(() => performance.timeOrigin + performance.now() + 0.5);
    api.app.setChaos({ failFirst: { click: 3 } });
    await landWith('https://shop.example.com/?aff=PARTNER123');
    const [kept] = storedOutbox();
    expect(kept!.body.event_id).toMatch(/^[\w-]+$/);
    api.app.setChaos({ failFirst: {} });
    const next = await landWith('https://shop.example.com/pricing');
    expect(api.app.inspect().clicks).toEqual([expect.objectContaining({ event_id: kept!.body.event_id })]);
    expect(next.getClickId()).toMatch(/^cust_/);
  });
});

describe('trackClick', () => {
  it('resolves within its bound when the click never answers, also through a fetch that ignores its abort signal; the click stays in the outbox', async () => {
    const tracker = await landWith('https://shop.example.com/');
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    // A page's wrapper of fetch that never settles, whatever the SDK's timeout asks.
    vi.stubGlobal('fetch', () => new Promise<never>(() => {}));
    let settled = false;
    const tracked = tracker.trackClick('https://shop.example.com/?aff=PARTNER456').then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(4_900);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    await tracked;
    expect(storedOutbox()).toEqual([expect.objectContaining({ route: 'click', body: expect.objectContaining({ affiliate_url: 'https://shop.example.com/?aff=PARTNER456' }) as unknown })]);
  });

  it('leaves no timer behind once its click is answered', async () => {
    const tracker = await landWith('https://shop.example.com/');
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await tracker.trackClick('https://shop.example.com/?aff=PARTNER456');
    expect(tracker.getData().affiliateUrl).toBe('https://shop.example.com/?aff=PARTNER456');
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('signup', () => {
  it('sends the lead with every field, bound to the click of the landing', async () => {
    const tracker = await landWith('https://shop.example.com/?aff=PARTNER123');
    await tracker.signup('  user_42 ', 'ada@example.com');
    const lead = api.leads()[0]!.body;
    expect(lead).toMatchObject({
      customer_key: 'user_42',
      email: 'ada@example.com',
      click_id: tracker.getClickId(),
      click_ids: [tracker.getClickId()],
      page_url: 'https://shop.example.com/?aff=PARTNER123',
      program_id: 1,
    });
    expect(lead.session_id).toMatch(/^sess_/);
    const customers = api.app.inspect().customers as Array<{ customer_key: string; status: string }>;
    expect(customers[0]).toMatchObject({ customer_key: 'user_42', status: 'lead' });
  });

  it('waits for a click still in flight, so a lead sent right after landing carries the new id', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    api.answer('click', async ({ request }) => {
      await held;
      return api.app.fetch(request);
    });
    setUrl('https://shop.example.com/?aff=PARTNER123');
    newPageView();
    const tracker = new AffitorTracker({ programId: 1, apiBase: API_BASE }).init();
    const signedUp = tracker.signup('user_1');
    // The click reached the server and is held there: the lead has not left.
    await vi.waitFor(() => expect(api.clicks()).toHaveLength(1));
    expect(api.leads()).toHaveLength(0);
    release();
    await signedUp;
    expect(api.leads()[0]!.body.click_id).toBe(tracker.getClickId());
    expect(tracker.getClickId()).toMatch(/^cust_/);
  });

  it('resolves after a bounded wait when the click never answers; the lead waits behind it and leaves with its click id on the next page view', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    api.answer('click', () => new Promise<never>(() => {}));
    setUrl('https://shop.example.com/?aff=PARTNER123');
    newPageView();
    const tracker = new AffitorTracker({ programId: 1, apiBase: API_BASE }).init();
    let settled = false;
    const signedUp = tracker.signup('user_1').then(() => (settled = true));
    // Queued at once, behind the click, before anything was awaited.
    const [click, lead] = storedOutbox();
    expect(click).toMatchObject({ route: 'click', body: { affiliate_url: 'https://shop.example.com/?aff=PARTNER123' } });
    expect(lead).toMatchObject({ route: 'lead', body: { customer_key: 'user_1' } });
    await vi.advanceTimersByTimeAsync(4_900);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    await signedUp;
    // Sent without the click's id it would be unattributed: it is not sent.
    expect(api.leads()).toHaveLength(0);
    vi.useRealTimers();

    // The visitor goes on (the click never answered there); the API answers again.
    api.server.resetHandlers();
    const next = await landWith('https://shop.example.com/welcome');
    await vi.waitFor(() => expect(api.leads()).toHaveLength(1));
    expect(next.getClickId()).toMatch(/^cust_/);
    expect(api.leads()[0]!.body).toMatchObject({ customer_key: 'user_1', click_id: next.getClickId(), click_ids: [next.getClickId()], event_id: lead!.body.event_id });
    expect(api.app.inspect().leads).toEqual([expect.objectContaining({ click_id: next.getClickId() })]);
    await vi.waitFor(() => expect(cookieValue('affitor_outbox')).toBeUndefined());
  });

  it('resolves within its bound when the lead request itself never answers; the lead stays in the outbox', async () => {
    const tracker = await landWith('https://shop.example.com/?aff=PARTNER123');
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    api.answer('lead', () => new Promise<never>(() => {}));
    let settled = false;
    const signedUp = tracker.signup('user_1').then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(4_900);
    expect(api.leads()).toHaveLength(1);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    await signedUp;
    expect(storedOutbox()).toEqual([
      expect.objectContaining({ route: 'lead', body: expect.objectContaining({ customer_key: 'user_1', click_id: tracker.getClickId() }) as unknown }),
    ]);
  });

  it('leaves no timer behind once its lead is answered (a test runner with fake timers sees none pending)', async () => {
    const tracker = await landWith('https://shop.example.com/?aff=PARTNER123');
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await tracker.signup('user_1');
    expect(api.leads()).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('warns, without an error, for an unattributed visitor the server does not know', async () => {
    const tracker = await landWith('https://shop.example.com/');
    await tracker.signup('stranger');
    expect(error).not.toHaveBeenCalled();
    expect(warn).not.toHaveBeenCalled(); // debug is off: warnings are silent
    vi.spyOn(console, 'info').mockImplementation(() => {});
    tracker.init({ debug: true });
    await tracker.signup('another_stranger');
    expect(warn).toHaveBeenCalledWith('[Affitor]', 'lead not recorded:', 'HTTP 400: Customer not found. Provide a valid click_id or customer_key.');
    expect(error).not.toHaveBeenCalled();
  });

  it('treats a second signup for the same customer as expected, not an error', async () => {
    const tracker = await landWith('https://shop.example.com/?aff=PARTNER123');
    await tracker.signup('user_1');
    await tracker.signup('user_1');
    expect(api.leads()).toHaveLength(2);
    expect(error).not.toHaveBeenCalled();
  });

  it('logs an error when the lead request fails', async () => {
    const tracker = await landWith('https://shop.example.com/?aff=PARTNER123');
    api.app.setFaults({ lead: true });
    await tracker.signup('user_1');
    expect(errorText()).toContain('HTTP 500: Lead tracking failed');
  });

  it.each([
    ['an empty customer key', ['  '], 'customerKey must be a non-empty string'],
    ['a customer key that is not a string', [42], 'customerKey must be a non-empty string'],
    ['an email that is not a string', ['user_1', { email: 'x' }], 'email must be a string'],
    // Over the 64 KiB a browser lets a keepalive request carry, it failed as a network error,
    // which the log blamed on CORS, and was retried on every page view.
    ['a customer key too long to send', ['u'.repeat(70_000)], 'signup: customerKey and email too long to send'],
    ['an email too long to send', ['user_1', 'e'.repeat(40_000) + '@shop.example'], 'signup: customerKey and email too long to send'],
  ])('refuses %s with a clear error and sends nothing', async (_, args, message) => {
    const tracker = await landWith('https://shop.example.com/');
    await (tracker.signup as (...a: unknown[]) => Promise<void>)(...args);
    expect(errorText()).toContain(message);
    expect(api.leads()).toHaveLength(0);
  });
});
