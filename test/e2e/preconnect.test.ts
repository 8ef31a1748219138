/**
 * The README's preconnect line, in Chromium and Firefox: `<link rel="preconnect" href="<API>"
 * crossorigin>` has the browser open the connection to the tracking API while the script
 * downloads, and the landing's click goes over it. Without `crossorigin` the click cannot use it
 * (its calls go without credentials, on connections of their own), which `diagnose()` says.
 *
 * The tracking server sits behind a small TCP relay that notes each connection the browser opens
 * and which one carried the click; the script file is held back 300 ms, so a connection opened
 * before it was served was opened by the hint. Each landing starts with no open connection:
 * - Chromium drops preconnect hints in Playwright's contexts (off-the-record profiles): each
 *   landing runs in a persistent context of its own, in a fresh profile folder.
 * - Firefox keeps connections apart per browser context (a fresh one per landing), but the
 *   profile puppeteer writes turns speculative connections off (`network.http.speculative-parallel-limit`
 *   0, so that they do not look like leaks to its tests): it is set back to Firefox's own default.
 * WebKit is left out: WebKitGTK 2.50 (the suites' WebKit) opens the hinted connection, but sends
 * the click over a new one with or without `crossorigin` (and any CORS fetch, with or without
 * keepalive), so there the line saves nothing; Safari's network stack is another one.
 */
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { chromium } from 'playwright-core';
import { startServer } from '../../examples/server/src/node';
import type { RunningServer } from '../../examples/server/src/node';
import { DIST_DIR } from '../../examples/demo/static-server';
import { ensureDist } from '../../examples/demo/dist';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from './engines/chromium';
import { launchFirefox } from './engines/firefox';
import type { Engine } from './engines/types';
import { skipEngine } from './engines/select';
import { PARTNER_A } from './harness';
import { seedFor } from './program';
import { startRelay } from './relay';
import type { Relay } from './relay';

/** How long the page server holds the script file back. */
const SCRIPT_DELAY_MS = 300;

/** A connection the browser opened to the tracking API: when, and whether the click came over it. */
interface ApiConnection {
  openedAt: number;
  carriedClick: boolean;
}

let api: RunningServer;
let relay: Relay | undefined;
let pages: Server;
let apiBase = '';
let pageOrigin = '';
let connections: ApiConnection[] = [];
let scriptServedAt = 0;
let firefox: Engine | undefined;

/** Neither engine runs here: nothing to start. */
const noEngine = skipEngine('chromium') && skipEngine('firefox');

beforeAll(async () => {
  if (noEngine) return;
  ensureDist(() => undefined);
  const script = await readFile(join(DIST_DIR, 'affitor.global.js'));
  const later: Record<string, Buffer> = {
    'affitor.main.js': await readFile(join(DIST_DIR, 'affitor.main.js')),
    'affitor.more.js': await readFile(join(DIST_DIR, 'affitor.more.js')),
  };
  pages = createServer((request, response) => {
    const url = new URL(request.url!, 'http://page');
    if (url.pathname.startsWith('/dist/')) {
      const file = url.pathname.endsWith('affitor.global.js') ? script : later[url.pathname.slice('/dist/'.length)];
      if (!file) return void response.writeHead(404).end();
      setTimeout(() => {
        if (file == script) scriptServedAt = Date.now();
        response.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' }).end(file);
      }, file == script ? SCRIPT_DELAY_MS : 0);
      return;
    }
    const crossorigin = url.searchParams.get('crossorigin');
    const hint = `<link rel="preconnect" href="${apiBase}"${crossorigin == null ? '' : ` crossorigin="${crossorigin}"`}>`;
    response.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-store' });
    response.end(`<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">${hint}
<script async src="/dist/affitor.global.js" data-affitor-program-id="1" data-affitor-api-base="${apiBase}"></script></head><body><p>shop</p></body></html>`);
  });
  await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
  pageOrigin = `http://www.shop.localhost:${(pages.address() as AddressInfo).port}`;
  api = await startServer({ port: 0, seed: seedFor([pageOrigin]) });
  relay = await startRelay(Number(new URL(api.url).port), {
    onConnection: (browserSide) => {
      const connection: ApiConnection = { openedAt: Date.now(), carriedClick: false };
      connections.push(connection);
      browserSide.on('data', (chunk: Buffer) => {
        if (chunk.includes('POST /api/v1/track/click ')) connection.carriedClick = true;
      });
    },
  });
  apiBase = `http://api.shop.localhost:${relay.port}`;
});

afterAll(async () => {
  await firefox?.close();
  await relay?.close();
  await new Promise((resolve) => pages?.close(resolve));
  await api?.close();
});

/** The warnings about preconnects that `diagnose()` gives, once the rest of the SDK (which holds it) has loaded. */
const PRECONNECT_WARNINGS = `(async () => {
  for (;;) {
    const report = window.affitor.diagnose();
    if (report) return report.warnings.filter((warning) => warning.includes('preconnect'));
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
})()`;
const COOKIE_WRITTEN = `document.cookie.includes('affitor_click_id=')`;

/** Each engine's landing on `url`, from a state with no open connection: `diagnose()`'s preconnect warnings once the cookie is written. */
const engines: Record<'chromium' | 'firefox', (url: string) => Promise<string[]>> = {
  chromium: async (url) => {
    const profile = await mkdtemp(join(tmpdir(), 'affitor-preconnect-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_FLAGS,
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      await page.goto(url);
      await page.waitForFunction(COOKIE_WRITTEN);
      return await page.evaluate<string[]>(PRECONNECT_WARNINGS);
    } finally {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    }
  },
  firefox: async (url) => {
    firefox ??= await launchFirefox({ 'network.http.speculative-parallel-limit': 6 });
    const session = await firefox.newSession();
    try {
      const page = await session.newPage();
      await page.goto(url);
      await vi.waitFor(async () => expect(await page.evaluate<boolean>(COOKIE_WRITTEN)).toBe(true), { timeout: 10_000, interval: 50 });
      return await page.evaluate<string[]>(PRECONNECT_WARNINGS);
    } finally {
      await session.close();
    }
  },
};

/** One landing in `engine`, `crossorigin` as the link's attribute (null: none): the connections it opened, diagnose()'s preconnect warnings, and the clicks the server recorded. */
async function land(engine: keyof typeof engines, crossorigin: string | null): Promise<{ opened: ApiConnection[]; warnings: string[]; clicks: number }> {
  connections = [];
  scriptServedAt = 0;
  const clicksBefore = api.app.inspect().clicks.length;
  const query = crossorigin == null ? '' : `&crossorigin=${encodeURIComponent(crossorigin)}`;
  const warnings = await engines[engine](`${pageOrigin}/pricing?aff=${PARTNER_A.link}${query}`);
  return { opened: [...connections], warnings, clicks: api.app.inspect().clicks.length - clicksBefore };
}

for (const engine of ['chromium', 'firefox'] as const) {
  describe.skipIf(skipEngine(engine))(`[${engine}] the README preconnect line`, () => {
    it('with crossorigin, the connection opens while the script downloads, and the click goes over it', async () => {
      const { opened, warnings, clicks } = await land(engine, '');
      expect(scriptServedAt).toBeGreaterThan(0);
      const click = opened.filter((connection) => connection.carriedClick);
      expect(click).toHaveLength(1);
      // Opened by the hint: before the script that sends the click was even served.
      expect(click[0]!.openedAt).toBeLessThan(scriptServedAt);
      expect(opened).toHaveLength(1);
      expect(warnings).toEqual([]);
      expect(clicks).toBe(1);
    });

    it.each([
      ['no crossorigin', null],
      ['crossorigin="use-credentials"', 'use-credentials'],
    ])('with %s, the click cannot use the connection the hint opened: it opens its own, and diagnose() says so', async (_, crossorigin) => {
      const { opened, warnings } = await land(engine, crossorigin);
      const unused = opened.filter((connection) => !connection.carriedClick);
      const click = opened.filter((connection) => connection.carriedClick);
      // The hint's connection, opened before the script was served, never used; the click's, opened after.
      expect(unused.length).toBeGreaterThanOrEqual(1);
      expect(unused[0]!.openedAt).toBeLessThan(scriptServedAt);
      expect(click).toHaveLength(1);
      expect(click[0]!.openedAt).toBeGreaterThanOrEqual(scriptServedAt);
      expect(warnings).toEqual([
        `${apiBase}/: a preconnect the SDK's calls cannot use (they go without credentials): write <link rel="preconnect" href="${apiBase}" crossorigin>`,
      ]);
    });
  });
}
