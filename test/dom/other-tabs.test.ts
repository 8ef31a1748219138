/**
 * Attribution another tab of the site wrote after this page started (the visitor followed a
 * partner's link into a new tab): read again when the page is shown again, and before a lead.
 */
import { describe, expect, it, vi } from 'vitest';
import { postJson } from '../../src/browser/transport';
import { formatOutbox } from '../../src/core/outbox';
import { API_BASE, cookieValue, land, recordCookieWrites, stopRecordingCookies, useTrackingApi, storedOutbox } from '../support/dom';

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
  ])('keeps a click another tab stored when this page stores its own lead, and the next page view sends the lead with that click id%s', async (_, clockAheadMs) => {
    const tracker = await land('https://shop.example.com/pricing');
    const otherClick = clickLeftByAnotherTab(clockAheadMs);
    // The API is still down: the lead is kept too, after the other tab's click.
    api.app.setChaos({ failFirst: { lead: 3 } });
    await tracker.signup('user_1');
    expect(api.leads()).toHaveLength(3);
    const stored = storedOutbox();
    expect(stored.map((event) => [event.route, event.body.event_id])).toEqual([
      ['click', otherClick],
      ['lead', api.leads()[0]!.body.event_id],
    ]);

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
