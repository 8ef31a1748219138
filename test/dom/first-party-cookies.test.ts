/**
 * The SDK pointed at the first-party handler (`apiBase: '/relay'`): the fields it adds to a
 * click for the handler, and the cookies it leaves alone when the handler wrote them.
 * The handler is the real `createAffitorHandler`, mounted on the shop's origin behind msw and
 * forwarding to the reference server.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { pendingClick } from '../../src/browser/landing';
import { newPageView } from '../../src/browser/page-view';
import { SAFARI_CAP_WARNING } from '../../src/core/diagnosis';
import { AffitorTracker } from '../../src/index';
import { createAffitorHandler } from '../../src/server';
import { API_BASE, clearCookies, cookieValue, http, land, recordCookieWrites, setUrl, stopRecordingCookies, useTrackingApi } from '../support/dom';

const SHOP = 'https://www.shop.example.com';
/** diagnose()'s warning for a page behind the handler at /relay whose attribution cookies are the page's. */
const HANDLER_COOKIES_WARNING =
  "Safari keeps cookies written by the page at most 7 days: these are not the handler's at /relay (a CDN stripping Set-Cookie?)";
const ATTRIBUTION = /^(affitor_click_id|customer_code|affitor_click_ids|affitor_aff_url|affitor_set_by)=/;

const api = useTrackingApi({ quietErrors: true });
/** The click bodies the SDK posted to the handler, before the handler stripped its fields. */
let relayed: Array<Record<string, unknown>> = [];
/**
 * What the handler's answer says: `none` takes its Set-Cookie and says none (a handler that wrote
 * nothing); `stripped` takes its Set-Cookie off but keeps `X-Affitor-Cookies: set` (a CDN in front
 * that strips Set-Cookie, or a Domain the browser refused).
 */
let handlerMode: 'real' | 'none' | 'stripped' = 'real';
/** Landing URLs whose next click the mount answers 503 itself, once. */
let failOnce = new Set<string>();
/** Landing URLs whose clicks get no answer from the mount (the network is down for them), until taken out. */
let down = new Set<string>();
/** Landing URLs whose click answer (and its Set-Cookie) reaches the page only once the promise settles. */
let holdAnswer = new Map<string, Promise<void>>();

const handler = createAffitorHandler({ apiUrl: API_BASE, scripts: false });

/**
 * What the browser does with the handler's `Set-Cookie` (happy-dom does not apply it to a
 * fetch answered by msw): stores each one, through the jar's own setter, so the page's
 * recorded `document.cookie` writes stay the page's only.
 */
function storeSetCookies(answer: Response): void {
  let proto: object | null = Object.getPrototypeOf(document) as object;
  while (proto && !Object.getOwnPropertyDescriptor(proto, 'cookie')) proto = Object.getPrototypeOf(proto) as object | null;
  const native = Object.getOwnPropertyDescriptor(proto!, 'cookie')!;
  // happy-dom can keep a `Max-Age=0` cookie readable for about a millisecond (toolchain.md), which a
  // browser does not: the handler's deletions are stored as the 1970 expiry a browser makes of them.
  for (const cookie of answer.headers.getSetCookie()) native.set!.call(document, cookie.replace(/;max-age=0(?=;|$)/i, ';expires=Thu, 01 Jan 1970 00:00:00 GMT'));
}
const mountHandler = () =>
  api.server.use(
    http.all(`${SHOP}/relay/*`, async ({ request }) => {
      const text = await request.text();
      if (request.url.endsWith('/click')) {
        const body = JSON.parse(text) as Record<string, unknown>;
        relayed.push(body);
        if (failOnce.delete(String(body.affiliate_url))) return Response.json({ error: 'busy' }, { status: 503 });
        if (down.has(String(body.affiliate_url))) return Response.error();
      }
      const answer = await handler(new Request(request.url, { method: request.method, headers: request.headers, body: text }));
      if (request.url.endsWith('/click')) await holdAnswer.get(String((JSON.parse(text) as Record<string, unknown>).affiliate_url));
      if (handlerMode == 'real') {
        storeSetCookies(answer);
        return answer;
      }
      const said = handlerMode == 'stripped' ? answer.headers.get('X-Affitor-Cookies')! : 'none';
      return new Response(await answer.text(), { status: answer.status, headers: { 'Content-Type': 'application/json', 'X-Affitor-Cookies': said } });
    }),
  );

// After useTrackingApi's own reset, which clears the handlers msw had.
beforeEach(() => {
  mountHandler();
  relayed = [];
  handlerMode = 'real';
  failOnce = new Set();
  down = new Set();
  holdAnswer = new Map();
});

/** A settled page view of the shop whose SDK talks to the handler at `/relay`. */
const pageView = (url: string, options: ConstructorParameters<typeof AffitorTracker>[0] = {}) => land(url, { apiBase: '/relay', ...options });

const attributionWrites = (writes: string[]) => writes.filter((write) => ATTRIBUTION.test(write));

/**
 * A pending landing through the handler, then consent given: the landing's click goes again for
 * the handler, whose answer (and its Set-Cookie) reaches the page only on `release()`.
 */
async function grantWhileResendHeld(): Promise<{ tracker: AffitorTracker; release: () => void }> {
  const tracker = await pageView(`${SHOP}/?aff=PARTNER123`, { consent: 'pending' });
  let release!: () => void;
  holdAnswer.set(`${SHOP}/?aff=PARTNER123`, new Promise((resolve) => (release = resolve)));
  tracker.grantConsent();
  await vi.waitFor(() => expect(relayed).toHaveLength(2));
  return { tracker, release };
}

/**
 * A landing on PARTNER123 whose answer is held, then trackClick of PARTNER456 answered (the handler
 * wrote its cookies): `releaseOlder` lets the older click answer last, `older` settles once it did.
 */
async function newerAnsweredFirst() {
  let releaseOlder!: () => void;
  holdAnswer.set(`${SHOP}/?aff=PARTNER123`, new Promise((resolve) => (releaseOlder = resolve)));
  setUrl(`${SHOP}/?aff=PARTNER123`);
  newPageView();
  const tracker = new AffitorTracker({ programId: 1, apiBase: '/relay' }).init();
  const older = pendingClick;
  await tracker.trackClick(`${SHOP}/?aff=PARTNER456`);
  return { tracker, older, newest: tracker.getClickId(), releaseOlder };
}

describe('the handler on the page\'s own origin', () => {
  it('is reached there on a page whose <base href> names another origin (a CDN for its assets)', async () => {
    const base = document.createElement('base');
    base.href = 'https://cdn.example.net/static/';
    document.head.append(base);
    const sent: string[] = [];
    const realFetch = globalThis.fetch;
    vi.stubGlobal('fetch', (url: string, init: RequestInit) => (sent.push(String(url)), realFetch(url, init)));
    try {
      await pageView(`${SHOP}/?aff=PARTNER123`);
    } finally {
      base.remove();
    }
    // The page's calls (the handler's own, to the API, are made with the same fetch here).
    expect(sent.filter((url) => !url.startsWith(API_BASE))).toEqual([`${SHOP}/relay/api/v1/track/click`]);
    expect(relayed).toHaveLength(1);
  });
});

describe('the click body for the handler', () => {
  it('carries the probed cookie domain and consent; the handler strips them before the API', async () => {
    await pageView(`${SHOP}/?aff=PARTNER123`);
    expect(relayed).toHaveLength(1);
    expect(relayed[0]).toMatchObject({ cookie_domain: 'example.com', consent: 'granted' });
    expect(relayed[0]).not.toHaveProperty('stale');
    expect(api.clicks()).toHaveLength(1);
    for (const field of ['cookie_domain', 'consent', 'stale']) expect(api.clicks()[0]!.body).not.toHaveProperty(field);
  });

  it('carries the cookieDomain option, and consent pending without probing a domain', async () => {
    await pageView(`${SHOP}/?aff=PARTNER123`, { cookieDomain: 'shop.example.com' });
    expect(relayed[0]).toMatchObject({ cookie_domain: 'shop.example.com', consent: 'granted' });
    clearCookies();
    relayed = [];
    await pageView(`${SHOP}/?aff=PARTNER456`, { consent: 'pending' });
    expect(relayed[0]).toMatchObject({ consent: 'pending' });
    expect(relayed[0]).not.toHaveProperty('cookie_domain');
    expect(document.cookie).not.toMatch(/affitor_/);
  });

  it('marks a click that a newer landing superseded as stale on its next try', async () => {
    failOnce.add(`${SHOP}/?aff=PARTNER123`);
    setUrl(`${SHOP}/?aff=PARTNER123`);
    newPageView();
    const tracker = new AffitorTracker({ programId: 1, apiBase: '/relay' }).init();
    const superseded = pendingClick;
    // The first try failed (503); before its retry, the visitor follows another partner's link.
    await vi.waitFor(() => expect(relayed).toHaveLength(1));
    await tracker.trackClick(`${SHOP}/?aff=PARTNER456`);
    await superseded;
    expect(relayed.map((body) => [String(body.affiliate_url).split('aff=')[1], body.stale])).toEqual([
      ['PARTNER123', undefined],
      ['PARTNER456', undefined],
      ['PARTNER123', true],
    ]);
    // The handler set no cookie for the superseded click: the newer partner keeps the attribution.
    expect(api.clicks()).toHaveLength(2);
    expect(cookieValue('affitor_click_id')).toBe(tracker.getClickId());
    expect(api.clicks().find((click) => String(click.body.affiliate_url).endsWith('PARTNER456'))).toBeDefined();
  }, 10_000);

  it('is not added when apiBase is the handler as a whole URL, and the handler then writes no cookie: consent pending stays off the device', async () => {
    // An absolute apiBase is not a same-origin path to the SDK, so the click says nothing of consent.
    const tracker = await pageView(`${SHOP}/?aff=PARTNER123`, { apiBase: `${SHOP}/relay`, consent: 'pending' });
    expect(relayed).toHaveLength(1);
    expect(relayed[0]).not.toHaveProperty('consent');
    expect(tracker.getClickId()).toMatch(/^cust_/);
    expect(document.cookie).not.toMatch(/affitor_|customer_code/);
  });

  it('is not added when apiBase is the tracking API itself', async () => {
    await pageView(`${SHOP}/?aff=PARTNER123`, { apiBase: API_BASE });
    expect(relayed).toHaveLength(0);
    expect(api.clicks()[0]!.body).not.toHaveProperty('consent');
    expect(api.clicks()[0]!.body).not.toHaveProperty('cookie_domain');
  });
});

describe('cookies the handler wrote', () => {
  it('are read, never written again with document.cookie, on the landing and on later page views', async () => {
    const writes = recordCookieWrites();
    const tracker = await pageView(`${SHOP}/?aff=PARTNER123`);
    const clickId = tracker.getClickId();
    expect(clickId).toMatch(/^cust_/);
    expect(cookieValue('affitor_click_id')).toBe(clickId);
    expect(cookieValue('affitor_set_by')).toBe('server');
    expect(attributionWrites(writes)).toEqual([]);
    expect(tracker.diagnose()).toMatchObject({ cookiesSetBy: 'server', cookiesBlocked: false });
    expect(tracker.diagnose().warnings).not.toContain(SAFARI_CAP_WARNING);

    // A later page view reads them, and says who wrote them (affitor_set_by).
    const later = await pageView(`${SHOP}/pricing`);
    expect(later.getClickId()).toBe(clickId);
    expect(later.diagnose().cookiesSetBy).toBe('server');

    // A new partner on a later page view: the handler writes the new attribution, the page still does not.
    const next = await pageView(`${SHOP}/?aff=PARTNER456`);
    expect(next.getClickId()).not.toBe(clickId);
    expect(cookieValue('affitor_click_id')).toBe(next.getClickId());
    expect(attributionWrites(writes)).toEqual([]);

    await next.signup('user_1');
    expect(api.leads()[0]!.body).toMatchObject({ click_id: next.getClickId() });
  });

  it("are kept when an older integration's twins on the page's folder (written without path=/) shadow them: the page deletes the twins, writes no value", async () => {
    // What an older integration or the shop's own code leaves when it writes from /k/landing without a path.
    setUrl(`${SHOP}/k/landing`);
    for (const name of ['affitor_click_id', 'customer_code']) document.cookie = `${name}=cust_1_100;path=/k`;
    const writes = recordCookieWrites();
    const tracker = await pageView(`${SHOP}/k/pa?aff=PARTNER456`);
    stopRecordingCookies();
    const clickId = tracker.getClickId()!;
    expect(clickId).toMatch(/^cust_/);
    expect(clickId).not.toBe('cust_1_100');
    // Only deletions: the values are the handler's (Set-Cookie, kept for the window in Safari too).
    const written = attributionWrites(writes);
    expect(written.length).toBeGreaterThan(0);
    expect(written.every((write) => /^[a-z_]+=;/.test(write) && /max-age=-1/.test(write)), written.join('\n')).toBe(true);
    expect(new Set(written.filter((write) => /path=\/k(;|$)/.test(write)).map((write) => write.split('=')[0]))).toEqual(new Set(['affitor_click_id', 'customer_code']));
    expect(document.cookie.split('; ').filter((cookie) => /^(affitor_click_id|customer_code)=/.test(cookie)).sort()).toEqual([
      `affitor_click_id=${clickId}`,
      `customer_code=${clickId}`,
    ]);
    expect(cookieValue('affitor_set_by')).toBe('server');
    expect(tracker.diagnose()).toMatchObject({ cookiesSetBy: 'server', cookiesBlocked: false });
    // Another page of that folder reads the handler's click id.
    expect((await pageView(`${SHOP}/k/after`)).getClickId()).toBe(clickId);
  });

  it('are written by the page as before when the answer says none, and affitor_set_by goes', async () => {
    await pageView(`${SHOP}/?aff=PARTNER123`);
    expect(cookieValue('affitor_set_by')).toBe('server');
    handlerMode = 'none';
    const writes = recordCookieWrites();
    const tracker = await pageView(`${SHOP}/?aff=PARTNER456`);
    expect(attributionWrites(writes).map((write) => write.split('=')[0])).toEqual(
      expect.arrayContaining(['affitor_click_id', 'customer_code', 'affitor_click_ids', 'affitor_aff_url', 'affitor_set_by']),
    );
    expect(cookieValue('affitor_click_id')).toBe(tracker.getClickId());
    expect(cookieValue('affitor_set_by')).toBeUndefined();
    expect(tracker.diagnose().cookiesSetBy).toBe('page');
    expect(tracker.diagnose().warnings).toEqual([HANDLER_COOKIES_WARNING]);
  });

  it('are written by the page when the answer says set but the browser holds none (a CDN stripped Set-Cookie): the next page view keeps the partner', async () => {
    handlerMode = 'stripped';
    const tracker = await pageView(`${SHOP}/?aff=PARTNER123`);
    const clickId = tracker.getClickId();
    expect(clickId).toMatch(/^cust_/);
    expect(cookieValue('affitor_click_id')).toBe(clickId);
    expect(tracker.diagnose()).toMatchObject({ cookiesSetBy: 'page', cookiesBlocked: false });
    // The fix is not the handler, which this page already uses: its cookies did not reach the browser.
    expect(tracker.diagnose().warnings).toEqual([HANDLER_COOKIES_WARNING]);
    expect((await pageView(`${SHOP}/pricing`)).getClickId()).toBe(clickId);
  });

  it('are written back by the page, and affitor_set_by goes, when an older click of the same page view answers last', async () => {
    const { tracker, older, newest, releaseOlder } = await newerAnsweredFirst();
    expect(cookieValue('affitor_set_by')).toBe('server');
    // The handler writes the older click's cookies with its answer; the page writes the newest back.
    releaseOlder();
    await older;
    expect(cookieValue('affitor_click_id')).toBe(newest);
    expect(cookieValue('affitor_aff_url')).toContain('PARTNER456');
    expect(cookieValue('affitor_set_by')).toBeUndefined();
    expect(tracker.diagnose()).toMatchObject({ cookiesSetBy: 'page' });
    expect(tracker.diagnose().warnings).toEqual([HANDLER_COOKIES_WARNING]);
  });

  it("are not written back by the page when consent turned back to 'pending' before an older click answered last; consent given again writes the newest", async () => {
    const { tracker, older, newest, releaseOlder } = await newerAnsweredFirst();
    // A provider whose consent prop turns back to 'pending' while the older click is on its way.
    tracker.init({ consent: 'pending' });
    const writes = recordCookieWrites();
    releaseOlder();
    await older;
    stopRecordingCookies();
    expect([...writes]).toEqual([]);
    expect(tracker.getClickId()).toBe(newest);
    tracker.init({ consent: 'granted' });
    expect(cookieValue('affitor_click_id')).toBe(newest);
    expect(cookieValue('affitor_aff_url')).toContain('PARTNER456');
    // And sent again for the handler, which writes them with Set-Cookie.
    await vi.waitFor(() => expect(cookieValue('affitor_set_by')).toBe('server'));
    expect(cookieValue('affitor_click_id')).toBe(newest);
  });

  it('are written by the handler once consent is given after a pending landing (a consent banner), not left to document.cookie', async () => {
    const tracker = await pageView(`${SHOP}/?aff=PARTNER123`, { consent: 'pending' });
    const clickId = tracker.getClickId();
    expect(clickId).toMatch(/^cust_/);
    expect(document.cookie).not.toMatch(/affitor_/);
    const writes = recordCookieWrites();
    tracker.grantConsent();
    // Written at once by the page: a visitor who leaves right after consenting keeps the partner.
    expect(cookieValue('affitor_click_id')).toBe(clickId);
    // Then the same click again (its event id: the API records it once), for the handler to write the cookies itself.
    await vi.waitFor(() => expect(cookieValue('affitor_set_by')).toBe('server'));
    expect(relayed).toHaveLength(2);
    expect(relayed[1]).toMatchObject({ event_id: relayed[0]!.event_id, consent: 'granted', cookie_domain: 'example.com' });
    expect(api.app.inspect().clicks).toHaveLength(1);
    expect(cookieValue('affitor_click_id')).toBe(clickId);
    expect(attributionWrites(writes).filter((write) => write.startsWith('affitor_click_id='))).toHaveLength(1);
    expect(tracker.diagnose()).toMatchObject({ cookiesSetBy: 'server', consent: 'granted' });
    expect(tracker.diagnose().warnings).not.toContain(SAFARI_CAP_WARNING);
  });

  it('are written by the handler when consent is given while the pending landing is on its way (a consent tool restoring an earlier choice)', async () => {
    let release!: () => void;
    holdAnswer.set(`${SHOP}/?aff=PARTNER123`, new Promise((resolve) => (release = resolve)));
    setUrl(`${SHOP}/?aff=PARTNER123`);
    newPageView();
    const tracker = new AffitorTracker({ programId: 1, apiBase: '/relay', consent: 'pending' }).init();
    const click = pendingClick;
    // The click left with consent pending: the handler writes no cookie with its answer.
    await vi.waitFor(() => expect(relayed).toHaveLength(1));
    expect(relayed[0]).toMatchObject({ consent: 'pending' });
    tracker.grantConsent();
    release();
    await click;
    // The page writes them at once, then the same click goes again for the handler to write them for the window.
    await vi.waitFor(() => expect(cookieValue('affitor_set_by')).toBe('server'));
    expect(relayed).toHaveLength(2);
    expect(relayed[1]).toMatchObject({ event_id: relayed[0]!.event_id, consent: 'granted', cookie_domain: 'example.com' });
    expect(api.app.inspect().clicks).toHaveLength(1);
    expect(cookieValue('affitor_click_id')).toBe(tracker.getClickId());
    expect(tracker.diagnose().warnings).not.toContain(SAFARI_CAP_WARNING);
  });

  it('stay deleted when consent is withdrawn while the click sent again for the handler is on its way', async () => {
    const { tracker, release } = await grantWhileResendHeld();
    tracker.revokeConsent();
    expect(document.cookie).not.toMatch(/affitor_/);
    const writes = recordCookieWrites();
    release();
    // The handler's answer carries the cookies it wrote while consent was still given: the page deletes them again.
    await vi.waitFor(() => expect(attributionWrites(writes).length).toBeGreaterThan(0));
    expect(document.cookie).not.toMatch(/affitor_/);
    expect(api.app.inspect().clicks).toHaveLength(1);
    expect(tracker.getClickId()).toBeNull();
  });

  it("keep a newer landing's when the click sent again for the handler after consent answers after it", async () => {
    const { tracker, release } = await grantWhileResendHeld();
    await tracker.trackClick(`${SHOP}/?aff=PARTNER456`);
    const newest = tracker.getClickId();
    expect(cookieValue('affitor_click_id')).toBe(newest);
    release();
    // The handler wrote the older click's cookies with its answer; the page writes the newest back.
    await vi.waitFor(() => expect(cookieValue('affitor_set_by')).toBeUndefined());
    expect(cookieValue('affitor_click_id')).toBe(newest);
    expect(cookieValue('affitor_aff_url')).toContain('PARTNER456');
  });

  it("are the page's again, and affitor_set_by goes, when the page writes over what the handler wrote for a click sent again after consent", async () => {
    // A provider's consent prop: pending at the landing, then given; the same click goes again, and the handler writes its cookies.
    const tracker = await pageView(`${SHOP}/?aff=PARTNER123`, { consent: 'pending' });
    tracker.init({ consent: 'granted' });
    await vi.waitFor(() => expect(cookieValue('affitor_set_by')).toBe('server'));
    // Pending again, a new partner's landing held in memory, then given once more: the page writes
    // the new landing with document.cookie at once, before the handler can write it again.
    tracker.init({ consent: 'pending' });
    await tracker.trackClick(`${SHOP}/?aff=PARTNER456`);
    let release!: () => void;
    holdAnswer.set(`${SHOP}/?aff=PARTNER456`, new Promise((resolve) => (release = resolve)));
    tracker.init({ consent: 'granted' });
    expect(cookieValue('affitor_click_id')).toBe(tracker.getClickId());
    expect(cookieValue('affitor_aff_url')).toContain('PARTNER456');
    // Until the handler has written them again, they are the page's: Safari's cap applies, and diagnose() says so.
    expect(cookieValue('affitor_set_by')).toBeUndefined();
    expect(tracker.diagnose()).toMatchObject({ cookiesSetBy: 'page' });
    release();
    await vi.waitFor(() => expect(cookieValue('affitor_set_by')).toBe('server'));
    expect(cookieValue('affitor_aff_url')).toContain('PARTNER456');
  });

  it('are written by the handler for a kept click that counts again once the landing after it is refused (a mistyped link)', async () => {
    down = new Set([`${SHOP}/?aff=PARTNER123`]);
    await pageView(`${SHOP}/?aff=PARTNER123`);
    down = new Set();
    // The kept click goes superseded (the handler sets no cookie for it), then the landing it was superseded by is refused.
    const tracker = await pageView(`${SHOP}/?aff=NOSUCHPARTNER`);
    expect(cookieValue('affitor_aff_url')).toBe(`${SHOP}/?aff=PARTNER123`);
    expect(tracker.getData().affiliateUrl).toBe(`${SHOP}/?aff=PARTNER123`);
    await vi.waitFor(() => expect(cookieValue('affitor_set_by')).toBe('server'));
    expect(tracker.diagnose()).toMatchObject({ cookiesSetBy: 'server' });
  });

  it("keep a newer landing's when a later page view lands on a refused link while an older kept click is still unanswered", async () => {
    down = new Set([`${SHOP}/?aff=PARTNER123`, `${SHOP}/?aff=PARTNER456`]);
    await pageView(`${SHOP}/?aff=PARTNER123`);
    // The newer partner's landing is applied; the older click, resent beside it, still gets no answer.
    down = new Set([`${SHOP}/?aff=PARTNER123`]);
    const newer = (await pageView(`${SHOP}/?aff=PARTNER456`)).getClickId();
    expect(cookieValue('affitor_aff_url')).toBe(`${SHOP}/?aff=PARTNER456`);
    down = new Set();
    const tracker = await pageView(`${SHOP}/?aff=NOSUCHPARTNER`);
    expect(cookieValue('affitor_aff_url')).toBe(`${SHOP}/?aff=PARTNER456`);
    expect(tracker.getData().affiliateUrl).toBe(`${SHOP}/?aff=PARTNER456`);
    await tracker.signup('user_1', 'a@example.com');
    expect(api.leads().at(-1)!.body.click_id).toBe(newer);
  });

  it('revokeConsent deletes affitor_set_by with the rest', async () => {
    const tracker = await pageView(`${SHOP}/?aff=PARTNER123`);
    expect(cookieValue('affitor_set_by')).toBe('server');
    tracker.revokeConsent();
    expect(document.cookie).not.toMatch(/affitor_|customer_code/);
    expect(tracker.diagnose().cookiesSetBy).toBeNull();
  });

  it('are deleted when consent was withdrawn while the click was on its way, its answer held in memory only', async () => {
    setUrl(`${SHOP}/?aff=PARTNER123`);
    newPageView();
    const tracker = new AffitorTracker({ programId: 1, apiBase: '/relay' }).init();
    tracker.revokeConsent();
    while (pendingClick) await pendingClick;
    // The click left with consent granted, so the handler wrote the cookies with its answer.
    expect(relayed[0]).toMatchObject({ consent: 'granted' });
    expect(document.cookie).not.toMatch(/affitor_|customer_code/);
    // As a landing after the withdrawal: reported, held for the page, never on the device.
    expect(tracker.getClickId()).toMatch(/^cust_/);
    expect(tracker.diagnose()).toMatchObject({ consent: 'revoked', cookiesBlocked: false });
  });

  // A consent manager's callback calls revokeConsent(), and sets the provider's consent prop to
  // 'pending', which React renders after it: the same withdrawal, when the answer comes.
  it("are deleted when consent was withdrawn, then its option turned 'pending', while the click was on its way", async () => {
    let release!: () => void;
    holdAnswer.set(`${SHOP}/?aff=PARTNER123`, new Promise((resolve) => (release = resolve)));
    setUrl(`${SHOP}/?aff=PARTNER123`);
    newPageView();
    const tracker = new AffitorTracker({ programId: 1, apiBase: '/relay' }).init({ consent: 'granted' });
    const click = pendingClick;
    await vi.waitFor(() => expect(relayed).toHaveLength(1));
    expect(relayed[0]).toMatchObject({ consent: 'granted' });
    tracker.revokeConsent();
    tracker.init({ consent: 'pending' });
    release();
    await click;
    expect(document.cookie).not.toMatch(/affitor_|customer_code/);
    expect(tracker.getClickId()).toMatch(/^cust_/);
    expect(tracker.diagnose()).toMatchObject({ consent: 'revoked' });
  });

  it("stay deleted when consent is withdrawn, then its option turned 'pending', while the click sent again for the handler is on its way", async () => {
    // The prop pending at the landing, then 'granted' (the banner's Accept): the same click goes again for the handler.
    const tracker = await pageView(`${SHOP}/?aff=PARTNER123`, { consent: 'pending' });
    let release!: () => void;
    holdAnswer.set(`${SHOP}/?aff=PARTNER123`, new Promise((resolve) => (release = resolve)));
    tracker.init({ consent: 'granted' });
    await vi.waitFor(() => expect(relayed).toHaveLength(2));
    expect(relayed[1]).toMatchObject({ consent: 'granted' });
    tracker.revokeConsent();
    tracker.init({ consent: 'pending' });
    expect(tracker.diagnose()).toMatchObject({ consent: 'revoked' });
    expect(document.cookie).not.toMatch(/affitor_/);
    const writes = recordCookieWrites();
    release();
    await vi.waitFor(() => expect(attributionWrites(writes).length).toBeGreaterThan(0));
    expect(document.cookie).not.toMatch(/affitor_|customer_code/);
    expect(api.app.inspect().clicks).toHaveLength(1);
  });
});

describe('diagnose() on where the cookies came from', () => {
  it('says page, and warns of the Safari cap, when the SDK wrote them with document.cookie', async () => {
    const tracker = await pageView(`${SHOP}/?aff=PARTNER123`, { apiBase: API_BASE });
    expect(tracker.diagnose()).toMatchObject({ cookiesSetBy: 'page' });
    expect(tracker.diagnose().warnings).toEqual([SAFARI_CAP_WARNING]);
    expect(SAFARI_CAP_WARNING).toBe('Safari keeps cookies written by the page at most 7 days: serve the SDK through createAffitorHandler');
  });

  it('says null, with no warning, when there are no attribution cookies', async () => {
    const tracker = await pageView(`${SHOP}/pricing`);
    expect(tracker.diagnose()).toMatchObject({ cookiesSetBy: null, warnings: [] });
  });
});
