/**
 * The pages the landing measurements load, on `www.shop.localhost` (loopback, resolved by
 * Chromium itself): a shop page with the script tag as the README sets it up, the same page
 * without the SDK, the same page with the bare click script (./bare-click.ts) in the SDK's
 * place, and a page to leave to. `/dist/` answers every `affitor.*.js` file the
 * build has, whatever the build's split, so the bench measures whichever files a landing asks
 * for; so does the package's folder as a CDN names it (UNVERSIONED_SHOP_PAGE). No caching:
 * every load fetches everything. Answers are gzip -9 when the browser accepts it, as a CDN would
 * send them: under a throttled network the bytes on the wire count.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DIST_DIR } from '../examples/demo/static-server';
import { BARE_CLICK_FILE, BARE_CLICK_SCRIPT } from './bare-click';
import { COOKIE_PROBE, serveAsShop } from './pages';
import type { PageServer } from './pages';

export type LandingPages = PageServer;

/** The shop page with the SDK's script tag, and the same page with the bare click script in its place. */
export const SHOP_PAGE = '/shop.html';
export const BARE_CLICK_PAGE = '/bare-click.html';
/**
 * The same two as a phone shop's long page (a `width=device-width` viewport and LONG_PAGE_ROWS
 * rows of products), where the script tag, `async` in the head, runs while the page is still
 * being parsed and laid out.
 */
export const LONG_PAGE = '/long.html';
export const BARE_CLICK_LONG_PAGE = '/bare-click-long.html';
export const LONG_PAGE_ROWS = 3_000;
/**
 * The shop page with a tag naming the package without a version,
 * `/npm/@affitor/sdk/dist/affitor.global.js`, answered as unpkg answers such a URL: a redirect to
 * the current version's URL (`/npm/@affitor/sdk@<version>/dist/…`), which then serves the file.
 */
export const UNVERSIONED_SHOP_PAGE = '/shop-unversioned.html';
const PACKAGE_FOLDER = '/npm/@affitor/sdk';
const VERSIONED_FOLDER = `${PACKAGE_FOLDER}@${(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version}`;
const LONG_BODY = Array.from({ length: LONG_PAGE_ROWS }, (_, i) => `<div><span>product ${i}</span> <b>$${i}</b> <a href="#${i}">buy</a></div>`).join('');

/** A file name of the `<script>` build: `affitor.global.js` and whatever it fetches. */
export const SDK_FILE = /^affitor\.[\w.]+\.js$/;

const HEAD = '<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>shop</title>';
const TAIL = '</head><body><p>shop</p></body></html>';

/** `apiBase` is read per request: the tracking server starts after this one (it needs our origin). */
export async function startLandingPages(apiBase: () => string): Promise<LandingPages> {
  // The page without the SDK runs the same inline cookie probe as the shop page.
  const withScript = (src: string) =>
    `${HEAD}${COOKIE_PROBE}<script async src="${src}" data-affitor-program-id="1" data-affitor-api-base="${apiBase()}"></script>${TAIL}`;
  const longPage = (src: string) =>
    `${HEAD}<meta name="viewport" content="width=device-width"><script async src="${src}" data-affitor-program-id="1" data-affitor-api-base="${apiBase()}"></script></head><body>${LONG_BODY}</body></html>`;
  const pages: Record<string, () => string> = {
    '/bare.html': () => HEAD + COOKIE_PROBE + TAIL,
    [SHOP_PAGE]: () => withScript('/dist/affitor.global.js'),
    [UNVERSIONED_SHOP_PAGE]: () => withScript(`${PACKAGE_FOLDER}/dist/affitor.global.js`),
    [BARE_CLICK_PAGE]: () => withScript('/' + BARE_CLICK_FILE),
    [LONG_PAGE]: () => longPage('/dist/affitor.global.js'),
    [BARE_CLICK_LONG_PAGE]: () => longPage('/' + BARE_CLICK_FILE),
    '/away.html': () => HEAD + TAIL,
  };
  const answer = async (path: string): Promise<{ type: string; body: string | Buffer } | { redirect: string } | undefined> => {
    const page = pages[path];
    if (page) return { type: 'text/html; charset=utf-8', body: page() };
    if (path == '/' + BARE_CLICK_FILE) return { type: 'text/javascript; charset=utf-8', body: BARE_CLICK_SCRIPT };
    if (path.startsWith(PACKAGE_FOLDER + '/dist/')) return { redirect: VERSIONED_FOLDER + path.slice(PACKAGE_FOLDER.length) };
    const file = /^\/dist\/([^/]+)$/.exec(path.startsWith(VERSIONED_FOLDER + '/') ? path.slice(VERSIONED_FOLDER.length) : path)?.[1];
    if (!file || !SDK_FILE.test(file)) return undefined;
    const body = await readFile(join(DIST_DIR, file)).catch(() => undefined);
    return body && { type: 'text/javascript; charset=utf-8', body };
  };
  const server = createServer((request, response) => {
    const gzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
    answer(new URL(request.url ?? '/', 'http://placeholder').pathname).then(
      (found) => {
        if (!found) {
          response.writeHead(404).end();
          return;
        }
        if ('redirect' in found) {
          response.writeHead(302, { Location: found.redirect, 'Cache-Control': 'no-store' }).end();
          return;
        }
        const headers = { 'Content-Type': found.type, 'Cache-Control': 'no-store', Vary: 'Accept-Encoding' };
        if (gzip) response.writeHead(200, { ...headers, 'Content-Encoding': 'gzip' }).end(gzipSync(found.body, { level: 9 }));
        else response.writeHead(200, headers).end(found.body);
      },
      (error: unknown) => response.writeHead(500).end(String(error)),
    );
  });
  return serveAsShop(server);
}
