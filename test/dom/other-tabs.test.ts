/**
 * Attribution another tab of the site wrote after this page started (the visitor followed a
 * partner's link into a new tab): read again when the page is shown again, and before a lead.
 */
import { describe, expect, it, vi } from 'vitest';
import { postJson } from '../../src/browser/transport';
import { API_BASE, cookieValue, land, useTrackingApi } from '../support/dom';

const api = useTrackingApi();
const LANDING = 'https://shop.example.com/?aff=PARTNER123';

/** What a landing in another tab leaves in the jar this page shares: a click the server recorded, and its cookies. */
async function landInAnotherTab(): Promise<string> {
  const answer = await postJson(`${API_BASE}/api/v1/track/click`, { affiliate_url: LANDING, additional_data: { program_id: 1 } });
  const clickId = answer.body!.click_id as string;
  document.cookie = `affitor_click_id=${clickId};path=/`;
  document.cookie = `affitor_click_ids=${clickId};path=/`;
  document.cookie = `affitor_aff_url=${encodeURIComponent(LANDING)};path=/`;
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
