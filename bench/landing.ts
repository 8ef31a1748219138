/**
 * The landing, measured in Chromium whatever files the `<script>` build is split into: the
 * SDK files a landing downloads (counted from the requests the page sends, not named here),
 * the main-thread script time a landing and a plain page view add to a bare page (the
 * renderer's `ScriptDuration`), the time to the click sent and to the cookie written under
 * slow-4G emulation, and how many clicks reach the server when the visitor leaves early. The
 * bare click script (./bare-click.ts) takes turns with the SDK in every measure after the bytes,
 * so each figure has the floor it stands on, from the same run.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DIST_DIR } from '../examples/demo/static-server';
import { PARTNER_A } from './api';
import type { BenchApi } from './api';
import { BARE_CLICK_FILE, BARE_CLICK_SCRIPT } from './bare-click';
import { BARE_CLICK_LONG_PAGE, BARE_CLICK_PAGE, LONG_PAGE, LONG_PAGE_ROWS, SDK_FILE, SHOP_PAGE, UNVERSIONED_SHOP_PAGE } from './landing-pages';
import { measure } from './sizes';
import type { Sizes } from './sizes';
import { summarize } from './stats';
import type { Summary } from './stats';

/** Chromium's `Network.emulateNetworkConditions` for slow 4G: 150 ms latency, 1.6 Mbps down, 750 kbps up (bytes/s). */
export const SLOW_4G = { offline: false, latency: 150, downloadThroughput: 200_000, uploadThroughput: 93_750 };
export const LEAVE_AT_MS = [100, 250, 500, 750, 1_000];
export const LEAVE_WAYS = ['navigate away', 'tab closed'] as const;
export type LeaveWay = (typeof LEAVE_WAYS)[number];
/** How long a try waits, after the visitor left, for the click to reach the server. */
export const RECEIVE_WAIT_MS = 2_000;
/** Quiet time after the page has done its work, before the script time is read. */
export const SETTLE_MS = 300;

export interface LandingFile {
  name: string;
  sizes: Sizes;
}

export interface BounceRow {
  leaveAtMs: number;
  /** Clicks the server recorded, of `tries`, per way of leaving. */
  received: Record<LeaveWay, number>;
}

export interface LandingResult {
  /** The SDK files a landing downloads, in request order, with their sizes as built. */
  files: LandingFile[];
  /** The SDK files a plain page view (no `?aff=`, empty jar) downloads. */
  plainFiles: string[];
  /** `ScriptDuration` in ms per variant, and how many loads each. */
  script: { bare: Summary; plain: Summary; landing: Summary; loads: number };
  /**
   * Under slow 4G, ms since navigation start; `unversioned`, the same landing with the tag naming
   * the package without a version, which a CDN such as unpkg answers with a redirect first.
   */
  slow4g: LandingTimesSummary & { unversioned: LandingTimesSummary; landings: number };
  /** A phone's landing on a long page: ms from the script's start to its click's fetch(). */
  phone: { toClick: Summary; bareClick: Summary; landings: number; rows: number };
  bounce: { rows: BounceRow[]; tries: number };
  /** The same measures for the bare click script, from the same run. */
  bareClick: {
    file: LandingFile;
    /** `ScriptDuration` of its landing, ms. */
    script: Summary;
    slow4g: LandingTimesSummary;
    bounce: BounceRow[];
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** `promise`, or undefined once `ms` passed: a browser step that stalls (closing a context with a request in flight) does not stall the run. */
const within = <T>(ms: number, promise: Promise<T>): Promise<T | undefined> =>
  Promise.race([promise.catch(() => undefined), sleep(ms).then(() => undefined)]);

/** The `affitor.*.js` files `page` requests from `origin`, in order. */
function watchSdkFiles(page: Page, origin: string): string[] {
  const files: string[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(origin)) return;
    const name = new URL(request.url()).pathname.split('/').pop() ?? '';
    if (SDK_FILE.test(name)) files.push(name);
  });
  return files;
}

/** The SDK's own error lines and uncaught errors: a landing that logs one is not the landing measured. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  return errors;
}

/** Polls the browser's jar (not the page: no script of ours runs in it) until the click id is written. */
async function clickIdWritten(context: BrowserContext, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await context.cookies()).some((cookie) => cookie.name === 'affitor_click_id')) {
    if (Date.now() > deadline) throw new Error(`affitor_click_id was not written within ${timeoutMs} ms`);
    await sleep(20);
  }
}

type Variant = 'bare' | 'plain' | 'landing' | 'bareClick';

interface ScriptLoad {
  ms: number;
  files: string[];
}

/**
 * One load in a fresh context: the renderer's `ScriptDuration` once the page has done its
 * work (load; for a landing, the click id in the jar) and then stayed quiet for SETTLE_MS.
 */
async function scriptLoad(browser: Browser, origin: string, variant: Variant): Promise<ScriptLoad> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const files = watchSdkFiles(page, origin);
    const errors = watchErrors(page);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const path = { bare: '/bare.html', plain: SHOP_PAGE, landing: `${SHOP_PAGE}?aff=${PARTNER_A}`, bareClick: `${BARE_CLICK_PAGE}?aff=${PARTNER_A}` }[variant];
    await page.goto(origin + path);
    if (variant === 'landing' || variant === 'bareClick') await clickIdWritten(context);
    await sleep(SETTLE_MS);
    const { metrics } = await cdp.send('Performance.getMetrics');
    if (errors.length > 0) throw new Error(`${path} logged errors: ${errors.join('; ')}`);
    const seconds = metrics.find((metric) => metric.name === 'ScriptDuration')?.value;
    if (seconds === undefined) throw new Error('Performance.getMetrics gave no ScriptDuration');
    return { ms: seconds * 1_000, files };
  } finally {
    await context.close();
  }
}

/** A landing's two moments, ms since navigation start: its click request's `fetch` (resource timing `startTime`), and `affitor_click_id` written. */
export interface LandingTimes {
  clickSent: number;
  cookie: number;
}

/** Their medians and p95s over landings. */
export interface LandingTimesSummary {
  clickSent: Summary;
  cookie: Summary;
}

/**
 * Waits until the page's cookie probe (COOKIE_PROBE) saw `affitor_click_id` written, then reads
 * both moments. A landing that logged an error (`errors`, from watchErrors) or sent other than
 * one click is not the landing measured: `what` names it in the error.
 */
export async function landingTimes(page: Page, errors: string[], what: string): Promise<LandingTimes> {
  await page.waitForFunction(() => (window as unknown as { __cookieAt?: number }).__cookieAt !== undefined, undefined, { timeout: 20_000 });
  // Plain data out of the page: a helper declared inside evaluate() would carry tsx's `__name` wrapper.
  const { cookie, clicks } = await page.evaluate(() => ({
    cookie: (window as unknown as { __cookieAt: number }).__cookieAt,
    clicks: performance.getEntriesByType('resource').filter((entry) => entry.name.endsWith('/api/v1/track/click')).map((entry) => entry.startTime),
  }));
  if (errors.length > 0) throw new Error(`${what} logged errors: ${errors.join('; ')}`);
  if (clicks.length !== 1) throw new Error(`${what} sent ${clicks.length} click requests`);
  return { clickSent: clicks[0]!, cookie };
}

/** The medians and p95s of landings' times. */
export const summarizeTimes = (landings: LandingTimes[]): LandingTimesSummary => ({
  clickSent: summarize(landings.map((landing) => landing.clickSent)),
  cookie: summarize(landings.map((landing) => landing.cookie)),
});

/** One landing on `pagePath` under slow 4G: when the click request left and when the click id was written. */
async function slow4gLanding(browser: Browser, origin: string, pagePath: string): Promise<LandingTimes> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const errors = watchErrors(page);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
    await page.goto(`${origin}${pagePath}?aff=${PARTNER_A}`);
    return await landingTimes(page, errors, 'the slow-4G landing');
  } finally {
    await context.close();
  }
}

/** A phone as Chromium emulates it: its viewport is on, so the page's width decides its layout. */
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true };

/**
 * One landing on `pagePath` (a long page) in a phone's context: ms from the script's start (its
 * first read of `document.currentScript`, as both scripts begin) to its first `fetch()` call, both
 * noted by wrappers an init script puts in before the page runs.
 */
async function phoneLanding(browser: Browser, origin: string, pagePath: string): Promise<number> {
  const context = await browser.newContext(PHONE);
  try {
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.addInitScript(() => {
      const noted = window as unknown as { __startAt?: number; __fetchAt?: number };
      const currentScript = Object.getOwnPropertyDescriptor(Document.prototype, 'currentScript')!;
      Object.defineProperty(Document.prototype, 'currentScript', {
        configurable: true,
        get(this: Document) {
          noted.__startAt ??= performance.now();
          return currentScript.get!.call(this) as unknown;
        },
      });
      const nativeFetch = window.fetch.bind(window);
      window.fetch = (...args: Parameters<typeof fetch>) => {
        noted.__fetchAt ??= performance.now();
        return nativeFetch(...args);
      };
    });
    await page.goto(`${origin}${pagePath}?aff=${PARTNER_A}`);
    await page.waitForFunction(() => (window as unknown as { __fetchAt?: number }).__fetchAt !== undefined, undefined, { timeout: 20_000 });
    const { startAt, fetchAt } = await page.evaluate(() => {
      const noted = window as unknown as { __startAt: number; __fetchAt: number };
      return { startAt: noted.__startAt, fetchAt: noted.__fetchAt };
    });
    if (errors.length > 0) throw new Error(`the phone landing logged errors: ${errors.join('; ')}`);
    return fetchAt - startAt;
  } finally {
    await context.close();
  }
}

/**
 * One visitor under slow 4G who leaves the landing on `pagePath` `leaveAtMs` after the
 * navigation was asked for, by navigating to a page without the SDK or by closing the tab.
 * Returns the landing's URL (unique per try), whose click the server may or may not record.
 */
async function bounce(browser: Browser, origin: string, pagePath: string, way: LeaveWay, leaveAtMs: number, tryId: string, api: BenchApi): Promise<string> {
  const context = await browser.newContext();
  const url = `${origin}${pagePath}?aff=${PARTNER_A}&visit=${tryId}`;
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
    const asked = Date.now();
    // Not awaited: the visitor leaves whether or not the page has loaded.
    const landing = page.goto(url, { waitUntil: 'commit' }).catch(() => undefined);
    await sleep(leaveAtMs - (Date.now() - asked));
    if (way === 'tab closed') await within(5_000, page.close());
    else await within(5_000, page.goto(`${origin}/away.html`, { waitUntil: 'commit' }));
    await within(5_000, landing);
    // Keep the context (its network) alive while a request that outlived the page may still arrive.
    const deadline = Date.now() + RECEIVE_WAIT_MS;
    while (Date.now() < deadline && !received(api, url)) await sleep(25);
    return url;
  } finally {
    await within(5_000, context.close());
  }
}

const received = (api: BenchApi, url: string): boolean => api.app.inspect().clicks.some((click) => click.affiliate_url === url);

export interface LandingOptions {
  /** Loads per variant for the script time. */
  loads: number;
  /** Landings under slow 4G. */
  landings: number;
  /** Tries per leave time and way. */
  tries: number;
  log: (line: string) => void;
}

/**
 * `measure` on each of `pages` (the SDK's, the bare click script's, …), taking turns (drift on a
 * shared machine hits all alike), `warmup` rounds left out, then `rounds` kept: each page's figures, in the order of `pages`.
 */
async function takingTurns<T, Pages extends readonly string[]>(
  warmup: number,
  rounds: number,
  measure: (pagePath: string) => Promise<T>,
  pages: Pages,
): Promise<{ -readonly [Index in keyof Pages]: T[] }> {
  const figures = pages.map((): T[] => []);
  for (let round = 0; round < warmup + rounds; round++) {
    for (const [index, pagePath] of pages.entries()) {
      const figure = await measure(pagePath);
      if (round >= warmup) figures[index]!.push(figure);
    }
  }
  return figures as { -readonly [Index in keyof Pages]: T[] };
}

export async function measureLanding(browser: Browser, origin: string, api: BenchApi, options: LandingOptions): Promise<LandingResult> {
  const { loads, landings, tries, log } = options;
  const warmup = 3;

  log(`landing: script time, ${loads} loads x 4 variants`);
  const script: Record<Variant, number[]> = { bare: [], plain: [], landing: [], bareClick: [] };
  let landingFiles: string[] | undefined;
  let plainFiles: string[] | undefined;
  for (let round = 0; round < warmup + loads; round++) {
    // The variants take turns, so drift on a shared machine hits all alike.
    for (const variant of ['bare', 'plain', 'landing', 'bareClick'] as const) {
      const load = await scriptLoad(browser, origin, variant);
      if (variant === 'landing') landingFiles = sameFiles(landingFiles, load.files, 'landing');
      if (variant === 'plain') plainFiles = sameFiles(plainFiles, load.files, 'plain page view');
      if (round >= warmup) script[variant].push(load.ms);
    }
  }

  log(`landing: ${landings} landings under slow 4G, as many of the bare click script, and as many with a tag naming no version`);
  const [slow, slowBare, slowUnversioned] = await takingTurns(
    warmup,
    landings,
    (pagePath) => slow4gLanding(browser, origin, pagePath),
    [SHOP_PAGE, BARE_CLICK_PAGE, UNVERSIONED_SHOP_PAGE] as const,
  );

  log(`landing: ${landings} phone landings on a ${LONG_PAGE_ROWS}-row page, and as many of the bare click script`);
  const [phone, phoneBare] = await takingTurns(warmup, landings, (pagePath) => phoneLanding(browser, origin, pagePath), [LONG_PAGE, BARE_CLICK_LONG_PAGE] as const);

  log(`landing: bounces, ${tries} tries x ${LEAVE_AT_MS.length} leave times x ${LEAVE_WAYS.length} ways, for the SDK and the bare click script`);
  const urls = new Map<string, string[]>();
  for (let attempt = 0; attempt < tries; attempt++) {
    for (const leaveAtMs of LEAVE_AT_MS) {
      for (const way of LEAVE_WAYS) {
        for (const pagePath of [SHOP_PAGE, BARE_CLICK_PAGE]) {
          const key = `${pagePath} ${way}@${leaveAtMs}`;
          const url = await bounce(browser, origin, pagePath, way, leaveAtMs, `${attempt}-${leaveAtMs}-${way === 'tab closed' ? 'close' : 'away'}`, api);
          urls.set(key, [...(urls.get(key) ?? []), url]);
        }
      }
    }
  }
  // A click counts if the server recorded it by the end of the run, also one that came in late.
  const bounceRows = (pagePath: string): BounceRow[] =>
    LEAVE_AT_MS.map((leaveAtMs) => ({
      leaveAtMs,
      received: Object.fromEntries(
        LEAVE_WAYS.map((way) => [way, (urls.get(`${pagePath} ${way}@${leaveAtMs}`) ?? []).filter((url) => received(api, url)).length]),
      ) as Record<LeaveWay, number>,
    }));

  const files = await Promise.all(
    (landingFiles ?? []).map(async (name) => ({ name, sizes: measure(await readFile(join(DIST_DIR, name))) })),
  );
  return {
    files,
    plainFiles: plainFiles ?? [],
    script: { bare: summarize(script.bare), plain: summarize(script.plain), landing: summarize(script.landing), loads },
    slow4g: { ...summarizeTimes(slow), unversioned: summarizeTimes(slowUnversioned), landings },
    phone: { toClick: summarize(phone), bareClick: summarize(phoneBare), landings, rows: LONG_PAGE_ROWS },
    bounce: { rows: bounceRows(SHOP_PAGE), tries },
    bareClick: {
      file: { name: BARE_CLICK_FILE, sizes: measure(Buffer.from(BARE_CLICK_SCRIPT)) },
      script: summarize(script.bareClick),
      slow4g: summarizeTimes(slowBare),
      bounce: bounceRows(BARE_CLICK_PAGE),
    },
  };
}

/** The files of this load, checked to be those of the earlier loads of the same variant. */
function sameFiles(earlier: string[] | undefined, now: string[], what: string): string[] {
  if (earlier && earlier.join() !== now.join()) throw new Error(`one ${what} downloaded ${earlier.join(' + ')}, another ${now.join(' + ')}`);
  return now;
}
