/**
 * Consent, `diagnose()` and `onAttribution` in real Chromium, with the browser's cookie jar
 * (`jar()`: `context.cookies()` once it holds every write the page made) as the source of
 * truth: what the SDK writes before and after consent, in the script build and the ES
 * module; each diagnosis warning caused by a page built for it; and the attribution events
 * of a single-page app.
 */
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import type { BrowserContext, Frame, Page } from 'playwright-core';
import {
  PARTNER_A,
  PARTNER_B,
  PROGRAM_ID,
  WINDOW_DAYS,
  affitorErrors,
  daysLeft,
  jar,
  jarCookie,
  openPage,
  routes,
  settle,
  skipWithoutChromium,
  useChromiumSuite,
  waitForCookie,
} from './harness';
import {
  CONSENT_PAGES_DIR,
  cookieWrites,
  recordAnswers,
  recordCookieWrites,
  sdkReady,
  storageOf,
  turnOnGlobalPrivacyControl,
} from './consent-helpers';
import type { ConsentWindow } from './consent-helpers';
import type * as Sdk from '../../src/index';
import { REPO_ROOT } from '../../examples/demo/static-server';

/** The cookies the SDK writes once consent is given (the outbox only while a request is unanswered). */
const ATTRIBUTION_COOKIES = ['affitor_aff_url', 'affitor_click_id', 'affitor_click_ids', 'customer_code'];
/** What consent given writes after a landing held in memory: the attribution, the landing it comes from (affitor_touch) and the session id the click was sent with. */
const GRANTED_COOKIES = [...ATTRIBUTION_COOKIES, 'affitor_session_id', 'affitor_touch'].sort();
const BLOCKED_WARNING = 'cookies blocked by the browser: attribution kept in memory for this page only';
const PENDING_WARNING = 'consent pending: attribution kept in memory only';
/** Without the first-party handler, the page writes the attribution cookies itself. */
const SAFARI_WARNING = 'Safari keeps cookies written by the page at most 7 days: serve the SDK through createAffitorHandler';

const names = async (context: BrowserContext): Promise<string[]> => (await jar(context)).map((cookie) => cookie.name).sort();

// The SDK as each page exposes it: window.affitor (script build) or window.sdk (ES module).
const scriptData = (target: Page | Frame) => target.evaluate(() => (window as ConsentWindow).affitor!.getData());
/** The script build's diagnose(): null until its first call has loaded affitor.more.js, then the report. */
const scriptDiagnose = async (target: Page | Frame) => {
  await target.waitForFunction(() => (window as ConsentWindow).affitor!.diagnose() !== null);
  return target.evaluate(() => (window as ConsentWindow).affitor!.diagnose()!);
};
const moduleData = (page: Page) => page.evaluate(() => (window as ConsentWindow).sdk!.getData());

describe.skipIf(skipWithoutChromium)('[chromium] consent, diagnose() and onAttribution', () => {
  // blocked.shop.test and www.example.co.uk are served but not allowed by the program.
  const e2e = useChromiumSuite({ '*': CONSENT_PAGES_DIR }, ['www.shop.test', 'www.shop.example.co.uk'], recordCookieWrites);

  const state = () => e2e.stack.api.app.inspect();
  const shop = (path: string) => `${e2e.stack.origin('www.shop.test')}${path}`;

  describe('consent', () => {
    it('script tag, consent pending: reports the click but writes nothing; grantConsent writes the cookies; revokeConsent deletes them all', async () => {
      const { page, console: lines, requests } = await openPage(e2e.context);
      const landing = shop(`/pending.html?aff=${PARTNER_A.link}`);
      await page.goto(landing);
      await sdkReady(page);

      // The partner's visit reaches the server...
      await expect.poll(() => state().clicks.length).toBe(1);
      const [click] = state().clicks;
      expect(click).toMatchObject({ partner_id: PARTNER_A.id, affiliate_url: landing });
      // ...and the page holds its click id in memory.
      await expect.poll(async () => (await scriptData(page))?.clickId).toBe(click!.click_id);
      expect(await scriptData(page)).toEqual({ clickId: click!.click_id, programId: PROGRAM_ID, hasAttribution: true, affiliateUrl: landing });
      await settle(page);

      // Nothing on the device: no cookie in the jar, none ever written (not even the probe), no storage.
      expect(await jar(e2e.context)).toEqual([]);
      expect(await cookieWrites(page)).toEqual([]);
      expect(await storageOf(page)).toEqual({ session: {}, local: {} });
      const pending = await scriptDiagnose(page);
      expect(pending).toMatchObject({ consent: 'pending', cookies: {}, probes: [], cookieDomain: null, cookieDomainReason: 'not chosen yet' });
      expect(pending.warnings).toEqual([PENDING_WARNING]);

      // Consent given: the held attribution is written on the root domain for the program's window, and the session id the click was sent with.
      await page.evaluate(() => (window as ConsentWindow).affitor!.grantConsent());
      expect(await names(e2e.context)).toEqual(GRANTED_COOKIES);
      const clickId = (await jarCookie(e2e.context, 'affitor_click_id'))!;
      expect(clickId).toMatchObject({ value: click!.click_id, domain: '.shop.test', path: '/', sameSite: 'Lax', secure: false });
      expect(daysLeft(clickId)).toBeCloseTo(WINDOW_DAYS, 2);
      for (const cookie of await jar(e2e.context)) expect(cookie, cookie.name).toMatchObject({ domain: '.shop.test' });
      expect(decodeURIComponent((await jarCookie(e2e.context, 'affitor_aff_url'))!.value)).toBe(landing);
      expect((await scriptDiagnose(page)).warnings).toEqual([SAFARI_WARNING]);

      expect(await jarCookie(e2e.context, 'affitor_session_id')).toMatchObject({ value: requests[0]!.body.session_id, domain: '.shop.test', expires: -1 });

      // A signup carries the same session id, kept in that session cookie (no expiry), never in storage.
      await page.evaluate(() => (window as ConsentWindow).affitor!.signup('ada@example.com', 'ada@example.com'));
      expect(state().leads).toEqual([expect.objectContaining({ click_id: click!.click_id, customer_key: 'ada@example.com' })]);
      expect(await storageOf(page)).toEqual({ session: {}, local: {} });
      expect(requests[1]!.body.session_id).toBe(requests[0]!.body.session_id);

      // What an earlier integration may have left: a host-only twin and one on the host as a domain.
      const origin = shop('');
      await e2e.context.addCookies([
        { name: 'customer_code', value: 'cust_old_host_only', url: origin },
        { name: 'affitor_click_ids', value: 'cust_old_host_domain', domain: '.www.shop.test', path: '/' },
      ]);
      expect((await jar(e2e.context)).map((cookie) => `${cookie.name}@${cookie.domain}`)).toEqual(
        expect.arrayContaining(['customer_code@www.shop.test', 'affitor_click_ids@.www.shop.test', 'customer_code@.shop.test']),
      );

      // Consent withdrawn: every SDK cookie on every domain, and the session id, are gone.
      await page.evaluate(() => (window as ConsentWindow).affitor!.revokeConsent());
      expect(await jar(e2e.context)).toEqual([]);
      expect(await storageOf(page)).toEqual({ session: {}, local: {} });
      expect(await scriptData(page)).toMatchObject({ clickId: null, hasAttribution: false, affiliateUrl: null });
      const revoked = await scriptDiagnose(page);
      expect(revoked).toMatchObject({ consent: 'revoked', cookies: {} });
      expect(revoked.warnings).toEqual(['consent revoked: attribution kept in memory only']);

      // The same partner's link again in this page: reported, held in memory, still nothing written.
      const writesBefore = (await cookieWrites(page)).length;
      await page.evaluate((url) => (window as ConsentWindow).affitor!.trackClick(url), landing);
      expect(state().clicks).toHaveLength(2);
      expect((await scriptData(page))?.clickId).toBe(state().clicks[1]!.click_id);
      expect((await cookieWrites(page)).slice(writesBefore)).toEqual([]);
      expect(await jar(e2e.context)).toEqual([]);
      expect(await storageOf(page)).toEqual({ session: {}, local: {} });

      expect(routes(requests)).toEqual(['click', 'lead', 'click']);
      expect(affitorErrors(lines)).toEqual([]);
    });

    it("script tag with data-affitor-stripe: revokeConsent takes the click id back off Stripe's checkouts with the cookies, the merchant's reference stays", async () => {
      const { page, console: lines } = await openPage(e2e.context);
      await page.goto(shop(`/stripe.html?aff=${PARTNER_A.link}`));
      const clickId = (await waitForCookie(e2e.context, 'affitor_click_id')).value;
      const checkouts = () =>
        page.evaluate(() => ({
          buy: (document.getElementById('buy') as HTMLAnchorElement).href,
          own: (document.getElementById('own') as HTMLAnchorElement).href,
          table: document.getElementById('table')!.getAttribute('client-reference-id'),
        }));
      // The decoration is the rest's (affitor.more.js), loaded after the click left.
      await expect.poll(checkouts).toEqual({
        buy: `https://buy.stripe.com/test_28o5lq0cP4bc?prefilled_email=a%40b.test&client_reference_id=affitor_${clickId}`,
        own: 'https://buy.stripe.com/test_9AQ3d?client_reference_id=order_77',
        table: `affitor_${clickId}`,
      });
      await page.evaluate(() => (window as ConsentWindow).affitor!.revokeConsent());
      await expect.poll(() => jar(e2e.context)).toEqual([]);
      expect(await checkouts()).toEqual({
        buy: 'https://buy.stripe.com/test_28o5lq0cP4bc?prefilled_email=a%40b.test',
        own: 'https://buy.stripe.com/test_9AQ3d?client_reference_id=order_77',
        table: null,
      });
      expect(affitorErrors(lines)).toEqual([]);
    });

    it('keeps consent per page: a reload of the pending page is pending again, a page without the attribute writes cookies at once', async () => {
      const { page, requests } = await openPage(e2e.context);
      const landing = shop(`/pending.html?aff=${PARTNER_A.link}`);
      await page.goto(landing);
      await sdkReady(page);
      await expect.poll(async () => (await scriptData(page))?.clickId).toBeTruthy();
      await page.evaluate(() => (window as ConsentWindow).affitor!.grantConsent());
      await page.evaluate(() => (window as ConsentWindow).affitor!.revokeConsent());
      expect(await jar(e2e.context)).toEqual([]);

      // Reload: a new page, the revoke is not remembered anywhere (nothing may be stored), the
      // tag says pending: with no cookie to read, the landing is new and sent again, and held in memory.
      await page.reload();
      await sdkReady(page);
      await expect.poll(() => state().clicks.length).toBe(2);
      await expect.poll(async () => (await scriptData(page))?.clickId).toBe(state().clicks[1]!.click_id);
      await settle(page);
      expect(await jar(e2e.context)).toEqual([]);
      expect(await cookieWrites(page)).toEqual([]);
      expect((await scriptDiagnose(page)).consent).toBe('pending');

      // A page without data-affitor-consent: consent is 'granted' again and the landing is written.
      await page.goto(shop(`/plain.html?aff=${PARTNER_A.link}`));
      await sdkReady(page);
      const clickId = await waitForCookie(e2e.context, 'affitor_click_id');
      expect(state().clicks).toHaveLength(3);
      expect(clickId).toMatchObject({ value: state().clicks[2]!.click_id, domain: '.shop.test' });
      expect((await scriptDiagnose(page)).consent).toBe('granted');
      expect(routes(requests)).toEqual(['click', 'click', 'click']);
    });

    it("script tag, consent pending: the stub's signup promise settles once the lead, held in memory, is delivered, so a redirect after it keeps the lead", async () => {
      // Consent pending keeps nothing on the device, the outbox neither: the lead lives in the page
      // until answered. Settled as soon as the main file replayed the call, the page left before.
      e2e.stack.api.app.setChaos({ latencyMs: 400 });
      const { page, console: lines, requests } = await openPage(e2e.context);
      await page.goto(shop(`/pending-signup.html?aff=${PARTNER_A.link}`));
      await page.waitForURL(/\/plain\.html$/);
      await sdkReady(page);
      await settle(page);
      expect(state().leads).toEqual([expect.objectContaining({ customer_key: 'user_pending', click_id: state().clicks[0]!.click_id })]);
      expect(routes(requests)).toEqual(['click', 'lead']);
      expect(affitorErrors(lines)).toEqual([]);
    });

    it('ES module, init({ consent: "pending" }): reports the click, writes nothing; grantConsent writes the cookies; revokeConsent deletes them', async () => {
      const { page, console: lines } = await openPage(e2e.context);
      const landing = shop(`/module-pending.html?aff=${PARTNER_A.link}`);
      await page.goto(landing);
      await sdkReady(page, 'sdk');

      await expect.poll(() => state().clicks.length).toBe(1);
      const [click] = state().clicks;
      await expect.poll(async () => (await moduleData(page))?.clickId).toBe(click!.click_id);
      expect(await moduleData(page)).toMatchObject({ hasAttribution: true, affiliateUrl: landing });
      await settle(page);
      expect(await jar(e2e.context)).toEqual([]);
      expect(await cookieWrites(page)).toEqual([]);
      expect(await storageOf(page)).toEqual({ session: {}, local: {} });
      expect(await page.evaluate(() => (window as ConsentWindow).sdk!.diagnose()!.warnings)).toEqual([PENDING_WARNING]);

      await page.evaluate(() => (window as ConsentWindow).sdk!.grantConsent());
      expect(await names(e2e.context)).toEqual(GRANTED_COOKIES);
      const clickId = (await jarCookie(e2e.context, 'affitor_click_id'))!;
      expect(clickId).toMatchObject({ value: click!.click_id, domain: '.shop.test', sameSite: 'Lax' });
      expect(daysLeft(clickId)).toBeCloseTo(WINDOW_DAYS, 2);

      await page.evaluate(() => (window as ConsentWindow).sdk!.revokeConsent());
      expect(await jar(e2e.context)).toEqual([]);
      expect(await moduleData(page)).toMatchObject({ clickId: null, hasAttribution: false });
      expect(affitorErrors(lines)).toEqual([]);
    });

    it('ES module, respectGlobalPrivacyControl with GPC on: reports the click, writes nothing; with GPC off the same page writes the cookies', async () => {
      await turnOnGlobalPrivacyControl(e2e.context);
      const { page } = await openPage(e2e.context);
      const landing = shop(`/module-gpc.html?aff=${PARTNER_A.link}`);
      await page.goto(landing);
      await sdkReady(page, 'sdk');
      expect(await page.evaluate(() => (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl)).toBe(true);

      await expect.poll(() => state().clicks.length).toBe(1);
      await expect.poll(async () => (await moduleData(page))?.clickId).toBe(state().clicks[0]!.click_id);
      await settle(page);
      expect(await jar(e2e.context)).toEqual([]);
      expect(await cookieWrites(page)).toEqual([]);
      expect(await storageOf(page)).toEqual({ session: {}, local: {} });
      const diagnosis = await page.evaluate(() => (window as ConsentWindow).sdk!.diagnose()!);
      expect(diagnosis).toMatchObject({ consent: 'pending', warnings: [PENDING_WARNING] });
      // An explicit grant wins over the signal.
      await page.evaluate(() => (window as ConsentWindow).sdk!.grantConsent());
      expect(await names(e2e.context)).toEqual(GRANTED_COOKIES);
      await page.evaluate(() => (window as ConsentWindow).sdk!.revokeConsent());
      expect(await jar(e2e.context)).toEqual([]);

      // The control: the same page in a browser without the signal writes at once.
      const plain = await e2e.browser.newContext();
      try {
        const other = await openPage(plain);
        await other.page.goto(landing);
        expect(await other.page.evaluate(() => (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl)).not.toBe(true);
        const clickId = await waitForCookie(plain, 'affitor_click_id');
        expect(clickId).toMatchObject({ value: state().clicks[1]!.click_id, domain: '.shop.test' });
      } finally {
        await plain.close();
      }
    });
  });

  describe('diagnose()', () => {
    it('a healthy landing on www.shop.example.co.uk: probes, root domain, the request id the server answered, JSON round trip, debug line', async () => {
      const { page, console: lines } = await openPage(e2e.context);
      const answers = recordAnswers(page);
      const landing = `${e2e.stack.origin('www.shop.example.co.uk')}/plain.html?aff=${PARTNER_A.link}`;
      await page.goto(landing);
      await sdkReady(page);
      const clickId = await waitForCookie(e2e.context, 'affitor_click_id');
      await expect.poll(() => answers.length).toBe(1);
      const [answer] = answers;
      expect(answer).toMatchObject({ route: 'click', status: 200 });
      expect(answer!.requestId).toBeTruthy();

      // diagnose() is null until affitor.more.js has arrived (debug loads it at start).
      await page.waitForFunction(() => (window as ConsentWindow).affitor!.diagnose() !== null);
      const [diagnosis, json] = await page.evaluate(() => {
        const report = (window as ConsentWindow).affitor!.diagnose()!;
        return [report, JSON.stringify(report)] as const;
      });
      expect(diagnosis).toEqual({
        aff: PARTNER_A.link,
        programId: PROGRAM_ID,
        programIdSource: 'script-attribute',
        cookieDomain: 'example.co.uk',
        cookieDomainReason: 'probe',
        probes: [
          { domain: 'co.uk', accepted: false },
          { domain: 'example.co.uk', accepted: true },
        ],
        cookies: {
          affitor_click_id: clickId.value,
          customer_code: clickId.value,
          affitor_click_ids: clickId.value,
          affitor_aff_url: landing,
          affitor_session_id: expect.stringMatching(/^sess_/) as string,
          // The landing the attribution comes from: this one's click.
          affitor_touch: state().clicks[0]!.event_id,
        },
        cookiesBlocked: false,
        windowDays: WINDOW_DAYS,
        lastClick: { status: 200, ok: true, requestId: answer!.requestId, message: null, at: expect.any(String) as string },
        lastLead: null,
        consent: 'granted',
        cookiesSetBy: 'page',
        warnings: [SAFARI_WARNING],
      });
      expect(Number.isNaN(Date.parse(diagnosis.lastClick!.at))).toBe(false);
      expect(clickId.domain).toBe('.example.co.uk');
      // JSON as it is: nothing lost or changed by a round trip (a support ticket gets exactly this).
      expect(JSON.parse(json)).toStrictEqual(diagnosis);
      await expect.poll(() => lines.some((line) => line.type === 'info' && line.text.startsWith('[Affitor] diagnosis'))).toBe(true);
      expect(affitorErrors(lines)).toEqual([]);
    });

    it("names the script attribute as the program id's source on a script-tag page", async () => {
      // The README's diagnose() example for a script-tag setup, and the documented union
      // 'option' | 'script-attribute' | 'window': a merchant who only wrote
      // data-affitor-program-id must not be sent looking for an init({ programId }) call.
      const { page } = await openPage(e2e.context);
      await page.goto(shop('/plain.html'));
      await sdkReady(page);
      expect(await scriptDiagnose(page)).toMatchObject({ programId: PROGRAM_ID, programIdSource: 'script-attribute' });
    });

    it('warns about a script tag with neither async nor defer, naming its URL, and not about the async tag', async () => {
      const { page } = await openPage(e2e.context);
      await page.goto(shop('/blocking.html'));
      await sdkReady(page);
      expect((await scriptDiagnose(page)).warnings).toContain(
        `${shop('/dist/affitor.global.js')}: no async or defer, so the page stops parsing until it has run (add async)`,
      );
      await page.goto(shop('/plain.html'));
      await sdkReady(page);
      expect((await scriptDiagnose(page)).warnings.join('\n')).not.toContain('async');
    });

    it('no program id: says nothing is tracked, and nothing is sent', async () => {
      const { page, console: lines, requests } = await openPage(e2e.context);
      await page.goto(shop(`/no-program.html?aff=${PARTNER_A.link}`));
      await sdkReady(page);
      await settle(page);
      const diagnosis = await scriptDiagnose(page);
      expect(diagnosis).toMatchObject({ aff: PARTNER_A.link, programId: null, programIdSource: null, lastClick: null, consent: 'granted' });
      expect(diagnosis.warnings).toEqual(['no program id: nothing is tracked']);
      expect(requests).toEqual([]);
      expect(state().clicks).toEqual([]);
      expect(await jar(e2e.context)).toEqual([]);
      await expect.poll(() => affitorErrors(lines)).toEqual([expect.stringMatching(/^\[Affitor\] No program id/)]);
    });

    it('an origin the program does not allow: the last click got no answer, and the warning names the page origin', async () => {
      const { page, console: lines, requests } = await openPage(e2e.context);
      const origin = e2e.stack.origin('blocked.shop.test');
      await page.goto(`${origin}/plain.html?aff=${PARTNER_A.link}`);
      await sdkReady(page);
      // Three attempts (with the in-page retries' waits), then the report.
      await expect.poll(async () => (await scriptDiagnose(page)).lastClick, { timeout: 15_000 }).not.toBeNull();
      const diagnosis = await scriptDiagnose(page);
      expect(diagnosis.lastClick).toMatchObject({ status: 0, ok: false, requestId: null });
      expect(diagnosis.lastClick!.message).toMatch(/Failed to fetch/);
      expect(diagnosis.warnings).toEqual([
        `last click got no answer (${diagnosis.lastClick!.message}): is ${origin} in the program's allowed origins (CORS)? Else does ${new URL(e2e.stack.api.url).origin} answer (a typo in apiBase, the API down, a content blocker in this browser)?`,
      ]);
      expect(routes(requests)).toEqual(['click', 'click', 'click']);
      // Refused by CORS, not by the server: it recorded the click (once: the event id is the same
      // on every attempt) but gave no CORS headers, so the page could not read the answer.
      expect(state().clicks).toEqual([expect.objectContaining({ partner_id: PARTNER_A.id })]);
      expect(diagnosis.cookies).toEqual({ affitor_outbox: expect.any(String) as string, affitor_session_id: expect.any(String) as string });
      expect(await names(e2e.context)).toEqual(['affitor_outbox', 'affitor_session_id']);
      await expect.poll(() => affitorErrors(lines)).toEqual([expect.stringMatching(/^\[Affitor\] click not recorded: .*Failed to fetch/)]);
    });

    it('a lead the server fails: last lead failed with the server message', async () => {
      const { page, console: lines } = await openPage(e2e.context);
      const answers = recordAnswers(page);
      await page.goto(shop(`/plain.html?aff=${PARTNER_A.link}`));
      await sdkReady(page);
      await waitForCookie(e2e.context, 'affitor_click_id');
      e2e.stack.api.app.setFaults({ lead: true });

      await page.evaluate(() => (window as ConsentWindow).affitor!.signup('grace@example.com', 'grace@example.com'));
      // signup resolves after its lead's attempts or after 5 s, whichever comes first (a busy
      // machine can take longer over the three attempts): lastLead is recorded after the last one.
      await expect.poll(async () => (await scriptDiagnose(page)).lastLead, { timeout: 15_000 }).not.toBeNull();
      const diagnosis = await scriptDiagnose(page);
      // The answer events can reach the test after the page has read the answers: wait for them.
      await expect.poll(() => answers.filter((answer) => answer.route === 'lead').map((answer) => answer.status)).toEqual([500, 500, 500]);
      const leadAnswers = answers.filter((answer) => answer.route === 'lead');
      expect(diagnosis.lastLead).toMatchObject({
        status: 500,
        ok: false,
        message: 'HTTP 500: Lead tracking failed',
        requestId: leadAnswers.at(-1)!.requestId,
      });
      expect(diagnosis.lastClick).toMatchObject({ status: 200, ok: true });
      expect(diagnosis.warnings).toEqual(['last lead failed: HTTP 500: Lead tracking failed', SAFARI_WARNING]);
      expect(state().leads).toEqual([]);
      await expect.poll(() => affitorErrors(lines)).toEqual([expect.stringMatching(/^\[Affitor\] lead not recorded: HTTP 500: Lead tracking failed/)]);
    });

    it('an invalid cookieDomain: ignored with a warning, the probe finds the root domain instead', async () => {
      const { page, console: lines } = await openPage(e2e.context);
      await page.goto(shop(`/bad-domain.html?aff=${PARTNER_A.link}`));
      await sdkReady(page);
      const clickId = await waitForCookie(e2e.context, 'affitor_click_id');
      expect(clickId.domain).toBe('.shop.test');
      const diagnosis = await scriptDiagnose(page);
      expect(diagnosis).toMatchObject({
        cookieDomain: 'shop.test',
        cookieDomainReason: 'probe',
        probes: [{ domain: 'shop.test', accepted: true }],
      });
      expect(diagnosis.warnings).toEqual(['invalid cookieDomain ignored: bad;domain', SAFARI_WARNING]);
      // Nothing of the bad value reached a cookie string.
      expect((await cookieWrites(page)).filter((write) => /domain=\.?bad|bad;domain/.test(write))).toEqual([]);
      expect(affitorErrors(lines)).toEqual(['[Affitor] Invalid cookieDomain, using the root domain: bad;domain']);
    });

    it('consent pending: warns that the attribution is in memory only, and diagnose() itself probes nothing', async () => {
      const { page } = await openPage(e2e.context);
      await page.goto(shop(`/pending.html?aff=${PARTNER_A.link}`));
      await sdkReady(page);
      await expect.poll(async () => (await scriptData(page))?.clickId).toBeTruthy();
      const diagnosis = await scriptDiagnose(page);
      expect(diagnosis).toMatchObject({
        consent: 'pending',
        cookies: {},
        probes: [],
        cookieDomain: null,
        windowDays: WINDOW_DAYS,
        lastClick: { status: 200, ok: true },
      });
      expect(diagnosis.warnings).toEqual([PENDING_WARNING]);
      expect(await cookieWrites(page)).toEqual([]);
      expect(await jar(e2e.context)).toEqual([]);
    });

    it('cookies blocked: the shop in a cross-site iframe, where Chromium refuses every cookie of the frame (SameSite=Lax in a cross-site e2e.context) on every domain', async () => {
      const { page, console: lines } = await openPage(e2e.context);
      const src = shop(`/plain.html?aff=${PARTNER_A.link}`);
      await page.goto(`${e2e.stack.origin('www.example.co.uk')}/embed.html?src=${encodeURIComponent(src)}`);
      let frame: Frame | undefined;
      await expect.poll(() => (frame = page.frames().find((candidate) => candidate.url() === src))).toBeTruthy();
      await sdkReady(frame!);
      // The click is answered (the frame's origin is allowed) and held in memory.
      await expect.poll(() => state().clicks.length).toBe(1);
      await expect.poll(async () => (await scriptData(frame!))?.clickId).toBe(state().clicks[0]!.click_id);

      const diagnosis = await scriptDiagnose(frame!);
      expect(diagnosis).toMatchObject({
        cookieDomain: null,
        cookieDomainReason: 'host-only',
        probes: [
          { domain: 'shop.test', accepted: false },
          { domain: 'www.shop.test', accepted: false },
        ],
        cookies: {},
        cookiesBlocked: true,
        lastClick: { status: 200, ok: true },
        consent: 'granted',
      });
      // Not mistaken for a host-only fallback: nothing was stored at all.
      expect(diagnosis.warnings).toEqual([BLOCKED_WARNING]);
      // The SDK tried (probes, then the attribution host-only), and the jar took none of it.
      expect((await cookieWrites(frame!)).some((write) => write.startsWith('affitor_click_id=cust'))).toBe(true);
      expect(await jar(e2e.context)).toEqual([]);
      await expect.poll(() => lines.some((line) => line.text.startsWith('[Affitor] cookies blocked'))).toBe(true);
      expect(affitorErrors(lines)).toEqual([]);
    });
  });

  describe('the package bundled twice', () => {
    type Copies = { copies: Record<'esm' | 'cjs', typeof Sdk> };

    it('as an ES module import beside a CommonJS require: both copies work on one tracker, and a signup from the second carries the landing', async () => {
      // What a bundler makes of an app that imports the SDK in one file and requires it in another: two copies.
      const { outputFiles } = await build({
        stdin: { contents: "import * as esm from '@affitor/sdk'; window.copies = { esm, cjs: require('@affitor/sdk') };", resolveDir: REPO_ROOT },
        bundle: true,
        write: false,
        format: 'iife',
        platform: 'browser',
        logLevel: 'silent',
      });
      const bundle = outputFiles[0]!.text;
      expect(bundle.split('Another copy of the SDK runs on this page').length - 1).toBe(2);
      await e2e.context.route(shop('/two-copies.js'), (route) => route.fulfill({ contentType: 'text/javascript', body: bundle }));
      const { page, console: lines } = await openPage(e2e.context);
      await page.goto(shop(`/two-copies.html?aff=${PARTNER_A.link}`));
      const clickId = (await waitForCookie(e2e.context, 'affitor_click_id')).value;
      expect(await page.evaluate(() => (window as unknown as Copies).copies.cjs.getClickId())).toBe(clickId);
      await page.evaluate(() => (window as unknown as Copies).copies.cjs.signup('user_two_copies'));
      expect(state().leads).toEqual([expect.objectContaining({ customer_key: 'user_two_copies', click_id: clickId })]);
      expect(state().clicks).toHaveLength(1);
      expect(affitorErrors(lines)).toEqual([]);
    });
  });

  describe('onAttribution', () => {
    it("script tag: a tab kept open past the program's window hands out no click id once its cookie expired, and its listeners hear it", async () => {
      const { page, console: lines } = await openPage(e2e.context);
      await page.goto(shop(`/plain.html?aff=${PARTNER_A.link}`));
      const stored = await waitForCookie(e2e.context, 'affitor_click_id');
      await expect.poll(async () => (await scriptData(page))?.clickId).toBe(stored.value);
      type Heard = { heard?: Array<string | null> };
      await page.evaluate(() => {
        const page = window as ConsentWindow & Heard;
        page.heard = [];
        page.affitor!.onAttribution((current) => page.heard!.push(current.clickId));
      });
      // The window ends a second from now: the browser's own jar drops the attribution cookies, written again with that expiry.
      const ours = (await e2e.context.cookies()).filter((cookie) => ATTRIBUTION_COOKIES.includes(cookie.name));
      await e2e.context.addCookies(ours.map((cookie) => ({ ...cookie, expires: Math.floor(Date.now() / 1000) + 1 })));
      await page.clock.install();
      await expect.poll(async () => (await e2e.context.cookies()).some((cookie) => cookie.name === 'affitor_click_id'), { timeout: 5_000 }).toBe(false);
      // Read less than a minute ago: handed out from memory.
      expect((await scriptData(page))?.clickId).toBe(stored.value);
      await page.clock.fastForward('01:01');
      expect(await scriptData(page)).toEqual({ clickId: null, programId: PROGRAM_ID, hasAttribution: false, affiliateUrl: null });
      expect(await page.evaluate(() => (window as Heard).heard)).toEqual([null]);
      expect(affitorErrors(lines)).toEqual([]);
    });

    it('fires once for the landing, once for a second partner (pushState and trackClick), never for the same partner or a reload', async () => {
      const { page, console: lines, requests } = await openPage(e2e.context);
      const events = () => page.evaluate(() => (window as ConsentWindow).attributionEvents!);
      const landingA = shop(`/module-listen.html?aff=${PARTNER_A.link}`);
      await page.goto(landingA);
      await sdkReady(page, 'sdk');

      await expect.poll(async () => (await events()).length).toBe(1);
      const clickA = state().clicks[0]!.click_id;
      const [first] = await events();
      expect(first!.previous).toEqual({ clickId: null, programId: PROGRAM_ID, hasAttribution: false, affiliateUrl: null });
      expect(first!.current).toEqual({ clickId: clickA, programId: PROGRAM_ID, hasAttribution: true, affiliateUrl: landingA });
      // After the cookies are written: the listener already reads the new click id from them.
      expect(first!.cookie).toContain(`affitor_click_id=${clickA}`);

      // The same partner again, client-side: no click, no event.
      await page.evaluate((link) => history.pushState(null, '', `/pricing?aff=${link}`), PARTNER_A.link);
      await settle(page);
      expect(routes(requests)).toEqual(['click']);
      expect(await events()).toHaveLength(1);

      // Another partner's link, client-side: one click, one event.
      await page.evaluate((link) => history.pushState(null, '', `/module-listen.html?aff=${link}`), PARTNER_B.link);
      const landingB = page.url();
      await expect.poll(async () => (await events()).length).toBe(2);
      expect(state().clicks[1]).toMatchObject({ partner_id: PARTNER_B.id });
      expect(requests[1]!.body).toMatchObject({ existing_click_id: clickA });
      const clickB = state().clicks[1]!.click_id;
      const second = (await events())[1]!;
      expect(second.previous).toEqual(first!.current);
      expect(second.current).toEqual({ clickId: clickB, programId: PROGRAM_ID, hasAttribution: true, affiliateUrl: landingB });
      await settle(page);
      expect(await events()).toHaveLength(2);

      // trackClick for partner A's link: a third partner change, a third event.
      const linkA = shop(`/?aff=${PARTNER_A.link}`);
      await page.evaluate((url) => (window as ConsentWindow).sdk!.trackClick(url), linkA);
      const third = (await events())[2]!;
      expect(third.previous).toEqual(second.current);
      expect(third.current).toEqual({ clickId: state().clicks[2]!.click_id, programId: PROGRAM_ID, hasAttribution: true, affiliateUrl: linkA });
      expect(await events()).toHaveLength(3);

      // A reload of a landing whose partner is the stored one: no click, no event in the new page.
      await page.goto(shop(`/module-listen.html?aff=${PARTNER_A.link}`));
      await sdkReady(page, 'sdk');
      await settle(page);
      expect(await events()).toEqual([]);
      await page.reload();
      await sdkReady(page, 'sdk');
      await settle(page);
      expect(await events()).toEqual([]);
      expect(await moduleData(page)).toMatchObject({ clickId: state().clicks[2]!.click_id });
      expect(state().clicks).toHaveLength(3);
      expect(routes(requests)).toEqual(['click', 'click', 'click']);
      expect(affitorErrors(lines)).toEqual([]);
    });
  });
});
