/**
 * A landing page Chromium renders ahead of the visit (the shop's speculation rules), with the
 * script tag: its click waits until the visitor opens it, and a prerender never opened changes
 * nothing. Chromium does not prerender while DevTools is attached (its reason:
 * `PrerenderingDisabledByDevTools`), so this suite runs Debian's chromium as a plain process,
 * without playwright: the pages tell a small server what they see, and the tracking server what
 * it recorded.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startServer } from '../../examples/server/src/node';
import type { RunningServer } from '../../examples/server/src/node';
import { DIST_DIR } from '../../examples/demo/static-server';
import { ensureDist } from '../../examples/demo/dist';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from './engines/chromium';
import { missingFor } from './engines/select';
import { HOST_RULES, PARTNER_A, PARTNER_B, skipWithoutChromium } from './harness';
import { seedFor } from './program';

/** What a page told the test server, in order: `{ what, at }`, `at` in epoch ms as the server heard it. */
interface Mark {
  what: string;
  at: number;
}

describe.skipIf(skipWithoutChromium)('[chromium] a landing page rendered ahead of the visit', () => {
  let pages: Server;
  let api: RunningServer;
  let origin = '';
  let marks: Mark[] = [];
  /** Answers held until the SDK ran in the prerendered page: the shop page navigates only then. */
  let waitingForPrerender: Array<() => void> = [];
  let browser: ChildProcess | undefined;
  let profile = '';

  const ran = () => marks.some((mark) => mark.what == 'ran prerendering=true');
  const sdkRanAhead = () => marks.some((mark) => mark.what == 'sdk ran prerendering=true');
  const markAt = (what: string) => marks.find((mark) => mark.what == what)?.at;

  /** The shop's page: it asks Chromium to prerender `landing`, waits until the SDK ran there, then opens `next`. */
  const shopPage = (landing: string, next: string) => `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="speculationrules">{"prerender":[{"source":"list","urls":[${JSON.stringify(landing)}],"eagerness":"immediate"}]}</script>
<script>fetch('/prerendered').then(() => { location.href = ${JSON.stringify(next)}; });</script></head><body><p>shop</p></body></html>`;

  /**
   * The landing page, with the README's script tag; it says whether it runs prerendered, and when it is opened.
   * With `reports`, the page reports that partner's link itself once the SDK loaded (`affitor.trackClick`), as a single-page app's code does.
   */
  const landingPage = (reports: string | null) => `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script>
  fetch('/mark?what=' + encodeURIComponent('ran prerendering=' + document.prerendering));
  document.addEventListener('prerenderingchange', () => {
    fetch('/mark?what=activated');
    const look = setInterval(() => {
      const clickId = /affitor_click_id=([^;]+)/.exec(document.cookie);
      if (!clickId) return;
      clearInterval(look);
      fetch('/mark?what=' + encodeURIComponent('cookie ' + clickId[1]));
    }, 20);
  });
</script>
<script async src="/dist/affitor.global.js" data-affitor-program-id="1" data-affitor-api-base="${api.url}"
  onload="${reports ? `affitor.trackClick(location.origin + '/deal?aff=${reports}'); ` : ''}fetch('/mark?what=' + encodeURIComponent('sdk ran prerendering=' + document.prerendering))"></script>
</head><body><p>pricing</p></body></html>`;

  /** A page without the SDK that reports the cookies the visitor has. */
  const reportPage = () => `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script>fetch('/mark?what=' + encodeURIComponent('cookies ' + document.cookie));</script></head><body></body></html>`;

  beforeAll(async () => {
    // Started without playwright's launch, which says what is missing and how to install it: said here instead.
    const missing = missingFor('chromium');
    if (missing) throw new Error(`${missing} (CI=${process.env.CI}: the browser suites must run here)`);
    ensureDist((line) => console.log(`[e2e] ${line}`));
    const sdk = await readFile(join(DIST_DIR, 'affitor.global.js'));
    pages = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://pages');
      const html = (body: string) => response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(body);
      if (url.pathname == '/mark') {
        marks.push({ what: url.searchParams.get('what') ?? '', at: Date.now() });
        if (sdkRanAhead()) for (const release of waitingForPrerender.splice(0)) release();
        response.writeHead(204).end();
      } else if (url.pathname == '/prerendered') {
        const release = () => response.writeHead(204).end();
        if (sdkRanAhead()) release();
        else waitingForPrerender.push(release);
      } else if (url.pathname == '/dist/affitor.global.js') {
        response.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-store' }).end(sdk);
      } else if (url.pathname == '/pricing') html(landingPage(url.searchParams.get('reports')));
      else if (url.pathname == '/report') html(reportPage());
      else if (url.pathname == '/shop') html(shopPage(url.searchParams.get('landing')!, url.searchParams.get('next')!));
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
    origin = `http://www.shop.test:${(pages.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise((resolve) => pages?.close(resolve)));

  // A fresh tracking server per test: its clicks are that test's.
  beforeEach(async () => {
    api = await startServer({ port: 0, seed: seedFor([origin]) });
  });

  afterEach(async () => {
    await api.close();
    if (browser && browser.exitCode === null) {
      const exited = new Promise((resolve) => browser!.once('exit', resolve));
      browser.kill();
      await exited;
    }
    // Chromium's helper processes may still be closing files in the profile when its main process exited.
    await rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    marks = [];
    waitingForPrerender = [];
  });

  /** Waits until the SDK ran in the landing, and checks that it ran there ahead of the visit: else the test would prove nothing. */
  const ranAhead = async () => {
    await vi.waitFor(() => expect(marks.some((mark) => mark.what.startsWith('sdk ran'))).toBe(true), { timeout: 15_000, interval: 50 });
    expect(sdkRanAhead(), `Chromium did not render the landing ahead of the visit: ${JSON.stringify(marks)}`).toBe(true);
    expect(ran()).toBe(true);
  };

  /** Chromium, in a fresh profile, opens `/shop` with these query parameters. */
  const openShop = async (landing: string, next: string) => {
    profile = await mkdtemp(join(tmpdir(), 'affitor-prerender-'));
    const shop = `${origin}/shop?${new URLSearchParams({ landing, next })}`;
    browser = spawn(CHROMIUM_PATH, [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, `--host-resolver-rules=${HOST_RULES}`, shop], { stdio: 'ignore' });
    // A browser that could not start shows in the marks the failing test prints, not as an uncaught error.
    browser.once('error', (error) => marks.push({ what: `chromium failed to start: ${error.message}`, at: Date.now() }));
  };

  /** The visitor opens the landing rendered ahead: one click, for `clickedUrl`, recorded after that, and its cookie written then. */
  const clickedOnceOpened = async (landing: string, clickedUrl: string) => {
    await openShop(landing, landing);
    await ranAhead();
    await vi.waitFor(() => expect(markAt('activated')).toBeDefined(), { timeout: 15_000, interval: 50 });
    await vi.waitFor(() => expect(api.app.inspect().clicks).toHaveLength(1), { timeout: 10_000, interval: 50 });
    const click = api.app.inspect().clicks[0]!;
    expect(click.affiliate_url).toBe(clickedUrl);
    expect(Date.parse(click.created_at)).toBeGreaterThanOrEqual(markAt('activated')!);
    await vi.waitFor(() => expect(markAt(`cookie ${click.click_id}`)).toBeDefined(), { timeout: 10_000, interval: 50 });
  };

  /** The shop rendered `landing` ahead; the visitor went to another page: no click, no cookie. */
  const nothingWhenNeverOpened = async (landing: string) => {
    await openShop(landing, '/report');
    await ranAhead();
    await vi.waitFor(() => expect(marks.some((mark) => mark.what.startsWith('cookies'))).toBe(true), { timeout: 15_000, interval: 50 });
    expect(markAt('activated')).toBeUndefined();
    // A click the SDK sent while it ran ahead left before the shop page moved on (keepalive), a page load ago.
    expect(api.app.inspect().clicks).toHaveLength(0);
    expect(marks.find((mark) => mark.what.startsWith('cookies'))!.what).not.toContain('affitor_click_id');
  };

  it('sends the click only once the visitor opens the page, and writes its cookie then', async () => {
    await clickedOnceOpened(`/pricing?aff=${PARTNER_A.link}`, `${origin}/pricing?aff=${PARTNER_A.link}`);
  });

  it('sends no click and writes no cookie when the visitor never opens the page rendered ahead', async () => {
    await nothingWhenNeverOpened(`/pricing?aff=${PARTNER_B.link}`);
  });

  it('sends a partner link the page reports (trackClick) only once the visitor opens the page', async () => {
    await clickedOnceOpened(`/pricing?reports=${PARTNER_A.link}`, `${origin}/deal?aff=${PARTNER_A.link}`);
  });

  it('sends nothing for a partner link the page reports while rendered ahead when the visitor never opens it', async () => {
    await nothingWhenNeverOpened(`/pricing?reports=${PARTNER_B.link}`);
  });
});
