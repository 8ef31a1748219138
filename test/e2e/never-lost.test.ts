/**
 * Attribution that is never lost, the Chromium-only part (the rest runs in every engine:
 * cross-engine/never-lost.ts): a visitor who leaves the landing at once, and a lost answer
 * on a reused keep-alive connection, which Chromium resends by itself. Against the
 * reference tracking server on a port and its test switches; each test checks what the
 * server recorded: every event once, with the client's event id.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import {
  PAGES_DIR,
  PARTNER_A,
  affitorErrors,
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
import { distinct, outboxIn } from './never-lost-helpers';

const SITE = join(PAGES_DIR, 'never-lost');
const WWW = 'www.shop.test';
const APP = 'app.shop.test';

describe.skipIf(skipWithoutChromium)('[chromium] attribution that is never lost: leaving at once, keep-alive resends', () => {
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

  it('a lead whose answer is lost on a reused keep-alive connection: Chromium itself resends the POST, and the event id keeps it one lead', async () => {
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
    expect(lines.some((line) => line.text.startsWith('[Affitor] lead retry'))).toBe(false);
    expect(state().leads).toEqual([expect.objectContaining({ event_id: requests[1]!.body.event_id, click_id: clickId.value })]);
    expect(await pending()).toBeNull();
    expect(affitorErrors(lines)).toEqual([]);
  });
});
