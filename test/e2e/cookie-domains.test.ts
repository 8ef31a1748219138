/**
 * Which cookie domain the SDK's probe finds in real Chromium on real-looking domains mapped
 * to loopback (Chromium's --host-resolver-rules; Firefox and WebKit have no such switch, so
 * the cross-engine scenarios use *.localhost): the public suffix list (co.uk), and `Secure`
 * with https. Host-only cookies on localhost and the root domain of *.shop.localhost are
 * cross-engine scenarios (cross-engine/attribution.ts).
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import {
  EXAMPLES_DIR,
  PARTNER_A,
  WINDOW_DAYS,
  affitorErrors,
  daysLeft,
  jar,
  launchChromium,
  makeCertificate,
  openPage,
  skipWithoutChromium,
  startStack,
  waitForCookie,
} from './harness';
import type { Stack } from './harness';

const COOKIES = ['affitor_click_id', 'customer_code', 'affitor_click_ids', 'affitor_aff_url'];
/** Written beside them for the browser session (no expiry): the session id and the newest touch. */
const SESSION_COOKIES = ['affitor_session_id', 'affitor_touch'];
const SHOP = { '*': join(EXAMPLES_DIR, 'script-tag') };

describe.skipIf(skipWithoutChromium)('[chromium] cookie domains on mapped hosts: public suffixes, https', () => {
  let browser: Browser;
  let http: Stack;
  let https: Stack;
  let context: BrowserContext;

  beforeAll(async () => {
    const tls = await makeCertificate();
    [browser, http, https] = await Promise.all([
      launchChromium(['--ignore-certificate-errors']),
      startStack(SHOP, ['shop.example.co.uk']),
      startStack(SHOP, ['www.shop.test'], { tls }),
    ]);
    expect(https.origin('www.shop.test')).toMatch(/^https:/);
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all([http?.close(), https?.close()]);
  });
  beforeEach(async () => {
    context = await browser.newContext();
  });
  afterEach(() => context.close());

  /** Lands on `origin` with partner A's link; resolves to every cookie the SDK wrote, once written. */
  async function land(origin: string) {
    const { page, console: lines } = await openPage(context);
    await page.goto(`${origin}/?aff=${PARTNER_A.link}`);
    await waitForCookie(context, 'affitor_click_id');
    expect(affitorErrors(lines)).toEqual([]);
    const cookies = await jar(context);
    expect(cookies.map((cookie) => cookie.name).sort()).toEqual([...COOKIES, ...SESSION_COOKIES].sort());
    return cookies;
  }

  it('writes on .example.co.uk from shop.example.co.uk (co.uk is a public suffix Chromium refuses)', async () => {
    const cookies = await land(http.origin('shop.example.co.uk'));
    for (const cookie of cookies) expect(cookie, cookie.name).toMatchObject({ domain: '.example.co.uk', secure: false });
    // The probe cookie left no trace.
    expect(cookies.some((cookie) => cookie.name.includes('probe'))).toBe(false);
  });

  it('gives way from a cookieDomain option Chromium refuses (co.uk) to the suffix it accepts: the partner is kept', async () => {
    // The stub queue's init options fold into the script tag's init, as a page's own would.
    await context.addInitScript(() => {
      (window as { affitor?: unknown }).affitor = { q: [['init', [{ cookieDomain: 'co.uk' }]]] };
    });
    const cookies = await land(http.origin('shop.example.co.uk'));
    for (const cookie of cookies) expect(cookie, cookie.name).toMatchObject({ domain: '.example.co.uk' });
    expect(cookies.some((cookie) => cookie.name.includes('probe'))).toBe(false);
  });

  it('adds Secure over https, still on the root domain and for the program window', async () => {
    const cookies = await land(https.origin('www.shop.test'));
    for (const cookie of cookies) {
      expect(cookie, cookie.name).toMatchObject({ domain: '.shop.test', secure: true, sameSite: 'Lax', path: '/' });
      // The session id and the newest touch last for the browser session; the attribution for the program window.
      if (SESSION_COOKIES.includes(cookie.name)) expect(cookie.expires).toBe(-1);
      else expect(daysLeft(cookie)).toBeCloseTo(WINDOW_DAYS, 2);
    }
    expect(https.api.app.inspect().clicks).toHaveLength(1);
  });
});
