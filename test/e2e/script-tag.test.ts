/**
 * The `<script>` build in real Chromium, on real-looking domains: the example shop
 * (examples/script-tag) on www.shop.test and app.shop.test, the reference tracking server
 * on another origin, CORS and cookies as the browser applies them.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import {
  EXAMPLES_DIR,
  PAGES_DIR,
  PARTNER_A,
  PARTNER_B,
  WINDOW_DAYS,
  affitorErrors,
  daysLeft,
  jar,
  jarCookie,
  routes,
  launchChromium,
  openPage,
  settle,
  skipWithoutChromium,
  startStack,
  waitForCookie,
} from './harness';
import type { Stack } from './harness';
import { join } from 'node:path';
import { sdkReady } from './consent-helpers';

/** How late the queued-calls page gets the SDK, so its calls surely go through the stub's queue. */
const LATE_SDK_MS = 400;

describe.skipIf(skipWithoutChromium)('the script tag in Chromium', () => {
  let browser: Browser;
  let stack: Stack;
  let context: BrowserContext;

  beforeAll(async () => {
    [browser, stack] = await Promise.all([
      launchChromium(),
      startStack(
        { '*': join(EXAMPLES_DIR, 'script-tag'), stub: PAGES_DIR },
        ['www.shop.test', 'app.shop.test', 'stub.shop.test'],
        { delay: (path) => (path === '/dist/affitor.global.js' ? lateSdk : 0) },
      ),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });
  let lateSdk = 0;
  beforeEach(async () => {
    lateSdk = 0;
    await stack.resetApi();
    context = await browser.newContext();
  });
  afterEach(() => context.close());

  const state = () => stack.api.app.inspect();

  it('writes the click id on .shop.test for the program window, and a signup on app.shop.test binds the lead to that customer', async () => {
    const landing = await openPage(context);
    await landing.page.goto(`${stack.origin('www.shop.test')}/?aff=${PARTNER_A.link}`);
    const clickId = await waitForCookie(context, 'affitor_click_id');
    // A landing has work for the tracker: the loader fetched it from its own folder.
    expect(landing.sdkFiles).toEqual(['affitor.global.js', 'affitor.tracker.js']);

    expect(clickId).toMatchObject({ domain: '.shop.test', path: '/', sameSite: 'Lax', secure: false, httpOnly: false });
    expect(daysLeft(clickId)).toBeGreaterThan(WINDOW_DAYS - 0.01);
    expect(daysLeft(clickId)).toBeLessThan(WINDOW_DAYS + 0.01);
    for (const name of ['customer_code', 'affitor_click_ids', 'affitor_aff_url']) {
      expect(await jarCookie(context, name), name).toMatchObject({ domain: '.shop.test' });
    }
    expect(decodeURIComponent((await jarCookie(context, 'affitor_aff_url'))!.value)).toBe(landing.page.url());

    const [click] = state().clicks;
    expect(state().clicks).toHaveLength(1);
    expect(click).toMatchObject({ click_id: clickId.value, partner_id: PARTNER_A.id, affiliate_url: landing.page.url() });

    // Another subdomain: the SDK reads the cookie back and sends no click.
    const app = await openPage(context);
    await app.page.goto(`${stack.origin('app.shop.test')}/signup.html`);
    await expect.poll(() => app.page.textContent('#attribution')).toContain(clickId.value);
    await app.page.fill('input[name=email]', 'Ada@Example.com');
    await app.page.click('button[type=submit]');
    await expect.poll(() => app.page.textContent('#result')).toContain('Welcome');

    expect(state().clicks).toHaveLength(1);
    const [lead] = state().leads;
    expect(lead).toMatchObject({ click_id: clickId.value, customer_key: 'ada@example.com', email: 'Ada@Example.com', mode: 'browser' });
    const customer = state().customers.find((c) => c.click_id === clickId.value);
    expect(customer).toMatchObject({ id: click!.customer_id, status: 'lead', customer_key: 'ada@example.com', partner_id: PARTNER_A.id });
    expect(affitorErrors([...landing.console, ...app.console])).toEqual([]);
  });

  it('sends no second click on reload with the same aff; another partner sends one with existing_click_id and overwrites the cookies', async () => {
    const { page, requests } = await openPage(context);
    const landingA = `${stack.origin('www.shop.test')}/?aff=${PARTNER_A.link}`;
    await page.goto(landingA);
    const first = await waitForCookie(context, 'affitor_click_id');
    await page.reload();
    await settle(page);
    expect(routes(requests)).toEqual(['click']);
    expect(requests[0]!.contentType).toMatch(/^text\/plain/);
    expect(requests[0]!.body).not.toHaveProperty('existing_click_id');
    expect(state().clicks).toHaveLength(1);

    const landingB = `${stack.origin('www.shop.test')}/?aff=${PARTNER_B.link}`;
    await page.goto(landingB);
    await expect.poll(() => state().clicks.length).toBe(2);
    const second = state().clicks[1]!;
    expect(requests[1]!.body).toMatchObject({ existing_click_id: first.value, affiliate_url: landingB });
    expect(second).toMatchObject({ partner_id: PARTNER_B.id, affiliate_url: landingB });
    // The visitor stays one customer, now attributed to partner B (last touch).
    expect(second.customer_id).toBe(state().clicks[0]!.customer_id);
    expect(state().customers).toHaveLength(1);
    expect(state().customers[0]).toMatchObject({ partner_id: PARTNER_B.id });

    const affUrl = await waitForCookie(context, 'affitor_aff_url', encodeURIComponent(landingA));
    expect(decodeURIComponent(affUrl.value)).toBe(landingB);
    const clickId = await jarCookie(context, 'affitor_click_id');
    expect(clickId).toMatchObject({ domain: '.shop.test', value: second.click_id });
    expect(clickId!.value).not.toBe(first.value);
    const history = decodeURIComponent((await jarCookie(context, 'affitor_click_ids'))!.value);
    expect(history).toBe(`${first.value}|${second.click_id}`);
    expect(routes(requests)).toEqual(['click', 'click']);
  });

  it('gives a page whose origin the program does not allow no attribution, one clear console error, and leaves the page working', async () => {
    const { page, console: lines } = await openPage(context);
    await page.goto(`${stack.origin('blocked.shop.test')}/?aff=${PARTNER_A.link}`);
    // The error comes once the in-page retries (about 2 s) are over.
    await expect.poll(() => affitorErrors(lines), { timeout: 10_000 }).toHaveLength(1);
    await settle(page);

    const [error] = affitorErrors(lines);
    expect(error).toMatch(/^\[Affitor\] click not recorded: .*Failed to fetch.*this origin is not allowed/);
    expect(affitorErrors(lines)).toHaveLength(1);
    expect(lines.filter((line) => line.type === 'pageerror')).toEqual([]);
    // No attribution cookie; only the outbox, which a later page view may still deliver.
    expect((await jar(context)).map((cookie) => cookie.name)).toEqual(['affitor_outbox']);
    expect(await page.evaluate(() => (window as unknown as AffitorWindow).affitor.getData())).toMatchObject({ clickId: null, hasAttribution: false });

    // The shop's own script still runs.
    await page.click('#add-to-cart');
    await page.click('#add-to-cart');
    expect(await page.textContent('#cart-count')).toBe('2');
  });

  it('delivers init, signup and ready calls queued by the stub before the script loaded', async () => {
    lateSdk = LATE_SDK_MS;
    const { page, console: lines, requests } = await openPage(context);
    await page.goto(`${stack.origin('stub.shop.test')}/queued.html?aff=${PARTNER_A.link}`);
    expect(await page.evaluate(() => (window as unknown as { queuedBeforeLoad: number }).queuedBeforeLoad)).toBe(3);

    await expect.poll(() => state().leads.length).toBe(1);
    const [click] = state().clicks;
    // The queued signup waited for the landing's click, so the lead carries its click id.
    expect(state().leads[0]).toMatchObject({ click_id: click!.click_id, customer_key: 'queued_user', email: 'queued@example.com' });
    expect(state().customers[0]).toMatchObject({ id: click!.customer_id, status: 'lead' });
    await expect.poll(() => routes(requests)).toEqual(['click', 'lead']);
    expect(await page.evaluate(() => (window as unknown as { readyRan: unknown }).readyRan)).toEqual({ clickIdAtLoad: null, hasGetData: true });
    // The queued init({ debug: true }) was applied: debug lines from the start.
    await expect.poll(() => lines.some((line) => line.type === 'info' && line.text.startsWith('[Affitor] init'))).toBe(true);
    expect(affitorErrors(lines)).toEqual([]);
  });

  it('fetches the tracker only for page views with work: a landing, a later ?aff= by pushState, a signup; not a reload or a plain page view', async () => {
    const page = (path: string) => `${stack.origin('stub.shop.test')}${path}`;
    const landing = await openPage(context);
    await landing.page.goto(page(`/lazy.html?aff=${PARTNER_A.link}`));
    const first = await waitForCookie(context, 'affitor_click_id');
    expect(landing.sdkFiles).toEqual(['affitor.global.js', 'affitor.tracker.js']);

    // A reload of the stored landing: the last-touch table sends nothing, so the loader fetches nothing.
    const reload = await openPage(context);
    await reload.page.goto(landing.page.url());
    await sdkReady(reload.page);
    await settle(reload.page);
    expect(reload.sdkFiles).toEqual(['affitor.global.js']);
    expect(reload.requests).toEqual([]);

    // A plain page view: the loader alone reads the attribution back, and nothing is sent.
    const plain = await openPage(context);
    await plain.page.goto(page('/lazy.html'));
    await sdkReady(plain.page);
    await settle(plain.page);
    expect(plain.sdkFiles).toEqual(['affitor.global.js']);
    expect(await plain.page.evaluate(() => (window as unknown as AffitorWindow).affitor.getData())).toEqual({
      clickId: first.value,
      programId: 1,
      hasAttribution: true,
      affiliateUrl: landing.page.url(),
    });
    expect(plain.requests).toEqual([]);

    // The app adds another partner's ?aff= with pushState: the tracker comes, and reports the switch.
    await plain.page.evaluate((aff) => history.pushState(null, '', `/lazy.html?aff=${aff}`), PARTNER_B.link);
    await expect.poll(() => state().clicks.length).toBe(2);
    expect(plain.sdkFiles).toEqual(['affitor.global.js', 'affitor.tracker.js']);
    // The server can record the click before Chromium's request event reaches the test: wait for the event.
    await expect.poll(() => plain.requests.length).toBe(1);
    expect(plain.requests[0]!.body).toMatchObject({ existing_click_id: first.value, affiliate_url: page(`/lazy.html?aff=${PARTNER_B.link}`) });
    const second = await waitForCookie(context, 'affitor_click_id', first.value);

    // A signup on a plain page view: the call fetches the tracker, and the lead carries partner B's click.
    const signup = await openPage(context);
    await signup.page.goto(page('/lazy.html'));
    await sdkReady(signup.page);
    await signup.page.evaluate(() => (window as unknown as AffitorWindow).affitor.signup('lazy@example.com'));
    expect(signup.sdkFiles).toEqual(['affitor.global.js', 'affitor.tracker.js']);
    expect(state().leads).toEqual([expect.objectContaining({ click_id: second.value, customer_key: 'lazy@example.com' })]);
    expect(affitorErrors([...landing.console, ...plain.console, ...signup.console])).toEqual([]);
  });

  it('runs under a nonce-based Content-Security-Policy: the tracker gets the loader\'s nonce, and the landing is recorded', async () => {
    const { page, console: lines, sdkFiles } = await openPage(context);
    await page.goto(`${stack.origin('stub.shop.test')}/csp.html?aff=${PARTNER_A.link}`);
    const clickId = await waitForCookie(context, 'affitor_click_id');
    expect(state().clicks).toEqual([expect.objectContaining({ click_id: clickId.value, partner_id: PARTNER_A.id })]);
    expect(sdkFiles).toEqual(['affitor.global.js', 'affitor.tracker.js']);
    expect(lines.filter((line) => line.type === 'error' || line.type === 'pageerror')).toEqual([]);
  });
});

interface AffitorWindow {
  affitor: { getData(): unknown; signup(customerKey: string): Promise<void> };
}
