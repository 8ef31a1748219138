/**
 * Helpers for the lazy-file suite (lazy-file.test.ts): a merchant's web host that serves
 * `affitor.global.js` and can fail the files it fetches later in the ways hosts and browsers
 * do, and the outcome of an SDK promise as the page saw it.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import type { Page } from 'playwright-core';
import { DIST_DIR, EXAMPLE_API_BASE } from '../../examples/demo/static-server';

/**
 * How the host answers the SDK's lazily fetched files (every `affitor.*.js` other than
 * `affitor.global.js`, whatever the build names them):
 * - `served`: the file as built;
 * - `missing`: not deployed, so the host's answer for an unknown path (404, or index.html
 *   with 200 on a host that rewrites unknown paths);
 * - `no answer`: the request is accepted and never answered.
 */
export type LazyFile = 'served' | 'missing' | 'no answer';

export interface SdkHostOptions {
  /** The site's pages; `index.html` is the rewrite target. */
  site: string;
  /** Where the SDK files sit, e.g. `/dist/` or `/` (self-hosted beside the pages). */
  sdkFolder: string;
  /** Answer unknown paths with the site's `index.html` and 200, as single-page-app hosts do. */
  rewriteToIndex?: boolean;
  /** The tracking API to put in place of the pages' placeholder API base. */
  apiBase: () => string;
}

export interface SdkHost {
  /** `http://<host>:<port>` */
  origin(host: string): string;
  /** How the lazily fetched files are answered from now on. */
  lazyFile: LazyFile;
  /** Holds `affitor.global.js` until this settles, e.g. so calls surely go through the stub's queue. */
  holdGlobalUntil: Promise<unknown> | undefined;
  close(): Promise<void>;
}

const GLOBAL_FILE = 'affitor.global.js';
const SDK_FILE = /^affitor\.[\w.]+\.js$/;
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

export async function startSdkHost(options: SdkHostOptions): Promise<SdkHost> {
  const held = new Set<ServerResponse>();
  const sendFile = async (response: ServerResponse, file: string): Promise<boolean> => {
    const body = await readFile(file, 'utf8').catch(() => undefined);
    if (body === undefined) return false;
    response
      .writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' })
      .end(body.replaceAll(EXAMPLE_API_BASE, options.apiBase()));
    return true;
  };
  const unknownPath = async (response: ServerResponse, path: string): Promise<void> => {
    if (options.rewriteToIndex && (await sendFile(response, join(options.site, 'index.html')))) return;
    response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`Not found: ${path}\n`);
  };
  const host: SdkHost = {
    origin: (name) => `http://${name}:${port}`,
    lazyFile: 'served',
    holdGlobalUntil: undefined,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        for (const response of held) response.destroy();
        server.closeAllConnections();
      }),
  };

  const handle = async (response: ServerResponse, path: string): Promise<void> => {
    const name = path.startsWith(options.sdkFolder) ? path.slice(options.sdkFolder.length) : undefined;
    if (name === GLOBAL_FILE) {
      await host.holdGlobalUntil;
      if (!(await sendFile(response, join(DIST_DIR, name)))) await unknownPath(response, path);
      return;
    }
    if (name !== undefined && SDK_FILE.test(name)) {
      if (host.lazyFile === 'no answer') {
        held.add(response);
        response.once('close', () => held.delete(response));
        return;
      }
      if (host.lazyFile === 'served' && (await sendFile(response, join(DIST_DIR, name)))) return;
      await unknownPath(response, path);
      return;
    }
    const base = normalize(options.site + sep);
    const file = normalize(join(base, path === '/' ? 'index.html' : path));
    if (file.startsWith(base) && (await sendFile(response, file))) return;
    await unknownPath(response, path);
  };

  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://placeholder').pathname);
    handle(response, path).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return host;
}

/** What became of a promise the SDK handed out, as the page saw it. */
export interface Outcome {
  state: 'resolved' | 'rejected' | 'still pending';
  /** When it settled, ms after the call; or the limit it was given. */
  ms: number;
  /** The rejection, if any. */
  error?: string;
}

/**
 * Calls `call` (an expression on `window.affitor`, e.g. `signup('u1', 'a@b.c')`) in the page and
 * reports whether what it returned settled within `limitMs`. A string expression: a function
 * sent to the page would carry the test runner's transpiler helpers, which the page lacks.
 */
export function settleWithin(page: Page, call: string, limitMs: number): Promise<Outcome> {
  return page.evaluate<Outcome>(`(() => {
    const start = performance.now();
    const took = () => Math.round(performance.now() - start);
    return Promise.race([
      Promise.resolve(window.affitor.${call}).then(
        () => ({ state: 'resolved', ms: took() }),
        (error) => ({ state: 'rejected', ms: took(), error: String(error) }),
      ),
      new Promise((resolve) => setTimeout(() => resolve({ state: 'still pending', ms: ${limitMs} }), ${limitMs})),
    ]);
  })()`);
}
