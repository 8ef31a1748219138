/**
 * The landing when the visitor does not stay, in Chromium against the reference tracking
 * server, its answers held back 500 ms so the visitor is gone before one comes: the click a
 * landing sends must reach the server whether the visitor goes to another site as soon as the
 * page has loaded or closes the tab the moment the click leaves. The page left to has no
 * SDK, so nothing can resend what the landing did not finish.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import {
  PAGES_DIR,
  PARTNER_A,
  jarCookie,
  launchChromium,
  openPage,
  routes,
  skipWithoutChromium,
  startStack,
} from './harness';
import type { ConsoleLine, Stack } from './harness';

const WWW = 'www.shop.test';
/** Longer than the visitor stays: the answer comes after the page is gone. */
const ANSWER_LATENCY_MS = 500;

describe.skipIf(skipWithoutChromium)('a landing the visitor leaves at once, in Chromium', () => {
  let browser: Browser;
  let stack: Stack;
  let context: BrowserContext;

  beforeAll(async () => {
    [browser, stack] = await Promise.all([launchChromium(), startStack({ '*': join(PAGES_DIR, 'landing') }, [WWW])]);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });
  beforeEach(async () => {
    await stack.resetApi();
    stack.api.app.setChaos({ latencyMs: ANSWER_LATENCY_MS });
    context = await browser.newContext();
  });
  afterEach(() => context.close());

  const state = () => stack.api.app.inspect();
  const landingUrl = () => `${stack.origin(WWW)}/?aff=${PARTNER_A.link}`;
  const pageErrors = (lines: ConsoleLine[]) => lines.filter((line) => line.type === 'pageerror');

  it('navigating to another site as soon as the page has loaded: the click is recorded', async () => {
    const landing = await openPage(context);
    // The visitor's own navigation, from the page, the moment its load event has run.
    await landing.page.addInitScript(() => {
      if (location.search.includes('aff=')) addEventListener('load', () => setTimeout(() => location.assign('/away.html'), 0));
    });
    await landing.page.goto(landingUrl());
    await landing.page.waitForURL(/\/away\.html$/);

    await expect.poll(() => state().clicks.length, { timeout: 5_000 }).toBe(1);
    expect(state().clicks[0]).toMatchObject({ partner_id: PARTNER_A.id, affiliate_url: landingUrl() });
    expect(routes(landing.requests)).toEqual(['click']);
    // Gone before the answer: no page was left to write the cookie from it.
    expect(await jarCookie(context, 'affitor_click_id')).toBeUndefined();
    expect(pageErrors(landing.console)).toEqual([]);
  });

  it('closing the tab the moment the click request leaves: the click is recorded', async () => {
    const landing = await openPage(context);
    const clickLeft = landing.page.waitForRequest((request) => request.method() === 'POST' && request.url().endsWith('/api/v1/track/click'));
    const navigation = landing.page.goto(landingUrl()).catch(() => undefined);
    await clickLeft;
    await landing.page.close();
    await navigation;

    await expect.poll(() => state().clicks.length, { timeout: 5_000 }).toBe(1);
    expect(state().clicks[0]).toMatchObject({ partner_id: PARTNER_A.id, affiliate_url: landingUrl() });
    expect(await jarCookie(context, 'affitor_click_id')).toBeUndefined();
  });

  it('closing the tab as soon as the page has loaded: the click is recorded', async () => {
    const landing = await openPage(context);
    await landing.page.goto(landingUrl());
    await landing.page.close();

    await expect.poll(() => state().clicks.length, { timeout: 5_000 }).toBe(1);
    expect(state().clicks[0]).toMatchObject({ partner_id: PARTNER_A.id, affiliate_url: landingUrl() });
    expect(routes(landing.requests)).toEqual(['click']);
    expect(await jarCookie(context, 'affitor_click_id')).toBeUndefined();
    expect(pageErrors(landing.console)).toEqual([]);
  });
});
