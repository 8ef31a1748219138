/**
 * The README's preconnect line, in Chromium: `<link rel="preconnect" href="<API>" crossorigin>`
 * has the browser open the connection to the tracking API while the script downloads, and the
 * landing's click goes over it. Without `crossorigin` the click cannot use it (its calls go
 * without credentials, on connections of their own), which `diagnose()` says.
 *
 * Playwright's contexts are off-the-record profiles, where Chromium drops preconnect hints: each
 * landing runs in a persistent context of its own (a fresh profile, so a fresh jar and no open
 * connections). The tracking server sits behind a small TCP relay that notes each connection
 * the browser opens and which one carried the click; the script file is held back 300 ms, so a
 * connection opened before it was served was opened by the hint.
 */
import { createServer as createTcpServer, connect } from 'node:net';
import type { AddressInfo, Server as TcpServer, Socket } from 'node:net';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import { startServer } from '../../examples/server/src/node';
import type { RunningServer } from '../../examples/server/src/node';
import { DIST_DIR } from '../../examples/demo/static-server';
import { ensureDist } from '../../examples/demo/dist';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from './engines/chromium';
import { HOST_RULES, PARTNER_A, skipWithoutChromium } from './harness';
import { seedFor } from './program';

/** How long the page server holds the script file back. */
const SCRIPT_DELAY_MS = 300;

/** A connection the browser opened to the tracking API: when, and whether the click came over it. */
interface ApiConnection {
  openedAt: number;
  carriedClick: boolean;
}

describe.skipIf(skipWithoutChromium)('[chromium] the README preconnect line', () => {
  let api: RunningServer;
  let relay: TcpServer;
  let pages: Server;
  let apiBase = '';
  let pageOrigin = '';
  let connections: ApiConnection[] = [];
  let scriptServedAt = 0;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    ensureDist(() => undefined);
    const script = await readFile(join(DIST_DIR, 'affitor.global.js'));
    const more = await readFile(join(DIST_DIR, 'affitor.more.js'));
    pages = createServer((request, response) => {
      const url = new URL(request.url!, 'http://page');
      if (url.pathname.startsWith('/dist/')) {
        const file = url.pathname.endsWith('affitor.global.js') ? script : more;
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
    pageOrigin = `http://www.shop.test:${(pages.address() as AddressInfo).port}`;
    api = await startServer({ port: 0, seed: seedFor([pageOrigin]) });
    const apiPort = Number(new URL(api.url).port);
    relay = createTcpServer((browserSide) => {
      const connection: ApiConnection = { openedAt: Date.now(), carriedClick: false };
      connections.push(connection);
      const serverSide = connect(apiPort, '127.0.0.1');
      for (const socket of [browserSide, serverSide]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket)).on('error', () => undefined);
      }
      browserSide.on('data', (chunk: Buffer) => {
        if (chunk.includes('POST /api/v1/track/click ')) connection.carriedClick = true;
      });
      browserSide.pipe(serverSide).pipe(browserSide);
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    apiBase = `http://api.shop.test:${(relay.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => relay?.close(resolve));
    await new Promise((resolve) => pages?.close(resolve));
    await api?.close();
  });

  /** One landing in a fresh profile, `crossorigin` as the link's attribute (null: none); the connections it opened, and diagnose()'s warnings. */
  async function land(crossorigin: string | null): Promise<{ opened: ApiConnection[]; warnings: string[] }> {
    connections = [];
    scriptServedAt = 0;
    const profile = await mkdtemp(join(tmpdir(), 'affitor-preconnect-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_FLAGS, `--host-resolver-rules=${HOST_RULES}`],
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      const query = crossorigin == null ? '' : `&crossorigin=${encodeURIComponent(crossorigin)}`;
      await page.goto(`${pageOrigin}/pricing?aff=${PARTNER_A.link}${query}`);
      await page.waitForFunction(() => document.cookie.includes('affitor_click_id='));
      // The first call loads the rest, which holds the diagnosis.
      const warnings = await page.evaluate(async () => {
        const affitor = (window as unknown as { affitor: { diagnose(): { warnings: string[] } | null } }).affitor;
        for (;;) {
          const report = affitor.diagnose();
          if (report) return report.warnings;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      });
      return { opened: [...connections], warnings: warnings.filter((warning) => warning.includes('preconnect')) };
    } finally {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    }
  }

  it('with crossorigin, the connection opens while the script downloads, and the click goes over it', async () => {
    const { opened, warnings } = await land('');
    expect(scriptServedAt).toBeGreaterThan(0);
    const click = opened.filter((connection) => connection.carriedClick);
    expect(click).toHaveLength(1);
    // Opened by the hint: before the script that sends the click was even served.
    expect(click[0]!.openedAt).toBeLessThan(scriptServedAt);
    expect(opened).toHaveLength(1);
    expect(warnings).toEqual([]);
    expect(api.app.inspect().clicks).toHaveLength(1);
  });

  it.each([
    ['no crossorigin', null],
    ['crossorigin="use-credentials"', 'use-credentials'],
  ])('with %s, the click cannot use the connection the hint opened: it opens its own, and diagnose() says so', async (_, crossorigin) => {
    const { opened, warnings } = await land(crossorigin);
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
