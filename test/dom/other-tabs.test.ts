/**
 * Attribution another tab of the site wrote after this page started (the visitor followed a
 * partner's link into a new tab): read again when the page is shown again, and before a lead.
 */
import { describe, expect, it, vi } from 'vitest';
import { postJson } from '../../src/browser/transport';
import { formatOutbox } from '../../src/core/outbox';
import { newPageView } from '../../src/browser/page-view';
import { readAff } from '../../src/core/values';
import { AffitorTracker } from '../../src/index';
import { API_BASE, cookieValue, land, landed, recordCookieWrites, setUrl, stopRecordingCookies, undoFreshCopyHistory, useTrackingApi, storedOutbox } from '../support/dom';

const api = useTrackingApi();
const LANDING = 'https://shop.example.com/?aff=PARTNER123';

/**
 * What a landing in another tab leaves in the jar this page shares: a click the server recorded, and
 * its cookies (host-only, or on `domain`, as the SDK in a tab with consent writes them).
 */
async function landInAnotherTab(domain?: string, landing = LANDING): Promise<string> {
  const answer = await postJson(`${API_BASE}/api/v1/track/click`, { affiliate_url: landing, additional_data: { program_id: 1 } });
  const clickId = answer.body!.click_id as string;
  const attributes = `;path=/${domain ? ';domain=' + domain : ''}`;
  document.cookie = `affitor_click_id=${clickId}${attributes}`;
  document.cookie = `affitor_click_ids=${clickId}${attributes}`;
  document.cookie = `affitor_aff_url=${encodeURIComponent(landing)}${attributes}`;
  return clickId;
}

/** The visitor comes back to this tab. */
const showAgain = () => document.dispatchEvent(new Event('visibilitychange'));

describe('a tab opened before a landing in another tab', () => {
  it('reads the new attribution when it is shown again, and tells its listeners once', async () => {
    const tracker = await land('https://shop.example.com/pricing');
    const heard = vi.fn();
    tracker.onAttribution(heard);
    const clickId = await landInAnotherTab();
    expect(tracker.getClickId()).toBeNull();

    showAgain();
    expect(tracker.getData()).toEqual({ clickId, programId: 1, hasAttribution: true, affiliateUrl: LANDING });
    expect(heard.mock.calls).toEqual([[expect.objectContaining({ clickId }), expect.objectContaining({ clickId: null })]]);
    // Shown again with nothing new in the jar: nothing to tell.
    showAgain();
    expect(heard).toHaveBeenCalledTimes(1);
  });

  it('sends a signup with the click id the other tab wrote, also when it was not shown again first', async () => {
    const tracker = await land('https://shop.example.com/pricing');
    const clickId = await landInAnotherTab();

    await tracker.signup('user_1');
    expect(api.leads()[0]!.body).toMatchObject({ customer_key: 'user_1', click_id: clickId, click_ids: [clickId] });
    expect(api.app.inspect().leads).toEqual([expect.objectContaining({ click_id: clickId })]);
    expect(tracker.getClickId()).toBe(clickId);
  });

  it.each([
    ['signs up without being shown again', () => undefined],
    ['is shown again, then signs up', showAgain],
  ])(
    "does not take the attribution back with a click it kept through an outage, once another tab stored a newer partner's: it %s",
    async (_, comeBack) => {
      // This tab's landing fails every try: its click is kept to resend.
      api.app.setChaos({ failFirst: { click: 3 } });
      const tracker = await land(LANDING);
      expect(tracker.getClickId()).toBeNull();
      // The API is back. The visitor follows another partner's link in a new tab, whose page
      // resends this tab's kept click as superseded and takes it out of the outbox cookie.
      const newer = await landInAnotherTab(undefined, 'https://shop.example.com/?aff=PARTNER456');
      document.cookie = 'affitor_outbox=;path=/;max-age=0';
      comeBack();
      await tracker.signup('user_1');
      expect(api.leads()[0]!.body).toMatchObject({ customer_key: 'user_1', click_id: newer });
      expect(cookieValue('affitor_click_id')).toBe(newer);
      expect(tracker.getClickId()).toBe(newer);
    },
  );

  it('keeps an attribution held in memory while consent is pending, for the lead too', async () => {
    const tracker = await land(LANDING, { consent: 'pending' });
    const held = tracker.getClickId();
    expect(held).toMatch(/^cust_/);
    expect(cookieValue('affitor_click_id')).toBeUndefined();
    const other = await landInAnotherTab();
    expect(other).not.toBe(held);

    showAgain();
    expect(tracker.getClickId()).toBe(held);
    await tracker.signup('user_1');
    expect(api.leads()[0]!.body).toMatchObject({ click_id: held });
  });
});

describe("a partner's link opened in another tab while this tab's click is not answered yet (last touch across tabs)", () => {
  /** Holds back every click answer (the server records the call at once; only its answer waits) until release(). */
  function holdClickAnswers(): () => void {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    api.answer('click', async ({ request }) => {
      const answer = await api.app.fetch(request);
      await released;
      return answer;
    });
    return release;
  }

  /** A page view's tracker on `url`, its landing's click left unawaited. */
  const startOn = (url: string, options = {}) => {
    setUrl(url);
    newPageView();
    return new AffitorTracker({ programId: 1, apiBase: API_BASE, ...options }).init();
  };

  /**
   * Another tab lands on `landing` a moment after this tab's clicks were made (its clock `aheadMs`
   * ahead): its click is recorded and, when the API tracks it, its attribution written on
   * `.example.com`, with the event id of its click as the touch, as the SDK there writes them.
   * Resolves to its click id.
   */
  async function otherTabLands(landing: string, aheadMs = 0): Promise<string | undefined> {
    // A later millisecond than this tab's clicks: one of the same is no later.
    await new Promise((resolve) => setTimeout(resolve, 2));
    const eventId = (Date.now() + aheadMs).toString(36) + 'othertab01';
    // Straight to the reference server: this tab's answers are the ones held back.
    const body = JSON.stringify({ affiliate_url: landing, additional_data: { program_id: 1 }, event_id: eventId });
    const answer = (await (await api.app.fetch(new Request(`${API_BASE}/api/v1/track/click`, { method: 'POST', body }))).json()) as { click_id?: string };
    const clickId = answer.click_id;
    if (clickId) {
      const attributes = ';path=/;domain=.example.com';
      for (const name of ['affitor_click_id', 'customer_code', 'affitor_click_ids']) document.cookie = `${name}=${clickId}${attributes}`;
      document.cookie = `affitor_aff_url=${encodeURIComponent(landing)}${attributes}`;
      document.cookie = `affitor_touch=${eventId}${attributes}`;
    }
    return clickId;
  }

  /**
   * This tab starts on `url` with its click answers held back; once `clicks` of its clicks reached the
   * server and `meanwhile` ran, another tab lands on `other` (otherTabLands); then the answers come.
   * Resolves to this tab's tracker and the other tab's click id.
   */
  async function otherTabLandsBeforeTheAnswer(
    other: string,
    { url = LANDING, options = {}, clicks = 1, meanwhile = () => {} }: { url?: string; options?: object; clicks?: number; meanwhile?: (tracker: AffitorTracker) => void } = {},
  ) {
    const release = holdClickAnswers();
    const tracker = startOn(url, options);
    await vi.waitFor(() => expect(api.clicks()).toHaveLength(clicks));
    meanwhile(tracker);
    const otherClickId = await otherTabLands(other);
    release();
    await landed();
    return { tracker, otherClickId };
  }

  it("keeps the newer partner's attribution when this tab's older click answers after it, and takes it up", async () => {
    const { tracker, otherClickId: newer } = await otherTabLandsBeforeTheAnswer('https://shop.example.com/?aff=PARTNER456');
    expect(cookieValue('affitor_click_id')).toBe(newer);
    expect(tracker.getClickId()).toBe(newer);
    await tracker.signup('user_1');
    expect(api.leads()[0]!.body).toMatchObject({ click_id: newer });
  });

  it.each([
    ['an inactive partner link', 'https://shop.example.com/?aff=SLEEPING'],
    ['a link the program does not know (mistyped, deleted)', 'https://shop.example.com/?aff=NOSUCHLINK'],
  ])("a newer landing on %s, which the API tracks no click for, is no touch: this tab's click still makes the attribution", async (_, refused) => {
    const { tracker, otherClickId } = await otherTabLandsBeforeTheAnswer(refused);
    expect(otherClickId).toBeUndefined();
    const [click] = api.app.inspect().clicks;
    expect(api.app.inspect().clicks).toHaveLength(1);
    expect(tracker.getClickId()).toBe(click!.click_id);
    expect(cookieValue('affitor_click_id')).toBe(click!.click_id);
  });

  it("keeps the newer partner's attribution from this tab's kept click, resent late by its next page view", async () => {
    // This tab's landing fails every try: its click is kept to resend.
    api.app.setChaos({ failFirst: { click: 3 } });
    await land(LANDING);
    expect(storedOutbox()).toHaveLength(1);
    // The next page view resends it, and its answer is slow; meanwhile the newer partner's link in a new tab.
    const { tracker, otherClickId: newer } = await otherTabLandsBeforeTheAnswer('https://shop.example.com/?aff=PARTNER456', {
      url: 'https://shop.example.com/pricing',
      clicks: 4,
    });
    expect(cookieValue('affitor_click_id')).toBe(newer);
    expect(tracker.getClickId()).toBe(newer);
  });

  it("keeps the newer partner's attribution when consent, pending at this tab's landing, is given before its answer", async () => {
    const { tracker, otherClickId: newer } = await otherTabLandsBeforeTheAnswer('https://shop.example.com/?aff=PARTNER456', {
      options: { consent: 'pending' },
      meanwhile: (tracker) => tracker.grantConsent(),
    });
    expect(cookieValue('affitor_click_id')).toBe(newer);
    expect(tracker.getClickId()).toBe(newer);
  });

  it("a landing on a partner's link again, whose click a page view kept through an outage, is the newest touch, newer than one stored since", async () => {
    api.app.setChaos({ failFirst: { click: 3 } });
    await land(LANDING);
    expect(storedOutbox()).toHaveLength(1);
    // The next page view follows partner B's link: stored. Partner A's kept click, sent again, gets no answer there.
    api.answer('click', async ({ request }) => {
      const body = (await request.clone().json()) as { affiliate_url: string };
      return readAff(body.affiliate_url) == 'PARTNER123' ? new Response('{}', { status: 503 }) : api.app.fetch(request);
    });
    expect((await land('https://shop.example.com/?aff=PARTNER456')).getClickId()).toMatch(/^cust_/);
    api.server.resetHandlers();
    // Partner A's link again: its kept click goes with its event id, and makes the attribution.
    const again = await land(LANDING);
    const clickA = api.app.inspect().clicks.find((click) => readAff(click.affiliate_url) == 'PARTNER123')!.click_id;
    expect(again.getClickId()).toBe(clickA);
    expect(cookieValue('affitor_click_id')).toBe(clickA);
  });

  it("consent given in this tab writes the landing its attribution comes from: another tab's older click, answering late, does not take it back", async () => {
    // The other tab: partner B's landing with consent pending, its answer late.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    api.answer('click', async ({ request }) => {
      const body = (await request.clone().json()) as { affiliate_url: string };
      const answer = await api.app.fetch(request);
      if (readAff(body.affiliate_url) == 'PARTNER456') await released;
      return answer;
    });
    const otherTab = startOn('https://shop.example.com/?aff=PARTNER456', { consent: 'pending' });
    await vi.waitFor(() => expect(api.clicks()).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 5));
    // This tab, a second copy of the SDK on the same jar: partner A's landing, answered, then consent given.
    undoFreshCopyHistory();
    vi.resetModules();
    setUrl(LANDING);
    const sdk = await import('../../src/index');
    const tracker = new sdk.AffitorTracker({ programId: 1, apiBase: API_BASE, consent: 'pending' }).init();
    await vi.waitFor(() => expect(tracker.getClickId()).toMatch(/^cust_/));
    const newer = tracker.getClickId();
    tracker.grantConsent();
    expect(cookieValue('affitor_click_id')).toBe(newer);
    // Consent given in the other tab too, then its older click answers.
    otherTab.grantConsent();
    release();
    await landed();
    expect(cookieValue('affitor_click_id')).toBe(newer);
    expect(otherTab.getClickId()).toBe(newer);
  });

  it('consent given in two tabs that each held a landing: the newer landing stands, whichever tab consents first', async () => {
    for (const newerFirst of [false, true]) {
      api.reset();
      document.cookie.split('; ').forEach((cookie) => (document.cookie = `${cookie.split('=')[0]}=;path=/;max-age=0;domain=.example.com`));
      // The older tab: partner A's landing, consent pending.
      const olderTab = startOn(LANDING, { consent: 'pending' });
      await vi.waitFor(() => expect(olderTab.getClickId()).toMatch(/^cust_/));
      await new Promise((resolve) => setTimeout(resolve, 5));
      // The newer tab, a second copy of the SDK on the same jar: partner B's landing, consent pending.
      undoFreshCopyHistory();
      vi.resetModules();
      setUrl('https://shop.example.com/?aff=PARTNER456');
      const sdk = await import('../../src/index');
      const newerTab = new sdk.AffitorTracker({ programId: 1, apiBase: API_BASE, consent: 'pending' }).init();
      await vi.waitFor(() => expect(newerTab.getClickId()).toMatch(/^cust_/));
      const newer = newerTab.getClickId();
      for (const tab of newerFirst ? [newerTab, olderTab] : [olderTab, newerTab]) tab.grantConsent();
      expect(cookieValue('affitor_click_id'), newerFirst ? 'newer tab consents first' : 'older tab consents first').toBe(newer);
      expect(cookieValue('affitor_aff_url')).toBe('https://shop.example.com/?aff=PARTNER456');
      expect(newerTab.getClickId()).toBe(newer);
      // The older tab takes it up when the visitor comes back to it.
      showAgain();
      expect(olderTab.getClickId()).toBe(newer);
    }
  });

  it("applies a new landing's click after the clock was set back: a touch stored while it was ahead refuses nothing", async () => {
    // Stored an hour ahead of the clock as it is now (corrected since).
    await otherTabLands('https://shop.example.com/?aff=PARTNER456', 3_600_000);
    const tracker = await land(LANDING);
    expect(tracker.getClickId()).toBe(api.app.inspect().clicks[1]!.click_id);
    expect(cookieValue('affitor_click_id')).toBe(tracker.getClickId());
  });

  it("applies this tab's click when it landed after the other tab's (the other's answer came first)", async () => {
    const older = await otherTabLands('https://shop.example.com/?aff=PARTNER456', -1_000);
    const tracker = await land(LANDING);
    expect(tracker.getClickId()).not.toBe(older);
    expect(cookieValue('affitor_click_id')).toBe(tracker.getClickId());
    expect(cookieValue('affitor_touch')).toBe(api.clicks()[0]!.body.event_id);
  });
});

describe('consent given in a tab that held its attribution in memory', () => {
  it('gives way to a newer partner another tab stored meanwhile: read, not written over', async () => {
    const tracker = await land(LANDING, { consent: 'pending' });
    const heard = vi.fn();
    tracker.onAttribution(heard);
    const other = await landInAnotherTab('.example.com');
    tracker.grantConsent();
    expect(cookieValue('affitor_click_id')).toBe(other);
    expect(cookieValue('affitor_click_ids')).toBe(other);
    expect(tracker.getClickId()).toBe(other);
    expect(heard).toHaveBeenCalledTimes(1);
    await tracker.signup('user_1');
    expect(api.leads()[0]!.body).toMatchObject({ click_id: other });
  });

  it('writes its own when it landed after another tab stored its partner', async () => {
    const tracker = await land('https://shop.example.com/pricing', { consent: 'pending' });
    const other = await landInAnotherTab('.example.com');
    await tracker.trackClick('https://shop.example.com/?aff=PARTNER456');
    const held = tracker.getClickId();
    expect(held).not.toBe(other);
    tracker.grantConsent();
    expect(cookieValue('affitor_click_id')).toBe(held);
    expect(tracker.getClickId()).toBe(held);
  });
});

describe('the outbox, one cookie for every tab of the site', () => {
  /**
   * Another tab landed while the API was down and was closed: its click is in the outbox cookie only.
   * Made a moment ago (an event id starts with its time), by the clock as that tab read it: `clockAheadMs`.
   */
  function clickLeftByAnotherTab(clockAheadMs = 0): string {
    const eventId = (Date.now() - 1_000 + clockAheadMs).toString(36) + 'othertab01';
    const click = { route: 'click' as const, body: { affiliate_url: LANDING, additional_data: { program_id: 1 }, event_id: eventId } };
    document.cookie = `affitor_outbox=${encodeURIComponent(formatOutbox([click]))};path=/;domain=.example.com`;
    return eventId;
  }

  it.each([
    ['', 0],
    // The visitor's clock was a day ahead when the other tab landed, and corrected since (or the other way round).
    [', also when the clock was a day ahead then', 86_400_000],
    [', also when the clock was a day behind then', -86_400_000],
  ])('a signup waits for the click another tab stored (this page sends it), and when its own tries fail, the next page view sends the lead with that click id%s', async (_, clockAheadMs) => {
    const tracker = await land('https://shop.example.com/pricing');
    const otherClick = clickLeftByAnotherTab(clockAheadMs);
    // The API is down for leads: the lead is kept, with the click id of the other tab's click, which this page got through.
    api.app.setChaos({ failFirst: { lead: 3 } });
    await tracker.signup('user_1');
    expect(api.leads()).toHaveLength(3);
    expect(api.app.inspect().clicks).toEqual([expect.objectContaining({ event_id: otherClick, click_id: tracker.getClickId() })]);
    expect(api.leads()[0]!.body.click_id).toBe(tracker.getClickId());
    const stored = storedOutbox();
    expect(stored.map((event) => [event.route, event.body.event_id])).toEqual([['lead', api.leads()[0]!.body.event_id]]);

    // The API is back; the visitor goes on.
    const next = await land('https://shop.example.com/welcome');
    await vi.waitFor(() => expect(api.app.inspect().leads).toHaveLength(1));
    expect(next.getClickId()).toMatch(/^cust_/);
    expect(api.app.inspect().leads).toEqual([expect.objectContaining({ click_id: next.getClickId() })]);
    expect(api.app.inspect().clicks).toEqual([expect.objectContaining({ event_id: otherClick })]);
    await vi.waitFor(() => expect(cookieValue('affitor_outbox')).toBeUndefined());
  });

  it('does not write back an event this page delivered, while keeping what another tab stored', async () => {
    const tracker = await land('https://shop.example.com/?aff=PARTNER456');
    const otherClick = clickLeftByAnotherTab();
    await tracker.signup('user_1');
    expect(api.app.inspect().leads).toHaveLength(1);
    // The lead left the outbox once answered; the other tab's click is still there for a later page view.
    expect(storedOutbox().map((event) => event.body.event_id)).toEqual([otherClick]);
  });
});

describe("a tab kept open past the program's window", () => {
  it('hands out the click id no longer once its cookie expired, and tells its listeners', async () => {
    const tracker = await land(LANDING);
    const clickId = tracker.getClickId();
    expect(clickId).toMatch(/^cust_/);
    const heard = vi.fn();
    tracker.onAttribution(heard);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      // Within a minute of the last read, the attribution in memory is handed out without reading the jar.
      const jar = recordCookieWrites();
      vi.setSystemTime(Date.now() + 30_000);
      expect(tracker.getClickId()).toBe(clickId);
      expect(jar.reads).toBe(0);
      stopRecordingCookies();

      // The program's window (30 days) is over: the browser dropped the cookies.
      vi.setSystemTime(Date.now() + 31 * 86_400_000);
      expect(cookieValue('affitor_click_id')).toBeUndefined();
      expect(tracker.getClickId()).toBeNull();
      expect(tracker.getData()).toEqual({ clickId: null, programId: 1, hasAttribution: false, affiliateUrl: null });
      expect(heard.mock.calls).toEqual([[expect.objectContaining({ clickId: null }), expect.objectContaining({ clickId })]]);

      // A signup now carries no partner.
      await tracker.signup('user_1');
      expect(api.leads()[0]!.body.click_id).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });
});
