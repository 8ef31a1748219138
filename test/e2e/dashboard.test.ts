/** The reference server's dashboard (GET /_dashboard) in Chromium: one chain per row, live updates, the token form, no JavaScript. */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServer } from '../../examples/server/src/node';
import type { RunningServer } from '../../examples/server/src/node';
import { PARTNER_A, seed } from '../support/seed';
import { launchChromium, skipWithoutChromium } from './harness';

const TOKEN = 'aff_test_1';
const ADMIN = 'admin_dashboard_test';

describe.skipIf(skipWithoutChromium)('[chromium] the dashboard', () => {
  let browser: Browser;
  let context: BrowserContext;
  let api: RunningServer;

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser.close());
  beforeEach(async () => {
    api = await startServer({ port: 0, seed: seed().program(1, TOKEN).partnersWithLinks(1, PARTNER_A).admin(ADMIN).build() });
  });
  afterEach(async () => {
    await context?.close();
    await api.close();
  });

  const post = async (route: string, body: Record<string, unknown>, token?: string) => {
    const response = await fetch(`${api.url}/api/v1/track/${route}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    return { status: response.status, requestId: response.headers.get('x-request-id')!, body: (await response.json()) as Record<string, unknown> };
  };

  /** A click, a lead and a sale for one customer, as a shop would send them. */
  const oneChain = async () => {
    const click = await post('click', { affiliate_url: `https://shop.test/?aff=${PARTNER_A.link}` });
    const clickId = click.body.click_id as string;
    const lead = await post('lead', { click_id: clickId, customer_key: 'user_42', email: 'buyer@shop.test' });
    const sale = await post('sale', { transaction_id: 'txn_dash_1', amount_cents: 4900, customer_key: 'user_42' }, TOKEN);
    expect([click.status, lead.status, sale.status]).toEqual([200, 200, 200]);
    return { clickId, requestIds: [click.requestId, lead.requestId, sale.requestId] };
  };

  const rows = (page: Page) => page.locator('table.chains tbody tr[data-customer]');

  it('asks for the token, keeps it out of the URL, shows the one chain on one row, and updates when a refund arrives', async () => {
    context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${api.url}/_dashboard`);
    await expect(page.locator('#token-form input[name=token]').count()).resolves.toBe(1);
    expect(await rows(page).count()).toBe(0);

    await page.fill('input[name=token]', ADMIN);
    await page.click('button[type=submit]');
    await page.locator('table.chains').waitFor();
    expect(page.url()).toBe(`${api.url}/_dashboard`);
    expect(await page.evaluate(() => sessionStorage.getItem('affitor-dashboard-token'))).toBe(ADMIN);

    const { clickId, requestIds } = await oneChain();
    // The page refreshes by itself: wait for the sale to show, without reloading.
    await page.locator('table.chains tbody tr', { hasText: 'txn_dash_1' }).waitFor();
    expect(await rows(page).count()).toBe(1);
    const row = rows(page).first();
    const text = await row.innerText();
    expect(text).toContain('Partner A');
    expect(text).toContain(clickId);
    expect(text).toContain('user_42');
    expect(text).toContain('49.00 USD');
    for (const id of requestIds) expect(text).toContain(id);
    expect(text).not.toContain('refunded');

    const refund = await post('refund', { transaction_id: 'txn_dash_1' }, TOKEN);
    expect(refund.body).toMatchObject({ success: true, status: 'reversed' });
    await row.locator('td', { hasText: refund.requestId }).waitFor();
    expect(await rows(page).count()).toBe(1);
    expect(await row.innerText()).toContain('reversed');
  });

  it('keeps what the merchant is reading in place when an update adds rows above it', async () => {
    context = await browser.newContext();
    const page = await context.newPage();
    for (let i = 0; i < 30; i++) await post('click', { affiliate_url: `https://shop.test/?aff=${PARTNER_A.link}` });
    await page.goto(`${api.url}/_dashboard`);
    await page.fill('input[name=token]', ADMIN);
    await page.click('button[type=submit]');
    await expect.poll(() => rows(page).count()).toBe(30);
    // Scrolled down to the latest requests, where a failing call shows.
    const heading = page.locator('#requests');
    await heading.evaluate((h) => window.scrollTo(0, h.getBoundingClientRect().top + window.scrollY - 10));
    const before = await heading.evaluate((h) => h.getBoundingClientRect().top);

    // A new customer: a row above, in the chains table.
    const click = await post('click', { affiliate_url: `https://shop.test/?aff=${PARTNER_A.link}` });
    await page.locator('table.requests tr', { hasText: click.requestId }).waitFor();
    expect(await rows(page).count()).toBe(31);
    expect(await heading.evaluate((h) => h.getBoundingClientRect().top)).toBeCloseTo(before, 0);
  });

  it('lists the latest requests with their status and error message', async () => {
    context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${api.url}/_dashboard`);
    await page.fill('input[name=token]', ADMIN);
    await page.click('button[type=submit]');
    await page.locator('table.requests').waitFor();
    const failed = await post('sale', { transaction_id: 'txn_x', amount_cents: 100, customer_key: 'nobody' }, TOKEN);
    await page.locator('table.requests tr', { hasText: failed.requestId }).waitFor();
    const line = await page.locator('table.requests tr', { hasText: failed.requestId }).innerText();
    expect(line).toContain('400');
    expect(line).toContain('Customer not found. Provide customer_key or click_id.');
  });

  it('with a wrong token shows no data and asks again', async () => {
    await oneChain();
    context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${api.url}/_dashboard`);
    await page.fill('input[name=token]', 'not-the-token');
    await page.click('button[type=submit]');
    await page.locator('[role=alert]').waitFor();
    expect(await page.locator('table').count()).toBe(0);
    expect(await page.content()).not.toContain('txn_dash_1');
    expect(await page.evaluate(() => sessionStorage.getItem('affitor-dashboard-token'))).toBeNull();
  });

  it('works with JavaScript off: the form posts the token and the answer is the plain table', async () => {
    const { clickId } = await oneChain();
    context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${api.url}/_dashboard`);
    expect(await page.content()).not.toContain(clickId);
    await page.fill('input[name=token]', ADMIN);
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    expect(page.url()).toBe(`${api.url}/_dashboard`);
    expect(await rows(page).count()).toBe(1);
    expect(await rows(page).first().innerText()).toContain(clickId);
  });

  it('keeps a value in a right-to-left script from carrying the text beside it into its run', async () => {
    // Hebrew letters at the end of a transaction id and of an email: laid out without isolation, the
    // amount after the id joined their right-to-left run and showed inside it (`txn_49.00 <letters> USD`).
    const transaction = 'txn_\u05d0\u05d1';
    const email = 'buyer_\u05d0\u05d1';
    const click = await post('click', { affiliate_url: `https://shop.test/?aff=${PARTNER_A.link}` });
    await post('lead', { click_id: click.body.click_id, customer_key: 'user_42', email });
    expect((await post('sale', { transaction_id: transaction, amount_cents: 4900, customer_key: 'user_42' }, TOKEN)).status).toBe(200);
    context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${api.url}/_dashboard`);
    await page.fill('input[name=token]', ADMIN);
    await page.click('button[type=submit]');
    await page.locator('table.chains tbody tr', { hasText: transaction }).waitFor();
    /** For each element showing `value` followed by text: is that text laid out wholly after it (left to right)? */
    const laidOutAfter = (selector: string, value: string) =>
      page.evaluate(
        ({ selector, value }) =>
          [...document.querySelectorAll(selector)]
            .filter((element) => element.textContent == value && element.nextSibling?.nodeType == Node.TEXT_NODE && /\d/.test(element.nextSibling.textContent!))
            .map((element) => {
              const after = document.createRange();
              after.selectNodeContents(element.nextSibling!);
              const valueRight = Math.max(...[...element.getClientRects()].map((rect) => rect.right));
              const textLeft = Math.min(...[...after.getClientRects()].filter((rect) => rect.width > 0).map((rect) => rect.left));
              return valueRight <= textLeft + 0.5;
            }),
        { selector, value },
      );
    // The sale (its amount) and its commission (`: 4.90 USD`).
    await expect(laidOutAfter('table.chains code', transaction)).resolves.toEqual([true, true]);
    const emailCell = page.locator('table.chains bdi', { hasText: email });
    await expect(emailCell.count()).resolves.toBe(1);
    await expect(emailCell.evaluate((element) => getComputedStyle(element).unicodeBidi)).resolves.toBe('isolate');
  });

  it("keeps the tables within the window when a caller sends a long value: one browser lead's key made every column wider than the screen", async () => {
    // A lead needs no token: any visitor can send a key (or email) of hundreds of characters without a space, shown to 300.
    const click = await post('click', { affiliate_url: `https://shop.test/?aff=${PARTNER_A.link}` });
    expect((await post('lead', { click_id: click.body.click_id, customer_key: 'k'.repeat(400), email: `${'e'.repeat(400)}@shop.test` })).status).toBe(200);
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${api.url}/_dashboard`);
    await page.fill('input[name=token]', ADMIN);
    await page.click('button[type=submit]');
    await page.locator('table.chains tbody tr[data-customer]').waitFor();
    const widths = await page.evaluate(() => ({ window: document.documentElement.clientWidth, page: document.documentElement.scrollWidth }));
    expect(widths.page).toBeLessThanOrEqual(widths.window);
  });

  it('answers the page to Authorization: Bearer <admin token>, and nothing to anyone else', async () => {
    const { clickId } = await oneChain();
    const withToken = await fetch(`${api.url}/_dashboard`, { headers: { Authorization: `Bearer ${ADMIN}` } });
    expect(withToken.status).toBe(200);
    expect(await withToken.text()).toContain(clickId);
    for (const headers of [{}, { Authorization: `Bearer ${TOKEN}` }, { Authorization: 'Bearer' }] as Record<string, string>[]) {
      const refused = await fetch(`${api.url}/_dashboard`, { headers });
      expect(refused.status).toBe(401);
      expect(await refused.text()).not.toContain(clickId);
      const fragment = await fetch(`${api.url}/_dashboard/fragment`, { headers });
      expect(fragment.status).toBe(401);
      expect(await fragment.json()).toEqual({ error: 'Unauthorized' });
    }
  });
});
