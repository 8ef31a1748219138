/**
 * A merchant's web host for the lazily fetched SDK files (`affitor.main.js`, `affitor.more.js`): it serves the
 * pages and `affitor.global.js` as built, and answers every other `affitor.*.js` (whatever
 * the build names them, in whatever folder the page loads the SDK from) the ways hosts,
 * blockers and networks fail it. The refusal is the server destroying the connection, which
 * every engine sees as a network error, as it sees a request a blocker refused, with no
 * request interception (which not every driver has).
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { DIST_DIR, EXAMPLE_API_BASE } from '../../../examples/demo/static-server';
import { HANDOVER_VERSION, MORE_FILE } from '../../../src/script-handover';

/**
 * How the host answers the lazily fetched files:
 * - `served`: the file as built;
 * - `missing`: not deployed, so the host's answer for an unknown path (404, or the site's
 *   index.html with 200 on a host that rewrites unknown paths);
 * - `refused`: the connection is closed without an answer, as a blocker refuses the request;
 * - `no answer`: the request is accepted and never answered;
 * - `another release`: the main file as built, and the rest handing over as a release that exchanges
 *   something else with the main file would (a copy the browser cached apart from it).
 */
export type LazyFile = 'served' | 'missing' | 'refused' | 'no answer' | 'another release';

export interface SdkHostOptions {
  /** Folder per first host label; a page's unknown paths are answered from its folder's `index.html` when rewriting. */
  sites: Record<string, string>;
  /** The tracking API to put in place of the pages' placeholder API base. */
  apiBase: () => string;
  /** HTML put at the start of every served page's `<head>`. */
  headPrelude: string;
}

export interface SdkHost {
  /** `http://<host>:<port>` */
  origin(host: string): string;
  /** How the lazily fetched files are answered from now on. */
  lazyFile: LazyFile;
  /** Answer unknown paths with the site's `index.html` and 200, as single-page-app hosts do. */
  rewriteToIndex: boolean;
  /** Holds `affitor.global.js` back this long (ms), so calls go through the stub's queue first. */
  lateSdkMs: number;
  /** The paths of the lazily fetched files asked for so far, oldest first. */
  lazyAsked: string[];
  /** Back to serving everything, nothing asked; answers the requests held without an answer (504). */
  reset(): void;
  close(): Promise<void>;
}

const GLOBAL_FILE = 'affitor.global.js';
const SDK_FILE = /\/(affitor\.[\w.]+\.js)$/;
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

/** The built rest with the version it hands over (`take({version:N,…})`, minified) made the next one. */
const otherRelease = (body: string): string => {
  const handing = `{version:${HANDOVER_VERSION},`;
  if (body.split(handing).length != 2) throw new Error(`expected ${handing} once in the built file`);
  return body.replace(handing, `{version:${HANDOVER_VERSION + 1},`);
};

export async function startSdkHost(options: SdkHostOptions): Promise<SdkHost> {
  const held = new Set<ServerResponse>();
  const sendFile = async (response: ServerResponse, file: string, edit = (body: string) => body): Promise<boolean> => {
    let body = await readFile(file, 'utf8').catch(() => undefined);
    if (body === undefined) return false;
    body = edit(body);
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    body = body.replaceAll(EXAMPLE_API_BASE, options.apiBase());
    if (type.startsWith('text/html')) body = body.replace(/<head[^>]*>/i, (tag) => tag + options.headPrelude);
    // Never from the HTTP cache: the next page view must ask again, as after a deploy.
    response.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' }).end(body);
    return true;
  };
  const unknownPath = async (response: ServerResponse, site: string, path: string): Promise<void> => {
    if (host.rewriteToIndex && (await sendFile(response, join(site, 'index.html')))) return;
    response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' }).end(`Not found: ${path}\n`);
  };
  const host: SdkHost = {
    origin: (name) => `http://${name}:${port}`,
    lazyFile: 'served',
    rewriteToIndex: false,
    lateSdkMs: 0,
    lazyAsked: [],
    reset: () => {
      host.lazyFile = 'served';
      host.rewriteToIndex = false;
      host.lateSdkMs = 0;
      host.lazyAsked = [];
      // Answered, not dropped: a browser resends by itself a request whose connection closes
      // unanswered, and an earlier test's tab would ask again during the next test.
      for (const response of held) response.writeHead(504, { 'Cache-Control': 'no-store', Connection: 'close' }).end();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        for (const response of held) response.destroy();
        server.closeAllConnections();
      }),
  };

  const handle = async (response: ServerResponse, site: string, path: string): Promise<void> => {
    const sdkFile = SDK_FILE.exec(path)?.[1];
    if (sdkFile === GLOBAL_FILE) {
      if (host.lateSdkMs > 0) await new Promise((resolve) => setTimeout(resolve, host.lateSdkMs));
      if (!(await sendFile(response, join(DIST_DIR, sdkFile)))) await unknownPath(response, site, path);
      return;
    }
    if (sdkFile) {
      host.lazyAsked.push(path);
      if (host.lazyFile === 'refused') {
        response.socket?.destroy();
        return;
      }
      if (host.lazyFile === 'no answer') {
        held.add(response);
        response.once('close', () => held.delete(response));
        return;
      }
      if (host.lazyFile === 'served' && (await sendFile(response, join(DIST_DIR, sdkFile)))) return;
      // The main file as built (the first file takes any), the rest of another release.
      if (host.lazyFile === 'another release' && (await sendFile(response, join(DIST_DIR, sdkFile), sdkFile == MORE_FILE ? otherRelease : undefined))) return;
      await unknownPath(response, site, path);
      return;
    }
    const base = normalize(site + sep);
    const file = normalize(join(base, path === '/' ? 'index.html' : path));
    if (file.startsWith(base) && (await sendFile(response, file))) return;
    await unknownPath(response, site, path);
  };

  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://placeholder').pathname);
    const site = options.sites[(request.headers.host ?? '').split('.')[0] ?? ''];
    if (!site) {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`No site for ${request.headers.host}\n`);
      return;
    }
    handle(response, site, path).catch((error: unknown) => {
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
