/**
 * The pages the Chromium measurements load, served from memory on `*.shop.localhost` (loopback,
 * a secure context) with COOP/COEP, so the page is cross-origin isolated and `performance.now()`
 * has 5 µs resolution instead of 100 µs. No caching: every load fetches everything.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DIST_DIR } from '../examples/demo/static-server';

export interface PageServer {
  /** `http://www.shop.localhost:<port>` */
  origin: string;
  close(): Promise<void>;
}

const HEAD = '<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>bench</title>';
const TAIL = '</head><body><p>bench</p></body></html>';

/** Notes `performance.now()` when `affitor_click_id` is first written through `document.cookie` and readable. */
export const COOKIE_PROBE = `<script>(() => {
  const native = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
  Object.defineProperty(document, 'cookie', {
    configurable: true,
    get() { return native.get.call(this); },
    set(value) {
      native.set.call(this, value);
      if (window.__cookieAt === undefined && /^affitor_click_id=/.test(String(value)) && native.get.call(this).includes('affitor_click_id=')) {
        window.__cookieAt = performance.now();
      }
    },
  });
})();</script>`;

/** A file of the <script> build, checked that it can sit inside an inline `<script>` as is. */
async function inlinable(file: string): Promise<string> {
  const code = await readFile(join(DIST_DIR, file), 'utf8');
  if (/<\/script/i.test(code)) throw new Error(`dist/${file} contains "</script": it cannot be inlined as is`);
  return code;
}

/** `apiBase` is read per request: the tracking server may start after this one (it needs our origin). */
export async function startPageServer(apiBase: () => string): Promise<PageServer> {
  const loader = await inlinable('affitor.global.js');
  const tracker = await inlinable('affitor.tracker.js');
  const before = '<script>window.__t0 = performance.now();</script>';
  const after = '<script>window.__t1 = performance.now(); window.__isolated = crossOriginIsolated;</script>';
  const pages = (attributes: string): Record<string, { type: string; body: string }> => ({
    // Main-thread cost: the same page with and without the SDK inlined between two clock reads.
    '/bare.html': { type: 'text/html', body: HEAD + before + after + TAIL },
    // Every page view: the loader alone (without ?aff= it has no work and fetches nothing).
    '/inline-loader.html': { type: 'text/html', body: `${HEAD}${before}<script ${attributes}>${loader}</script>${after}${TAIL}` },
    // A landing: the loader, then the tracker as the browser runs it once it has arrived. The
    // inline tracker hands itself over; the handover of the copy the loader fetches is ignored.
    '/inline-loader-tracker.html': {
      type: 'text/html',
      body: `${HEAD}${before}<script ${attributes}>${loader}</script><script>${tracker}</script>${after}${TAIL}`,
    },
    // The inline loader has no src, so it fetches the tracker relative to the page: served, so no
    // 404 is logged. This copy notes when it has run, so the bench can tell whether it ran inside the span.
    '/affitor.tracker.js': { type: 'text/javascript', body: `${tracker}\n;window.__fetchedTrackerRanAt = performance.now();` },
    // A landing as the README sets it up: the script tag, async; the loader fetches the tracker from its folder.
    '/landing.html': { type: 'text/html', body: `${HEAD}${COOKIE_PROBE}<script async src="/dist/affitor.global.js" ${attributes}></script>${TAIL}` },
    '/dist/affitor.global.js': { type: 'text/javascript', body: loader },
    '/dist/affitor.tracker.js': { type: 'text/javascript', body: tracker },
  });
  const server = createServer((request, response) => {
    const page = pages(`data-affitor-program-id="1" data-affitor-api-base="${apiBase()}"`)[new URL(request.url ?? '/', 'http://placeholder').pathname];
    if (!page) {
      response.writeHead(404).end();
      return;
    }
    response
      .writeHead(200, {
        'Content-Type': `${page.type}; charset=utf-8`,
        'Cache-Control': 'no-store',
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
      })
      .end(page.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://www.shop.localhost:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
