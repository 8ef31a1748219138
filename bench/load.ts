/**
 * The reference server under load on loopback: autocannon (10 connections, a short warm-up,
 * then a fixed duration) against the server in a child process, for click and for sale, each
 * next to a bare node:http handler answering the same JSON, measured the same way in the same
 * run; then both again against a server already holding 100,000 clicks and 10,000 sales.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { RequestSpec, Result } from 'autocannon';
import { API_TOKEN, CLICK_BODY, LOAD_ORIGIN, saleBody } from './api';
import { median, medianBy, percentile } from './stats';

export interface LoadFigures {
  rps: number;
  /** Percentiles of the measured run's 2xx answer times, in ms with their fractions. */
  p99: number;
  p50: number;
  total: number;
  non2xx: number;
  errors: number;
  /**
   * The target process's CPU time (user and system, all its threads: the garbage collector's
   * too) over the measured run, per request answered, in µs: what a request costs the server
   * itself, whichever way the scheduler shared the cores between it and autocannon.
   */
  cpuPerRequestUs: number;
  /**
   * The target's garbage-collection pauses over the measured run (every kind; young-generation
   * collections are most of them): how many, the median and the longest, in ms. A pause holds
   * every request in flight on the target's one thread, so its length adds to their answer times.
   */
  gc: { pauses: number; medianMs: number; maxMs: number };
  /**
   * 2xx answers of the warm-up and of the measured run: the records the target stored itself,
   * the reference server one click or sale per answer, beside what it held before the warm-up.
   */
  stored: { warmup: number; run: number };
}

/**
 * Each a median over the rounds of one round's ratio of requests/s: runs of one round go back
 * to back, so a machine that is slower for a minute changes both sides of a ratio alike.
 */
export interface LoadRatios {
  /** reference / bare handler */
  click: number;
  sale: number;
  /** holding FILL_CLICKS clicks and FILL_SALES sales / empty */
  filledClick: number;
  filledSale: number;
  /** The same, of CPU time per request: what holding costs the server itself, whatever the scheduler did. */
  filledClickCpu: number;
  filledSaleCpu: number;
}

export interface LoadResult {
  click: LoadFigures;
  bareClick: LoadFigures;
  sale: LoadFigures;
  bareSale: LoadFigures;
  /** The same runs against a server already holding 100,000 clicks and 10,000 sales. */
  filledClick: LoadFigures;
  filledSale: LoadFigures;
  ratios: LoadRatios;
  connections: number;
  seconds: number;
  /** Runs per figure; each figure is the median one. */
  rounds: number;
}

const TARGET = fileURLToPath(new URL('./load-target.ts', import.meta.url));

interface Sample {
  cpuUs: number;
  gcPausesMs: number[];
}

interface Target {
  url: string;
  clickId: string;
  child: ChildProcess;
  /** The CPU time the target process has used so far, µs, and its GC pauses since the last sample (it answers a `sample` line on its stdin). */
  sample(): Promise<Sample>;
}

async function startTarget(mode: string): Promise<Target> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', TARGET, mode], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`load target ${mode} exited with ${code}`)));
    });
  const first = await nextLine();
  const sample = async (): Promise<Sample> => {
    const answer = nextLine();
    child.stdin.write('sample\n');
    const { cpu, gcPausesMs } = JSON.parse(await answer) as { cpu: NodeJS.CpuUsage; gcPausesMs: number[] };
    return { cpuUs: cpu.user + cpu.system, gcPausesMs };
  };
  return { ...(JSON.parse(first) as { url: string; clickId: string }), child, sample };
}

async function stopTarget(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill();
  });
}

/** A different visitor address per request (10.0.0.0/8), so no visitor reaches the click rate limit. */
let visitor = 0;
const nextVisitor = () => {
  const n = ++visitor;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
};
let transaction = 0;

function clickRequest(): RequestSpec {
  return {
    method: 'POST',
    path: '/api/v1/track/click',
    setupRequest: (request) => ({
      ...request,
      headers: { 'Content-Type': 'text/plain;charset=UTF-8', Origin: LOAD_ORIGIN, 'X-Forwarded-For': nextVisitor() },
      body: CLICK_BODY,
    }),
  };
}

function saleRequest(clickId: string): RequestSpec {
  return {
    method: 'POST',
    path: '/api/v1/track/sale',
    setupRequest: (request) => ({
      ...request,
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${API_TOKEN}` },
      body: saleBody(`bench_txn_${++transaction}`, clickId),
    }),
  };
}

const figures = (result: Result, warmup: Result, times: readonly number[], cpuUs: number, gcPausesMs: readonly number[]): LoadFigures => ({
  rps: result.requests.total / result.duration,
  // NaN when no answer was a 2xx (a target answering 429 or 5xx only): the row says so, and the bench goes on.
  p99: times.length ? percentile(times, 99) : NaN,
  p50: times.length ? percentile(times, 50) : NaN,
  total: result.requests.total,
  non2xx: result.non2xx,
  errors: result.errors,
  cpuPerRequestUs: cpuUs / result.requests.total,
  gc: { pauses: gcPausesMs.length, medianMs: gcPausesMs.length ? median(gcPausesMs) : NaN, maxMs: Math.max(0, ...gcPausesMs) },
  stored: { warmup: warmup['2xx'], run: result['2xx'] },
});

async function run(mode: string, request: (clickId: string) => RequestSpec, connections: number, seconds: number): Promise<LoadFigures> {
  const target = await startTarget(mode);
  try {
    const requests = [request(target.clickId)];
    const warmup = await autocannon({ url: target.url, connections, duration: 2, requests });
    // autocannon's own latency histogram keeps whole milliseconds (2.9 ms counts as 2): each 2xx
    // answer's time is kept as autocannon measured it, for percentiles at its full resolution.
    const times: number[] = [];
    const before = await target.sample();
    const measured = autocannon({ url: target.url, connections, duration: seconds, requests });
    measured.on('response', (_client, status, _bytes, responseTime) => {
      if (status >= 200 && status < 300) times.push(responseTime);
    });
    const result = await measured;
    const after = await target.sample();
    return figures(result, warmup, times, after.cpuUs - before.cpuUs, after.gcPausesMs);
  } finally {
    await stopTarget(target.child);
  }
}

/** The run with the median requests/s (its own p99 and counts with it): one run's noise does not make the figure. */
const medianRun = (runs: LoadFigures[]): LoadFigures => medianBy(runs, (figures) => figures.rps);

/**
 * Each figure is the median of `rounds` runs. The rounds take turns over all six targets, so a
 * busy minute on the machine falls on every target alike, not on one of them; within a round,
 * the runs a ratio compares go back to back (bare, empty, filled), and each ratio is the median
 * of the rounds' own.
 */
export async function measureLoad(connections = 10, seconds = 8, rounds = 5): Promise<LoadResult> {
  const plan = {
    bareClick: ['bare-click', clickRequest],
    click: ['reference', clickRequest],
    filledClick: ['reference-filled', clickRequest],
    bareSale: ['bare-sale', saleRequest],
    sale: ['reference', saleRequest],
    filledSale: ['reference-filled', saleRequest],
  } as const;
  const runs: Record<keyof typeof plan, LoadFigures[]> = { bareClick: [], click: [], bareSale: [], sale: [], filledClick: [], filledSale: [] };
  for (let round = 0; round < rounds; round++) {
    for (const [name, [mode, request]] of Object.entries(plan) as [keyof typeof plan, (typeof plan)[keyof typeof plan]][]) {
      runs[name].push(await run(mode, request, connections, seconds));
    }
  }
  const ratio = (of: keyof typeof plan, to: keyof typeof plan, measure: 'rps' | 'cpuPerRequestUs' = 'rps') =>
    median(runs[of].map((run, round) => run[measure] / runs[to][round]![measure]));
  return {
    bareClick: medianRun(runs.bareClick),
    click: medianRun(runs.click),
    bareSale: medianRun(runs.bareSale),
    sale: medianRun(runs.sale),
    filledClick: medianRun(runs.filledClick),
    filledSale: medianRun(runs.filledSale),
    ratios: {
      click: ratio('click', 'bareClick'),
      sale: ratio('sale', 'bareSale'),
      filledClick: ratio('filledClick', 'click'),
      filledSale: ratio('filledSale', 'sale'),
      filledClickCpu: ratio('filledClick', 'click', 'cpuPerRequestUs'),
      filledSaleCpu: ratio('filledSale', 'sale', 'cpuPerRequestUs'),
    },
    connections,
    seconds,
    rounds,
  };
}
