/**
 * Attribution that is never lost, against the reference tracking server's test switches
 * (chaos): an API outage at landing, a retry that succeeds, a signup whose request fails or
 * whose answer is lost, two tabs sharing the outbox through an outage, a signup racing the
 * click, a router that strips `?aff=` (and a newer partner reached in the app after it), and init called twice. Each scenario checks what the server recorded: every event once, with the
 * client's event id. (A visitor who leaves the landing at once is in never-lost.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import type { Chaos } from '../../../examples/server/src/app';
import { PARTNER_A, PARTNER_B } from '../program';
import { until } from './browsing';
import type { Tab } from './browsing';
import { ATTEMPTS, KEPT_LINE, distinct, expectRootDomainCookies, outbox } from './context';
import type { Scenario } from './context';
import { HOSTS } from './site';

export function neverLostScenarios(scenario: Scenario): void {
  const { site, tab, state, posts, eventIds, land } = scenario;
  const affitor = <T>(page: Tab, call: string): Promise<T> => page.evaluate<T>(`window.affitor.${call}`);
  /** What the outbox cookie holds, as [route, event id, click id] per event; null without the cookie. */
  const pending = async (page: Tab) =>
    (await outbox(page))?.map((event) => [event.route, event.body.event_id, event.body.click_id ?? null]) ?? null;
  const keptLine = (page: Tab) => until('the "kept to resend" error', async () => (await page.errors()).find((text) => KEPT_LINE.test(text)));

  describe('the API answers 503 at landing', () => {
    it('after three attempts, backing off, the click stays in the outbox cookie; the next page view, on another subdomain, delivers it once', async () => {
      site().api.app.setChaos({ failFirst: { click: ATTEMPTS } });
      const page = await tab();
      const landing = await land(page, HOSTS.lost, '/shop.html');
      const line = await keptLine(page);
      expect(line).toContain('Service unavailable');
      expect(await page.errors()).toEqual([line]);

      // Three sends of one event, backing off: ~0.5-0.75 s, then ~1.5-2.25 s.
      const [eventId, ...others] = eventIds('click');
      expect(others).toEqual([eventId, eventId]);
      const [first, second, third] = posts('click').map((request) => request.at);
      expect(second! - first!).toBeGreaterThanOrEqual(450);
      expect(third! - second!).toBeGreaterThanOrEqual(1_450);
      expect(state().clicks).toEqual([]);
      expect(await page.cookie('affitor_click_id')).toBeUndefined();
      expect(await page.cookie('affitor_outbox')).toMatchObject({ domain: '.shop.localhost' });
      expect(await pending(page)).toEqual([['click', eventId, null]]);

      const next = await tab();
      await next.visit(site().url(HOSTS.app, '/'));
      const clickId = await next.waitForCookie('affitor_click_id');
      await site().front.quiet();
      expect(eventIds('click')).toEqual([eventId, eventId, eventId, eventId]);
      expect(state().clicks).toEqual([expect.objectContaining({ click_id: clickId.value, event_id: eventId, affiliate_url: landing })]);
      await until('the outbox cookie to be gone', async () => (await pending(next)) === null);
      expectRootDomainCookies(await next.cookies());
      expect(await next.errors()).toEqual([]);
    });

    it('the same ?aff= landing again resends the kept click (same event id) rather than making a new one', async () => {
      site().api.app.setChaos({ failFirst: { click: ATTEMPTS } });
      const page = await tab();
      const landing = await land(page, HOSTS.lost, '/shop.html');
      await keptLine(page);
      const [eventId] = eventIds('click');

      await page.visit(landing);
      const clickId = await page.waitForCookie('affitor_click_id');
      await site().front.quiet();
      expect(eventIds('click')).toEqual([eventId, eventId, eventId, eventId]);
      expect(state().clicks).toEqual([expect.objectContaining({ click_id: clickId.value, event_id: eventId })]);
      expect(await pending(page)).toBeNull();
    });

    it('a first attempt that fails and a retry that succeeds in the page: two requests, one click', async () => {
      site().api.app.setChaos({ failFirst: { click: 1 } });
      const page = await tab();
      await land(page, HOSTS.lost, '/shop.html');
      const clickId = await page.waitForCookie('affitor_click_id');
      await site().front.quiet();
      expect(eventIds('click')).toHaveLength(2);
      expect(distinct(eventIds('click'))).toHaveLength(1);
      expect(state().clicks).toEqual([expect.objectContaining({ click_id: clickId.value, event_id: eventIds('click')[0] })]);
      expect(await pending(page)).toBeNull();
      await until('the retry line', async () => (await page.lines()).some((line) => line.text.startsWith('[Affitor] click try 1 failed, retrying: HTTP 503')));
      expect(await page.errors()).toEqual([]);
    });
  });

  describe('a signup whose request fails', () => {
    /** Lands, then signs up on another subdomain's page with the lead route failing as `chaos` says. */
    async function landThenSignUp(chaos: Chaos, who: string) {
      const landing = await tab();
      await land(landing, HOSTS.www);
      const clickId = (await landing.waitForCookie('affitor_click_id')).value;
      await site().front.quiet();
      const page = await tab();
      await page.visit(site().url(HOSTS.app, '/'));
      await page.sdkReady();
      expect(await affitor(page, 'getClickId()')).toBe(clickId);
      site().api.app.setChaos(chaos);
      // The promise settles (resolves) whatever the API does.
      expect(await affitor(page, `signup('${who}', '${who}@example.com')`)).toBeNull();
      return { page, clickId };
    }

    it.each([
      ['answers 503 (failFirst lead: 3)', { failFirst: { lead: ATTEMPTS } }],
      ['drops the connection without recording (dropFirst lead: 3)', { dropFirst: { lead: ATTEMPTS } }],
    ])('the API %s: the lead is kept and a later page view delivers it exactly once', async (_name, chaos) => {
      const { page, clickId } = await landThenSignUp(chaos, 'kept');
      // signup resolves after its lead's attempts or after 5 s, whichever comes first: the line
      // comes after the last attempt, which on a busy machine may still be to come.
      await keptLine(page);
      const leadIds = eventIds('lead');
      expect(leadIds).toHaveLength(ATTEMPTS);
      expect(distinct(leadIds)).toHaveLength(1);
      expect(await page.errors()).toEqual([expect.stringMatching(KEPT_LINE)]);
      expect(state().leads).toEqual([]);
      expect(await pending(page)).toEqual([['lead', leadIds[0], clickId]]);

      const later = await tab();
      await later.visit(site().url(HOSTS.lost, '/shop.html'));
      await until('the lead', () => state().leads.length === 1);
      await site().front.quiet();
      expect(eventIds('lead')).toEqual([...leadIds, leadIds[0]]);
      expect(state().leads).toEqual([
        expect.objectContaining({ event_id: leadIds[0], click_id: clickId, customer_key: 'kept', email: 'kept@example.com' }),
      ]);
      await until('the outbox cookie to be gone', async () => (await pending(later)) === null);

      // And never again.
      await later.visit(site().url(HOSTS.lost, '/shop.html'));
      await later.sdkReady();
      await site().front.quiet();
      expect(eventIds('lead')).toHaveLength(ATTEMPTS + 1);
      expect(state().leads).toHaveLength(1);
      expect(state().clicks).toHaveLength(1);
      expect(await later.errors()).toEqual([]);
    });

    it('the server records the lead but the answer is lost (loseAnswerFirst lead: 1): the retry does not duplicate it', async () => {
      const { page, clickId } = await landThenSignUp({ loseAnswerFirst: { lead: 1 } }, 'once');
      await site().front.quiet();
      const leadIds = eventIds('lead');
      expect(leadIds).toHaveLength(2);
      expect(distinct(leadIds)).toHaveLength(1);
      expect(state().leads).toEqual([expect.objectContaining({ event_id: leadIds[0], click_id: clickId, customer_key: 'once' })]);
      expect(await pending(page)).toBeNull();
      expect(await page.errors()).toEqual([]);
      const lines = (await page.lines()).map((line) => line.text);
      expect(lines.some((text) => text.startsWith('[Affitor] lead try 1 failed, retrying:'))).toBe(true);
      expect(lines).toContain('[Affitor] lead recorded');
    });
  });

  it('two tabs share the outbox: a signup in a shop tab sends the click the landing tab could not deliver in an outage first, and its lead, kept, leaves on the next page view with that click id', async () => {
    const shop = await tab();
    await shop.visit(site().url(HOSTS.app, '/signup.html'));
    await shop.sdkReady();

    // The partner's link, opened in a new tab while the API is down: the click is kept in the outbox.
    site().api.app.setChaos({ failFirst: { click: ATTEMPTS } });
    const www = await tab();
    await land(www, HOSTS.www);
    await keptLine(www);
    const [clickEvent] = eventIds('click');

    // Back for clicks, still down for leads: the visitor signs up in the shop tab. Its lead waits for
    // the other tab's kept click, which the shop tab sends; the lead is kept, with that click's id.
    site().api.app.setChaos({ failFirst: { lead: ATTEMPTS } });
    expect(await shop.evaluate("window.affitor.signup('both@example.com', 'both@example.com')")).toBeNull();
    await keptLine(shop);
    const [leadEvent] = eventIds('lead');
    expect(state().clicks).toEqual([expect.objectContaining({ event_id: clickEvent })]);
    expect(posts('lead').map((request) => request.body.click_id)).toEqual(Array(ATTEMPTS).fill(state().clicks[0]!.click_id));
    expect(await pending(shop)).toEqual([['lead', leadEvent, state().clicks[0]!.click_id]]);
    await www.close();

    // The API is back; the visitor goes on in the shop tab.
    await shop.visit(site().url(HOSTS.app, '/'));
    const clickId = await shop.waitForCookie('affitor_click_id');
    await until('the lead', () => state().leads.length === 1);
    expect(state().clicks).toEqual([expect.objectContaining({ click_id: clickId.value, event_id: clickEvent })]);
    expect(state().leads).toEqual([expect.objectContaining({ click_id: clickId.value, event_id: leadEvent, customer_key: 'both@example.com' })]);
    await until('the outbox cookie to be gone', async () => (await pending(shop)) === null);
  });

  it('a signup right after landing, while the click is in flight, carries the new click id', async () => {
    site().api.app.setChaos({ latencyMs: 300 });
    const page = await tab();
    await land(page, HOSTS.lost, '/signup-now.html');
    expect(await page.evaluate('window.signupDone')).toBe(true);
    const clickId = (await page.cookie('affitor_click_id'))!.value;

    expect(await page.evaluate('window.clickIdAtSignup')).toBeNull();
    expect(posts().map((request) => request.route)).toEqual(['click', 'lead']);
    expect(posts()[1]!.body).toMatchObject({ click_id: clickId, customer_key: 'early_user' });
    const [click] = state().clicks;
    expect(click).toMatchObject({ click_id: clickId, event_id: eventIds('click')[0] });
    expect(state().leads).toEqual([expect.objectContaining({ click_id: clickId, event_id: eventIds('lead')[0] })]);
    expect(state().customers).toEqual([expect.objectContaining({ id: click!.customer_id, status: 'lead', partner_id: PARTNER_A.id })]);
    expect(await page.errors()).toEqual([]);
  });

  it('captures the landing when the router strips ?aff= with replaceState before the app calls init', async () => {
    const page = await tab();
    const landing = await land(page, HOSTS.lost, '/spa-strip.html');
    const clickId = await page.waitForCookie('affitor_click_id');
    await site().front.quiet();
    const stripped = site().url(HOSTS.lost, '/spa-strip.html');
    expect(await page.evaluate('window.urlAtInit')).toBe(stripped);
    expect(await page.url()).toBe(stripped);
    expect(posts().map((request) => request.route)).toEqual(['click']);
    expect(posts()[0]!.body).toMatchObject({ affiliate_url: landing });
    expect(state().clicks).toEqual([expect.objectContaining({ click_id: clickId.value, affiliate_url: landing })]);
    expect(decodeURIComponent((await page.cookie('affitor_aff_url'))!.value)).toBe(landing);
    expect(await page.errors()).toEqual([]);
  });

  it("an async script tag that runs after the router stripped ?aff=: the landing is read from the URL the page was opened on", async () => {
    const page = await tab();
    const landing = await land(page, HOSTS.lost, '/spa-strip-before-tag.html');
    const clickId = await page.waitForCookie('affitor_click_id');
    await site().front.quiet();
    expect(await page.evaluate('window.urlWhenTagRan')).toBe(site().url(HOSTS.lost, '/spa-strip-before-tag.html'));
    expect(posts().map((request) => request.route)).toEqual(['click']);
    expect(posts()[0]!.body).toMatchObject({ affiliate_url: landing });
    expect(state().clicks).toEqual([expect.objectContaining({ click_id: clickId.value, affiliate_url: landing })]);
    expect(await page.errors()).toEqual([]);
  });

  it('a newer partner reached inside the app after that landing keeps the attribution when the app moves on to a route without ?aff=', async () => {
    const page = await tab();
    await land(page, HOSTS.lost, '/spa-strip.html');
    const first = await page.waitForCookie('affitor_click_id');
    await site().front.quiet();
    const newer = site().url(HOSTS.lost, `/deal?aff=${PARTNER_B.link}`);
    await page.evaluate(`(history.pushState(null, '', ${JSON.stringify(newer)}), null)`);
    const second = await page.waitForCookie('affitor_click_id', first.value);
    // The router moves on: no ?aff= now, and the stripped landing (PARTNER_A) is not landed again.
    await page.evaluate(`(history.pushState(null, '', '/pricing'), null)`);
    await site().front.quiet();
    expect(posts().map((request) => request.route)).toEqual(['click', 'click']);
    expect((await page.cookie('affitor_click_id'))!.value).toBe(second.value);
    expect(decodeURIComponent((await page.cookie('affitor_aff_url'))!.value)).toBe(newer);
    expect(await page.errors()).toEqual([]);
  });

  it('init called twice (StrictMode double effect), again on re-mount, and a fresh tracker while the click is in flight: one click', async () => {
    site().api.app.setChaos({ latencyMs: 300 });
    const page = await tab();
    await land(page, HOSTS.lost, '/init-twice.html');
    // The click is still in flight: init again, and a tracker built anew (hot reload).
    await page.evaluate('(window.sdk.init(), window.sdk.fresh(), null)');
    const clickId = await page.waitForCookie('affitor_click_id');
    await site().front.quiet();
    await page.evaluate('(window.sdk.init(), window.sdk.fresh(), null)');
    await site().front.quiet();

    expect(posts().map((request) => request.route)).toEqual(['click']);
    expect(state().clicks).toEqual([expect.objectContaining({ click_id: clickId.value, event_id: eventIds('click')[0] })]);
    expect(await page.evaluate('window.sdk.getData().clickId')).toBe(clickId.value);
    expect(await page.errors()).toEqual([]);
  });
}
