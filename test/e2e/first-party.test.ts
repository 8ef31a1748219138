/**
 * The `<script>` build served through `createAffitorHandler` in real Chromium: the shop's
 * pages and the handler on one real port (under `/relay`), forwarding to the reference
 * tracking server on another. The handler writes the attribution cookies with `Set-Cookie`;
 * the page must not write them again with `document.cookie` (Safari's 7-day cap).
 */
import { join } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DIST_DIR, startStaticServer } from '../../examples/demo/static-server';
import type { StaticServer } from '../../examples/demo/static-server';
import { startServer } from '../../examples/server/src/node';
import type { RunningServer } from '../../examples/server/src/node';
import { createAffitorHandler } from '../../src/server';
import type { AffitorDiagnosis } from '../../src/index';
import { PAGES_DIR, PARTNER_A, PARTNER_B, WINDOW_DAYS, affitorErrors, daysLeft, jar, launchChromium, openPage, seedFor, skipWithoutChromium, waitForCookie } from './harness';

const PAGES = join(PAGES_DIR, '..', 'pages-first-party');
const ATTRIBUTION_COOKIES = ['affitor_click_id', 'customer_code', 'affitor_click_ids', 'affitor_aff_url', 'affitor_set_by'];

type ShopWindow = Window & {
  cookieWrites: string[];
  affitor: { signup(key: string, email?: string): Promise<void>; diagnose(): AffitorDiagnosis | null };
};

/** The page's own `document.cookie` writes of attribution cookies (the test page records every write). */
const attributionWrites = (page: Page): Promise<string[]> =>
  page.evaluate((names) => (window as unknown as ShopWindow).cookieWrites.filter((write) => names.includes(write.split('=')[0]!)), ATTRIBUTION_COOKIES);

describe.skipIf(skipWithoutChromium)('the script tag through the first-party handler in Chromium', () => {
  let browser: Browser;
  let api: RunningServer;
  let web: StaticServer;
  let context: BrowserContext;
  /** Script files the handler answered, by path and status. */
  let served: string[] = [];

  beforeAll(async () => {
    // The handler calls the API server to server: no allowed origin is needed.
    [browser, api] = await Promise.all([launchChromium(), startServer({ port: 0, seed: seedFor([]) })]);
    const affitor = createAffitorHandler({ apiUrl: api.url, scripts: DIST_DIR });
    web = await startStaticServer({
      sites: { '*': PAGES },
      apiBase: () => '/relay',
      mount: {
        path: '/relay',
        listener: getRequestListener(async (request, env) => {
          const answer = await affitor(request, { clientAddress: env.incoming.socket.remoteAddress });
          if (/\.js$/.test(new URL(request.url).pathname)) served.push(`${new URL(request.url).pathname} ${answer.status}`);
          return answer;
        }),
      },
    });
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all([api?.close(), web?.close()]);
  });
  beforeEach(async () => {
    served = [];
    context = await browser.newContext();
  });
  afterEach(() => context.close());

  const origin = (host: string) => web.origin(host);
  const state = () => api.app.inspect();

  it('a landing ends with the cookies set by the server on the root domain for the window, none written by the page; a signup on a subdomain records the lead', async () => {
    const landing = await openPage(context);
    const clickAnswer = landing.page.waitForResponse((response) => response.url().endsWith('/relay/api/v1/track/click'));
    await landing.page.goto(`${origin('www.shop.test')}/?aff=${PARTNER_A.link}`);
    const answer = await clickAnswer;
    expect(answer.headers()['x-affitor-cookies']).toBe('set');
    const clickId = await waitForCookie(context, 'affitor_click_id');
    expect(clickId.value).toMatch(/^cust_/);
    await expect.poll(() => landing.page.evaluate(() => (window as unknown as ShopWindow).affitor.diagnose?.() ?? null)).not.toBeNull();

    const cookies = await jar(context);
    for (const name of ATTRIBUTION_COOKIES) {
      const cookie = cookies.find((stored) => stored.name === name);
      expect(cookie, name).toMatchObject({ domain: '.shop.test', path: '/', sameSite: 'Lax', httpOnly: false });
      expect(daysLeft(cookie!), name).toBeGreaterThan(WINDOW_DAYS - 0.01);
      expect(daysLeft(cookie!), name).toBeLessThan(WINDOW_DAYS + 0.01);
    }
    expect(cookies.find((stored) => stored.name === 'affitor_set_by')?.value).toBe('server');
    expect(await attributionWrites(landing.page)).toEqual([]);
    // The click left with the page's probed domain; the API got it without the handler's fields.
    expect(landing.requests[0]!.body).toMatchObject({ cookie_domain: 'shop.test', consent: 'granted' });
    const [click] = state().clicks;
    expect(click).toMatchObject({ click_id: clickId.value, partner_id: PARTNER_A.id });

    const diagnosis = (await landing.page.evaluate(() => (window as unknown as ShopWindow).affitor.diagnose()))!;
    expect(diagnosis).toMatchObject({ cookiesSetBy: 'server', cookiesBlocked: false, windowDays: WINDOW_DAYS });
    expect(diagnosis.warnings).toEqual([]);

    // Another subdomain, a later page view: the SDK reads the cookies and the lead carries the click id.
    const app = await openPage(context);
    await app.page.goto(`${origin('app.shop.test')}/`);
    await app.page.waitForFunction(() => typeof (window as unknown as ShopWindow).affitor?.signup == 'function');
    await app.page.evaluate(() => (window as unknown as ShopWindow).affitor.signup('ada@example.com', 'ada@example.com'));
    await expect.poll(() => state().leads.length).toBe(1);
    expect(state().leads[0]).toMatchObject({ click_id: clickId.value, customer_key: 'ada@example.com' });
    expect(await attributionWrites(app.page)).toEqual([]);
    expect((await app.page.evaluate(() => (window as unknown as ShopWindow).affitor.diagnose()))!.cookiesSetBy).toBe('server');

    // Both script files came from the handler.
    expect(served).toEqual(expect.arrayContaining(['/relay/affitor.global.js 200', '/relay/affitor.more.js 200']));
    expect(affitorErrors([...landing.console, ...app.console])).toEqual([]);
  });

  it('a newer partner on a later page view: the handler writes the new attribution and grows the history, the page still writes none', async () => {
    const first = await openPage(context);
    await first.page.goto(`${origin('www.shop.test')}/?aff=${PARTNER_A.link}`);
    const a = await waitForCookie(context, 'affitor_click_id');
    const second = await openPage(context);
    await second.page.goto(`${origin('www.shop.test')}/?aff=${PARTNER_B.link}`);
    const b = await waitForCookie(context, 'affitor_click_id', a.value);
    const cookies = await jar(context);
    expect(decodeURIComponent(cookies.find((cookie) => cookie.name === 'affitor_click_ids')!.value)).toBe(`${a.value}|${b.value}`);
    expect(second.requests[0]!.body).toMatchObject({ existing_click_id: a.value });
    expect(await attributionWrites(first.page)).toEqual([]);
    expect(await attributionWrites(second.page)).toEqual([]);
  });
});
