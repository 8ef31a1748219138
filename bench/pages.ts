/**
 * The pages the request count loads, served from memory on `*.shop.localhost` (loopback, a
 * secure context) with COOP/COEP. No caching: every load fetches everything.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
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

/** `apiBase` is read per request: the tracking server may start after this one (it needs our origin). */
export async function startPageServer(apiBase: () => string): Promise<PageServer> {
  const first = await readFile(join(DIST_DIR, 'affitor.global.js'), 'utf8');
  const main = await readFile(join(DIST_DIR, 'affitor.main.js'), 'utf8');
  const more = await readFile(join(DIST_DIR, 'affitor.more.js'), 'utf8');
  const pages = (attributes: string): Record<string, { type: string; body: string }> => ({
    // A landing as the README sets it up: the script tag, async, with affitor.main.js and affitor.more.js beside it.
    '/landing.html': { type: 'text/html', body: `${HEAD}${COOKIE_PROBE}<script async src="/dist/affitor.global.js" ${attributes}></script>${TAIL}` },
    '/dist/affitor.global.js': { type: 'text/javascript', body: first },
    '/dist/affitor.main.js': { type: 'text/javascript', body: main },
    '/dist/affitor.more.js': { type: 'text/javascript', body: more },
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
  return serveAsShop(server);
}

/** Listens on a free loopback port, as `http://www.shop.localhost:<port>` (loopback, a secure context, and a root domain to probe). */
export async function serveAsShop(server: Server): Promise<PageServer> {
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
