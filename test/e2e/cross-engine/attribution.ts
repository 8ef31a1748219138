/**
 * Where the attribution lives and who sees it: root-domain and host-only cookies, last
 * touch, a signup on another subdomain, the stub queue, consent, a landing added by
 * pushState, and a landing in a sandboxed iframe.
 */
import { expect, describe, it } from 'vitest';
import { PARTNER_A, PARTNER_B, PROGRAM_ID, WINDOW_DAYS } from '../program';
import { daysLeft, until } from './browsing';
import type { Tab } from './browsing';
import { ATTEMPTS, ENGINE_FACTS, LANDING_COOKIES, SESSION_COOKIE, KEPT_LINE, distinct, expectRootDomainCookies, json, names } from './context';
import type { Scenario } from './context';
import { HOSTS, NOT_ALLOWED_HOST } from './site';

const COOKIES_BLOCKED = '[Affitor] cookies blocked: attribution kept in memory';
const FRAME = '/frame.html';

export function attributionScenarios(scenario: Scenario): void {
  const { site, tab, state, posts, eventIds, land } = scenario;

  it('writes the click id on the root domain (.shop.localhost) for the program window, from one text/plain POST with no preflight', async () => {
    const page = await tab();
    const landing = await land(page, HOSTS.www);
    const clickId = await page.waitForCookie('affitor_click_id');
    expectRootDomainCookies(await page.cookies());
    expect(decodeURIComponent((await page.cookie('affitor_aff_url'))!.value)).toBe(landing);
    expect(state().clicks).toEqual([expect.objectContaining({ click_id: clickId.value, partner_id: PARTNER_A.id, affiliate_url: landing })]);

    await site().front.quiet();
    expect(site().front.seen.map((request) => `${request.method} ${request.route}`)).toEqual(['POST click']);
    expect(site().front.seen[0]).toMatchObject({ contentType: expect.stringMatching(/^text\/plain/) as string, origin: site().url(HOSTS.www, '') });
    expect(site().front.seen[0]!.body).toMatchObject({ affiliate_url: landing, additional_data: { program_id: PROGRAM_ID } });
    // Found by media queries, which need no layout (page.ts): the size the page's own properties give.
    expect(site().front.seen[0]!.body.viewport_size).toBe(await page.evaluate("innerWidth + 'x' + innerHeight"));
    // The probe starts at shop.localhost (a single label such as localhost is never tried) and the engine keeps it.
    // diagnose() answers once affitor.more.js has arrived (its first call loads it).
    const probes = await until('diagnose() to answer', () => page.evaluate('window.affitor.diagnose() && window.affitor.diagnose().probes'));
    expect(probes).toEqual([{ domain: 'shop.localhost', accepted: true }]);
    expect(await page.errors()).toEqual([]);
  });

  it('a shop tab opened before the landing, where the visitor then signs up: the lead carries the click id the landing tab wrote', async () => {
    const shop = await tab();
    await shop.visit(site().url(HOSTS.app, '/signup.html'));
    await shop.sdkReady();
    expect(await shop.evaluate('window.affitor.getClickId()')).toBeNull();

    // The partner's link, opened in a new tab beside it.
    const www = await tab();
    await land(www, HOSTS.www);
    const clickId = await www.waitForCookie('affitor_click_id');
    await site().front.quiet();
    // An engine hands the cookies one tab wrote to another tab's document asynchronously: wait until the shop tab's reads it.
    await shop.waitFor(`document.cookie.includes(${json(`affitor_click_id=${clickId.value}`)})`);

    expect(await shop.evaluate("window.affitor.signup('later@example.com', 'later@example.com')")).toBeNull();
    await until('the lead', () => state().leads.length === 1);
    expect(posts().map((request) => request.route)).toEqual(['click', 'lead']);
    const [click] = state().clicks;
    expect(state().leads).toEqual([expect.objectContaining({ click_id: clickId.value, customer_key: 'later@example.com' })]);
    expect(state().customers).toEqual([expect.objectContaining({ id: click!.customer_id, status: 'lead', partner_id: PARTNER_A.id })]);
    expect([...(await www.errors()), ...(await shop.errors())]).toEqual([]);
  });

  it('a shop tab opened before the landing, shown again: it reads the attribution the landing tab wrote and tells its listeners', async () => {
    const shop = await tab();
    await shop.visit(site().url(HOSTS.app, '/'));
    await shop.sdkReady();
    await shop.evaluate('(window.heard = [], window.affitor.onAttribution(function (now) { window.heard.push(now.clickId); }), null)');

    const www = await tab();
    await land(www, HOSTS.www);
    const clickId = await www.waitForCookie('affitor_click_id');
    await site().front.quiet();
    expect(await shop.evaluate('window.affitor.getClickId()')).toBeNull();
    // An engine hands the cookies one tab wrote to another tab's document asynchronously: wait until the shop tab's reads it.
    await shop.waitFor(`document.cookie.includes(${json(`affitor_click_id=${clickId.value}`)})`);

    // The visitor comes back to the shop tab (headless tabs are all visible: the event is dispatched).
    await shop.evaluate("(document.dispatchEvent(new Event('visibilitychange')), null)");
    expect(await shop.evaluate('window.heard')).toEqual([clickId.value]);
    expect(await shop.evaluate('window.affitor.getData()')).toEqual({ clickId: clickId.value, programId: PROGRAM_ID, hasAttribution: true, affiliateUrl: expect.stringContaining(`aff=${PARTNER_A.link}`) as string });
    expect(posts().map((request) => request.route)).toEqual(['click']);
    expect([...(await www.errors()), ...(await shop.errors())]).toEqual([]);
  });

  it('a sibling subdomain (app.) sees the attribution, and its signup carries the click id', async () => {
    const www = await tab();
    await land(www, HOSTS.www);
    const clickId = await www.waitForCookie('affitor_click_id');

    const app = await tab();
    await app.visit(site().url(HOSTS.app, '/signup.html'));
    await app.waitFor(`document.getElementById('attribution').textContent.includes(${json(clickId.value)})`);
    await app.evaluate(`(document.querySelector('input[name=email]').value = 'Ada@Example.com', document.querySelector('button[type=submit]').click())`);
    await app.waitFor(`document.getElementById('result').textContent.includes('Welcome')`);

    // Both text/plain, so no preflight in any engine.
    expect(site().front.seen.map((request) => `${request.method} ${request.route}`)).toEqual(['POST click', 'POST lead']);
    expect(posts('lead')[0]).toMatchObject({ contentType: expect.stringMatching(/^text\/plain/) as string, origin: site().url(HOSTS.app, '') });
    const [click] = state().clicks;
    expect(state().leads).toEqual([
      expect.objectContaining({ click_id: clickId.value, customer_key: 'ada@example.com', email: 'Ada@Example.com' }),
    ]);
    expect(state().customers).toEqual([expect.objectContaining({ id: click!.customer_id, status: 'lead', partner_id: PARTNER_A.id })]);
    expect([...(await www.errors()), ...(await app.errors())]).toEqual([]);
  });

  it('on localhost (a single label) writes host-only cookies, and never tries Domain=localhost', async () => {
    const page = await tab();
    await land(page, HOSTS.localhost);
    const clickId = await page.waitForCookie('affitor_click_id');
    const cookies = await page.cookies();
    expect(names(cookies)).toEqual(LANDING_COOKIES);
    for (const cookie of cookies) expect(cookie, cookie.name).toMatchObject({ domain: 'localhost', sameSite: 'Lax' });
    expect(daysLeft(clickId)).toBeCloseTo(WINDOW_DAYS, 2);
    const writes = await page.cookieWrites();
    expect(writes.filter((write) => write.startsWith('affitor_click_id='))).not.toEqual([]);
    expect(writes.filter((write) => /;\s*domain=/i.test(write))).toEqual([]);
    expect(state().clicks).toEqual([expect.objectContaining({ click_id: clickId.value })]);
    expect(await page.errors()).toEqual([]);
  });

  it('last touch: the same partner again sends nothing; a new partner sends one click with existing_click_id and replaces the cookies', async () => {
    const page = await tab();
    const landingA = await land(page, HOSTS.www);
    const first = await page.waitForCookie('affitor_click_id');
    await site().front.quiet();

    // The same link again (a reload): attribution read back from the cookies, no request.
    await page.visit(landingA);
    await page.sdkReady();
    expect(await page.waitFor('window.affitor.getData().clickId')).toBe(first.value);
    await site().front.quiet();
    expect(posts().map((request) => request.route)).toEqual(['click']);

    // Another partner's link: one click, reporting the click id it replaces.
    const landingB = await land(page, HOSTS.www, '/', PARTNER_B);
    const second = await page.waitForCookie('affitor_click_id', first.value);
    await site().front.quiet();
    expect(posts().map((request) => request.route)).toEqual(['click', 'click']);
    expect(posts()[1]!.body).toMatchObject({ existing_click_id: first.value, affiliate_url: landingB });
    expect(state().clicks[1]).toMatchObject({ click_id: second.value, partner_id: PARTNER_B.id });
    expect(state().customers).toEqual([expect.objectContaining({ click_id: second.value, partner_id: PARTNER_B.id })]);

    const cookies = await page.cookies();
    expectRootDomainCookies(cookies);
    const value = (cookieName: string) => decodeURIComponent(cookies.find((cookie) => cookie.name === cookieName)!.value);
    expect(value('affitor_aff_url')).toBe(landingB);
    expect(value('customer_code')).toBe(second.value);
    expect(value('affitor_click_ids')).toBe(`${first.value}|${second.value}`);
    expect(await page.errors()).toEqual([]);
  });

  /** Partner A's landing in a new tab: the server records its click, its answer is late (a slow or retried request) until `answerComes`. */
  async function partnerALandsAnsweredLate(): Promise<Tab> {
    site().front.holdAnswers((request) => String(request.body.affiliate_url).includes(PARTNER_A.link));
    const older = await tab();
    await land(older, HOSTS.www);
    await until("partner A's click recorded", () => state().clicks.length === 1);
    return older;
  }

  /** Partner A's late answer comes: resolves once it was handled, the outbox in `reader`'s jar holding no click any more. */
  async function answerComes(reader: Tab): Promise<void> {
    site().front.releaseAnswers();
    await site().front.quiet();
    await until('every click out of the outbox', async () => !(await reader.engine.cookies()).some((cookie) => cookie.name === 'affitor_outbox'));
  }

  it("last touch across tabs: a partner's link opened beside another's landing whose answer is late keeps the attribution; the late answer does not take it back", async () => {
    const older = await partnerALandsAnsweredLate();

    // Partner B's link, opened in a new tab meanwhile: answered at once, its cookies written.
    const newer = await tab();
    const landingB = await land(newer, HOSTS.www, '/', PARTNER_B);
    const clickB = await newer.waitForCookie('affitor_click_id');
    expect(state().clicks.find((click) => click.click_id === clickB.value)).toMatchObject({ partner_id: PARTNER_B.id });

    await answerComes(newer);
    expect((await newer.cookie('affitor_click_id'))?.value).toBe(clickB.value);
    expect(decodeURIComponent((await newer.cookie('affitor_aff_url'))!.value)).toBe(landingB);
    // The older tab took the newer attribution up, and its signup goes to partner B.
    expect(await older.evaluate('window.affitor.getClickId()')).toBe(clickB.value);
    await older.evaluate("window.affitor.signup('race@example.com')");
    await until('the lead', () => state().leads.length === 1);
    expect(state().leads[0]).toMatchObject({ click_id: clickB.value });
    expect(state().customers.find((customer) => customer.click_id === clickB.value)).toMatchObject({ status: 'lead', partner_id: PARTNER_B.id });
    expect([...(await older.errors()), ...(await newer.errors())]).toEqual([]);
  });

  it("last touch across tabs: a mistyped partner link opened beside another's landing whose answer is late is no touch; the late answer still makes the attribution", async () => {
    const older = await partnerALandsAnsweredLate();

    // A link the program does not know, in a new tab: refused for good, no click recorded.
    const newer = await tab();
    await land(newer, HOSTS.www, '/', { link: 'NOSUCHLINK' });
    await until('the refused click', async () => (await newer.errors()).some((line) => line.includes('click not recorded')));

    await answerComes(older);
    const [clickA] = state().clicks;
    expect(state().clicks).toHaveLength(1);
    expect((await older.cookie('affitor_click_id'))?.value).toBe(clickA!.click_id);
    expect(await older.evaluate('window.affitor.getClickId()')).toBe(clickA!.click_id);
    expect(await older.errors()).toEqual([]);
  });

  it('an origin the program does not allow: no attribution, one clear console error, and the page keeps working', async () => {
    const page = await tab();
    await land(page, NOT_ALLOWED_HOST);
    // The error comes once the in-page retries (about 2 s) are over.
    const line = await until('the "kept to resend" error', async () => (await page.errors()).find((text) => KEPT_LINE.test(text)));
    await site().front.quiet();
    expect(line).toMatch(ENGINE_FACTS[scenario.name].fetchFailure);
    expect(line).toContain(`is ${new URL(await page.url()).origin} in the program's allowed origins (CORS)?`);
    expect(await page.errors()).toEqual([line]);
    // The server recorded the click (once: one event id), but the page could not read the answer.
    expect(eventIds('click')).toHaveLength(ATTEMPTS);
    expect(distinct(eventIds('click'))).toHaveLength(1);
    expect(state().clicks).toEqual([expect.objectContaining({ event_id: eventIds('click')[0], partner_id: PARTNER_A.id })]);
    // No attribution cookie (nor its touch); only the outbox, which a later page view may still deliver, and the session id.
    expect(names(await page.cookies())).toEqual(['affitor_outbox', SESSION_COOKIE]);
    expect(await page.evaluate('window.affitor.getData()')).toMatchObject({ clickId: null, hasAttribution: false });
    // The shop's own script still runs.
    await page.evaluate(`(document.getElementById('add-to-cart').click(), document.getElementById('add-to-cart').click())`);
    expect(await page.evaluate(`document.getElementById('cart-count').textContent`)).toBe('2');
  });

  it("a Content-Security-Policy whose connect-src leaves the tracking API out: the error names the policy and the origin to add, not CORS", async () => {
    const page = await tab();
    await land(page, HOSTS.stub, '/csp-connect.html');
    const line = await until('the "kept to resend" error', async () => (await page.errors()).find((text) => KEPT_LINE.test(text)));
    expect(line).toContain(`no answer (blocked by the page's Content-Security-Policy: add ${new URL(site().front.url).origin} to its connect-src)`);
    expect(line).not.toContain('CORS');
    expect(await page.errors()).toEqual([line]);
    // The browser sent none of the tries; the click waits in the outbox for a page view the policy lets through.
    expect(site().front.seen).toEqual([]);
    expect(names(await page.cookies())).toEqual(['affitor_outbox', SESSION_COOKIE]);
  });

  it('delivers the init, signup and ready calls the stub queued before the script loaded; the signup carries the click id', async () => {
    site().lateSdkMs = 400;
    const page = await tab();
    await land(page, HOSTS.stub, '/queued.html');
    // Three calls, each followed by the stub's `ready` that settles the promise it handed out.
    expect(await page.evaluate('window.queuedBeforeLoad')).toBe(6);

    await until('the queued lead', () => state().leads.length === 1);
    const [click] = state().clicks;
    expect(state().leads[0]).toMatchObject({ click_id: click!.click_id, customer_key: 'queued_user', email: 'queued@example.com' });
    expect(state().customers[0]).toMatchObject({ id: click!.customer_id, status: 'lead' });
    expect(posts().map((request) => request.route)).toEqual(['click', 'lead']);
    expect(await page.waitFor('window.readyRan')).toEqual({ clickIdAtLoad: null, hasGetData: true });
    // The promise the stub handed out for the signup settled once the script had run it.
    expect(await page.waitFor('window.signupSettled')).toBe(true);
    // The queued init({ debug: true }) was applied: debug lines from the start.
    await until('the debug init line', async () => (await page.lines()).some((line) => line.type === 'info' && line.text.startsWith('[Affitor] init')));
    expect(await page.errors()).toEqual([]);
  });

  it('consent pending: the click is reported and held in memory, nothing is written; grantConsent writes the cookies; revokeConsent deletes them', async () => {
    const page = await tab();
    const landing = await land(page, HOSTS.consent, '/pending.html');
    await page.sdkReady();
    await until('the click', () => state().clicks.length === 1);
    const [click] = state().clicks;
    await page.waitFor(`window.affitor.getData().clickId === ${json(click!.click_id)}`);
    expect(await page.evaluate('window.affitor.getData()')).toEqual({
      clickId: click!.click_id,
      programId: PROGRAM_ID,
      hasAttribution: true,
      affiliateUrl: landing,
    });
    await site().front.quiet();
    expect(await page.cookies()).toEqual([]);
    expect(await page.cookieWrites()).toEqual([]);
    expect(await page.storage()).toEqual({ session: {}, local: {} });

    await page.evaluate('window.affitor.grantConsent()');
    const cookies = await page.cookies();
    expectRootDomainCookies(cookies);
    expect(cookies.find((cookie) => cookie.name === 'affitor_click_id')!.value).toBe(click!.click_id);
    // The session id the click was sent with is kept too.
    expect(cookies.find((cookie) => cookie.name === SESSION_COOKIE)!.value).toBe(click!.session_id);

    await page.evaluate('window.affitor.revokeConsent()');
    expect(await page.cookies()).toEqual([]);
    expect(await page.evaluate('window.affitor.getData()')).toMatchObject({ clickId: null, hasAttribution: false });
    expect(posts().map((request) => request.route)).toEqual(['click']);
    expect(await page.errors()).toEqual([]);
  });

  it("data-affitor-stripe: Stripe's checkouts inside web components carry the click id, and a Payment Link in one defined later does as it is clicked", async () => {
    const page = await tab();
    await land(page, HOSTS.consent, '/stripe.html');
    const reference = `affitor_${(await page.waitForCookie('affitor_click_id')).value}`;
    const inShadow = (host: string, id: string) => `document.querySelector(${json(host)}).shadowRoot.getElementById(${json(id)})`;
    // Through the open shadow root of a component a module script defined after the SDK's tag ran.
    await page.waitFor(`new URL(${inShadow('shop-checkout', 'shop-buy')}.href).searchParams.get('client_reference_id') === ${json(reference)}`);
    expect(await page.evaluate(`${inShadow('shop-checkout', 'shop-table')}.getAttribute('client-reference-id')`)).toBe(reference);
    // A component defined now gets its shadow root without any addition to the page: its link is decorated as it is clicked.
    await page.evaluate(`window.defineLateCheckout(), ${inShadow('late-checkout', 'late-buy')}.querySelector('span').click()`);
    expect(await page.evaluate(`new URL(window.followed).searchParams.get('client_reference_id')`)).toBe(reference);
    expect(await page.errors()).toEqual([]);
  });

  it('a landing whose URL is tens of KB long (added by pushState): its click is sent slimmed to what attribution needs, within the keepalive limit, and recorded', async () => {
    const page = await tab();
    await page.visit(site().url(HOSTS.www, '/'));
    await page.sdkReady();
    // Twice in the click (its landing and its page URL): over the 64 KiB engines let keepalive requests hold.
    await page.evaluate(`history.pushState(null, '', ${json(`/?utm_content=${'x'.repeat(40_000)}&aff=${PARTNER_A.link}`)})`);
    const clickId = await page.waitForCookie('affitor_click_id');
    const slim = site().url(HOSTS.www, `/?aff=${PARTNER_A.link}`);
    expect(state().clicks).toEqual([expect.objectContaining({ click_id: clickId.value, partner_id: PARTNER_A.id, affiliate_url: slim })]);
    expect(site().front.seen[0]!.body).toMatchObject({ affiliate_url: slim, page_url: '' });
    expect(await page.errors()).toEqual([]);
  });

  it("last touch: Back to an older partner's landing page, and a reload of it, take no new touch", async () => {
    const page = await tab();
    const landingA = await land(page, HOSTS.www);
    const first = await page.waitForCookie('affitor_click_id');
    await land(page, HOSTS.www, '/', PARTNER_B);
    const second = await page.waitForCookie('affitor_click_id', first.value);
    await site().front.quiet();

    // Back to A's landing page: a new document where the engine keeps no back-forward cache for it.
    await page.evaluate('history.back()');
    await until('back on the older landing', async () => (await page.url()) === landingA);
    await page.sdkReady();
    // The same page reloaded: a new document whatever the cache.
    await page.evaluate('setTimeout(() => location.reload(), 0), 1');
    await page.waitFor("performance.getEntriesByType('navigation')[0].type == 'reload' && document.readyState == 'complete'");
    await page.sdkReady();
    await site().front.quiet();
    expect(posts().map((request) => request.route)).toEqual(['click', 'click']);
    expect((await page.cookie('affitor_click_id'))?.value).toBe(second.value);
    expect(await page.evaluate('window.affitor.getClickId()')).toBe(second.value);
    expect(await page.errors()).toEqual([]);
  });

  it('captures a landing the app adds with history.pushState after load, once', async () => {
    const page = await tab();
    await page.visit(site().url(HOSTS.lost, '/spa-push.html'));
    await page.waitFor('window.appStarted === true');
    await site().front.quiet();
    expect(posts()).toEqual([]);

    await page.evaluate(`document.getElementById('promo').click()`);
    const clickId = await page.waitForCookie('affitor_click_id');
    const landing = site().url(HOSTS.lost, `/pricing?aff=${PARTNER_A.link}`);
    expect(await page.url()).toBe(landing);
    // Home (no aff) and back to the landing: the same landing, not a new one.
    await page.evaluate(`document.getElementById('home').click()`);
    await page.evaluate('history.back()');
    await until('back on the landing', async () => (await page.url()) === landing);
    await site().front.quiet();
    expect(posts().map((request) => request.route)).toEqual(['click']);
    expect(posts()[0]!.body).toMatchObject({ affiliate_url: landing });
    expect(state().clicks).toEqual([expect.objectContaining({ click_id: clickId.value, event_id: posts()[0]!.body.event_id })]);
    expect(await page.evaluate('window.sdk.getData().clickId')).toBe(clickId.value);
    expect(await page.errors()).toEqual([]);
  });

  describe('a landing in an iframe sandboxed without allow-same-origin (opaque origin: cookies and storage throw)', () => {
    /** Opens the host page with the landing in its sandboxed iframe; resolves once the SDK ran in the frame. */
    async function landInFrame() {
      const page = await tab();
      await land(page, HOSTS.lost, '/frame-parent.html');
      await page.waitFor('window.afterSdk === true', { frameUrl: FRAME });
      expect(await page.evaluate('[window.cookieThrows, window.storageThrows]', FRAME)).toEqual([true, true]);
      return page;
    }
    const expectNothingReachedThePage = async (page: Tab) => {
      expect(await page.evaluate('window.pageErrors', FRAME)).toEqual([]);
      expect(await page.evaluate('window.pageErrors')).toEqual([]);
      expect(await page.errors()).toEqual([]);
      expect(await page.cookies()).toEqual([]);
    };

    it('against the reference server, which cannot allow Origin: null: the click is recorded once, the frame keeps no click id', async () => {
      const page = await landInFrame();
      const line = await until('the "kept to resend" error in the frame', async () =>
        (await page.errors(FRAME)).find((text) => KEPT_LINE.test(text)),
      );
      expect(line).toMatch(ENGINE_FACTS[scenario.name].fetchFailure);
      await site().front.quiet();
      expect(eventIds('click')).toHaveLength(ATTEMPTS);
      expect(new Set(eventIds('click')).size).toBe(1);
      expect(posts().every((request) => request.origin === 'null')).toBe(true);
      expect(state().clicks).toEqual([expect.objectContaining({ event_id: eventIds('click')[0], partner_id: PARTNER_A.id })]);
      expect(await page.evaluate('window.affitor.getClickId()', FRAME)).toBeNull();
      expect((await page.lines(FRAME)).map((entry) => entry.text)).not.toContain(COOKIES_BLOCKED);
      await expectNothingReachedThePage(page);
    });

    it('against an API that answers opaque origins: the click id is kept in memory with the "cookies blocked" line', async () => {
      site().front.answerOpaqueOrigins = true;
      const page = await landInFrame();
      await page.waitFor('window.affitor.getClickId()', { frameUrl: FRAME });
      await site().front.quiet();
      const [click] = state().clicks;
      expect(posts().map((request) => request.route)).toEqual(['click']);
      expect(click).toMatchObject({ event_id: eventIds('click')[0], partner_id: PARTNER_A.id });
      expect(await page.evaluate('window.affitor.getData()', FRAME)).toEqual({
        clickId: click!.click_id,
        programId: PROGRAM_ID,
        hasAttribution: true,
        affiliateUrl: site().url(HOSTS.lost, `${FRAME}?aff=${PARTNER_A.link}`),
      });
      await until('the "cookies blocked" line', async () =>
        (await page.lines(FRAME)).some((entry) => entry.type === 'warn' && entry.text === COOKIES_BLOCKED),
      );
      expect(await page.errors(FRAME)).toEqual([]);
      await expectNothingReachedThePage(page);
    });
  });
}
