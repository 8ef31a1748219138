/** The load test's rows of the results table: pure functions over the figures, tested in test/unit/bench-render.test.ts. */
import type { LoadFigures } from './load';
import { count, ms } from './render';
import type { Row } from './render';

/** A latency percentile of a run, or what stands in its place when no answer was a 2xx. */
const latency = (n: number): string => (Number.isNaN(n) ? 'none (no 2xx answer)' : ms(n));

/** The target's own CPU time per request (see LoadFigures), µs. */
const cpu = (figures: LoadFigures): string => `${figures.cpuPerRequestUs.toFixed(0)} µs CPU per request`;

/** The target's GC pauses over the measured run (see LoadFigures). */
const gcPauses = ({ gc }: LoadFigures): string =>
  gc.pauses ? `GC ${count(gc.pauses)} pauses, median ${ms(gc.medianMs)}, longest ${ms(gc.maxMs)}` : 'no GC pause';

/** A run's own figures: throughput, p99, what a request cost the target, and its GC pauses. */
const runFigures = (figures: LoadFigures): string =>
  `${count(figures.rps)} req/s, p99 ${latency(figures.p99)}, ${cpu(figures)}; ${gcPauses(figures)}`;

/** `toBare`: the median of the rounds' own ratios to the bare handler's runs beside them. */
export function loadRow(label: string, figures: LoadFigures, bare?: { figures: LoadFigures; toBare: number }): Row {
  const checks = `${count(figures.total)} requests, ${count(figures.non2xx)} non-2xx, ${count(figures.errors)} errors`;
  return {
    area: 'Load',
    measure: label,
    result: runFigures(figures),
    reference: bare
      ? `${bare.toBare.toFixed(2)}x the bare handler's req/s (p99 ${latency(bare.figures.p99)}, ${cpu(bare.figures)}, ${gcPauses(bare.figures)} there: ${(figures.cpuPerRequestUs / bare.figures.cpuPerRequestUs).toFixed(1)}x its CPU per request); ${checks}`
      : checks,
  };
}

/** What the filled server held before its warm-up. */
export interface Fill {
  clicks: number;
  sales: number;
}

/**
 * A run against the server holding `fill` before its warm-up, next to the same run against an
 * empty one. `toEmpty`: the medians of the rounds' own ratios of filled to empty, of req/s and of
 * CPU time per request. Neither server stays as it started: each stores a click or sale per
 * answer, of its warm-up and of the run, as many as the fill or more, so the row says what each
 * held when measured. CPU per request and the GC pauses stand beside req/s: what holding costs the
 * server itself, whichever way the scheduler shared the cores in that minute.
 */
export function filledRow(route: 'click' | 'sale', filled: LoadFigures, empty: LoadFigures, toEmpty: { rps: number; cpu: number }, fill: Fill): Row {
  const change = (toEmpty.rps - 1) * 100;
  const filledWith = route === 'click' ? fill.clicks : fill.sales;
  const held = (figures: LoadFigures, from: number) =>
    `${count(from + figures.stored.warmup)} at the start of the measured run, ${count(from + figures.stored.warmup + figures.stored.run)} at its end`;
  return {
    area: 'Load',
    measure: `reference server holding ${count(fill.clicks)} clicks and ${count(fill.sales)} sales before its warm-up: ${route}`,
    result: runFigures(filled),
    reference: `${route}s held: ${held(filled, filledWith)}; empty server: ${count(empty.rps)} req/s, p99 ${latency(empty.p99)}, ${cpu(empty)}, ${gcPauses(empty)}, ${route}s held (its own warm-up's and run's): ${held(empty, 0)}; filled vs. empty in the same round: ${change >= 0 ? '+' : ''}${change.toFixed(1)} % req/s, ${toEmpty.cpu.toFixed(2)}x the CPU per request; ${count(filled.total)} requests, ${count(filled.non2xx)} non-2xx, ${count(filled.errors)} errors`,
  };
}
