/**
 * The Chromium suite's harness: Debian's chromium driven by playwright-core, the reference
 * tracking server on a free port, the examples served on mapped hosts, and a throwaway
 * certificate for https. One browser per test file; one fresh context (cookie jar) per test.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Cookie, Page } from 'playwright-core';
import { startServer } from '../../examples/server/src/node';
import type { RunningServer } from '../../examples/server/src/node';
import { seedFor } from './program';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from './engines/chromium';
import { skipEngine } from './engines/select';
import { ensureDist } from '../../examples/demo/dist';
import { EXAMPLES_DIR, REPO_ROOT, startStaticServer } from '../../examples/demo/static-server';
import type { StaticServer, StaticServerOptions } from '../../examples/demo/static-server';

export { EXAMPLES_DIR };
export const PAGES_DIR = join(REPO_ROOT, 'test', 'e2e', 'pages');

export { CHROMIUM_PATH };
const INSTALL_HINT = 'apt-get update && apt-get install -y chromium';
export const hasChromium = existsSync(CHROMIUM_PATH);

/**
 * Skip the Chromium suites when `AFFITOR_ENGINES` leaves Chromium out, or on a developer's
 * machine without Chromium, saying so; never in CI, where `launchChromium` then fails with the hint.
 */
export const skipWithoutChromium = skipEngine('chromium');

/** Real domains on loopback: `.shop.test` and `.example.co.uk` as on the internet. */
export const HOST_RULES = 'MAP *.shop.test 127.0.0.1, MAP *.example.co.uk 127.0.0.1';

/** Launches headless Chromium in a fresh profile (playwright makes a temporary user-data dir per launch). */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  if (!hasChromium) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH} and CI=${process.env.CI}: the browser suite must run here. Install it with: ${INSTALL_HINT}`);
  }
  ensureDist((line) => console.log(`[e2e] ${line}`));
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      ...CHROMIUM_FLAGS,
      `--host-resolver-rules=${HOST_RULES}`,
      ...extraArgs,
    ],
  });
}

export { PARTNER_A, PARTNER_B, PROGRAM_ID, WINDOW_DAYS } from './program';

export interface Stack {
  /** The current tracking server; `resetApi` replaces it. */
  readonly api: RunningServer;
  web: StaticServer;
  /** `http(s)://<host>:<web port>` */
  origin(host: string): string;
  /** A fresh tracking server (empty state, new port) for the next test; pages get the new address. */
  resetApi(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the static server for `sites` and a tracking server whose program allows the
 * origins of `hosts` on it. The pages' API base is rewritten to that tracking server.
 */
export async function startStack(
  sites: StaticServerOptions['sites'],
  hosts: string[],
  more: Pick<StaticServerOptions, 'tls' | 'delay'> = {},
): Promise<Stack> {
  let api: RunningServer | undefined;
  const web = await startStaticServer({ sites, apiBase: () => api?.url ?? 'http://api.not-started.invalid', ...more });
  const seed = seedFor(hosts.map((host) => web.origin(host)));
  api = await startServer({ port: 0, seed });
  return {
    get api() {
      return api!;
    },
    web,
    origin: (host) => web.origin(host),
    resetApi: async () => {
      await api?.close();
      api = await startServer({ port: 0, seed });
    },
    close: async () => {
      await Promise.all([api?.close(), web.close()]);
    },
  };
}

/** What a Chromium suite's tests use; `context` is a fresh one per test. */
export interface ChromiumSuite {
  readonly browser: Browser;
  readonly stack: Stack;
  readonly context: BrowserContext;
}

/**
 * Registers a Chromium suite's set-up and tear-down: the browser and the stack (`startStack`)
 * once per file, a fresh tracking server and browser context for each test (`prepare` runs on
 * each new context before the test), all closed after.
 */
export function useChromiumSuite(
  sites: StaticServerOptions['sites'],
  hosts: string[],
  prepare?: (context: BrowserContext) => Promise<void>,
): ChromiumSuite {
  let browser: Browser | undefined;
  let stack: Stack | undefined;
  let context: BrowserContext | undefined;
  beforeAll(async () => {
    [browser, stack] = await Promise.all([launchChromium(), startStack(sites, hosts)]);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });
  beforeEach(async () => {
    await stack!.resetApi();
    context = await browser!.newContext();
    await prepare?.(context);
  });
  afterEach(() => context?.close());
  return {
    get browser() {
      return browser!;
    },
    get stack() {
      return stack!;
    },
    get context() {
      return context!;
    },
  };
}

/** A throwaway self-signed certificate for `*.shop.test` (Chromium runs with --ignore-certificate-errors). */
export async function makeCertificate(): Promise<{ key: string; cert: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'affitor-cert-'));
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=www.shop.test',
        '-addext', 'subjectAltName=DNS:*.shop.test', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
      { stdio: 'ignore' },
    );
    return { key: await readFile(join(dir, 'key.pem'), 'utf8'), cert: await readFile(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface ConsoleLine {
  type: string;
  text: string;
}

/** A POST the page sent to the tracking API, as Chromium sent it. */
export interface TrackRequest {
  route: string;
  contentType: string | undefined;
  body: Record<string, unknown>;
}

export interface WatchedPage {
  page: Page;
  console: ConsoleLine[];
  requests: TrackRequest[];
  /** The SDK files the page fetched, by name (`affitor.global.js`, `affitor.more.js`, ...). */
  sdkFiles: string[];
}

/** A new page that records its console lines and the SDK's requests to the tracking API. */
export async function openPage(context: BrowserContext): Promise<WatchedPage> {
  const page = await context.newPage();
  const lines: ConsoleLine[] = [];
  const requests: TrackRequest[] = [];
  const sdkFiles: string[] = [];
  page.on('console', (message) => lines.push({ type: message.type(), text: message.text() }));
  page.on('pageerror', (error) => lines.push({ type: 'pageerror', text: String(error) }));
  page.on('request', (request) => {
    const file = /\/dist\/([\w.]+)$/.exec(new URL(request.url()).pathname)?.[1];
    if (file) sdkFiles.push(file);
    const route = /\/api\/v1\/track\/(\w+)$/.exec(request.url())?.[1];
    if (!route || request.method() !== 'POST') return;
    requests.push({ route, contentType: request.headers()['content-type'], body: JSON.parse(request.postData() ?? '{}') as Record<string, unknown> });
  });
  return { page, console: lines, requests, sdkFiles };
}

/** The routes of the requests so far, e.g. `['click', 'lead']`. */
export const routes = (requests: TrackRequest[]): string[] => requests.map((request) => request.route);

/** The SDK's error lines (`console.error('[Affitor]', ...)`), and anything thrown into the page or rejected there unhandled. */
export const affitorErrors = (lines: ConsoleLine[]): string[] =>
  lines.filter((line) => line.type === 'pageerror' || (line.type === 'error' && line.text.startsWith('[Affitor]'))).map((line) => line.text);

/**
 * Chromium hands a page's `document.cookie` writes to its network service asynchronously, so
 * `context.cookies()` can lag a write the page has already made (a deletion as much as a
 * write). Waits until, for every open http(s) page, the jar holds what the page itself reads.
 */
export async function jarCaughtUp(context: BrowserContext, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const page of context.pages()) {
    const url = page.url();
    if (!/^https?:/.test(url)) continue;
    for (;;) {
      const [own, stored] = await Promise.all([
        page.evaluate(() => document.cookie).catch(() => null), // null: the page is navigating
        context.cookies(url),
      ]);
      // Both as sorted `name=value` strings, which is what document.cookie is made of.
      const inJar = stored.filter((cookie) => !cookie.httpOnly).map((cookie) => `${cookie.name}=${cookie.value}`).sort();
      const inPage = own === null ? null : own ? own.split('; ').sort() : [];
      if (inPage && inPage.join('\n') === inJar.join('\n')) break;
      if (Date.now() > deadline) {
        throw new Error(`the cookie jar did not catch up with ${url} within ${timeoutMs} ms: page ${JSON.stringify(inPage)}, jar ${JSON.stringify(inJar)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** Every cookie in the browser's jar, once it holds every write the open pages made. */
export async function jar(context: BrowserContext): Promise<Cookie[]> {
  await jarCaughtUp(context);
  return context.cookies();
}

/** The cookie `name` in the browser's jar, for any domain, once the jar has caught up. */
export async function jarCookie(context: BrowserContext, name: string): Promise<Cookie | undefined> {
  return (await jar(context)).find((cookie) => cookie.name === name);
}

/** Waits until the jar holds `name` with a value other than `not` (the click answered and the SDK wrote it). */
export async function waitForCookie(context: BrowserContext, name: string, not?: string, timeoutMs = 10_000): Promise<Cookie> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const cookie = (await context.cookies()).find((stored) => stored.name === name);
    if (cookie && cookie.value !== not) return cookie;
    if (Date.now() > deadline) throw new Error(`cookie ${name} was not written within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Lets requests the page may still send go out: resolves once the page has had no request under
 * way for `quietMs` (counted from this call), longer than the SDK's first retry waits (500 to 750
 * ms after a failed try): a call the test just made in the page, or a retry due, is waited for.
 * Playwright's `networkidle` alone returns at once on a document that already reached it, so a
 * "nothing more is sent" check after it could not fail.
 */
export async function settle(page: Page, quietMs = 1_000, timeoutMs = 15_000): Promise<void> {
  let inFlight = 0;
  let lastActivity = Date.now();
  const started = () => void (inFlight++, (lastActivity = Date.now()));
  // A request under way before the call ends without having been counted: not below zero.
  const ended = () => void ((inFlight = Math.max(0, inFlight - 1)), (lastActivity = Date.now()));
  page.on('request', started);
  page.on('requestfinished', ended);
  page.on('requestfailed', ended);
  try {
    await page.waitForLoadState('networkidle');
    const deadline = Date.now() + timeoutMs;
    while (inFlight > 0 || Date.now() - lastActivity < quietMs) {
      if (Date.now() > deadline) throw new Error(`the page's network did not go quiet for ${quietMs} ms within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  } finally {
    page.off('request', started);
    page.off('requestfinished', ended);
    page.off('requestfailed', ended);
  }
}

/** Seconds from now to a cookie's expiry, in days. */
export const daysLeft = (cookie: Cookie): number => (cookie.expires - Date.now() / 1000) / 86_400;
