/**
 * The README's preconnect line where it pays: a landing whose click opens a cold connection to
 * the tracking API over TLS, on a network with real round trips. The slow-4G rows cannot show it:
 * Chromium's network emulation holds each answer back, but sets connections up at once.
 *
 * Here every byte between Chromium and each server (the shop's pages, the tracking API) crosses a
 * relay that holds it HALF_RTT_MS in each direction, the API answers over TLS (a throwaway
 * certificate; Chromium ignores its errors), and the pages and the API are on two origins, as a
 * merchant's site and the tracking API are. A landing runs in a profile of its own (a persistent
 * context in a fresh folder: no jar, no open connection, no cache), because Chromium drops
 * preconnect hints in Playwright's usual off-the-record contexts. The page is the README's: the
 * script tag alone, or with `<link rel="preconnect" href="<API>" crossorigin>` before it; the two
 * take turns.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:tls';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { DIST_DIR } from '../examples/demo/static-server';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from '../test/e2e/engines/chromium';
import { HOST_RULES, makeCertificate } from '../test/e2e/harness';
import { startRelay } from '../test/e2e/relay';
import { PARTNER_A, benchSeed, startApi } from './api';
import { COOKIE_PROBE } from './pages';
import { landingTimes, summarizeTimes, watchErrors } from './landing';
import type { LandingTimes, LandingTimesSummary } from './landing';

/** Half of the round trip every relayed byte waits: 150 ms round trips, as the slow-4G rows' latency. */
export const HALF_RTT_MS = 75;

export interface PreconnectResult {
  landings: number;
  /** Every relayed byte's round trip, ms. */
  roundTripMs: number;
  /** The README's script tag alone. */
  tagAlone: LandingTimesSummary;
  /** The same, with the README's preconnect line before it. */
  withPreconnect: LandingTimesSummary;
}

const close = (server: { close(done: () => void): unknown }) => new Promise<void>((resolve) => server.close(() => resolve()));

async function listen(server: { listen(port: number, host: string, done: () => void): unknown; address(): unknown }): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

export async function measurePreconnect(options: { landings: number; log: (line: string) => void }): Promise<PreconnectResult> {
  const { landings, log } = options;
  const script = gzipSync(await readFile(join(DIST_DIR, 'affitor.global.js')), { level: 9 });
  let apiBase = '';
  const pages = createServer((request, response) => {
    if (request.url!.startsWith('/dist/affitor.global.js')) {
      response.writeHead(200, { 'content-type': 'text/javascript', 'content-encoding': 'gzip', 'cache-control': 'no-store' }).end(script);
      return;
    }
    const hint = request.url!.includes('preconnect=1') ? `<link rel="preconnect" href="${apiBase}" crossorigin>` : '';
    response.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-store' });
    response.end(
      `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>shop</title>${hint}${COOKIE_PROBE}<script async src="/dist/affitor.global.js" data-affitor-program-id="1" data-affitor-api-base="${apiBase}"></script></head><body><p>shop</p></body></html>`,
    );
  });
  const pagesRelay = await startRelay(await listen(pages), { holdMs: HALF_RTT_MS });
  const origin = `http://www.shop.test:${pagesRelay.port}`;
  const api = await startApi(benchSeed([origin]));
  const apiUrl = new URL(api.url);
  const tls = createTlsServer(await makeCertificate(), (secure) => {
    const plain = connect(Number(apiUrl.port), apiUrl.hostname);
    secure.pipe(plain).pipe(secure);
    secure.on('error', () => plain.destroy());
    plain.on('error', () => secure.destroy());
  });
  const apiRelay = await startRelay(await listen(tls), { holdMs: HALF_RTT_MS });
  apiBase = `https://api.shop.test:${apiRelay.port}`;

  /** One landing in a profile of its own: when its click left and when its cookie was written. */
  async function land(preconnect: boolean): Promise<LandingTimes> {
    const profile = await mkdtemp(join(tmpdir(), 'affitor-bench-preconnect-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_FLAGS, `--host-resolver-rules=${HOST_RULES}`, '--ignore-certificate-errors'],
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      const errors = watchErrors(page);
      await page.goto(`${origin}/shop.html?aff=${PARTNER_A}${preconnect ? '&preconnect=1' : ''}`);
      return await landingTimes(page, errors, 'the preconnect landing');
    } finally {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    }
  }

  try {
    log(`landing: ${landings} landings over a cold TLS connection with ${2 * HALF_RTT_MS} ms round trips, without and with the preconnect line`);
    const figures = { tagAlone: [] as LandingTimes[], withPreconnect: [] as LandingTimes[] };
    // One warm-up round, left out; then the two take turns.
    for (let round = 0; round <= landings; round++) {
      const alone = await land(false);
      const hinted = await land(true);
      if (round > 0) {
        figures.tagAlone.push(alone);
        figures.withPreconnect.push(hinted);
      }
    }
    return { landings, roundTripMs: 2 * HALF_RTT_MS, tagAlone: summarizeTimes(figures.tagAlone), withPreconnect: summarizeTimes(figures.withPreconnect) };
  } finally {
    await Promise.all([pagesRelay.close(), apiRelay.close(), api.close()]);
    await Promise.all([close(pages), close(tls)]);
  }
}
