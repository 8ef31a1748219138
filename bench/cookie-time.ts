/**
 * Time from landing (navigation start, `performance.now()` = 0) to the `affitor_click_id` cookie
 * being written, with the async script tag as the README sets it up and the tracking server on
 * loopback. The page notes the moment through a `document.cookie` setter wrapper; resource timing
 * gives when the script arrived and when the click request went out and was answered.
 */
import type { Browser } from 'playwright-core';
import { summarize } from './stats';
import type { Summary } from './stats';
import { PARTNER_A } from './api';

export interface CookieTimeResult {
  cookie: Summary;
  scriptLoaded: Summary;
  clickSent: Summary;
  clickAnswered: Summary;
  loads: number;
}

interface Landing {
  cookieAt: number;
  scriptLoaded: number;
  clickSent: number;
  clickAnswered: number;
}

async function landOnce(browser: Browser, origin: string): Promise<Landing> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${origin}/landing.html?aff=${PARTNER_A}`);
    await page.waitForFunction(() => (window as unknown as { __cookieAt?: number }).__cookieAt !== undefined, undefined, { timeout: 10_000 });
    return await page.evaluate(() => {
      const entries = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
      const script = entries.find((entry) => entry.name.endsWith('/affitor.global.js'));
      const click = entries.find((entry) => entry.name.endsWith('/api/v1/track/click'));
      if (!script || !click) throw new Error('no resource timing for the script or the click request');
      return {
        cookieAt: (window as unknown as { __cookieAt: number }).__cookieAt,
        scriptLoaded: script.responseEnd,
        clickSent: click.startTime,
        clickAnswered: click.responseEnd,
      };
    });
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
  return { cookie: of('cookieAt'), scriptLoaded: of('scriptLoaded'), clickSent: of('clickSent'), clickAnswered: of('clickAnswered'), loads };
}
