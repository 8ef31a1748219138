/**
 * Main-thread time of the <script> build, from the start of its evaluation to `init` returning,
 * against the same page with nothing between two `performance.now()` reads. Without `?aff=`
 * the loader alone is inlined between the reads: it has no work and fetches nothing. With
 * `?aff=` the loader and then the tracker are inlined, as the browser runs them once the
 * tracker has arrived; the span ends with the tracker's `init` returning. Each load is a fresh
 * browser context (a new renderer, cold V8, empty cookie jar); the variants take turns so
 * drift hits all alike.
 */
import type { Browser } from 'playwright-core';
import { summarize } from './stats';
import type { Summary } from './stats';
import { PARTNER_A } from './api';

export interface MainThreadResult {
  bare: Summary;
  /** The loader alone, no `?aff=`: every page view without work. */
  noAff: Summary;
  /** The loader, then the tracker, `?aff=`: a landing. */
  withAff: Summary;
  /** Whether every page was cross-origin isolated (5 µs clock) rather than 100 µs. */
  isolated: boolean;
  /**
   * `?aff=` loads where the copy of the tracker the loader fetched ran before the span ended:
   * inside it, in place of the inline copy's handover, which then is the one ignored.
   */
  fetchedTrackerInSpan: number;
  loads: number;
}

type Variant = 'bare' | 'noAff' | 'withAff';
const PATHS: Record<Variant, string> = {
  bare: '/bare.html',
  noAff: '/inline-loader.html',
  withAff: `/inline-loader-tracker.html?aff=${PARTNER_A}`,
};

interface Load {
  ms: number;
  isolated: boolean;
  /** Whether the loader fetched `/affitor.tracker.js`. */
  trackerFetched: boolean;
  /** Whether that fetched copy finished running before the second clock read. */
  fetchedTrackerInSpan: boolean;
}

async function loadOnce(browser: Browser, origin: string, variant: Variant): Promise<Load> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    // A 404 for the tracker, or the SDK failing, would make the figures mean something else.
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(origin + PATHS[variant]);
    // Let the click answer and the cookie land before the context goes, so no load overlaps the
    // next. The fetched tracker needs no wait: a script added during parsing delays the load event.
    if (variant === 'withAff') await page.waitForFunction(() => document.cookie.includes('affitor_click_id='));
    const load = await page.evaluate(() => {
      const w = window as unknown as { __t0: number; __t1: number; __isolated: boolean; __fetchedTrackerRanAt?: number };
      return {
        ms: w.__t1 - w.__t0,
        isolated: w.__isolated,
        trackerFetched: performance.getEntriesByType('resource').some((entry) => entry.name.endsWith('/affitor.tracker.js')),
        fetchedTrackerInSpan: w.__fetchedTrackerRanAt !== undefined && w.__fetchedTrackerRanAt < w.__t1,
      };
    });
    if (errors.length > 0) throw new Error(`${PATHS[variant]} logged errors: ${errors.join('; ')}`);
    if (load.trackerFetched !== (variant === 'withAff')) {
      throw new Error(`${PATHS[variant]}: the loader ${load.trackerFetched ? 'fetched' : 'did not fetch'} the tracker`);
    }
    return load;
  } finally {
    await context.close();
  }
}

export async function measureMainThread(browser: Browser, origin: string, loads: number, warmup = 5): Promise<MainThreadResult> {
  const samples: Record<Variant, number[]> = { bare: [], noAff: [], withAff: [] };
  let isolated = true;
  let fetchedTrackerInSpan = 0;
  for (let round = 0; round < warmup + loads; round++) {
    for (const variant of ['bare', 'noAff', 'withAff'] as const) {
      const load = await loadOnce(browser, origin, variant);
      isolated &&= load.isolated;
      if (round < warmup) continue;
      samples[variant].push(load.ms);
      if (load.fetchedTrackerInSpan) fetchedTrackerInSpan++;
    }
  }
  return {
    bare: summarize(samples.bare),
    noAff: summarize(samples.noAff),
    withAff: summarize(samples.withAff),
    isolated,
    fetchedTrackerInSpan,
    loads,
  };
}
