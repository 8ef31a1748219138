/**
 * The ES module build (`dist/index.js`) imported by a single-page app without a bundler
 * (examples/spa, through an import map), in Chromium: the same attribution as the script
 * tag, across client-side navigation and across subdomains.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  EXAMPLES_DIR,
  PARTNER_A,
  PARTNER_B,
  WINDOW_DAYS,
  affitorErrors,
  daysLeft,
  jarCookie,
  openPage,
  routes,
  settle,
  skipWithoutChromium,
  useChromiumSuite,
  waitForCookie,
} from './harness';

describe.skipIf(skipWithoutChromium)('[chromium] the ES module in a single-page app', () => {
  const e2e = useChromiumSuite({ www: join(EXAMPLES_DIR, 'script-tag'), app: join(EXAMPLES_DIR, 'spa') }, ['www.shop.test', 'app.shop.test']);

  const state = () => e2e.stack.api.app.inspect();

  /** Follows an in-app link; proves no page load happened by a marker that a load would erase. */
  async function navigate(page: Page, linkText: string, path: string) {
    await page.evaluate(() => ((window as unknown as { marker?: number }).marker = 1));
    await page.click(`nav >> text=${linkText}`);
    await page.waitForURL((url) => url.pathname === path);
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);
  }

  async function signUp(page: Page, email: string) {
    await page.fill('input[name=email]', email);
    await page.click('button[type=submit]');
    await expect.poll(() => page.textContent('#result')).toContain('Welcome');
  }

  it('lands, writes the root-domain cookies for the program window, and signs up after client-side navigation with no second click', async () => {
    const { page, console: lines, requests } = await openPage(e2e.context);
    const landing = `${e2e.stack.origin('app.shop.test')}/?aff=${PARTNER_A.link}`;
    await page.goto(landing);
    const clickId = await waitForCookie(e2e.context, 'affitor_click_id');
    expect(clickId).toMatchObject({ domain: '.shop.test', sameSite: 'Lax', secure: false });
    expect(daysLeft(clickId)).toBeCloseTo(WINDOW_DAYS, 2);
    expect(decodeURIComponent((await jarCookie(e2e.context, 'affitor_aff_url'))!.value)).toBe(landing);
    // Loaded as a module: no global is defined.
    expect(await page.evaluate(() => 'affitor' in window)).toBe(false);
    // The landing page itself shows the partner once the click answered, not only the next view.
    await expect.poll(() => page.textContent('#attribution')).toContain(clickId.value);

    await navigate(page, 'Pricing', '/pricing');
    await navigate(page, 'Sign up', '/signup');
    expect(await page.textContent('#attribution')).toContain(clickId.value);
    await signUp(page, 'grace@example.com');

    expect(routes(requests)).toEqual(['click', 'lead']);
    expect(requests[0]!.body).toMatchObject({ affiliate_url: landing, additional_data: { program_id: 1 } });
    const [click] = state().clicks;
    expect(click).toMatchObject({ click_id: clickId.value, partner_id: PARTNER_A.id });
    expect(state().leads[0]).toMatchObject({ click_id: clickId.value, customer_key: 'grace@example.com' });
    expect(state().customers).toEqual([expect.objectContaining({ id: click!.customer_id, status: 'lead' })]);
    expect(affitorErrors(lines)).toEqual([]);
  });

  it('sends no click on reload with the same aff, and one with existing_click_id for another partner', async () => {
    const { page, requests } = await openPage(e2e.context);
    const landingA = `${e2e.stack.origin('app.shop.test')}/?aff=${PARTNER_A.link}`;
    await page.goto(landingA);
    const first = await waitForCookie(e2e.context, 'affitor_click_id');
    await page.reload();
    await settle(page);
    expect(routes(requests)).toEqual(['click']);

    await page.goto(`${e2e.stack.origin('app.shop.test')}/pricing?aff=${PARTNER_B.link}`);
    const second = await waitForCookie(e2e.context, 'affitor_click_id', first.value);
    expect(routes(requests)).toEqual(['click', 'click']);
    expect(requests[1]!.body).toMatchObject({ existing_click_id: first.value });
    expect(state().customers).toEqual([expect.objectContaining({ click_id: second.value, partner_id: PARTNER_B.id })]);
    expect(second).toMatchObject({ domain: '.shop.test' });
  });

  it.each(['app.shop.test', 'www.shop.test'])(
    "on %s, a tab reloaded on an older partner's landing after a newer partner's link in another tab: a route that keeps the older ?aff= is no new touch",
    async (host) => {
      const older = await openPage(e2e.context);
      await older.page.goto(`${e2e.stack.origin(host)}/?aff=${PARTNER_A.link}`);
      const first = await waitForCookie(e2e.context, 'affitor_click_id');
      const newer = await openPage(e2e.context);
      await newer.page.goto(`${e2e.stack.origin(host)}/pricing?aff=${PARTNER_B.link}`);
      const second = await waitForCookie(e2e.context, 'affitor_click_id', first.value);
      await older.page.reload();
      await settle(older.page);
      // The app's router adds a parameter, then moves on keeping the query.
      await older.page.evaluate((link) => {
        history.replaceState(null, '', `/?aff=${link}&ref=nav`);
        history.pushState(null, '', `/pricing?aff=${link}`);
      }, PARTNER_A.link);
      await settle(older.page);
      expect(routes(older.requests)).toEqual(['click']);
      expect(state().clicks).toHaveLength(2);
      expect((await jarCookie(e2e.context, 'affitor_click_id'))!.value).toBe(second.value);
      expect(affitorErrors([...older.console, ...newer.console])).toEqual([]);
    },
  );

  it('reads a landing made by the script tag on www.shop.test and binds the signup in the app to that customer', async () => {
    const www = await openPage(e2e.context);
    await www.page.goto(`${e2e.stack.origin('www.shop.test')}/?aff=${PARTNER_A.link}`);
    const clickId = await waitForCookie(e2e.context, 'affitor_click_id');

    const app = await openPage(e2e.context);
    await app.page.goto(`${e2e.stack.origin('app.shop.test')}/signup`);
    expect(await app.page.textContent('#attribution')).toContain(clickId.value);
    await signUp(app.page, 'linus@example.com');

    expect(routes(app.requests)).toEqual(['lead']);
    expect(state().leads[0]).toMatchObject({ click_id: clickId.value, customer_key: 'linus@example.com' });
    expect(state().customers).toEqual([expect.objectContaining({ click_id: clickId.value, status: 'lead' })]);
    expect(affitorErrors([...www.console, ...app.console])).toEqual([]);
  });

  it("keeps none of the URLs a visitor with no partner's link moves through (an app that calls replaceState as they scroll)", async () => {
    const { page } = await openPage(e2e.context);
    await page.goto(`${e2e.stack.origin('app.shop.test')}/pricing`);
    await settle(page);
    // Under Chromium's History API throttle (200 calls in 10 s).
    await page.evaluate(() => {
      for (let i = 0; i < 150; i++) history.replaceState(null, '', `/pricing?sort=price&page=${i}`);
    });
    const cdp = await e2e.context.newCDPSession(page);
    await cdp.send('HeapProfiler.enable');
    await cdp.send('HeapProfiler.collectGarbage');
    let snapshot = '';
    cdp.on('HeapProfiler.addHeapSnapshotChunk', ({ chunk }) => void (snapshot += chunk));
    await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    const urls = new Set((JSON.parse(snapshot) as { strings: string[] }).strings.filter((text) => /\/pricing\?sort=price&page=\d+$/.test(text)));
    // The page's own current URL may be held by the browser; the SDK held each one, 150.
    expect(urls.size).toBeLessThan(5);
  });
});
