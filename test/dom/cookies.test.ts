import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { newPageView } from '../../src/browser/page-view';
import { AffitorTracker } from '../../src/index';
import { API_BASE, HttpResponse, clearCookies, cookieValue, land as landAt, landed, recordCookieWrites, setUrl, useTrackingApi } from '../support/dom';
import { PARTNER_A, PARTNER_B, seed } from '../support/seed';

const api = useTrackingApi();

/** A write that deletes: the SDK deletes with a negative Max-Age. */
const isDeletion = (write: string) => /;max-age=-\d/.test(write);

/** Each write's cookie name, `<name> deleted` for a deletion, in the order written. */
const writtenNames = (writes: string[]) => writes.map((write) => write.split('=')[0] + (isDeletion(write) ? ' deleted' : ''));

/** How often the page had read the jar (`writes.reads`) when each click request left. */
function readsWhenClicksLeave(writes: { reads: number }): number[] {
  const readsAtClick: number[] = [];
  api.answer('click', ({ request }) => {
    readsAtClick.push(writes.reads);
    return api.app.fetch(request);
  });
  return readsAtClick;
}

/** A landing, with every cookie it wrote. */
async function land(url: string, options: { cookieDomain?: string } = {}, watchClicks = false) {
  const allWrites = recordCookieWrites();
  const readsAtClick = watchClicks ? readsWhenClicksLeave(allWrites) : [];
  const tracker = await landAt(url, options);
  // Deletions (a negative Max-Age) of host-only twins and probes are left out: the cookies as set.
  const writes = allWrites.filter((w) => !isDeletion(w));
  return { tracker, writes, allWrites, readsAtClick, clickWrite: writes.find((w) => w.startsWith('affitor_click_id='))! };
}

const daysUntil = (write: string) => Number(/;max-age=(\d+)/.exec(write)![1]) / 86_400;

describe('cookie attributes', () => {
  it('writes Path=/, SameSite=Lax and an expiry of the program window from the click answer', async () => {
    const { clickWrite } = await land('http://shop.example.com/?aff=PARTNER123');
    expect(clickWrite).toMatch(/;path=\//);
    expect(clickWrite).toMatch(/;samesite=lax/);
    expect(clickWrite).not.toMatch(/secure/);
    expect(daysUntil(clickWrite)).toBe(30);
  });

  it('adds Secure on https', async () => {
    const { writes } = await land('https://shop.example.com/?aff=PARTNER123');
    const ours = writes.filter((w) => !w.startsWith('affitor_probe'));
    expect(new Set(ours.map((w) => w.split('=')[0]))).toEqual(
      new Set(['affitor_session_id', 'affitor_outbox', 'affitor_touch', 'affitor_click_id', 'customer_code', 'affitor_click_ids', 'affitor_aff_url']),
    );
    for (const write of ours) expect(write).toMatch(/;secure$/);
  });

  it.each([
    [0, 1],
    [-5, 1],
    [1000, 365],
    [7.4, 7],
    ['ninety', 60],
    [null, 60],
  ])('clamps cookie_window_days %s from the server to %s days', async (answered, expected) => {
    api.answer('click', () => HttpResponse.json({ success: true, click_id: 'cust_1_1', cookie_window_days: answered }));
    const { clickWrite } = await land('https://shop.example.com/?aff=PARTNER123');
    expect(daysUntil(clickWrite)).toBe(expected);
  });

  it('encodes values so a landing URL cannot add a cookie attribute', async () => {
    const { writes } = await land('https://shop.example.com/?aff=P1&x=a;domain=evil.com');
    const urlWrite = writes.find((w) => w.startsWith('affitor_aff_url='))!;
    expect(urlWrite).not.toMatch(/;domain=evil/i);
    expect(urlWrite.split(';').filter((part) => part.startsWith('domain='))).toEqual(['domain=.example.com']);
    expect(cookieValue('affitor_aff_url')).toBe('https://shop.example.com/?aff=P1&x=a;domain=evil.com');
  });

  it('encodes a click id from the server so it cannot add a cookie attribute, and ignores it as implausible', async () => {
    api.answer('click', () => HttpResponse.json({ success: true, click_id: 'x; domain=evil.com', cookie_window_days: 30 }));
    const { writes, tracker } = await land('https://shop.example.com/?aff=PARTNER123');
    expect(writes.filter((w) => w.startsWith('affitor_click_id'))).toEqual([]);
    expect(tracker.getClickId()).toBeNull();
  });

  it('keeps an overlong landing URL as origin plus aff, within a cookie', async () => {
    const longUrl = `https://shop.example.com/?utm=${'x'.repeat(3000)}&aff=PARTNER123`;
    const { tracker } = await land(longUrl);
    expect(cookieValue('affitor_aff_url')).toBe('https://shop.example.com/?aff=PARTNER123');
    expect(tracker.getData().affiliateUrl).toBe('https://shop.example.com/?aff=PARTNER123');
    expect(api.clicks()[0]!.body.affiliate_url).toBe(longUrl);
  });

  it('ignores cookie values that are not plausible ids', async () => {
    setUrl('https://shop.example.com/');
    newPageView();
    document.cookie = 'affitor_click_id=%3Cscript%3E';
    document.cookie = 'affitor_click_ids=ok_1|<bad>|ok_2';
    const tracker = new AffitorTracker({ programId: 1, apiBase: API_BASE }).init();
    expect(tracker.getClickId()).toBeNull();
    await tracker.signup('user_1');
    expect(api.leads()[0]!.body.click_ids).toEqual(['ok_1', 'ok_2']);
  });

  it('never makes a javascript: URL the landing URL (a merchant may render getData().affiliateUrl as a link)', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const script = 'javascript:alert(document.cookie)//?aff=PARTNER123';
    // A cookie another subdomain of the site wrote on the shared domain.
    setUrl('https://shop.example.com/');
    newPageView();
    document.cookie = `affitor_click_id=cust_1_1;path=/`;
    document.cookie = `affitor_aff_url=${encodeURIComponent(script)};path=/`;
    const tracker = new AffitorTracker({ programId: 1, apiBase: API_BASE }).init();
    expect(tracker.getData().affiliateUrl).toBeNull();
    // A click event such a subdomain left in the outbox cookie, resent by this page view.
    const planted = { route: 'click', body: { affiliate_url: script, event_id: (Date.now() - 1000).toString(36) + 'planted001' } };
    newPageView();
    document.cookie = `affitor_outbox=${encodeURIComponent(JSON.stringify([planted]))};path=/`;
    const resent = new AffitorTracker({ programId: 1, apiBase: API_BASE }).init();
    await landed();
    expect(resent.getData().affiliateUrl).toBeNull();
    // A link the page hands to trackClick.
    await resent.trackClick(script);
    expect(resent.getData().affiliateUrl).toBeNull();
    expect(api.clicks()).toEqual([]);
  });

  it('survives an outbox cookie holding an overlong affiliate_url that is no URL: init does not throw, the landing is tracked', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    setUrl('https://shop.example.com/');
    newPageView();
    const junk = { route: 'click', body: { affiliate_url: 'x'.repeat(2000), event_id: (Date.now() - 1000).toString(36) + 'junkevent1' } };
    document.cookie = `affitor_outbox=${encodeURIComponent(JSON.stringify([junk]))};path=/`;
    const tracker = await landAt('https://shop.example.com/?aff=PARTNER123');
    expect(tracker.getClickId()).toMatch(/^cust_/);
    expect(cookieValue('affitor_click_id')).toBe(tracker.getClickId());
  });

  it('survives an outbox cookie edited by hand to hold a lead without a body: the landing is tracked, the readable event beside it kept', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    setUrl('https://shop.example.com/');
    newPageView();
    // Left by an earlier page view: resent by this one.
    const readable = { route: 'lead', body: { customer_key: 'user_2', event_id: (Date.now() - 1000).toString(36) + 'readable01' } };
    document.cookie = `affitor_outbox=${encodeURIComponent(JSON.stringify([{ route: 'lead' }, readable]))};path=/`;
    const tracker = await landAt('https://shop.example.com/?aff=PARTNER123');
    expect(api.clicks()).toHaveLength(1);
    expect(tracker.getClickId()).toMatch(/^cust_/);
    expect(cookieValue('affitor_click_id')).toBe(tracker.getClickId());
    await vi.waitFor(() => expect(api.leads().map((lead) => lead.body.customer_key)).toContain('user_2'));
  });
});

describe('click history', () => {
  it('keeps at most 20 click ids, oldest first, newest last', async () => {
    setUrl('https://shop.example.com/');
    newPageView();
    document.cookie = `affitor_click_ids=${encodeURIComponent(Array.from({ length: 20 }, (_, i) => `old_${i}`).join('|'))};path=/`;
    const { tracker } = await land('https://shop.example.com/?aff=PARTNER123');
    const history = cookieValue('affitor_click_ids')!.split('|');
    expect(history).toHaveLength(20);
    expect(history[0]).toBe('old_1');
    expect(history[19]).toBe(tracker.getClickId());
  });
});

describe('cookie round trips', () => {
  // Each document.cookie access can be a round trip to the browser process: a landing's script time.
  it('a landing reads the jar once before its click (restoring, and the probe written before it) and writes each cookie once, deleting none it did not have', async () => {
    const { allWrites, readsAtClick } = await land('https://shop.example.com/?aff=PARTNER123', {}, true);
    expect(writtenNames(allWrites)).toEqual([
      'affitor_probe',
      'affitor_probe deleted',
      'affitor_session_id',
      'affitor_outbox',
      // The answer's cookies first, and the landing they come from, then the click leaves the
      // outbox: storing it reads the jar again.
      'affitor_click_id',
      'customer_code',
      'affitor_click_ids',
      'affitor_aff_url',
      'affitor_touch',
      'affitor_outbox deleted',
    ]);
    expect(readsAtClick).toEqual([1]);
    // Once more for the touch when the answer comes (another tab may have stored a newer landing's
    // attribution since, landing.ts), and when the answer takes the click out of the outbox, after
    // its cookies: what another tab stored meanwhile is kept (outbox.ts).
    expect(allWrites.reads).toBe(3);
  });

  it('a click answered on its retry, too, writes its cookies before it leaves the outbox', async () => {
    api.app.setChaos({ failFirst: { click: 1 } });
    const { allWrites } = await land('https://shop.example.com/?aff=PARTNER123');
    expect(api.clicks()).toHaveLength(2);
    const names = writtenNames(allWrites);
    expect(names.slice(names.indexOf('affitor_click_id'))).toEqual(['affitor_click_id', 'customer_code', 'affitor_click_ids', 'affitor_aff_url', 'affitor_touch', 'affitor_outbox deleted']);
  });

  it('past a refused first candidate (co.uk), the next probe reads back on its own', async () => {
    const { allWrites, readsAtClick, clickWrite } = await land('https://www.shop.example.co.uk/?aff=PARTNER123', {}, true);
    expect(clickWrite).toContain(';domain=.example.co.uk');
    expect(allWrites.filter((w) => w.startsWith('affitor_probe=1')).map((w) => /domain=\.([^;]+)/.exec(w)![1])).toEqual(['co.uk', 'example.co.uk']);
    expect(readsAtClick).toEqual([2]);
  });

  it('probes ahead too when a router stripped ?aff= before init: one read, the click on the landing URL', async () => {
    setUrl('https://shop.example.com/welcome?aff=PARTNER123');
    newPageView();
    history.replaceState({}, '', '/welcome');
    const writes = recordCookieWrites();
    const readsAtClick = readsWhenClicksLeave(writes);
    new AffitorTracker({ programId: 1, apiBase: API_BASE }).init();
    await landed();
    expect(api.clicks()[0]!.body.affiliate_url).toBe('https://shop.example.com/welcome?aff=PARTNER123');
    expect(writes[0]).toMatch(/^affitor_probe=1;.*domain=\.example\.com/);
    expect(readsAtClick).toEqual([1]);
    expect(cookieValue('affitor_click_id')).toMatch(/^cust_/);
  });

  it('a reload of the stored landing sends no click and leaves no probe behind: it only says it is the latest touch', async () => {
    await landAt('https://shop.example.com/?aff=PARTNER123');
    const writes = recordCookieWrites();
    const tracker = await landAt('https://shop.example.com/?aff=PARTNER123');
    expect(api.clicks()).toHaveLength(1);
    expect(tracker.getData().hasAttribution).toBe(true);
    // Its twins on the other places a cookie of ours may be go first, as every cookie's do.
    expect(writtenNames(writes)).toEqual(['affitor_probe', 'affitor_probe deleted', 'affitor_touch deleted', 'affitor_touch deleted', 'affitor_touch']);
    expect(document.cookie).not.toContain('affitor_probe');
  });

  it('writes no probe on a page view that is not a landing, nor on a landing with consent pending', async () => {
    setUrl('https://shop.example.com/pricing');
    newPageView();
    const writes = recordCookieWrites();
    new AffitorTracker({ programId: 1, apiBase: API_BASE }).init();
    await landAt('https://shop.example.com/?aff=PARTNER123', { consent: 'pending' });
    expect([...writes]).toEqual([]);
  });

  it('probes a cookieDomain set after the first probe: the cookies go where it sticks, past one the browser refuses', async () => {
    const tracker = await landAt('https://a.b.example.com/?aff=PARTNER123');
    tracker.init({ cookieDomain: 'b.example.com' });
    await tracker.trackClick('https://a.b.example.com/?aff=PARTNER456');
    expect(tracker.diagnose()).toMatchObject({ cookiesBlocked: false, cookieDomain: 'b.example.com', cookieDomainReason: 'option' });
    // A parent domain the browser refuses (a public suffix): every cookie on it would be refused.
    tracker.init({ cookieDomain: 'com' });
    await tracker.trackClick('https://a.b.example.com/?aff=PARTNER123');
    expect(tracker.diagnose()).toMatchObject({ cookiesBlocked: false, cookieDomain: 'example.com' });
    expect(cookieValue('affitor_click_id')).toBe(tracker.getClickId());
  });

  it('still reads back where no probe proved cookies stick, and keeps the attribution in memory when they did not', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const writes = recordCookieWrites((cookie) => !cookie.startsWith('affitor_click_id='));
    const tracker = await landAt('http://localhost/?aff=PARTNER123', { debug: true });
    expect(writes.some((w) => w.startsWith('affitor_probe'))).toBe(false);
    expect(tracker.getClickId()).toMatch(/^cust_/);
    expect(tracker.diagnose()?.cookiesBlocked).toBe(true);
    expect(warn).toHaveBeenCalledWith('[Affitor]', 'cookies blocked: attribution kept in memory');
  });

  it('writes the attribution it held while a consent manager blocked cookie writes once grantConsent() comes, on the root domain', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    // An auto-blocking consent manager (Cookiebot, CookieYes) drops every cookie write until the visitor accepts.
    let accepted = false;
    recordCookieWrites(() => accepted);
    const tracker = await landAt('https://www.shop.example.com/?aff=PARTNER123');
    const held = tracker.getClickId();
    expect(held).toMatch(/^cust_/);
    expect(tracker.diagnose()?.cookiesBlocked).toBe(true);

    accepted = true;
    tracker.grantConsent();
    expect(cookieValue('affitor_click_id')).toBe(held);
    expect(tracker.diagnose()).toMatchObject({ cookiesBlocked: false, cookieDomain: 'example.com' });
    // The next page view, without ?aff=, still has the partner.
    const next = await landAt('https://app.shop.example.com/welcome');
    expect(next.getClickId()).toBe(held);
  });

  it('keeps the attribution held in memory when cookies are blocked and init is called again (a single-page app re-rendering)', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    // The browser keeps none of the page's cookies.
    recordCookieWrites(() => false);
    const tracker = await landAt('http://localhost/?aff=PARTNER123');
    const held = tracker.getClickId();
    expect(held).toMatch(/^cust_/);

    tracker.init({ debug: false });
    expect(tracker.getClickId()).toBe(held);
    await tracker.signup('user_1');
    expect(api.leads()[0]!.body).toMatchObject({ customer_key: 'user_1', click_id: held });
  });
});

describe('session id', () => {
  it('is one per browser session: a session cookie (no expiry) the next page view sends again', async () => {
    const { writes } = await land('https://shop.example.com/?aff=PARTNER123');
    const sessionWrite = writes.find((w) => w.startsWith('affitor_session_id='))!;
    expect(sessionWrite).not.toMatch(/max-age|expires/);
    expect(sessionWrite).toContain(';domain=.example.com');
    const first = api.clicks()[0]!.body.session_id;
    expect(first).toMatch(/^sess_[a-z0-9]+$/);
    expect(cookieValue('affitor_session_id')).toBe(first);

    const { tracker: next } = await land('https://shop.example.com/?aff=PARTNER456');
    expect(api.clicks()[1]!.body.session_id).toBe(first);
    await next.signup('user_1');
    expect(api.leads()[0]!.body.session_id).toBe(first);
  });
});

describe('host-only leftovers', () => {
  it('replaces a host-only cookie from an earlier integration when writing on the root domain', async () => {
    setUrl('https://shop.example.com/');
    newPageView();
    document.cookie = 'affitor_click_id=cust_1_1;path=/';
    document.cookie = 'affitor_aff_url=' + encodeURIComponent('https://shop.example.com/?aff=PARTNER123') + ';path=/';
    const { tracker } = await land('https://shop.example.com/?aff=PARTNER456');
    expect(api.clicks()[0]!.body.existing_click_id).toBe('cust_1_1');
    // Only the new, root-domain cookie is left to read: the stale host-only one cannot shadow it.
    expect(document.cookie.match(/affitor_click_id=/g)).toHaveLength(1);
    expect(cookieValue('affitor_click_id')).toBe(tracker.getClickId());
  });

  it('replaces the cookies an earlier, narrower cookieDomain left, so the older partner cannot shadow the newer', async () => {
    await landAt('https://a.b.example.com/?aff=PARTNER123', { cookieDomain: 'b.example.com' });
    // The option removed: the probe chooses .example.com, beside the cookies on .b.example.com.
    const { tracker } = await land('https://a.b.example.com/?aff=PARTNER456');
    expect(document.cookie.match(/affitor_click_id=/g)).toHaveLength(1);
    const next = await landAt('https://a.b.example.com/pricing');
    expect(next.getClickId()).toBe(tracker.getClickId());
    expect(next.getData().affiliateUrl).toBe('https://a.b.example.com/?aff=PARTNER456');
  });
});

describe("a page that replaces Array's methods", () => {
  /**
   * Runs `during` with Array.prototype[name] replaced by `replacement`, as a page's library does
   * (Prototype.js up to 1.7.0, which Magento 1 ships, passes map's callback two arguments, not three).
   */
  async function withArrayMethod(name: 'map' | 'flatMap' | 'join', replacement: (this: unknown[], ...args: never[]) => unknown, during: () => unknown) {
    const original = Object.getOwnPropertyDescriptor(Array.prototype, name)!;
    Object.defineProperty(Array.prototype, name, { ...original, value: replacement });
    try {
      await during();
    } finally {
      Object.defineProperty(Array.prototype, name, original);
    }
  }

  /** Prototype.js 1.7.0's map: the callback gets the value and its index only. */
  function twoArgumentMap(this: unknown[], callback: (value: unknown, index: number) => unknown): unknown[] {
    const mapped: unknown[] = [];
    for (let at = 0; at < this.length; at++) mapped.push(callback(this[at], at));
    return mapped;
  }

  it("still lets a newer partner's landing take over, and a withdrawal delete every cookie", async () => {
    await landAt('https://shop.example.com/k/landing?aff=PARTNER123');
    await withArrayMethod('map', twoArgumentMap, async () => {
      const { tracker } = await land('https://shop.example.com/k/landing?aff=PARTNER456');
      expect(cookieValue('affitor_aff_url')).toBe('https://shop.example.com/k/landing?aff=PARTNER456');
      expect(cookieValue('affitor_click_id')).toBe(tracker.getClickId());
      tracker.revokeConsent();
      expect(document.cookie).not.toMatch(/affitor_/);
    });
  });

  it('never throws a broken one into the consent calls: each says what failed instead', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const broken = () => {
      throw new TypeError('broken polyfill');
    };
    // Consent pending at the landing: the attribution is held, for grantConsent() to write.
    const tracker = await landAt('https://shop.example.com/?aff=PARTNER123', { consent: 'pending' });
    await withArrayMethod('join', broken, () => expect(() => tracker.grantConsent()).not.toThrow());
    await withArrayMethod('flatMap', broken, () => expect(() => tracker.revokeConsent()).not.toThrow());
    expect(error.mock.calls.map((call) => `${call[0]} ${call[1]} ${String(call[2])}`)).toEqual([
      '[Affitor] grantConsent failed: TypeError: broken polyfill',
      '[Affitor] revokeConsent failed: TypeError: broken polyfill',
    ]);
  });
});

describe('legacy customer_code', () => {
  it('reads a legacy customer_code cookie and migrates it into affitor_click_id', async () => {
    setUrl('https://shop.example.com/');
    newPageView();
    document.cookie = 'customer_code=cust_5_100';
    const tracker = new AffitorTracker({ programId: 1, apiBase: API_BASE }).init();
    expect(tracker.getClickId()).toBe('cust_5_100');
    expect(cookieValue('affitor_click_id')).toBe('cust_5_100');
    // Nothing started: no request is under way or to come.
    await landed();
    expect(api.sent).toHaveLength(0);
  });
});

describe('root domain', () => {
  it.each([
    ['https://a.b.example.com/?aff=PARTNER123', 'example.com'],
    ['https://www.shop.example.co.uk/?aff=PARTNER123', 'example.co.uk'],
    ['https://shop.example.co.uk/?aff=PARTNER123', 'example.co.uk'],
  ])('on %s writes the cookies on .%s, found by probing', async (url, domain) => {
    const { writes } = await land(url);
    expect(writes.filter((w) => w.startsWith('affitor_click_id='))[0]).toContain(`;domain=.${domain}`);
    const probes = writes.filter((w) => w.startsWith('affitor_probe=1')).map((w) => /domain=\.([^;]+)/.exec(w)![1]);
    // Shortest first: for .co.uk the browser refuses the public suffix and the next candidate is tried.
    expect(probes.at(-1)).toBe(domain);
    if (domain === 'example.co.uk') expect(probes[0]).toBe('co.uk');
    expect(document.cookie).not.toContain('affitor_probe');
  });

  it.each(['http://localhost/?aff=PARTNER123', 'http://127.0.0.1/?aff=PARTNER123', 'http://intranet/?aff=PARTNER123'])(
    'writes host-only cookies with no probe on %s',
    async (url) => {
      const { writes } = await land(url);
      expect(writes.some((w) => w.startsWith('affitor_probe'))).toBe(false);
      expect(writes.find((w) => w.startsWith('affitor_click_id='))).not.toMatch(/domain=/);
      expect(cookieValue('affitor_click_id')).toMatch(/^cust_/);
    },
  );

  it('probes once per tracker and reuses the domain for later writes', async () => {
    const { tracker, allWrites: writes } = await land('https://a.b.example.com/?aff=PARTNER123');
    await tracker.trackClick('https://a.b.example.com/?aff=PARTNER456');
    expect(writes.filter((w) => w.startsWith('affitor_probe=1'))).toHaveLength(1);
  });

  it('uses the cookieDomain option, probing only it', async () => {
    const { tracker, writes } = await land('https://a.b.example.com/?aff=PARTNER123', { cookieDomain: '.b.example.com' });
    expect(writes.filter((w) => w.startsWith('affitor_probe=1')).map((w) => /domain=\.([^;]+)/.exec(w)![1])).toEqual(['b.example.com']);
    expect(writes.find((w) => w.startsWith('affitor_click_id='))).toContain(';domain=.b.example.com');
    expect(tracker.diagnose()?.cookieDomainReason).toBe('option');
  });

  it.each([
    ['https://shop.example.co.uk/?aff=PARTNER123', 'co.uk', 'example.co.uk'],
    ['https://a.b.example.com/?aff=PARTNER123', 'com', 'example.com'],
    ['http://localhost/?aff=PARTNER123', 'localhost', undefined],
  ])('on %s, a cookieDomain the browser refuses (%s) gives way to the domain it accepts', async (url, option, domain) => {
    const { tracker, clickWrite } = await land(url, { cookieDomain: option });
    if (domain) expect(clickWrite).toContain(`;domain=.${domain}`);
    else expect(clickWrite).not.toContain('domain=');
    // Kept for the next page, not in memory only.
    expect(cookieValue('affitor_click_id')).toBe(tracker.getClickId());
    expect(tracker.diagnose()).toMatchObject({ cookiesBlocked: false, cookieDomain: domain ?? null, cookieDomainReason: domain ? 'probe' : 'host-only' });
  });

  it('refuses a cookieDomain that would inject an attribute, logs an error and probes instead', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { writes } = await land('https://a.b.example.com/?aff=PARTNER123', { cookieDomain: 'example.com; secure=false' });
    expect(writes.find((w) => w.startsWith('affitor_click_id='))).toContain(';domain=.example.com;');
    expect(writes.join('\n')).not.toContain('secure=false');
    expect(error).toHaveBeenCalledWith('[Affitor]', expect.stringContaining('cookieDomain'), 'example.com; secure=false');
  });
});

describe('two programs on one root domain (README, Cookies)', () => {
  const twoPrograms = () =>
    seed()
      .program(1, 'tok_1', { cookie_window_days: 30 })
      .program(2, 'tok_2', { cookie_window_days: 30 })
      .partners(PARTNER_A, PARTNER_B)
      .link('P1LINK', 1, PARTNER_A.id)
      .link('P2LINK', 2, PARTNER_B.id)
      .admin('admin')
      .build();

  /** Partner A's landing on program 1's app, then partner B's on program 2's, then a signup back on program 1's. */
  async function bothProgramsThenSignup(app1: { cookieDomain?: string }, app2: { cookieDomain?: string }) {
    api.reset(twoPrograms());
    // The teardown clears the jar of the last page's host and its parents only: app2.example.com's would stay for the next test.
    onTestFinished(() => {
      for (const host of ['app1', 'app2']) {
        setUrl(`https://${host}.example.com/`);
        clearCookies();
      }
    });
    const first = (await landAt('https://app1.example.com/?aff=P1LINK', { programId: 1, ...app1 })).getClickId();
    const second = (await landAt('https://app2.example.com/?aff=P2LINK', { programId: 2, ...app2 })).getClickId();
    const back = await landAt('https://app1.example.com/signup', { programId: 1, ...app1 });
    await back.signup('app1_user', 'v@example.com');
    return { first, second, back };
  }

  it("keep each its own attribution where each program's pages set a cookieDomain of their own", async () => {
    const { first, back } = await bothProgramsThenSignup({ cookieDomain: 'app1.example.com' }, { cookieDomain: 'app2.example.com' });
    expect(back.getClickId()).toBe(first);
    expect(api.leads().at(-1)!.body).toMatchObject({ click_id: first, program_id: 1 });
    expect(api.app.inspect().customers.find((customer) => customer.click_id == first)).toMatchObject({ program_id: 1, status: 'lead' });
  });

  it('share one where they share the root domain: the later link of either takes last touch', async () => {
    const { second, back } = await bothProgramsThenSignup({}, {});
    expect(back.getClickId()).toBe(second);
    expect(api.leads().at(-1)!.body).toMatchObject({ click_id: second, program_id: 1 });
  });
});
