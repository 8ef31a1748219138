/**
 * A small static server for the examples: which folder answers depends on the host's
 * first label (`www.shop.localhost` -> the `www` site), `/dist/` is always the built SDK,
 * and the examples' placeholder API base is rewritten to the running tracking server.
 * Shared by `npm run demo` and the Chromium suite, so the tests serve exactly what a
 * merchant sees in the demo.
 */
import { readFile, stat } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DIST_DIR = join(REPO_ROOT, 'dist');
export const EXAMPLES_DIR = join(REPO_ROOT, 'examples');

/** The tracking API the example pages name: `npm run server`'s default address. */
export const EXAMPLE_API_BASE = 'http://127.0.0.1:8787';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export interface StaticServerOptions {
  /** Folder per first host label; `'*'` answers every other host. */
  sites: Record<string, string>;
  /** The tracking API to put in place of `EXAMPLE_API_BASE` in served pages and scripts. */
  apiBase: () => string;
  /** @default 0 (a free port) */
  port?: number;
  /** @default '127.0.0.1' */
  hostname?: string;
  /** Serve https with this key and certificate (PEM). */
  tls?: { key: string; cert: string };
  /** Milliseconds to hold the answer for a path, e.g. to load the SDK late. */
  delay?: (path: string) => number;
  /** HTML put at the start of every served page's `<head>`, e.g. a test's recorder script. */
  headPrelude?: string;
  /** Extra paths answered by code on every host of this machine (`localhost`, `*.localhost`, loopback), e.g. the demo's `/_inspect` view. */
  routes?: Record<string, () => Promise<{ type: string; body: string }>>;
  /** A server mounted under a path on every host, e.g. the first-party handler under `/relay`. */
  mount?: { path: string; listener: (request: IncomingMessage, response: ServerResponse) => void | Promise<unknown> };
}

export interface StaticServer {
  port: number;
  /** `http(s)://<host>:<port>` */
  origin(host: string): string;
  close(): Promise<void>;
}

/** The file for `path` under `root`, or undefined; never outside `root`. */
async function resolveFile(root: string, path: string): Promise<string | undefined> {
  const base = normalize(root + sep);
  const file = normalize(join(base, path));
  if (!file.startsWith(base)) return undefined;
  try {
    const info = await stat(file);
    if (info.isFile()) return file;
    if (info.isDirectory()) return resolveFile(root, join(path, 'index.html'));
  } catch {
    // An extension-less path is a client-side route of a single-page app: answer its shell.
    if (!extname(path)) return resolveFile(root, '/index.html');
  }
  return undefined;
}

/** The names of this machine: `localhost` and its subdomains (the demo's shop), loopback addresses. */
const LOCAL_HOST = /^(?:(?:[\w-]+\.)*localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

export async function startStaticServer(options: StaticServerOptions): Promise<StaticServer> {
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://placeholder');
    const host = (request.headers.host ?? '').replace(/:\d+$/, '');
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      // A malformed percent-escape (`/%E0%A4%A`) names no file: said so, not answered with the URIError.
      response.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`Bad request: ${url.pathname} is not a valid percent-encoded path\n`);
      return;
    }
    if (options.mount && url.pathname.startsWith(options.mount.path + '/')) {
      await options.mount.listener(request, response);
      return;
    }
    const route = options.routes?.[path];
    // Only under the names of this machine: a page on another site whose name an attacker pointed
    // at 127.0.0.1 (DNS rebinding) reaches the server under its own name, and could read the demo's state.
    if (route && !LOCAL_HOST.test(host)) {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`Not found: ${path}\n`);
      return;
    }
    if (route) {
      const { type, body } = await route();
      response.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' }).end(body);
      return;
    }
    const inDist = path.startsWith('/dist/');
    const root = inDist ? DIST_DIR : (options.sites[host.split('.')[0] ?? ''] ?? options.sites['*']);
    const file = root && (await resolveFile(root, inDist ? path.slice('/dist'.length) : path));
    const wait = options.delay?.(path) ?? 0;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (!file) {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`Not found: ${path}\n`);
      return;
    }
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    let body: string | Buffer = await readFile(file);
    if (type.startsWith('text/')) body = body.toString('utf8').replaceAll(EXAMPLE_API_BASE, options.apiBase());
    if (options.headPrelude && typeof body === 'string' && type.startsWith('text/html')) {
      const prelude = options.headPrelude;
      body = body.replace(/<head[^>]*>/i, (tag) => tag + prelude);
    }
    response.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' }).end(body);
  };
  const listener = (request: IncomingMessage, response: ServerResponse) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end(String(error));
    });
  };
  const server: Server = options.tls ? createHttpsServer(options.tls, listener) : createHttpServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.hostname ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const scheme = options.tls ? 'https' : 'http';
  return {
    port,
    origin: (host) => `${scheme}://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
