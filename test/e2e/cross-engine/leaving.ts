/**
 * A landing the visitor does not stay on: the click the landing sends (a `keepalive` POST)
 * must reach the tracking server whether the visitor goes to another page as soon as the
 * landing has loaded, closes the tab as soon as it has loaded, or closes it the moment the
 * click request leaves. The answers come after the visitor is gone, also on a busy machine:
 * the API front holds them until the next page's document runs or the test has closed the
 * tab, and where a tab closes, the tracking server's latency leaves the engine time to tear
 * its page down. The pages left to have no SDK, so nothing can resend what the landing did
 * not finish, until a later page view of the shop.
 */
import { describe, expect, it } from 'vitest';
import { PARTNER_A } from '../program';
import { until } from './browsing';
import type { Tab } from './browsing';
import { distinct, json, outbox } from './context';
import type { Scenario } from './context';
import { HOSTS } from './site';

/** Longer than a closing tab stays: the answer comes after its page is gone. */
const ANSWER_LATENCY_MS = 1_500;

export function leavingScenarios(scenario: Scenario): void {
  const { site, tab, state, posts, eventIds } = scenario;
  const landingUrl = (page: string) => site().url(HOSTS.leave, `/${page}?aff=${PARTNER_A.link}`);
  /** A page of the site without the SDK, in a tab that stays: it reads the jar, and opens the landing when asked. */
  const stayingTab = async (): Promise<Tab> => {
    const page = await tab();
    await page.visit(site().url(HOSTS.leave, '/away.html'));
    return page;
  };
  /**
   * Opens `landing` with every answer held back until the visitor is on `path`: the tab runs
   * that page's document, so the landing's is gone (a latency instead would be outrun whenever the
   * next page takes longer than it to come, as on a busy machine).
   */
  async function leaveFor(page: Tab, landing: string, path: string) {
    site().front.holdAnswers();
    await page.visit(landing);
    await until(`the visitor on ${path}`, async () => (await page.evaluate<string>('location.pathname')) === path);
    site().front.releaseAnswers();
  }
  /**
   * Opens a landing page that goes on to another page of the shop (with the SDK) as soon as it has
   * loaded, before the click's answer comes; resolves once the visitor is there and the click id is in the jar.
   */
  async function leaveForShop(landingPage: string) {
    const page = await tab();
    await leaveFor(page, landingUrl(landingPage), '/index.html');
    return { page, clickId: await page.waitForCookie('affitor_click_id') };
  }
  /** The landing's click, recorded once with its event id, and no page left to write the cookie from its answer. */
  async function expectClickRecorded(landing: string, reader: Tab) {
    await until('the click', () => state().clicks.length === 1, 10_000);
    await site().front.quiet();
    expect(posts().map((request) => request.route)).toEqual(['click']);
    expect(state().clicks).toEqual([expect.objectContaining({ event_id: eventIds('click')[0], partner_id: PARTNER_A.id, affiliate_url: landing })]);
    expect(await reader.cookie('affitor_click_id')).toBeUndefined();
  }

  describe('the visitor leaves the landing at once', () => {
    it('to another page as soon as the landing has loaded: the click is recorded, and the next page view of the shop resends it from the outbox and gets the same click id', async () => {
      const page = await tab();
      const landing = landingUrl('leave-on-load.html');
      await leaveFor(page, landing, '/away.html');
      await expectClickRecorded(landing, page);
      const [click] = state().clicks;
      expect((await outbox(page))?.map((event) => [event.route, event.body.event_id])).toEqual([['click', click!.event_id]]);

      // The next page view, on another subdomain: the same event again, answered with the same click.
      const next = await tab();
      await next.visit(site().url(HOSTS.app, '/'));
      expect((await next.waitForCookie('affitor_click_id')).value).toBe(click!.click_id);
      await site().front.quiet();
      expect(eventIds('click')).toEqual([click!.event_id, click!.event_id]);
      expect(state().clicks).toHaveLength(1);
      await until('the outbox cookie to be gone', async () => (await outbox(next)) === null);
      expect(await next.errors()).toEqual([]);
    });

    it('to another page of the shop as soon as the landing has loaded, its click still in flight: two sends of one event, one click, its id in the cookie', async () => {
      const { page, clickId } = await leaveForShop('leave-for-shop-on-load.html');
      await site().front.quiet();
      // The landing's keepalive request, and the next page's resend from the outbox.
      expect(posts().map((request) => request.route)).toEqual(['click', 'click']);
      expect(distinct(eventIds('click'))).toHaveLength(1);
      expect(state().clicks).toEqual([expect.objectContaining({ click_id: clickId.value, event_id: eventIds('click')[0] })]);
      await until('the outbox cookie to be gone', async () => (await outbox(page)) === null);
      expect(await page.errors()).toEqual([]);
    });

    it('signing up and going on at once (a form that redirects without waiting), the click still in flight: the lead waits in the outbox behind the click, and the next page view sends it with the click id', async () => {
      const { page, clickId } = await leaveForShop('signup-and-leave.html');
      await until('the lead', () => state().leads.length === 1, 10_000);
      await site().front.quiet();
      // The landing's keepalive click, the next page's resend of it, then the lead that waited for its answer.
      expect(posts().map((request) => request.route)).toEqual(['click', 'click', 'lead']);
      expect(distinct(eventIds('click'))).toHaveLength(1);
      expect(state().clicks).toEqual([expect.objectContaining({ click_id: clickId.value, event_id: eventIds('click')[0] })]);
      expect(state().leads).toEqual([
        expect.objectContaining({ click_id: clickId.value, customer_key: 'leaving_user', email: 'leaving@example.com', event_id: eventIds('lead')[0] }),
      ]);
      await until('the outbox cookie to be gone', async () => (await outbox(page)) === null);
      expect(await page.errors()).toEqual([]);
    });

    it('closing the tab as soon as the landing has loaded: the click is recorded', async () => {
      site().api.app.setChaos({ latencyMs: ANSWER_LATENCY_MS });
      const staying = await stayingTab();
      const page = await tab();
      const landing = landingUrl('index.html');
      // The answer comes once the tab is closed, however long the engine takes to get there, and
      // not before the latency, which leaves the engine time to finish tearing the page down.
      site().front.holdAnswers();
      await page.visit(landing);
      await page.close();
      site().front.releaseAnswers();
      await expectClickRecorded(landing, staying);
    });

    it('closing the tab the moment the click request leaves: the click is recorded', async () => {
      site().api.app.setChaos({ latencyMs: ANSWER_LATENCY_MS });
      // The landing closes itself as its fetch() of the click returns, so it must be a tab a script opened.
      const staying = await stayingTab();
      const landing = landingUrl('close-on-click.html');
      expect(await staying.evaluate(`!!(window.landing = window.open(${json(landing)}))`)).toBe(true);
      await staying.waitFor('window.landing.closed');
      await expectClickRecorded(landing, staying);
    });
  });
}
