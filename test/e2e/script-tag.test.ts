/**
 * The `<script>` build in real Chromium, what the cross-engine scenarios do not cover: which
 * SDK files a page view fetches, and a nonce-based Content-Security-Policy. The example shop
 * and the fixture pages on mapped `.shop.test` hosts, the reference tracking server on
 * another origin.
 */
import { describe, expect, it } from 'vitest';
import {
  EXAMPLES_DIR,
  PAGES_DIR,
  PARTNER_A,
  PARTNER_B,
  affitorErrors,
  openPage,
  settle,
  skipWithoutChromium,
  useChromiumSuite,
  waitForCookie,
} from './harness';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../examples/demo/static-server';
import type { Page } from 'playwright-core';
import { sdkReady } from './consent-helpers';

/** The version built into dist/, as package.json names it. */
const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe.skipIf(skipWithoutChromium)('[chromium] the script tag: affitor.more.js when asked, Content-Security-Policy', () => {
  const e2e = useChromiumSuite({ '*': join(EXAMPLES_DIR, 'script-tag'), stub: PAGES_DIR }, ['www.shop.test', 'app.shop.test', 'stub.shop.test']);

  const state = () => e2e.stack.api.app.inspect();

  it('a landing, a later ?aff= by pushState, a reload and a plain page view (a grant too) need the first file alone; a signup fetches affitor.main.js, and diagnose() affitor.more.js', async () => {
    const page = (path: string) => `${e2e.stack.origin('stub.shop.test')}${path}`;
    const landing = await openPage(e2e.context);
    await landing.page.goto(page(`/lazy.html?aff=${PARTNER_A.link}`));
    const first = await waitForCookie(e2e.context, 'affitor_click_id');
    expect(landing.sdkFiles).toEqual(['affitor.global.js']);

    // A reload of the stored landing: the last-touch table sends nothing.
    const reload = await openPage(e2e.context);
    await reload.page.goto(landing.page.url());
    await sdkReady(reload.page);
    await settle(reload.page);
    expect(reload.sdkFiles).toEqual(['affitor.global.js']);
    expect(reload.requests).toEqual([]);

    // A plain page view: the first file reads the attribution back, and nothing is sent. A consent
    // tool's grantConsent at load (consent is given already) loads no file either.
    const plain = await openPage(e2e.context);
    await plain.page.goto(page('/lazy.html'));
    await sdkReady(plain.page);
    await plain.page.evaluate(() => (window as unknown as AffitorWindow).affitor.grantConsent());
    await settle(plain.page);
    expect(plain.sdkFiles).toEqual(['affitor.global.js']);
    expect(await plain.page.evaluate(() => (window as unknown as AffitorWindow).affitor.getData())).toEqual({
      clickId: first.value,
      programId: 1,
      hasAttribution: true,
      affiliateUrl: landing.page.url(),
    });
    expect(plain.requests).toEqual([]);

    // The app adds another partner's ?aff= with pushState: the first file reports the switch by itself.
    await plain.page.evaluate((aff) => history.pushState(null, '', `/lazy.html?aff=${aff}`), PARTNER_B.link);
    await expect.poll(() => state().clicks.length).toBe(2);
    expect(plain.sdkFiles).toEqual(['affitor.global.js']);
    // The server can record the click before Chromium's request event reaches the test: wait for the event.
    await expect.poll(() => plain.requests.length).toBe(1);
    expect(plain.requests[0]!.body).toMatchObject({ existing_click_id: first.value, affiliate_url: page(`/lazy.html?aff=${PARTNER_B.link}`) });
    const second = await waitForCookie(e2e.context, 'affitor_click_id', first.value);

    // A signup on a plain page view: the first file keeps the lead, which carries partner B's click, and
    // the main file it fetches sends it (twice when the server forbids caching: a look at the answer,
    // then the script).
    const signup = await openPage(e2e.context);
    await signup.page.goto(page('/lazy.html'));
    await sdkReady(signup.page);
    await signup.page.evaluate(() => (window as unknown as AffitorWindow).affitor.signup('lazy@example.com'));
    expect(state().leads).toEqual([expect.objectContaining({ click_id: second.value, customer_key: 'lazy@example.com' })]);
    expect(signup.sdkFiles).toEqual(['affitor.global.js', 'affitor.main.js', 'affitor.main.js']);

    // diagnose() is the rest's: its first call fetches it, and a later call answers.
    await diagnosed(signup.page);
    expect(new Set(signup.sdkFiles)).toEqual(new Set(['affitor.global.js', 'affitor.main.js', 'affitor.more.js']));
    expect(affitorErrors([...landing.console, ...plain.console, ...signup.console])).toEqual([]);
  });

  it('attributes a partner link into a hash-mode route (/#/pricing?aff=): the API gets the code in the query', async () => {
    const landing = await openPage(e2e.context);
    await landing.page.goto(`${e2e.stack.origin('stub.shop.test')}/lazy.html#/pricing?aff=${PARTNER_A.link}`);
    await waitForCookie(e2e.context, 'affitor_click_id');
    expect(state().clicks).toEqual([expect.objectContaining({ affiliate_url: expect.stringContaining(`/lazy.html?aff=${PARTNER_A.link}#/pricing`) as string })]);
    expect(affitorErrors(landing.console)).toEqual([]);
  });

  it('runs under a nonce-based Content-Security-Policy: landing and signup are recorded, and affitor.main.js and affitor.more.js get the first file\'s nonce', async () => {
    const { page, console: lines, sdkFiles } = await openPage(e2e.context);
    await page.goto(`${e2e.stack.origin('stub.shop.test')}/csp.html?aff=${PARTNER_A.link}`);
    const clickId = await waitForCookie(e2e.context, 'affitor_click_id');
    expect(state().clicks).toEqual([expect.objectContaining({ click_id: clickId.value, partner_id: PARTNER_A.id })]);
    await page.evaluate(() => (window as unknown as AffitorWindow).affitor.signup('csp@example.com'));
    expect(state().leads).toEqual([expect.objectContaining({ click_id: clickId.value, customer_key: 'csp@example.com' })]);
    // The main file (the signup's) and the rest (the diagnosis) run only if the policy let their script tags in.
    await diagnosed(page);
    expect(new Set(sdkFiles)).toEqual(new Set(['affitor.global.js', 'affitor.main.js', 'affitor.more.js']));
    expect(lines.filter((line) => line.type === 'error' || line.type === 'pageerror')).toEqual([]);
  });

  it('revokeConsent while the landing\'s click is on its way, then grantConsent: the partner\'s click is kept, recorded once, and written', async () => {
    // The click's answer is held back until the withdrawal was made, as a consent tool that withdraws as it loads does.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await e2e.context.route('**/api/v1/track/click', async (route) => {
      await held;
      await route.continue();
    });
    const { page, console: lines, requests } = await openPage(e2e.context);
    await page.goto(`${e2e.stack.origin('stub.shop.test')}/lazy.html?aff=${PARTNER_A.link}`);
    await expect.poll(() => requests.length).toBe(1);
    await page.evaluate(() => (window as unknown as AffitorWindow).affitor.revokeConsent());
    release();
    await expect.poll(() => state().clicks.length).toBe(1);
    await settle(page);
    expect(await e2e.context.cookies()).toEqual([]);
    await page.evaluate(() => (window as unknown as AffitorWindow).affitor.grantConsent());
    const clickId = await waitForCookie(e2e.context, 'affitor_click_id');
    expect(clickId.value).toBe(state().clicks[0]!.click_id);
    expect(state().clicks).toHaveLength(1);
    expect((await e2e.context.cookies()).map((cookie) => cookie.name).sort()).toEqual(['affitor_aff_url', 'affitor_click_id', 'affitor_click_ids', 'affitor_session_id', 'affitor_touch', 'customer_code']);
    expect(affitorErrors(lines)).toEqual([]);
  });

  it('a tag naming a range on jsDelivr: the main file and the rest come from the version of the first file that ran, not from the range', async () => {
    // The CDN as jsDelivr answers a range: the file of the release it resolves to, here the one built.
    const cdn = 'https://cdn.jsdelivr.net/npm/@affitor/sdk';
    const asked: string[] = [];
    await e2e.context.route(
      (url) => url.href.startsWith(`${cdn}@`),
      (route) => {
        const url = route.request().url();
        asked.push(url.slice(cdn.length));
        return route.fulfill({
          headers: { 'Access-Control-Allow-Origin': '*' },
          contentType: 'text/javascript',
          body: readFileSync(join(REPO_ROOT, 'dist', url.slice(url.lastIndexOf('/') + 1))),
        });
      },
    );
    const { page, console: lines } = await openPage(e2e.context);
    await page.goto(`${e2e.stack.origin('stub.shop.test')}/cdn-range.html?aff=${PARTNER_A.link}`);
    const clickId = await waitForCookie(e2e.context, 'affitor_click_id');
    await page.evaluate(() => (window as unknown as AffitorWindow).affitor.signup('range@example.com'));
    expect(state().leads).toEqual([expect.objectContaining({ click_id: clickId.value, customer_key: 'range@example.com' })]);
    await diagnosed(page);
    expect(new Set(asked)).toEqual(new Set(['@0/dist/affitor.global.js', `@${VERSION}/dist/affitor.main.js`, `@${VERSION}/dist/affitor.more.js`]));
    expect(affitorErrors(lines)).toEqual([]);
  });
});

interface AffitorWindow {
  affitor: { getData(): unknown; signup(customerKey: string): Promise<void>; diagnose(): unknown; revokeConsent(): Promise<void>; grantConsent(): Promise<void> };
}

/** Asks for diagnose() until it answers: its first call loads affitor.more.js, which must run. */
const diagnosed = (page: Page) =>
  expect.poll(() => page.evaluate(() => (window as unknown as AffitorWindow).affitor.diagnose() !== null)).toBe(true);
