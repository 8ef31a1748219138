/**
 * The `<script>` build served through the first-party handler (`createAffitorHandler`,
 * mounted on the shop's own server under `/relay`, forwarding to the tracking API): the
 * handler writes the attribution cookies with `Set-Cookie` (which Safari keeps for the
 * whole window, unlike cookies written by `document.cookie`), says so with
 * `X-Affitor-Cookies: set`, and the page must not write them again.
 */
import { describe, expect, it } from 'vitest';
import type { AffitorDiagnosis } from '../../../src/index';
import { PARTNER_A, PARTNER_B, WINDOW_DAYS } from '../program';
import { daysLeft, until } from './browsing';
import type { Tab } from './browsing';
import { ATTRIBUTION_COOKIES, SESSION_COOKIE, json, names } from './context';
import type { Scenario } from './context';
import { RELAY_PATH } from './relay';
import { HOSTS } from './site';

/** The attribution cookies and the mark that the server wrote them. */
const SERVER_COOKIES = [...ATTRIBUTION_COOKIES, 'affitor_set_by'].sort();
/** What a landing through the handler leaves in the jar: those, and the session id the page itself writes. */
const JAR_COOKIES = [...SERVER_COOKIES, SESSION_COOKIE].sort();

export function firstPartyScenarios(scenario: Scenario): void {
  const { site, tab, state, land } = scenario;
  const relayed = (path: string) => site().relay.seen.filter((exchange) => exchange.path === `${RELAY_PATH}${path}`);
  /** The page's own `document.cookie` writes of the cookies the server writes. */
  const attributionWrites = async (page: Tab) => (await page.cookieWrites()).filter((write) => SERVER_COOKIES.includes(write.split('=')[0]!));
  /**
   * The cookies as the page itself reads them, `name=value`, sorted. (Firefox's WebDriver lists no
   * cookie whose domain is the host itself: the page's own reading is asked.)
   */
  const pageCookies = async (page: Tab) => (await page.evaluate<string>('document.cookie')).split('; ').filter(Boolean).sort();
  /**
   * Once the page has read the click's answer and taken the click out of its outbox. The handler's
   * Set-Cookie lands with the answer's headers, before that (a later task, later still on a loaded
   * machine): a look at the whole jar right after the click id changed may still find the outbox.
   */
  const answerRead = (page: Tab) =>
    until('the answered click out of the outbox', async () => !(await pageCookies(page)).some((cookie) => cookie.startsWith('affitor_outbox=')));
  /**
   * A tab on `path` of the relay host whose page wrote `cookies` (as an earlier integration did),
   * and how many attribution writes its page had made by then.
   */
  const returningVisitor = async (path: string, cookies: string[]) => {
    const page = await tab();
    await page.visit(site().url(HOSTS.relay, path));
    await page.evaluate(`(${cookies.map((cookie) => `document.cookie = ${json(cookie)}`).join(', ')}, 0)`);
    expect(await pageCookies(page)).toEqual(cookies.map((cookie) => cookie.split(';')[0]).sort());
    return { page, writesBefore: (await attributionWrites(page)).length };
  };
  /** diagnose() once affitor.more.js has arrived (its first call loads it). */
  const diagnosis = (page: Tab) => until('diagnose() to answer', () => page.evaluate<AffitorDiagnosis | null>('window.affitor.diagnose()'));

  describe('through the first-party handler under /relay', () => {
    it('a landing: the handler writes the cookies with Set-Cookie (root domain, program window, HttpOnly off) and says X-Affitor-Cookies: set; the page writes none; diagnose() says server; a sibling subdomain signs up with the click id', async () => {
      const page = await tab();
      const landing = await land(page, HOSTS.relay);
      const clickId = await page.waitForCookie('affitor_click_id');
      expect(clickId.value).toMatch(/^cust_/);
      await answerRead(page);
      expect((await diagnosis(page)).cookiesSetBy).toBe('server');

      const cookies = (await page.cookies()).filter((cookie) => cookie.name !== SESSION_COOKIE);
      expect(names(await page.cookies())).toEqual(JAR_COOKIES);
      for (const cookie of cookies) {
        expect(cookie, cookie.name).toMatchObject({ domain: '.shop.localhost', path: '/', secure: false, httpOnly: false, sameSite: 'Lax' });
        expect(daysLeft(cookie), cookie.name).toBeCloseTo(WINDOW_DAYS, 2);
      }
      expect(cookies.find((cookie) => cookie.name === 'affitor_set_by')!.value).toBe('server');
      expect(decodeURIComponent(cookies.find((cookie) => cookie.name === 'affitor_aff_url')!.value)).toBe(landing);
      expect(await attributionWrites(page)).toEqual([]);

      // The click left with the page's probed domain; the handler answered with the cookies; the API got it without the handler's fields.
      const [click] = relayed('/api/v1/track/click');
      expect(click).toMatchObject({ status: 200, cookiesHeader: 'set', body: expect.objectContaining({ cookie_domain: 'shop.localhost', consent: 'granted' }) as unknown });
      // Each cookie on the root domain for the window (and its host-only twin from an earlier integration deleted first).
      const written = click!.setCookies.filter((line) => /;\s*domain=\.?shop\.localhost/i.test(line));
      expect(written.map((line) => line.split('=')[0]).sort()).toEqual(SERVER_COOKIES);
      expect(written.every((line) => new RegExp(`;\\s*max-age=${WINDOW_DAYS * 86_400}`, 'i').test(line)), json(written)).toBe(true);
      expect(site().front.posts()).toHaveLength(1);
      expect(site().front.posts()[0]!.body).not.toHaveProperty('cookie_domain');
      expect(state().clicks).toEqual([expect.objectContaining({ click_id: clickId.value, partner_id: PARTNER_A.id, affiliate_url: landing })]);
      expect(await diagnosis(page)).toMatchObject({ cookiesSetBy: 'server', cookiesBlocked: false, windowDays: WINDOW_DAYS, warnings: [] });

      // Another subdomain, a later page view: the SDK reads the cookies, and the lead carries the click id.
      const app = await tab();
      await app.visit(site().url(HOSTS.relayApp, '/'));
      await app.sdkReady();
      expect(await app.evaluate("window.affitor.signup('ada@example.com', 'ada@example.com')")).toBeNull();
      await until('the lead', () => state().leads.length === 1);
      expect(state().leads[0]).toMatchObject({ click_id: clickId.value, customer_key: 'ada@example.com' });
      expect(relayed('/api/v1/track/lead')).toEqual([expect.objectContaining({ status: 200 })]);
      expect(await attributionWrites(app)).toEqual([]);
      expect((await diagnosis(app)).cookiesSetBy).toBe('server');

      // Both script files came from the handler.
      for (const file of ['/affitor.global.js', '/affitor.more.js']) {
        expect(relayed(file).length, file).toBeGreaterThan(0);
        expect(relayed(file).every((exchange) => exchange.status === 200), file).toBe(true);
      }
      expect([...(await page.errors()), ...(await app.errors())]).toEqual([]);
    });

    it("a returning visitor's twins from an earlier integration (host-only, and on the host as a domain) are deleted by the handler's Set-Cookie, not by the page: one of each cookie is left, on the root domain", async () => {
      const { page, writesBefore } = await returningVisitor('/', ['affitor_click_id=cust_1_100;path=/', `customer_code=cust_1_101;path=/;domain=.${HOSTS.relay}`]);
      await land(page, HOSTS.relay);
      await page.waitForCookie('affitor_click_id', 'cust_1_100');
      await answerRead(page);
      const [click] = relayed('/api/v1/track/click');
      expect(click!.setCookies.filter((line) => /max-age=0/i.test(line)).map((line) => line.split(';').filter((part) => !/max-age/i.test(part)).join(';'))).toEqual(
        expect.arrayContaining(['affitor_click_id=;path=/', `customer_code=;path=/;domain=.${HOSTS.relay}`]),
      );
      const cookies = (await page.cookies()).filter((cookie) => cookie.name !== SESSION_COOKIE);
      expect(cookies.map((cookie) => `${cookie.name}@${cookie.domain}`).sort()).toEqual(SERVER_COOKIES.map((name) => `${name}@.shop.localhost`));
      expect(cookies.find((cookie) => cookie.name === 'customer_code')!.value).toBe(cookies.find((cookie) => cookie.name === 'affitor_click_id')!.value);
      expect((await pageCookies(page)).filter((cookie) => /^(affitor_click_id|customer_code)=/.test(cookie))).toHaveLength(2);
      expect((await attributionWrites(page)).slice(writesBefore)).toEqual([]);
      expect(await page.errors()).toEqual([]);
    });

    it("a returning visitor's twins on the page's folder (an earlier integration wrote without path=/), which shadow the handler's cookies there: the page deletes them and writes no value, the handler's stay for the window", async () => {
      // Written from /k/landing without a path: the browser keeps them on /k.
      const { page, writesBefore } = await returningVisitor('/k/landing', ['affitor_click_id=cust_1_100', 'customer_code=cust_1_100']);
      await land(page, HOSTS.relay, '/k/pa');
      const clickId = (await page.waitForCookie('affitor_click_id', 'cust_1_100')).value;
      await answerRead(page);
      await until('the twins gone', async () => (await pageCookies(page)).filter((cookie) => cookie.startsWith('affitor_click_id=')).length === 1);
      expect((await pageCookies(page)).filter((cookie) => /^(affitor_click_id|customer_code)=/.test(cookie))).toEqual([`affitor_click_id=${clickId}`, `customer_code=${clickId}`]);
      const written = (await attributionWrites(page)).slice(writesBefore);
      expect(written.length).toBeGreaterThan(0);
      expect(written.every((write) => /^[a-z_]+=;/.test(write)), json(written)).toBe(true);
      const cookies = (await page.cookies()).filter((cookie) => SERVER_COOKIES.includes(cookie.name));
      expect(names(cookies)).toEqual(SERVER_COOKIES);
      for (const cookie of cookies) {
        expect(cookie, cookie.name).toMatchObject({ domain: '.shop.localhost', path: '/' });
        expect(daysLeft(cookie), cookie.name).toBeCloseTo(WINDOW_DAYS, 2);
      }
      expect((await diagnosis(page)).cookiesSetBy).toBe('server');
      expect(await page.errors()).toEqual([]);
    });

    it('consent given after a pending landing (a consent banner): the page writes the cookies at once, then the same click again has the handler write them with Set-Cookie for the window, recorded once', async () => {
      const page = await tab();
      await land(page, HOSTS.relay, '/consent.html');
      await until('the click', () => state().clicks.length === 1);
      const clickId = await page.waitFor<string>('window.affitor.getClickId()');
      expect(names(await page.cookies())).toEqual([]);

      await page.evaluate('window.affitor.grantConsent()');
      // Not the empty value a deletion leaves for a moment: the page writes its cookies first, and
      // deletes affitor_set_by as it does (Firefox's jar was once read in between).
      const setBy = await page.waitForCookie('affitor_set_by', '');
      expect(setBy.value).toBe('server');
      const [landingClick, afterConsent] = relayed('/api/v1/track/click');
      expect(landingClick!.body).toMatchObject({ consent: 'pending' });
      expect(afterConsent).toMatchObject({ status: 200, cookiesHeader: 'set', body: expect.objectContaining({ event_id: landingClick!.body!.event_id, consent: 'granted', cookie_domain: 'shop.localhost' }) as unknown });
      const written = afterConsent!.setCookies.filter((line) => /;\s*domain=\.?shop\.localhost/i.test(line));
      expect(written.map((line) => line.split('=')[0]).sort()).toEqual(SERVER_COOKIES);
      expect(written.every((line) => new RegExp(`;\\s*max-age=${WINDOW_DAYS * 86_400}`, 'i').test(line)), json(written)).toBe(true);
      const cookies = (await page.cookies()).filter((cookie) => SERVER_COOKIES.includes(cookie.name));
      expect(names(cookies)).toEqual(SERVER_COOKIES);
      for (const cookie of cookies) expect(daysLeft(cookie), cookie.name).toBeCloseTo(WINDOW_DAYS, 2);
      expect(cookies.find((cookie) => cookie.name === 'affitor_click_id')!.value).toBe(clickId);
      expect(state().clicks).toHaveLength(1);
      expect((await diagnosis(page)).cookiesSetBy).toBe('server');
      expect(await page.errors()).toEqual([]);
    });

    it("a newer partner on a later page view: the handler writes the new attribution and grows the history; the page still writes none", async () => {
      const first = await tab();
      await land(first, HOSTS.relay);
      const a = await first.waitForCookie('affitor_click_id');
      // A later page view: the first has read its answer. Before that, its click is still in the
      // shared outbox, and the second page would resend it (stale, for the record) beside its own.
      await answerRead(first);
      const second = await tab();
      await land(second, HOSTS.relay, '/', PARTNER_B);
      const b = await second.waitForCookie('affitor_click_id', a.value);
      const history = (await second.cookies()).find((cookie) => cookie.name === 'affitor_click_ids')!;
      expect(decodeURIComponent(history.value)).toBe(`${a.value}|${b.value}`);
      expect(relayed('/api/v1/track/click').map((exchange) => [exchange.body?.existing_click_id ?? null, exchange.cookiesHeader])).toEqual([
        [null, 'set'],
        [a.value, 'set'],
      ]);
      expect(state().clicks.map((click) => click.partner_id)).toEqual([PARTNER_A.id, PARTNER_B.id]);
      expect(await attributionWrites(first)).toEqual([]);
      expect(await attributionWrites(second)).toEqual([]);
    });
  });
}
