/**
 * Time from landing (navigation start, `performance.now()` = 0) to the `affitor_click_id` cookie
 * being written, with the async script tag as the README sets it up and the tracking server on
 * loopback: the loader arrives and runs, fetches the tracker from its folder, the tracker sends
 * the click. The page notes the moment through a `document.cookie` setter wrapper; resource
 * timing gives when each file arrived and when the click request went out and was answered.
 */
import type { Browser } from 'playwright-core';
import { summarize } from './stats';
import type { Summary } from './stats';
import { PARTNER_A } from './api';

export interface CookieTimeResult {
  cookie: Summary;
  loaderLoaded: Summary;
  trackerLoaded: Summary;
  clickSent: Summary;
  clickAnswered: Summary;
  loads: number;
}

interface Landing {
  cookieAt: number;
  loaderLoaded: number;
  trackerLoaded: number;
  clickSent: number;
  clickAnswered: number;
}

async function landOnce(browser: Browser, origin: string): Promise<Landing> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${origin}/landing.html?aff=${PARTNER_A}`);
    await page.waitForFunction(() => (window as unknown as { __cookieAt?: number }).__cookieAt !== undefined, undefined, { timeout: 10_000 });
    // Plain data out of the page, looked up here: a helper function declared inside evaluate()
    // would carry tsx's `__name` wrapper, which the page does not have.
    const { cookieAt, entries } = await page.evaluate(() => ({
      cookieAt: (window as unknown as { __cookieAt: number }).__cookieAt,
      entries: (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).map(({ name, startTime, responseEnd }) => ({ name, startTime, responseEnd })),
    }));
    const find = (suffix: string) => {
      const entry = entries.find((e) => e.name.endsWith(suffix));
      if (!entry) throw new Error(`no resource timing for ${suffix}`);
      return entry;
    };
    const click = find('/api/v1/track/click');
    return {
      cookieAt,
      loaderLoaded: find('/dist/affitor.global.js').responseEnd,
      trackerLoaded: find('/dist/affitor.tracker.js').responseEnd,
      clickSent: click.startTime,
      clickAnswered: click.responseEnd,
    };
  } finally {
    await context.close();
  }
}

export async function measureCookieTime(browser: Browser, origin: string, loads: number, warmup = 3): Promise<CookieTimeResult> {
  const landings: Landing[] = [];
  for (let i = 0; i < warmup + loads; i++) {
    const landing = await landOnce(browser, origin);
    if (i >= warmup) landings.push(landing);
  }
  const of = (key: keyof Landing) => summarize(landings.map((landing) => landing[key]));
  return {
    cookie: of('cookieAt'),
    loaderLoaded: of('loaderLoaded'),
    trackerLoaded: of('trackerLoaded'),
    clickSent: of('clickSent'),
    clickAnswered: of('clickAnswered'),
    loads,
  };
}
