/**
 * The lazily fetched part of the `<script>` build (`affitor.more.js`, fetched from the folder of
 * `affitor.global.js` only when a call needs it) failing in each way it fails for real: a 404,
 * blocked by the client (an ad blocker), a host that answers `200 text/html` for it, and a
 * request that is never answered. In each: the landing's click is recorded without it, every
 * promise the page was handed resolves within 6 s, one console error says what went wrong
 * with which file, and the signup that could not be sent is kept and delivered on the next
 * page view once the file is served again. Then the README's stub snippet on a host that
 * rewrites unknown paths to index.html, as single-page-app hosts do.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServer } from '../../examples/server/src/node';
import type { RunningServer } from '../../examples/server/src/node';
import {
  PAGES_DIR,
  PARTNER_A,
  affitorErrors,
  launchChromium,
  openPage,
  seedFor,
  skipWithoutChromium,
  waitForCookie,
} from './harness';
import type { ConsoleLine, WatchedPage } from './harness';
import { settleWithin, startSdkHost } from './lazy-file-helpers';
import type { LazyFile, SdkHost, SdkHostOptions } from './lazy-file-helpers';
import { outboxIn } from './never-lost-helpers';

const WWW = 'www.shop.test';
const LAZY_FILE = 'affitor.more.js';
/** The contract: every promise the SDK handed out has settled by then, whatever became of the file. */
const SETTLES_WITHIN_MS = 6_000;
/** How long after the first error a second one would have shown. */
const QUIET_MS = 1_000;
/** A lazily fetched file of the `<script>` build: any `affitor.*.js` but the one every page view loads. */
const isLazyFile = (url: URL) => /\/affitor\.[\w.]+\.js$/.test(url.pathname) && !url.pathname.endsWith('/affitor.global.js');

interface Failure {
  name: string;
  /** How the host answers the lazy file, and whether it rewrites unknown paths to index.html. */
  lazyFile: LazyFile;
  rewriteToIndex?: boolean;
  /** The browser refuses the request itself (ERR_BLOCKED_BY_CLIENT), as ad blockers make it. */
  blockedByClient?: boolean;
  /** What the error line must say went wrong. */
  says: RegExp;
}

const FAILURES: Failure[] = [
  { name: 'HTTP 404', lazyFile: 'missing', says: /\b404\b/ },
  { name: 'blocked by the client', lazyFile: 'served', blockedByClient: true, says: /block|failed|could not|network/i },
  { name: '200 text/html (a host that rewrites unknown paths to index.html)', lazyFile: 'missing', rewriteToIndex: true, says: /html/i },
  { name: 'no answer', lazyFile: 'no answer', says: /answer|time|too long|within/i },
];

describe.skipIf(skipWithoutChromium)('the lazily fetched file failing, in Chromium', () => {
  let browser: Browser;
  let host: SdkHost | undefined;
  let api: RunningServer | undefined;
  let context: BrowserContext;

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext();
  });
  afterEach(async () => {
    await context.close();
    await Promise.all([host?.close(), api?.close()]);
    host = undefined;
    api = undefined;
  });

  /** A merchant's host for `site` and a tracking server that allows its www origin. */
  async function startSite(options: Omit<SdkHostOptions, 'apiBase'>): Promise<SdkHost> {
    host = await startSdkHost({ ...options, apiBase: () => api?.url ?? 'http://api.not-started.invalid' });
    api = await startServer({ port: 0, seed: seedFor([host.origin(WWW)]) });
    return host;
  }
  const state = () => api!.app.inspect();
  const pageErrors = (lines: ConsoleLine[]) => lines.filter((line) => line.type === 'pageerror').map((line) => line.text);
  const lazyRequests = (watched: WatchedPage) => watched.sdkFiles.filter((file) => file !== 'affitor.global.js');

  /** The page's `[Affitor]` errors once one has come and no other followed for QUIET_MS. */
  async function theOneError(lines: ConsoleLine[]): Promise<string[]> {
    await expect.poll(() => affitorErrors(lines).length, { timeout: SETTLES_WITHIN_MS }).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    return affitorErrors(lines);
  }

  /** The customer keys of the lead events waiting in the outbox cookie. */
  const keptLeads = async () =>
    (await outboxIn(context))?.filter((event) => event.route === 'lead').map((event) => event.body.customer_key) ?? [];
  /** The lazily fetched files the page asked for, each named once (a retry is the SDK's business). */
  const lazyFilesAsked = (watched: WatchedPage) => [...new Set(lazyRequests(watched))];

  /** A page view of `url` (no `?aff=`) once the file is served again: the kept lead goes out, once. */
  async function nextPageViewDelivers(url: string, lead: { customerKey: string; email: string; clickId: string }): Promise<WatchedPage> {
    host!.lazyFile = 'served';
    const next = await openPage(context);
    await next.page.goto(url);
    await expect.poll(() => state().leads.length, { timeout: 10_000 }).toBe(1);
    expect(state().leads[0]).toMatchObject({ customer_key: lead.customerKey, email: lead.email, click_id: lead.clickId });
    await expect.poll(() => keptLeads()).toEqual([]);
    expect(state().leads).toHaveLength(1);
    expect(affitorErrors(next.console)).toEqual([]);
    expect(pageErrors(next.console)).toEqual([]);
    return next;
  }

  describe.each(FAILURES)('$name', (failure) => {
    async function land(): Promise<{ origin: string; landing: WatchedPage; clickId: string }> {
      await startSite({ site: join(PAGES_DIR, 'landing'), sdkFolder: '/dist/', rewriteToIndex: failure.rewriteToIndex });
      host!.lazyFile = failure.lazyFile;
      const origin = host!.origin(WWW);
      const landing = await openPage(context);
      if (failure.blockedByClient) await landing.page.route(isLazyFile, (route) => route.abort('blockedbyclient'));
      await landing.page.goto(`${origin}/?aff=${PARTNER_A.link}`);
      // The landing's click never waits on the lazy file.
      const clickId = (await waitForCookie(context, 'affitor_click_id')).value;
      expect(state().clicks).toEqual([expect.objectContaining({ click_id: clickId, partner_id: PARTNER_A.id })]);
      expect(lazyRequests(landing)).toEqual([]);
      return { origin, landing, clickId };
    }

    it('the click is recorded; signup resolves within 6 s, one error names the file, its URL and what went wrong; the lead is kept and sent on the next page view', async () => {
      const { origin, landing, clickId } = await land();

      const signup = await settleWithin(landing.page, "signup('u1', 'a@b.c')", SETTLES_WITHIN_MS);
      expect(signup).toMatchObject({ state: 'resolved' });
      expect(lazyFilesAsked(landing)).toEqual([LAZY_FILE]);
      const errors = await theOneError(landing.console);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(LAZY_FILE);
      expect(errors[0]).toContain(`${origin}/dist/${LAZY_FILE}`);
      expect(errors[0]).toMatch(failure.says);
      // Nothing thrown into the merchant's page, not even by a file that is not JavaScript.
      expect(pageErrors(landing.console)).toEqual([]);

      // Not sent, not lost: the lead waits in the outbox (and goes out with the landing's click id, below).
      expect(state().leads).toEqual([]);
      expect(await keptLeads()).toEqual(['u1']);

      await landing.page.close();
      await nextPageViewDelivers(`${origin}/`, { customerKey: 'u1', email: 'a@b.c', clickId });
      expect(state().clicks).toHaveLength(1);
    });

    it('several calls waiting on the file all resolve within 6 s, with still one error', async () => {
      const { landing } = await land();
      const outcomes = await Promise.all([
        settleWithin(landing.page, "signup('u2', 'b@c.d')", SETTLES_WITHIN_MS),
        settleWithin(landing.page, 'grantConsent()', SETTLES_WITHIN_MS),
        settleWithin(landing.page, "signup('u3')", SETTLES_WITHIN_MS),
      ]);
      expect(outcomes.map((outcome) => outcome.state)).toEqual(['resolved', 'resolved', 'resolved']);
      expect(await theOneError(landing.console)).toHaveLength(1);
      expect(pageErrors(landing.console)).toEqual([]);
      expect(state().leads).toEqual([]);
    });
  });

  describe("the README's stub snippet on a host that rewrites unknown paths to index.html", () => {
    it('a signup queued before the script loaded: the click is recorded, one error says the file came back as HTML, the lead is sent once the file is deployed', async () => {
      await startSite({ site: join(PAGES_DIR, 'spa-host'), sdkFolder: '/', rewriteToIndex: true });
      // The merchant deployed affitor.global.js beside the app, not the file it fetches later.
      host!.lazyFile = 'missing';
      // The host holds the script until the visitor has signed up, so the signup goes through the stub's queue.
      let release = () => {};
      host!.holdGlobalUntil = new Promise<void>((resolve) => (release = resolve));
      const origin = host!.origin(WWW);
      const landing = await openPage(context);
      await landing.page.goto(`${origin}/?aff=${PARTNER_A.link}`, { waitUntil: 'domcontentloaded' });
      await landing.page.click('button[type=submit]');
      expect(await queued(landing.page)).toBe(1);
      release();

      const clickId = (await waitForCookie(context, 'affitor_click_id')).value;
      expect(state().clicks).toEqual([expect.objectContaining({ click_id: clickId, partner_id: PARTNER_A.id })]);
      const errors = await theOneError(landing.console);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(LAZY_FILE);
      expect(errors[0]).toContain(`${origin}/${LAZY_FILE}`);
      expect(errors[0]).toMatch(/html/i);
      expect(pageErrors(landing.console)).toEqual([]);
      expect(state().leads).toEqual([]);
      expect(await keptLeads()).toEqual(['stub_user']);
      await landing.page.close();

      // The merchant deploys the file; the next page view is a client-side route, answered with index.html too.
      await nextPageViewDelivers(`${origin}/pricing`, { customerKey: 'stub_user', email: 'stub@example.com', clickId });
    });
  });
});

/** Calls waiting in the stub's queue: the stub is still `window.affitor`, the script has not run yet. */
const queued = (page: Page): Promise<number | null> =>
  page.evaluate<number | null>('Array.isArray(window.affitor.q) ? window.affitor.q.length : null');
