/**
 * Attribution that is never lost (issue 6), in Chromium against the reference tracking
 * server on a port, its test switches imitating a slow or flaky API: a visitor who leaves
 * the landing at once, an API that fails or drops the connection, an answer lost after the
 * server recorded the event, a signup racing the click, single-page-app routers, init called
 * twice, and a sandboxed iframe where cookies and storage throw. Each test checks what the
 * server recorded: every event once, with the client's event id.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { startStaticServer } from '../../examples/demo/static-server';
import type { StaticServer } from '../../examples/demo/static-server';
import {
  PAGES_DIR,
  PARTNER_A,
  affitorErrors,
  jar,
  jarCookie,
  launchChromium,
  openPage,
  routes,
  settle,
  skipWithoutChromium,
  startStack,
  waitForCookie,
} from './harness';
import type { ConsoleLine, Stack, TrackRequest } from './harness';
import { distinct, outboxIn, startOpaqueOriginFront, timeRequests } from './never-lost-helpers';
import type { ApiFront } from './never-lost-helpers';

const SITE = join(PAGES_DIR, 'never-lost');
const WWW = 'www.shop.test';
const APP = 'app.shop.test';
/** The SDK's in-page attempts for one event: the first and two retries. */
const ATTEMPTS = 3;
const KEPT_LINE = /^\[Affitor\] (click|lead) not recorded: .*\(kept to resend\)/;
const COOKIES_UNAVAILABLE = '[Affitor] cookies unavailable: attribution kept in memory for this page';

describe.skipIf(skipWithoutChromium)('attribution that is never lost, in Chromium', () => {
  let browser: Browser;
  let stack: Stack;
  let context: BrowserContext;

  beforeAll(async () => {
    [browser, stack] = await Promise.all([launchChromium(), startStack({ '*': SITE }, [WWW, APP])]);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });
  beforeEach(async () => {
    await stack.resetApi();
    context = await browser.newContext();
  });
  afterEach(() => context.close());

  const state = () => stack.api.app.inspect();
  const url = (host: string, path: string) => `${stack.origin(host)}${path}`;
  const landingUrl = (path = '/shop.html', host = WWW) => url(host, `${path}?aff=${PARTNER_A.link}`);
  const eventIds = (requests: TrackRequest[], route: string) =>
    requests.filter((request) => request.route === route).map((request) => request.body.event_id as string);
  const pageErrors = (lines: ConsoleLine[]) => lines.filter((line) => line.type === 'pageerror');
  const affitor = <T>(page: Page | Frame, call: string): Promise<T> => page.evaluate<T>(`Promise.resolve(window.affitor.${call})`);
  /** What the outbox cookie holds, as [route, event id, click id] per event; null without the cookie. */
  const pending = async () =>
    (await outboxIn(context))?.map((event) => [event.route, event.body.event_id, event.body.click_id ?? null]) ?? null;

  describe('1. the visitor leaves the landing at once', () => {
    /** On the landing (a URL with `aff=`), clicks `selector` 20 ms after the load event, before the (slow) click answer is back. */
    const leaveAtOnce = (page: Page, selector: string) =>
      page.addInitScript((target) => {
        if (!location.search.includes('aff=')) return;
        addEventListener('load', () => setTimeout(() => document.querySelector<HTMLElement>(target)!.click(), 20));
      }, selector);

    it('the keepalive click reaches the server after unload; the next page view resends it from the outbox and gets the same click id', async () => {
      // The click now leaves as soon as the first file runs: the answer must be slow enough that
      // the visitor is gone before it, also on a busy machine.
      stack.api.app.setChaos({ latencyMs: 1_500 });
      const landing = await openPage(context);
      await leaveAtOnce(landing.page, '#leave');
      await landing.page.goto(landingUrl());
      await landing.page.waitForURL(/\/plain\.html$/);
      expect(routes(landing.requests)).toEqual(['click']);
      const [sentId] = eventIds(landing.requests, 'click');

      // The request outlived the page: the server records it, but no page was left to hear the answer.
      await expect.poll(() => state().clicks.length, { timeout: 5_000 }).toBe(1);
      const [click] = state().clicks;
      expect(click).toMatchObject({ event_id: sentId, partner_id: PARTNER_A.id, affiliate_url: landingUrl() });
      expect(await jarCookie(context, 'affitor_click_id')).toBeUndefined();
      expect(await pending()).toEqual([['click', sentId, null]]);
      expect((await jarCookie(context, 'affitor_outbox'))!.domain).toBe('.shop.test');

      // The next page view, on another subdomain of the site: the same event again, answered with the same click.
      const next = await openPage(context);
      await next.page.goto(url(APP, '/shop.html'));
      const clickId = await waitForCookie(context, 'affitor_click_id');
      await settle(next.page);
      expect(clickId.value).toBe(click!.click_id);
      expect(eventIds(next.requests, 'click')).toEqual([sentId]);
      expect(state().clicks).toHaveLength(1);
      expect(await pending()).toBeNull();
      expect(pageErrors([...landing.console, ...next.console])).toEqual([]);
    });

    it('straight to another page with the SDK while the first request is still in flight: one click, its id in the cookie', async () => {
      stack.api.app.setChaos({ latencyMs: 500 });
      const { page, requests, console: lines } = await openPage(context);
      await leaveAtOnce(page, '#next');
      await page.goto(landingUrl());
      await page.waitForURL((current) => current.pathname === '/shop.html' && !current.search);
      const clickId = await waitForCookie(context, 'affitor_click_id');
      await settle(page);

      // Two sends of one event (the landing's keepalive request, the next page's resend), one click.
      expect(routes(requests)).toEqual(['click', 'click']);
      expect(distinct(eventIds(requests, 'click'))).toHaveLength(1);
      expect(state().clicks).toEqual([expect.objectContaining({ click_id: clickId.value, event_id: requests[0]!.body.event_id })]);
      expect(await pending()).toBeNull();
      expect(affitorErrors(lines)).toEqual([]);
    });
  });

  describe('2. the API answers 503 at landing', () => {
    it('after three failed attempts the landing stays in the outbox, and the next page view delivers it once', async () => {
      stack.api.app.setChaos({ failFirst: { click: ATTEMPTS } });
      const landing = await openPage(context);
      const times = timeRequests(landing.page);
      await landing.page.goto(landingUrl());
      await expect.poll(() => affitorErrors(landing.console), { timeout: 6_000 }).toHaveLength(1);
      expect(affitorErrors(landing.console)[0]).toMatch(KEPT_LINE);
      expect(affitorErrors(landing.console)[0]).toContain('Service unavailable');

      // Three sends of one event, backing off: ~0.5-0.75 s, then ~1.5-2.25 s.
      expect(times.map((request) => request.route)).toEqual(['click', 'click', 'click']);
      expect(distinct(times.map((request) => request.eventId))).toHaveLength(1);
      const [first, second, third] = times.map((request) => request.at);
      expect(second! - first!).toBeGreaterThanOrEqual(450);
      expect(third! - second!).toBeGreaterThanOrEqual(1_450);
      expect(state().clicks).toEqual([]);
      expect(await jarCookie(context, 'affitor_click_id')).toBeUndefined();
      const eventId = times[0]!.eventId;
      expect(await pending()).toEqual([['click', eventId, null]]);

      const next = await openPage(context);
      await next.page.goto(url(APP, '/shop.html'));
      const clickId = await waitForCookie(context, 'affitor_click_id');
      await settle(next.page);
      expect(eventIds(next.requests, 'click')).toEqual([eventId]);
      expect(state().clicks).toEqual([expect.objectContaining({ click_id: clickId.value, event_id: eventId, affiliate_url: landingUrl() })]);
      expect(await pending()).toBeNull();
      expect(affitorErrors(next.console)).toEqual([]);
    });

    it('the same ?aff= landing again resends the kept click (same event id) rather than making a new one', async () => {
      stack.api.app.setChaos({ failFirst: { click: ATTEMPTS } });
      const { page, requests, console: lines } = await openPage(context);
      await page.goto(landingUrl());
      await expect.poll(() => affitorErrors(lines), { timeout: 6_000 }).toHaveLength(1);
      const [eventId] = eventIds(requests, 'click');

      await page.reload();
      const clickId = await waitForCookie(context, 'affitor_click_id');
      await settle(page);
      expect(eventIds(requests, 'click')).toEqual([eventId, eventId, eventId, eventId]);
      expect(state().clicks).toEqual([expect.objectContaining({ click_id: clickId.value, event_id: eventId })]);
      expect(await pending()).toBeNull();
    });

    it('a first attempt that fails and a retry that succeeds in the page: two requests, one click', async () => {
      stack.api.app.setChaos({ failFirst: { click: 1 } });
      const { page, requests, console: lines } = await openPage(context);
      await page.goto(landingUrl());
      const clickId = await waitForCookie(context, 'affitor_click_id');
      await settle(page);
      expect(routes(requests)).toEqual(['click', 'click']);
      expect(distinct(eventIds(requests, 'click'))).toHaveLength(1);
      expect(state().clicks).toEqual([expect.objectContaining({ click_id: clickId.value, event_id: requests[0]!.body.event_id })]);
      expect(await pending()).toBeNull();
      await expect.poll(() => lines.some((line) => line.text.startsWith('[Affitor] click try 1 failed, retrying: HTTP 503'))).toBe(true);
      expect(affitorErrors(lines)).toEqual([]);
    });
  });

  describe('3. a signup whose request fails', () => {
    type Chaos = Parameters<Stack['api']['app']['setChaos']>[0];

    /**
     * Lands in a browser context of its own and carries its cookies over, then signs up on
     * another page with the lead route failing as `chaos` says. The lead is then the first
     * request on a fresh connection: Chromium resends by itself a request whose reused
     * keep-alive connection closes without an answer, which would hide the SDK's retries.
     */
    async function landThenSignUp(chaos: Chaos, who: string) {
      const landingContext = await browser.newContext();
      try {
        const landing = await openPage(landingContext);
        await landing.page.goto(landingUrl());
        await waitForCookie(landingContext, 'affitor_click_id');
        await context.addCookies(await jar(landingContext));
      } finally {
        await landingContext.close();
      }
      const [click] = state().clicks;
      const watched = await openPage(context);
      await watched.page.goto(url(APP, '/shop.html'));
      expect(await affitor(watched.page, 'getClickId()')).toBe(click!.click_id);
      stack.api.app.setChaos(chaos);
      await affitor(watched.page, `signup('${who}', '${who}@example.com')`);
      return { ...watched, clickId: click!.click_id };
    }

    it.each([
      ['answers 503 (failFirst lead: 3)', { failFirst: { lead: ATTEMPTS } }],
      ['drops the connection without recording (dropFirst lead: 3)', { dropFirst: { lead: ATTEMPTS } }],
    ])('the API %s: the lead is kept and a later page view delivers it exactly once', async (_name, chaos) => {
      const signup = await landThenSignUp(chaos, 'kept');
      const leadIds = eventIds(signup.requests, 'lead');
      expect(leadIds).toHaveLength(ATTEMPTS);
      expect(distinct(leadIds)).toHaveLength(1);
      await expect.poll(() => affitorErrors(signup.console)).toEqual([expect.stringMatching(KEPT_LINE)]);
      expect(state().leads).toEqual([]);
      expect(await pending()).toEqual([['lead', leadIds[0], signup.clickId]]);

      const later = await openPage(context);
      await later.page.goto(url(APP, '/shop.html'));
      await expect.poll(() => state().leads.length).toBe(1);
      await settle(later.page);
      expect(eventIds(later.requests, 'lead')).toEqual([leadIds[0]]);
      expect(state().leads).toEqual([
        expect.objectContaining({ event_id: leadIds[0], click_id: signup.clickId, customer_key: 'kept', email: 'kept@example.com' }),
      ]);
      expect(await pending()).toBeNull();

      // And never again.
      await later.page.reload();
      await settle(later.page);
      expect(routes(later.requests)).toEqual(['lead']);
      expect(state().leads).toHaveLength(1);
      expect(state().clicks).toHaveLength(1);
      expect(affitorErrors(later.console)).toEqual([]);
    });

    it('the server records the lead but the answer is lost (loseAnswerFirst lead: 1): the retry does not duplicate it', async () => {
      const signup = await landThenSignUp({ loseAnswerFirst: { lead: 1 } }, 'once');
      await settle(signup.page);
      const leadIds = eventIds(signup.requests, 'lead');
      expect(leadIds).toHaveLength(2);
      expect(distinct(leadIds)).toHaveLength(1);
      expect(state().leads).toEqual([expect.objectContaining({ event_id: leadIds[0], click_id: signup.clickId, customer_key: 'once' })]);
      expect(await pending()).toBeNull();
      expect(affitorErrors(signup.console)).toEqual([]);
      await expect.poll(() => signup.console.some((line) => line.text.startsWith('[Affitor] lead try 1 failed, retrying:'))).toBe(true);
      await expect.poll(() => signup.console.some((line) => line.text === '[Affitor] lead recorded')).toBe(true);
    });

    it('the same on a reused connection: Chromium itself resends the POST whose answer was lost, and the event id keeps it one lead', async () => {
      const { page, requests, console: lines } = await openPage(context);
      await page.goto(landingUrl());
      const clickId = await waitForCookie(context, 'affitor_click_id');
      // The lead goes on the keep-alive connection the click used.
      stack.api.app.setChaos({ loseAnswerFirst: { lead: 1 } });
      await affitor(page, "signup('reused', 'reused@example.com')");
      await settle(page);
      // One request as the page sees it, no retry by the SDK, yet the first call's answer was
      // dropped: the answer the SDK got came from the browser's own second call.
      expect(eventIds(requests, 'lead')).toHaveLength(1);
      expect(lines.some((line) => line.text.startsWith('[Affitor] lead try 1 failed'))).toBe(false);
      expect(state().leads).toEqual([expect.objectContaining({ event_id: requests[1]!.body.event_id, click_id: clickId.value })]);
      expect(await pending()).toBeNull();
      expect(affitorErrors(lines)).toEqual([]);
    });
  });

  it('4. signup right after landing, while the click is in flight, carries the new click id', async () => {
    stack.api.app.setChaos({ latencyMs: 300 });
    const { page, requests, console: lines } = await openPage(context);
    await page.goto(landingUrl('/signup-now.html'));
    expect(await page.evaluate('window.signupDone')).toBe(true);
    const clickId = (await jarCookie(context, 'affitor_click_id'))!.value;

    expect(await page.evaluate('window.clickIdAtSignup')).toBeNull();
    expect(routes(requests)).toEqual(['click', 'lead']);
    expect(requests[1]!.body).toMatchObject({ click_id: clickId, customer_key: 'early_user' });
    const [click] = state().clicks;
    expect(click).toMatchObject({ click_id: clickId, event_id: requests[0]!.body.event_id });
    expect(state().leads).toEqual([expect.objectContaining({ click_id: clickId, event_id: requests[1]!.body.event_id })]);
    expect(state().customers).toEqual([expect.objectContaining({ id: click!.customer_id, status: 'lead', partner_id: PARTNER_A.id })]);
    expect(affitorErrors(lines)).toEqual([]);
  });

  describe('5. single-page apps', () => {
    it('captures a ?aff= the app adds with history.pushState after load', async () => {
      const { page, requests, console: lines } = await openPage(context);
      await page.goto(url(WWW, '/spa-push.html'));
      await expect.poll(() => page.evaluate('window.appStarted === true')).toBe(true);
      await settle(page);
      expect(requests).toEqual([]);

      await page.click('#promo');
      const clickId = await waitForCookie(context, 'affitor_click_id');
      expect(page.url()).toBe(url(WWW, `/pricing?aff=${PARTNER_A.link}`));
      expect(requests[0]!.body).toMatchObject({ affiliate_url: page.url() });
      // Back home (no aff) and forward again: the same landing, not a new one.
      await page.click('#home');
      await page.goBack();
      await settle(page);
      expect(routes(requests)).toEqual(['click']);
      expect(state().clicks).toEqual([expect.objectContaining({ click_id: clickId.value, event_id: requests[0]!.body.event_id })]);
      expect(await page.evaluate('window.sdk.getData().clickId')).toBe(clickId.value);
      expect(affitorErrors(lines)).toEqual([]);
    });

    it('captures the landing when the router strips ?aff= with replaceState before the app calls init', async () => {
      const { page, requests, console: lines } = await openPage(context);
      const landing = landingUrl('/spa-strip.html');
      await page.goto(landing);
      const clickId = await waitForCookie(context, 'affitor_click_id');
      await settle(page);
      expect(await page.evaluate('window.urlAtInit')).toBe(url(WWW, '/spa-strip.html'));
      expect(page.url()).toBe(url(WWW, '/spa-strip.html'));
      expect(routes(requests)).toEqual(['click']);
      expect(requests[0]!.body).toMatchObject({ affiliate_url: landing });
      expect(state().clicks).toEqual([expect.objectContaining({ click_id: clickId.value, affiliate_url: landing })]);
      expect(decodeURIComponent((await jarCookie(context, 'affitor_aff_url'))!.value)).toBe(landing);
      expect(affitorErrors(lines)).toEqual([]);
    });
  });

  it('6. init called twice (StrictMode double effect), again on re-mount, and a fresh tracker while the click is in flight: one click', async () => {
    stack.api.app.setChaos({ latencyMs: 300 });
    const { page, requests, console: lines } = await openPage(context);
    await page.goto(landingUrl('/init-twice.html'));
    // The click is still in flight: init again, and a tracker built anew (hot reload).
    await page.evaluate('window.sdk.init(), window.sdk.fresh()');
    const clickId = await waitForCookie(context, 'affitor_click_id');
    await settle(page);
    await page.evaluate('window.sdk.init(), window.sdk.fresh()');
    await settle(page);

    expect(routes(requests)).toEqual(['click']);
    expect(state().clicks).toEqual([expect.objectContaining({ click_id: clickId.value, event_id: requests[0]!.body.event_id })]);
    expect(await page.evaluate('window.sdk.getData().clickId')).toBe(clickId.value);
    expect(affitorErrors(lines)).toEqual([]);
  });

  describe('7. a landing in an iframe sandboxed without allow-same-origin (cookies and storage throw)', () => {
    /** Opens the host page with the iframe landing in it; resolves once the SDK has run in the frame. */
    async function landInFrame(origin: string) {
      const watched = await openPage(context);
      await watched.page.goto(`${origin}/frame-parent.html?aff=${PARTNER_A.link}`);
      const frame = watched.page.frames().find((candidate) => candidate.url().includes('/frame.html'));
      expect(frame, 'the sandboxed iframe').toBeDefined();
      await expect.poll(() => frame!.evaluate('window.afterSdk === true')).toBe(true);
      expect(await frame!.evaluate('[window.cookieThrows, window.storageThrows]')).toEqual([true, true]);
      return { ...watched, frame: frame! };
    }

    it('against the reference server: nothing reaches the page and the click is recorded once', async () => {
      const { page, frame, requests, console: lines } = await landInFrame(stack.origin(WWW));
      await expect.poll(() => state().clicks.length).toBe(1);
      await expect.poll(() => affitorErrors(lines), { timeout: 6_000 }).toHaveLength(1);
      await settle(page);

      // The frame's origin is opaque (Origin: null), which the reference server's
      // allowed_origins cannot list: it records the click, but the frame may not read the
      // answer, so it tries three times (one event id) and keeps no click id.
      expect(requests.map((request) => request.route)).toEqual(['click', 'click', 'click']);
      expect(distinct(eventIds(requests, 'click'))).toHaveLength(1);
      expect(state().clicks).toEqual([expect.objectContaining({ event_id: requests[0]!.body.event_id, partner_id: PARTNER_A.id })]);
      expect(affitorErrors(lines)[0]).toMatch(/^\[Affitor\] click not recorded: .*Failed to fetch.*\(kept to resend\)/);
      expect(await affitor(frame, 'getClickId()')).toBeNull();
      expect(lines.map((line) => line.text)).not.toContain(COOKIES_UNAVAILABLE);
      expect(await frame.evaluate('window.pageErrors')).toEqual([]);
      expect(await page.evaluate('window.pageErrors')).toEqual([]);
      expect(pageErrors(lines)).toEqual([]);
      expect(await jar(context)).toEqual([]);
    });

    describe('with an API that answers opaque origins', () => {
      let front: ApiFront;
      let web: StaticServer;
      beforeAll(async () => {
        front = await startOpaqueOriginFront(() => stack.api.url);
        web = await startStaticServer({ sites: { '*': SITE }, apiBase: () => front.url });
      });
      afterAll(async () => {
        await web?.close();
        await front?.close();
      });

      it('the click id is kept in memory in the frame, with the "cookies unavailable" line, and no exception reaches the page', async () => {
        const { page, frame, requests, console: lines } = await landInFrame(web.origin(WWW));
                await expect.poll(() => frame.evaluate('window.affitor.getClickId()')).not.toBeNull();
        await settle(page);

        const [click] = state().clicks;
        expect(routes(requests)).toEqual(['click']);
        expect(state().clicks).toEqual([expect.objectContaining({ event_id: requests[0]!.body.event_id, partner_id: PARTNER_A.id })]);
        expect(await affitor(frame, 'getData()')).toEqual({
          clickId: click!.click_id,
          programId: 1,
          hasAttribution: true,
          affiliateUrl: `${web.origin(WWW)}/frame.html?aff=${PARTNER_A.link}`,
        });
        await expect.poll(() => lines).toContainEqual({ type: 'warning', text: COOKIES_UNAVAILABLE });
        expect(affitorErrors(lines)).toEqual([]);
        expect(await frame.evaluate('window.pageErrors')).toEqual([]);
        expect(await page.evaluate('window.pageErrors')).toEqual([]);
        expect(pageErrors(lines)).toEqual([]);
        expect(await jar(context)).toEqual([]);
      });
    });
  });
});
