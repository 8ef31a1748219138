import { describe, expect, it, vi } from 'vitest';
import { pendingClick } from '../../src/browser/landing';
import { newPageView } from '../../src/browser/page-view';
import { AffitorTracker } from '../../src/index';
import { API_BASE, HttpResponse, cookieValue, http, land, landed, setUrl, useTrackingApi } from '../support/dom';

const api = useTrackingApi();

describe('last touch', () => {
  it('sends one click and writes the cookies when ?aff= lands with no click cookie', async () => {
    const tracker = await land('https://shop.example.com/pricing?aff=PARTNER123');
    expect(api.clicks()).toHaveLength(1);
    expect(api.clicks()[0]!.body).not.toHaveProperty('existing_click_id');
    const clickId = cookieValue('affitor_click_id');
    expect(clickId).toMatch(/^cust_\d+_\d+$/);
    expect(cookieValue('affitor_aff_url')).toBe('https://shop.example.com/pricing?aff=PARTNER123');
    expect(cookieValue('affitor_click_ids')).toBe(clickId);
    expect(cookieValue('customer_code')).toBe(clickId);
    expect(tracker.getData()).toEqual({
      clickId,
      programId: 1,
      hasAttribution: true,
      affiliateUrl: 'https://shop.example.com/pricing?aff=PARTNER123',
    });
    expect(api.app.inspect().clicks).toHaveLength(1);
  });

  it.each(['back_forward', 'reload'])(
    "takes no new touch from a %s page view of an older partner's landing: the visitor followed a newer partner's link since",
    async (type) => {
      const older = 'https://shop.example.com/?aff=PARTNER123';
      await land(older);
      await land('https://shop.example.com/pricing?aff=PARTNER456');
      const newer = cookieValue('affitor_click_id');
      // Back to the older landing's page (not kept in the back-forward cache), or that tab reloaded.
      vi.spyOn(performance, 'getEntriesByType').mockImplementation((entry) => (entry == 'navigation' ? [{ name: older, type } as unknown as PerformanceEntry] : []));
      const info = vi.spyOn(console, 'info').mockImplementation(() => undefined);
      const tracker = await land(older, { debug: true });
      expect(info.mock.calls.map((call) => call.join(' '))).toContain('[Affitor] page opened again (reload, back or forward): no click');
      expect(api.clicks()).toHaveLength(2);
      expect(cookieValue('affitor_click_id')).toBe(newer);
      expect(tracker.getData().affiliateUrl).toBe('https://shop.example.com/pricing?aff=PARTNER456');
      // The app's router moves on keeping that ?aff= (or adds a parameter to it): the same landing, no touch.
      history.replaceState(null, '', '/?aff=PARTNER123&from=menu');
      history.pushState(null, '', '/features?aff=PARTNER123');
      await landed();
      expect(api.clicks()).toHaveLength(2);
      expect(cookieValue('affitor_click_id')).toBe(newer);
      // Another partner's link inside the app is a new touch.
      history.pushState(null, '', '/deal?aff=P1');
      await vi.waitFor(() => expect(api.clicks()).toHaveLength(3));
      await landed();
      expect(cookieValue('affitor_aff_url')).toBe('https://shop.example.com/deal?aff=P1');
    },
  );

  it("lands from a reloaded page when nothing is stored (its first click never came back)", async () => {
    const landing = 'https://shop.example.com/?aff=PARTNER123';
    vi.spyOn(performance, 'getEntriesByType').mockImplementation((entry) => (entry == 'navigation' ? [{ name: landing, type: 'reload' } as unknown as PerformanceEntry] : []));
    await land(landing);
    expect(api.clicks()).toHaveLength(1);
    expect(cookieValue('affitor_click_id')).toMatch(/^cust_/);
  });

  it('sends no request and restores attribution when the same aff lands again', async () => {
    await land('https://shop.example.com/?aff=PARTNER123');
    const first = cookieValue('affitor_click_id');
    const again = await land('https://shop.example.com/other?aff=PARTNER123');
    expect(api.clicks()).toHaveLength(1);
    expect(again.getClickId()).toBe(first);
  });

  it('sends one click with existing_click_id and overwrites the cookies when a different aff lands', async () => {
    await land('https://shop.example.com/?aff=PARTNER123');
    const first = cookieValue('affitor_click_id')!;
    const switched = await land('https://shop.example.com/?aff=PARTNER456');
    expect(api.clicks()).toHaveLength(2);
    expect(api.clicks()[1]!.body.existing_click_id).toBe(first);
    const second = cookieValue('affitor_click_id')!;
    expect(switched.getClickId()).toBe(second);
    expect(cookieValue('affitor_aff_url')).toBe('https://shop.example.com/?aff=PARTNER456');
    expect(cookieValue('affitor_click_ids')!.split('|').at(-1)).toBe(second);
    // The server re-attributed the same customer to the new partner.
    const customers = api.app.inspect().customers as Array<{ partner_id: number }>;
    expect(customers).toHaveLength(1);
    expect(customers[0]!.partner_id).toBe(11);
  });

  it("deletes an older click id written without path=/ (the browser kept it on the page's folder), which its pages read before the new one", async () => {
    await land('https://shop.example.com/?aff=PARTNER123');
    const older = cookieValue('affitor_click_id')!;
    // What an older integration or the shop's own code leaves when it writes from /k/landing without a path.
    setUrl('https://shop.example.com/k/landing');
    for (const name of ['affitor_click_id', 'affitor_click_ids']) document.cookie = `${name}=${older};path=/k`;
    document.cookie = 'affitor_click_id=;path=/;max-age=-1';
    const switched = await land('https://shop.example.com/k/pa?aff=PARTNER456');
    const newer = switched.getClickId()!;
    expect(newer).not.toBe(older);
    // Another page of that folder, and its signup: the newer partner's, not the one the folder's twin named.
    const next = await land('https://shop.example.com/k/after');
    expect(next.getClickId()).toBe(newer);
    expect(document.cookie.split('; ').filter((cookie) => cookie.startsWith('affitor_click_id='))).toEqual([`affitor_click_id=${newer}`]);
  });

  it('restores attribution silently, with no request, when there is no ?aff= but a cookie', async () => {
    await land('https://shop.example.com/?aff=PARTNER123');
    const restored = await land('https://shop.example.com/account');
    expect(api.clicks()).toHaveLength(1);
    expect(restored.getData()).toMatchObject({ clickId: cookieValue('affitor_click_id'), hasAttribution: true });
  });

  it('has no attribution and sends nothing without ?aff= or cookie, and signup still reports', async () => {
    const tracker = await land('https://shop.example.com/');
    expect(api.sent).toHaveLength(0);
    expect(tracker.getData()).toEqual({ clickId: null, programId: 1, hasAttribution: false, affiliateUrl: null });
    await tracker.signup('user_1', 'a@example.com');
    expect(api.leads()).toHaveLength(1);
    expect(api.leads()[0]!.body).not.toHaveProperty('click_id');
  });

  it('never tracks the same landing twice when init is called again', async () => {
    setUrl('https://shop.example.com/?aff=PARTNER123');
    newPageView();
    const tracker = new AffitorTracker({ programId: 1, apiBase: API_BASE }).init();
    tracker.init({ debug: false });
    tracker.init();
    await landed();
    expect(api.clicks()).toHaveLength(1);
  });

  it('tracks the landing once a later init supplies the missing program id', async () => {
    setUrl('https://shop.example.com/?aff=PARTNER123');
    newPageView();
    const tracker = new AffitorTracker({ apiBase: API_BASE }).init();
    // No program id: no click was started.
    expect(pendingClick).toBeNull();
    expect(api.clicks()).toHaveLength(0);
    tracker.init({ programId: 1 });
    await landed();
    expect(api.clicks()).toHaveLength(1);
  });

  it('keeps the newest partner when an older click answers last', async () => {
    setUrl('https://shop.example.com/?aff=PARTNER123');
    newPageView();
    const tracker = new AffitorTracker({ programId: 1, apiBase: API_BASE });
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    let calls = 0;
    api.answer('click', async ({ request }) => {
      calls += 1;
      if (calls === 1) await firstHeld;
      return api.app.fetch(request);
    });
    tracker.init();
    const older = pendingClick;
    await tracker.trackClick('https://shop.example.com/?aff=PARTNER456');
    const newest = tracker.getClickId();
    releaseFirst();
    await older;
    expect(calls).toBe(2);
    expect(tracker.getClickId()).toBe(newest);
    expect(cookieValue('affitor_aff_url')).toContain('PARTNER456');
  });

  it('keeps the stored partner reached again while a newer partner\'s click is still on its way', async () => {
    await land('https://shop.example.com/?aff=PARTNER123');
    const stored = cookieValue('affitor_click_id');
    // Another partner's link, whose click the server records at once but whose answer comes late.
    let releaseSecond!: () => void;
    const secondHeld = new Promise<void>((resolve) => (releaseSecond = resolve));
    api.answer('click', async ({ request }) => {
      const late = String(((await request.clone().json()) as { affiliate_url: string }).affiliate_url).includes('PARTNER456');
      const response = await api.app.fetch(request);
      if (late) await secondHeld;
      return response;
    });
    setUrl('https://shop.example.com/?aff=PARTNER456');
    newPageView();
    const tracker = new AffitorTracker({ programId: 1, apiBase: API_BASE }).init();
    const second = pendingClick;
    // Meanwhile the visitor follows the first partner's link again: that partner is now the newest touch.
    await vi.waitFor(() => expect(api.app.inspect().clicks).toHaveLength(2));
    const third = tracker.trackClick('https://shop.example.com/deal?aff=PARTNER123');
    releaseSecond();
    await Promise.all([second, third]);
    expect(api.clicks()).toHaveLength(3);
    expect(api.clicks()[2]!.body.existing_click_id).toBe(stored);
    expect(tracker.getData()?.affiliateUrl).toBe('https://shop.example.com/deal?aff=PARTNER123');
    expect(cookieValue('affitor_aff_url')).toContain('PARTNER123');
    // The server's last touch agrees: the customer is the first partner's again.
    expect((api.app.inspect().customers as Array<{ partner_id: number }>)[0]!.partner_id).toBe(10);
  });

  it('attributes a partner link whose aff carries stray spaces (?aff=%20PARTNER123%20): the API gets the code the SDK read', async () => {
    const tracker = await land('https://shop.example.com/pricing?aff=%20PARTNER123%20&x=1');
    expect(api.clicks()[0]!.body.affiliate_url).toBe('https://shop.example.com/pricing?aff=PARTNER123&x=1');
    expect(tracker.getClickId()).toMatch(/^cust_/);
    expect(cookieValue('affitor_click_id')).toBe(tracker.getClickId());
    // The same partner again, spaces or not, is no new touch.
    await land('https://shop.example.com/?aff=PARTNER123');
    expect(api.clicks()).toHaveLength(1);
  });

  it('attributes a partner link into a hash-mode app (/#/pricing?aff=): the API gets aff in the query', async () => {
    const tracker = await land('https://shop.example.com/#/pricing?aff=PARTNER123');
    expect(api.clicks()).toHaveLength(1);
    expect(api.clicks()[0]!.body.affiliate_url).toBe('https://shop.example.com/?aff=PARTNER123#/pricing?aff=PARTNER123');
    expect(tracker.getClickId()).toMatch(/^cust_/);
    expect(cookieValue('affitor_click_id')).toBe(tracker.getClickId());
    await land('https://shop.example.com/#/account');
    expect(api.clicks()).toHaveLength(1);
  });
});

describe('trackClick', () => {
  it('reports a click for an explicit partner URL, relative URLs resolved against the page', async () => {
    const tracker = await land('https://shop.example.com/');
    await tracker.trackClick('/landing?aff=PARTNER456');
    expect(api.clicks()).toHaveLength(1);
    expect(api.clicks()[0]!.body.affiliate_url).toBe('https://shop.example.com/landing?aff=PARTNER456');
    expect(tracker.getClickId()).toMatch(/^cust_/);
  });

  it('joins the click init already started for the same landing instead of sending it twice', async () => {
    setUrl('https://shop.example.com/?aff=PARTNER123');
    newPageView();
    const tracker = new AffitorTracker({ programId: 1, apiBase: API_BASE }).init();
    await tracker.trackClick();
    expect(api.clicks()).toHaveLength(1);
    expect(tracker.getClickId()).not.toBeNull();
  });

  it('joins the landing\'s click when called without a URL after the router stripped ?aff=', async () => {
    const error = vi.spyOn(console, 'error');
    setUrl('https://shop.example.com/?aff=PARTNER123');
    newPageView();
    setUrl('https://shop.example.com/pricing');
    const tracker = new AffitorTracker({ programId: 1, apiBase: API_BASE }).init();
    await tracker.trackClick();
    expect(api.clicks()).toHaveLength(1);
    expect(tracker.getClickId()).toMatch(/^cust_/);
    expect(error).not.toHaveBeenCalled();
  });

  it('joins the landing\'s own click, not a click from an earlier page view resent beside it', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    // An earlier page view's click the API could not take stays in the outbox.
    api.server.use(http.post(`${API_BASE}/api/v1/track/click`, () => HttpResponse.error()));
    await land('https://shop.example.com/?aff=PARTNER123');
    api.server.resetHandlers();
    // The new landing's click answers last.
    let releaseLanding!: () => void;
    const landingHeld = new Promise<void>((resolve) => (releaseLanding = resolve));
    api.answer('click', async ({ request }) => {
      if (String(((await request.clone().json()) as { affiliate_url: string }).affiliate_url).includes('PARTNER456')) await landingHeld;
      return api.app.fetch(request);
    });
    setUrl('https://shop.example.com/?aff=PARTNER456');
    newPageView();
    const tracker = new AffitorTracker({ programId: 1, apiBase: API_BASE }).init();
    let settled = false;
    const joined = tracker.trackClick().then(() => (settled = true));
    await vi.waitFor(() => expect(api.app.inspect().clicks).toHaveLength(1));
    expect(settled).toBe(false);
    releaseLanding();
    await joined;
    expect(tracker.getData()?.affiliateUrl).toBe('https://shop.example.com/?aff=PARTNER456');
    await landed();
  });

  it("sends nothing without a URL for the page's landing once a newer partner's History API landing took over", async () => {
    const tracker = await land('https://shop.example.com/?aff=PARTNER123');
    history.pushState(null, '', '/pricing?aff=PARTNER456');
    await vi.waitFor(() => expect(api.clicks()).toHaveLength(2));
    await landed();
    history.pushState(null, '', '/checkout');
    const newer = cookieValue('affitor_click_id');
    // A page whose router calls it on every route: the URL at load (PARTNER123's) was handled, not a new touch.
    await tracker.trackClick();
    await landed();
    expect(api.clicks()).toHaveLength(2);
    expect(cookieValue('affitor_click_id')).toBe(newer);
    expect(tracker.getData().affiliateUrl).toBe('https://shop.example.com/pricing?aff=PARTNER456');
  });

  it("sends nothing without a URL on an older partner's landing page opened again by Back, as init sends nothing", async () => {
    const older = 'https://shop.example.com/?aff=PARTNER123';
    await land(older);
    await land('https://shop.example.com/pricing?aff=PARTNER456');
    const newer = cookieValue('affitor_click_id');
    vi.spyOn(performance, 'getEntriesByType').mockImplementation((entry) => (entry == 'navigation' ? [{ name: older, type: 'back_forward' } as unknown as PerformanceEntry] : []));
    const tracker = await land(older);
    await tracker.trackClick();
    await landed();
    expect(api.clicks()).toHaveLength(2);
    expect(cookieValue('affitor_click_id')).toBe(newer);
    // Named, the older partner's link is a touch the page reports.
    await tracker.trackClick(older);
    expect(api.clicks()).toHaveLength(3);
    expect(tracker.getData().affiliateUrl).toBe(older);
  });

  it('sends the given existingClickId, or none when null is passed', async () => {
    const tracker = await land('https://shop.example.com/');
    await tracker.trackClick('https://shop.example.com/?aff=PARTNER123', 'cust_77_1');
    await tracker.trackClick('https://shop.example.com/?aff=PARTNER456', null);
    expect(api.clicks()[0]!.body.existing_click_id).toBe('cust_77_1');
    expect(api.clicks()[1]!.body).not.toHaveProperty('existing_click_id');
  });
});
