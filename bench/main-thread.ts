/**
 * Main-thread time of the <script> build, from the start of its evaluation to `init` returning:
 * the SDK inlined in a page between two `performance.now()` reads, against the same page with
 * nothing between them, with and without `?aff=`. Each load is a fresh browser context (a new
 * renderer, cold V8, empty cookie jar); the variants take turns so drift hits all alike.
 */
import type { Browser } from 'playwright-core';
import { summarize } from './stats';
import type { Summary } from './stats';
import { PARTNER_A } from './api';

export interface MainThreadResult {
  bare: Summary;
  noAff: Summary;
  withAff: Summary;
  /** Whether every page was cross-origin isolated (5 µs clock) rather than 100 µs. */
  isolated: boolean;
  loads: number;
}

type Variant = 'bare' | 'noAff' | 'withAff';
const PATHS: Record<Variant, string> = { bare: '/bare.html', noAff: '/inline.html', withAff: `/inline.html?aff=${PARTNER_A}` };

async function loadOnce(browser: Browser, origin: string, variant: Variant): Promise<{ ms: number; isolated: boolean }> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(origin + PATHS[variant]);
    const { t0, t1, isolated } = await page.evaluate(() => {
      const w = window as unknown as { __t0: number; __t1: number; __isolated: boolean };
      return { t0: w.__t0, t1: w.__t1, isolated: w.__isolated };
    });
    // Let the click answer and the cookie land before the context goes, so no load overlaps the next.
    if (variant === 'withAff') await page.waitForFunction(() => document.cookie.includes('affitor_click_id='));
    return { ms: t1 - t0, isolated };
  } finally {
    await context.close();
  }
}

export async function measureMainThread(browser: Browser, origin: string, loads: number, warmup = 5): Promise<MainThreadResult> {
  const samples: Record<Variant, number[]> = { bare: [], noAff: [], withAff: [] };
  let isolated = true;
  for (let round = 0; round < warmup + loads; round++) {
    for (const variant of ['bare', 'noAff', 'withAff'] as const) {
      const load = await loadOnce(browser, origin, variant);
      isolated &&= load.isolated;
      if (round >= warmup) samples[variant].push(load.ms);
    }
  }
  return { bare: summarize(samples.bare), noAff: summarize(samples.noAff), withAff: summarize(samples.withAff), isolated, loads };
}
