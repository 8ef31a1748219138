/**
 * The lazily fetched files of the `<script>` build (`affitor.main.js`, fetched from the folder of
 * `affitor.global.js` for anything beyond a plain landing: a signup, diagnose(); and the
 * `affitor.more.js` it fetches in turn for a retry or the diagnosis) failing in each way they
 * fail for real: a 404, a request refused (a blocker; here the host closes the connection), a
 * host that answers `200 text/html`, a request never answered, and a rest of a release that hands
 * over differently (a copy the browser cached apart from the main file). In each: the landing's
 * click is recorded without them, every promise the page was handed settles within 6 s, one
 * console error names the file, its URL and what went wrong, and a signup waits in the outbox
 * cookie until the next page view sends it, also on a page view the main file does from the
 * start (debug). Then the README's stub snippet on a host that
 * rewrites unknown paths to index.html, as single-page-app hosts do, and a consent withdrawal,
 * which deletes the cookies without them.
 */
import { describe, expect, it } from 'vitest';
import { PARTNER_A } from '../program';
import { until } from './browsing';
import type { Tab } from './browsing';
import { ENGINE_FACTS, distinct, outbox } from './context';
import type { Scenario } from './context';
import type { LazyFile } from './sdk-host';
import { SDK_HOSTS } from './site';

/** The contract: every promise the SDK handed out has settled by then, whatever became of the file. */
const SETTLES_WITHIN_MS = 6_000;
/** `[Affitor] could not load affitor.main.js <url> (<why>)` (or affitor.more.js), maybe followed by advice. */
const LOAD_ERROR = /^\[Affitor\] could not load affitor\.(?:main|more)\.js (\S+) \((.+)\)/;

interface Failure {
  name: string;
  lazyFile: LazyFile;
  /** The host answers unknown paths with index.html and 200. */
  rewriteToIndex?: boolean;
  /** What the error line's `(<why>)` must say went wrong. */
  says: RegExp;
}

const FAILURES: Failure[] = [
  { name: 'HTTP 404', lazyFile: 'missing', says: /\b404\b/ },
  // As a blocker refuses it: the connection closes unanswered.
  { name: 'blocked (connection refused)', lazyFile: 'refused', says: /block/i },
  { name: '200 text/html from a rewriting host', lazyFile: 'missing', rewriteToIndex: true, says: /html/i },
  { name: "another release's file", lazyFile: 'another release', says: /^of another release$/ },
  { name: 'no answer', lazyFile: 'no answer', says: /no answer|time|within/i },
];

/** What became of a promise the SDK handed out, as the page saw it. */
interface Outcome {
  call: string;
  state: 'resolved' | 'rejected' | 'still pending';
  error?: string;
}

/**
 * Makes each call (an expression on `window.affitor`) at once in the page and reports whether
 * what it returned settled within `limitMs`.
 */
const settleWithin = (page: Tab, calls: string[], limitMs: number): Promise<Outcome[]> => {
  const made = calls.map((call) => `[${JSON.stringify(call)}, () => window.affitor.${call}]`).join(', ');
  return page.evaluate<Outcome[]>(`Promise.all([${made}].map(([call, make]) => Promise.race([
    new Promise((resolve) => resolve(make())).then(
      () => ({ call, state: 'resolved' }),
      (error) => ({ call, state: 'rejected', error: String(error) }),
    ),
    new Promise((resolve) => setTimeout(() => resolve({ call, state: 'still pending' }), ${limitMs})),
  ])))`);
};

export function lazyFileScenarios(scenario: Scenario): void {
  const { site, tab, state } = scenario;
  const host = () => site().sdkHost;
  /** The customer keys and click ids of the leads waiting in the tab's outbox cookie. */
  const keptLeads = async (page: Tab) =>
    ((await outbox(page)) ?? []).filter((event) => event.route === 'lead').map((event) => [event.body.customer_key, event.body.click_id ?? null]);
  /** The page's `[Affitor]` errors and uncaught errors, once the load error is among them. */
  const afterTheLoadError = (page: Tab) => until('the load error', async () => ((await page.errors()).some((line) => LOAD_ERROR.test(line)) ? page.errors() : null));

  /** Checks the one line: the file, its URL, and why (`says`). */
  const expectOneLoadError = (errors: string[], url: string, says: RegExp) => {
    expect(errors).toHaveLength(1);
    const [, named, why] = LOAD_ERROR.exec(errors[0]!) ?? [];
    expect(named, errors[0]).toBe(url);
    expect(why, errors[0]).toMatch(says);
  };

  /** The file is deployed; a page view of `url` (no `?aff=`) sends the kept lead, once, and keeps nothing. */
  async function nextPageViewDelivers(url: string, lead: { customerKey: string; email: string; clickId: string }) {
    host().lazyFile = 'served';
    const next = await tab();
    await next.visit(url);
    await until('the kept lead', () => state().leads.length === 1);
    expect(state().leads[0]).toMatchObject({ customer_key: lead.customerKey, email: lead.email, click_id: lead.clickId });
    await until('the outbox to hold no lead', async () => (await keptLeads(next)).length === 0);
    await site().front.quiet();
    expect(state().leads).toHaveLength(1);
    expect(state().clicks).toHaveLength(1);
    expect(await next.errors()).toEqual([]);
  }

  describe('the lazily fetched affitor.main.js and affitor.more.js failing', () => {
    it.each(FAILURES)(
      '$name: the click is recorded; signup, trackClick and diagnose settle within 6 s; one error names the file, its URL and why; a lead whose first try failed waits in the outbox for the next page view',
      async (failure) => {
        host().lazyFile = failure.lazyFile;
        host().rewriteToIndex = failure.rewriteToIndex ?? false;
        const origin = host().origin(SDK_HOSTS.lazy);
        const landing = `${origin}/?aff=${PARTNER_A.link}`;
        const page = await tab();
        await page.visit(landing);
        // The landing's click never waits on the lazy file.
        const clickId = (await page.waitForCookie('affitor_click_id')).value;
        expect(state().clicks).toEqual([expect.objectContaining({ click_id: clickId, partner_id: PARTNER_A.id, affiliate_url: landing })]);
        expect(host().lazyAsked).toEqual([]);

        // The lead's first try fails: retrying it is the rest's work. (Where the main file cannot be
        // had, the lead makes no try: it waits in the outbox.)
        site().api.app.setChaos({ failFirst: { lead: 1 } });
        const outcomes = await settleWithin(page, ["signup('u1', 'a@b.c')", 'trackClick()', 'diagnose()'], SETTLES_WITHIN_MS);
        expect(outcomes.map((outcome) => `${outcome.call}: ${outcome.state}`)).toEqual([
          "signup('u1', 'a@b.c'): resolved",
          'trackClick(): resolved',
          'diagnose(): resolved',
        ]);
        // The page asked for the main file alone: once (its look with fetch() fails it), or twice when
        // the look itself failed (the script tag tries too). An engine may resend a refused request itself.
        // A rest of another release: the main file came (looked at, then run), and then the rest, twice too.
        const failing = failure.lazyFile === 'another release' ? 'affitor.more.js' : 'affitor.main.js';
        expect(distinct(host().lazyAsked)).toEqual(failure.lazyFile === 'another release' ? ['/dist/affitor.main.js', '/dist/affitor.more.js'] : ['/dist/affitor.main.js']);
        if (failure.lazyFile === 'refused') {
          const [min, max] = ENGINE_FACTS[scenario.name].sendsOfAnUnansweredGet;
          expect(host().lazyAsked.length).toBeGreaterThanOrEqual(2 * min);
          expect(host().lazyAsked.length).toBeLessThanOrEqual(2 * max);
        } else if (failure.lazyFile === 'another release') {
          // Each look found JavaScript: the script tag asked again (the files are never cached here).
          expect(host().lazyAsked).toHaveLength(4);
        } else {
          expect(host().lazyAsked).toHaveLength(1);
        }
        // Nothing thrown into the merchant's page, not even by a file that is not JavaScript.
        expectOneLoadError(await afterTheLoadError(page), `${origin}/dist/${failing}`, failure.says);

        // Not recorded, not lost: the lead waits in the outbox with the landing's click id.
        expect(state().leads).toEqual([]);
        expect(await keptLeads(page)).toEqual([['u1', clickId]]);
        await nextPageViewDelivers(`${origin}/`, { customerKey: 'u1', email: 'a@b.c', clickId });
        // And the landing said it once, in all that time.
        expect((await page.errors()).length).toBe(1);
      },
    );

    it('a page view the main file does from the start (debug), the main file missing: a returning visitor\'s signup waits in the outbox with the stored click id, and the next page view sends it', async () => {
      host().lazyFile = 'missing';
      host().rewriteToIndex = false;
      const origin = host().origin(SDK_HOSTS.lazy);
      const landing = await tab();
      await landing.visit(`${origin}/?aff=${PARTNER_A.link}`);
      const clickId = (await landing.waitForCookie('affitor_click_id')).value;

      const page = await tab();
      await page.visit(`${origin}/debug.html`);
      const outcomes = await settleWithin(page, ["signup('u_debug', 'd@b.c')"], SETTLES_WITHIN_MS);
      expect(outcomes.map((outcome) => outcome.state)).toEqual(['resolved']);
      expectOneLoadError(await afterTheLoadError(page), `${origin}/dist/affitor.main.js`, /\b404\b/);
      expect(await keptLeads(page)).toEqual([['u_debug', clickId]]);
      expect(state().leads).toEqual([]);
      await nextPageViewDelivers(`${origin}/`, { customerKey: 'u_debug', email: 'd@b.c', clickId });
    });

    it('revokeConsent deletes every cookie the landing wrote without the files: nothing fetched, nothing logged', async () => {
      host().lazyFile = 'missing';
      host().rewriteToIndex = false;
      const page = await tab();
      await page.visit(`${host().origin(SDK_HOSTS.lazy)}/?aff=${PARTNER_A.link}`);
      await page.waitForCookie('affitor_click_id');
      expect(await page.cookies()).not.toEqual([]);

      await page.evaluate('window.affitor.revokeConsent()');
      expect(await page.cookies()).toEqual([]);
      expect(await page.evaluate('window.affitor.getData()')).toMatchObject({ clickId: null, hasAttribution: false });
      // This page asked for no other file (host().lazyAsked also hears earlier tests' tabs), and said nothing.
      expect(await page.evaluate('performance.getEntriesByType("resource").filter((entry) => /affitor\\.m(ain|ore)/.test(entry.name)).length')).toBe(0);
      expect(await page.errors()).toEqual([]);
    });

    it("the README's stub snippet on a host that rewrites unknown paths to index.html: a signup queued before the script loaded, whose first try fails, waits in the outbox, one error says the file came back as HTML, the next page view (a client-side route) sends it", async () => {
      // The merchant deployed affitor.global.js beside the app, not the file it fetches later.
      host().lazyFile = 'missing';
      host().rewriteToIndex = true;
      host().lateSdkMs = 300;
      // The lead's first try fails, so the rest is asked for, to retry it.
      site().api.app.setChaos({ failFirst: { lead: 1 } });
      const origin = host().origin(SDK_HOSTS.spa);
      const page = await tab();
      await page.visit(`${origin}/?aff=${PARTNER_A.link}`);
      // The signup, and the stub's `ready` that settles the promise it handed out.
      expect(await page.evaluate('window.queuedAtSignup')).toBe(2);

      const clickId = (await page.waitForCookie('affitor_click_id')).value;
      expect(state().clicks).toEqual([expect.objectContaining({ click_id: clickId, partner_id: PARTNER_A.id })]);
      expectOneLoadError(await afterTheLoadError(page), `${origin}/affitor.main.js`, /html/i);
      await until('the lead in the outbox', async () => (await keptLeads(page)).length > 0);
      expect(await keptLeads(page)).toEqual([['stub_user', clickId]]);
      expect(state().leads).toEqual([]);

      // The merchant deploys the file; the next page view is a client-side route, answered with index.html too.
      await nextPageViewDelivers(`${origin}/pricing`, { customerKey: 'stub_user', email: 'stub@example.com', clickId });
      expect((await page.errors()).length).toBe(1);
    });
  });
}
