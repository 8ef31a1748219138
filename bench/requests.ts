/**
 * Requests per landing to the tracking API, counted where they arrive (the server, preflights
 * included) and where they leave (Chromium's `request` events), and the SDK files the page
 * fetched (the loader on every page view, the tracker when the view has work), in one cookie
 * jar: a first visit with `?aff=`, a reload of it, a partner switch to another `?aff=`, and a
 * next page without it.
 */
import type { Browser, Page } from 'playwright-core';
import { PARTNER_A, PARTNER_B } from './api';
import type { BenchApi } from './api';

export interface RequestCount {
  step: string;
  /** What reached the server, e.g. `POST /api/v1/track/click` -> 1. */
  server: Record<string, number>;
  serverTotal: number;
  /** Requests to the API origin that Chromium reported sending. */
  browser: number;
  /** The SDK files Chromium requested for the page, in order, e.g. `['affitor.global.js', 'affitor.tracker.js']`. */
  sdkFiles: string[];
}

/** `.../dist/affitor.tracker.js` -> `affitor.tracker.js` */
const sdkFile = (url: string): string | undefined => /\/(affitor\.[\w.]+\.js)$/.exec(new URL(url).pathname)?.[1];

const cookieValue = (page: Page) => page.evaluate(() => /(?:^|; )affitor_click_id=([^;]*)/.exec(document.cookie)?.[1]);

export async function measureRequests(browser: Browser, origin: string, api: BenchApi): Promise<RequestCount[]> {
  const context = await browser.newContext();
  const page = await context.newPage();
  let sent = 0;
  let sdkFiles: string[] = [];
  page.on('request', (request) => {
    if (request.url().startsWith(api.url)) sent++;
    const file = request.url().startsWith(origin) ? sdkFile(request.url()) : undefined;
    if (file) sdkFiles.push(file);
  });
  const steps: RequestCount[] = [];
  const step = async (name: string, act: () => Promise<unknown>, until: () => Promise<unknown>) => {
    const mark = api.mark();
    sent = 0;
    sdkFiles = [];
    await act();
    await until();
    // Anything else the SDK would send goes out now: the network stays quiet for 500 ms.
    await page.waitForLoadState('networkidle');
    const server = api.countsSince(mark);
    steps.push({ step: name, server, serverTotal: Object.values(server).reduce((a, b) => a + b, 0), browser: sent, sdkFiles });
  };
  const clickIdIsNot = (previous: string | undefined) => page.waitForFunction(
    (prev) => { const id = /(?:^|; )affitor_click_id=([^;]*)/.exec(document.cookie)?.[1]; return id !== undefined && id !== prev; },
    previous,
  );
  try {
    await step('first visit (?aff=A)', () => page.goto(`${origin}/landing.html?aff=${PARTNER_A}`), () => clickIdIsNot(undefined));
    const first = await cookieValue(page);
    await step('reload (same ?aff=A)', () => page.reload(), () => page.waitForLoadState('load'));
    await step('partner switch (?aff=B)', () => page.goto(`${origin}/landing.html?aff=${PARTNER_B}`), () => clickIdIsNot(first));
    await step('next page (no ?aff=)', () => page.goto(`${origin}/landing.html`), () => page.waitForLoadState('load'));
  } finally {
    await context.close();
  }
  return steps;
}
