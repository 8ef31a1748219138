/** The bench's pure parts: order statistics and the results table (bench/stats.ts, bench/render.ts, the landing's and the load test's rows). */
import { describe, expect, it } from 'vitest';
import { median, medianBy, percentile, summarize } from '../../bench/stats';
import { bytes, count, gap, mebibytes, ms, renderResults, renderTable, signedMs } from '../../bench/render';
import { filledRow, loadRow } from '../../bench/load-render';
import { LEAVE_AT_MS } from '../../bench/landing';
import type { LandingResult } from '../../bench/landing';
import { landingRows, preconnectRows } from '../../bench/landing-render';
import type { PreconnectResult } from '../../bench/preconnect';
import type { Row } from '../../bench/render';

describe('bench statistics', () => {
  it('takes the middle sample as the median of an odd count, whatever the order', () => {
    expect(median([5, 1, 3])).toBe(3);
  });

  it('takes the mean of the two middle samples as the median of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('gives p95 by nearest rank: the 95th of 100 samples, and the largest of fewer than 20', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(hundred, 95)).toBe(95);
    expect(percentile([3, 1, 2], 95)).toBe(3);
    expect(percentile(Array.from({ length: 60 }, (_, i) => i + 1), 95)).toBe(57);
  });

  it('gives p50 equal to an observed sample, never an interpolation', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
  });

  it('refuses no samples, non-finite samples and percentiles outside (0, 100]', () => {
    expect(() => median([])).toThrow(/no samples/);
    expect(() => median([1, Number.NaN])).toThrow(/finite/);
    expect(() => percentile([1], 0)).toThrow(/percentile/);
    expect(() => percentile([1], 101)).toThrow(/percentile/);
  });

  it('does not reorder the caller’s samples', () => {
    const samples = [3, 1, 2];
    summarize(samples);
    expect(samples).toEqual([3, 1, 2]);
  });

  it('summarizes count, median, p95, min and max', () => {
    expect(summarize([2, 9, 4, 1, 7])).toEqual({ n: 5, median: 4, p95: 9, min: 1, max: 9 });
  });
});

describe('bench formatting', () => {
  it('writes bytes with thousands separators', () => {
    expect(bytes(3990)).toBe('3,990 B');
    expect(bytes(12.6)).toBe('13 B');
  });

  it('writes milliseconds with the digits that matter for their size', () => {
    expect([ms(0.0421), ms(1.234), ms(12.34), ms(123.4)]).toEqual(['0.042 ms', '1.23 ms', '12.3 ms', '123 ms']);
  });

  it('signs differences, so a cost and a saving read apart', () => {
    expect(signedMs(1.5)).toBe('+1.50 ms');
    expect(signedMs(-0.01)).toBe('-0.010 ms');
    expect(signedMs(0)).toBe('+0.000 ms');
  });

  it('says how far a size is over or under a target', () => {
    expect(gap(3990, 1600)).toBe('2,390 B over');
    expect(gap(3990, 4100)).toBe('110 B under');
  });

  it('writes counts and mebibytes', () => {
    expect(count(12345.6)).toBe('12,346');
    expect(mebibytes(1_572_864)).toBe('1.5 MiB');
  });
});

describe('the results table', () => {
  const rows = [
    { area: 'Size', measure: 'script: gzip -9', result: '3,920 B', reference: 'budget 4,100 B' },
    { area: 'Requests', measure: 'reload | same', result: '0', reference: '' },
  ];

  it('renders a Markdown table with a header, a rule and one padded line per row', () => {
    const lines = renderTable(rows).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^\| Area +\| Measure +\| Result +\| Reference \/ budget +\|$/);
    expect(lines[1]).toMatch(/^\| -+ \| -+ \| -+ \| -+ \|$/);
    expect(new Set(lines.map((line) => line.length)).size).toBe(1);
  });

  it('escapes pipes and line breaks inside cells', () => {
    const table = renderTable([{ area: 'a', measure: 'x | y', result: 'one\ntwo', reference: '' }]);
    expect(table).toContain('x \\| y');
    expect(table).toContain('one two');
  });

  it('writes the results file: title, generated-by note, environment, the same table, then the methods', () => {
    const doc = renderResults({ title: 'Benchmarks', environment: ['Node v20'], rows, methods: ['**Size.** gzip -9.'] });
    expect(doc.startsWith('# Benchmarks\n')).toBe(true);
    expect(doc).toContain('npm run bench');
    expect(doc).toContain('- Node v20');
    expect(doc).toContain(renderTable(rows));
    expect(doc.indexOf(renderTable(rows))).toBeLessThan(doc.indexOf('**Size.** gzip -9.'));
  });
});

describe('load figures over rounds', () => {
  const run = (rps: number, p99: number) => ({ rps, p99 });
  it('takes the run with the median requests/s, whole, with that run’s own p99', () => {
    expect(medianBy([run(9_000, 7), run(12_000, 3), run(10_500, 5)], (figures) => figures.rps)).toEqual(run(10_500, 5));
    expect(medianBy([run(8_000, 9)], (figures) => figures.rps)).toEqual(run(8_000, 9));
    expect(() => medianBy([], (figures: { rps: number }) => figures.rps)).toThrow('no items');
  });
});

describe('a load row', () => {
  const gc = { pauses: 190, medianMs: 1.624, maxMs: 20.5 };
  const figures = (rps: number, p99: number, cpuPerRequestUs = 40) => ({ rps, p99, p50: 0.4, total: 90_000, non2xx: 0, errors: 0, cpuPerRequestUs, gc, stored: { warmup: 0, run: 90_000 } });

  it('gives p99 with its fractions, as the answer times have them: 2.55 ms is not cut to 2', () => {
    const bare = { ...figures(22_091, 0.62, 24.6), gc: { pauses: 1_210, medianMs: 0.38, maxMs: 14.07 } };
    const row = loadRow('reference server: click', figures(11_647, 2.55, 61.4), { figures: bare, toBare: 0.6 });
    expect(row.result).toBe('11,647 req/s, p99 2.55 ms, 61 µs CPU per request; GC 190 pauses, median 1.62 ms, longest 20.5 ms');
    expect(row.reference).toBe(
      "0.60x the bare handler's req/s (p99 0.620 ms, 25 µs CPU per request, GC 1,210 pauses, median 0.380 ms, longest 14.1 ms there: 2.5x its CPU per request); 90,000 requests, 0 non-2xx, 0 errors",
    );
  });

  it('says a run had no 2xx answer to time, nor a GC pause, instead of a figure', () => {
    const row = loadRow('reference server: click', {
      ...figures(9_000, NaN, 30),
      p50: NaN,
      total: 72_000,
      non2xx: 72_000,
      gc: { pauses: 0, medianMs: NaN, maxMs: 0 },
      stored: { warmup: 0, run: 0 },
    });
    expect(row.result).toBe('9,000 req/s, p99 none (no 2xx answer), 30 µs CPU per request; no GC pause');
    expect(row.reference).toBe('72,000 requests, 72,000 non-2xx, 0 errors');
  });
});

describe('the filled server against the empty one', () => {
  const figures = (rps: number, warmup: number, run: number) => ({
    rps,
    p99: 4,
    p50: 1,
    total: run,
    non2xx: 0,
    errors: 0,
    cpuPerRequestUs: 50,
    gc: { pauses: 100, medianMs: 1, maxMs: 5 },
    stored: { warmup, run },
  });
  const fill = { clicks: 100_000, sales: 10_000 };

  it('says what each server held when measured: the "empty" one stored its own warm-up and run', () => {
    const row = filledRow('sale', figures(9_000, 20_000, 76_000), figures(9_500, 19_000, 75_000), { rps: 0.95, cpu: 1 }, fill);
    expect(row.measure).toBe('reference server holding 100,000 clicks and 10,000 sales before its warm-up: sale');
    expect(row.reference).toContain('sales held: 30,000 at the start of the measured run, 106,000 at its end');
    expect(row.reference).toContain("empty server: 9,500 req/s, p99 4.00 ms, 50 µs CPU per request, GC 100 pauses, median 1.00 ms, longest 5.00 ms, sales held (its own warm-up's and run's): 19,000 at the start of the measured run, 94,000 at its end");
    expect(row.reference).toContain('filled vs. empty in the same round: -5.0 % req/s, 1.00x the CPU per request');
  });

  it("gives each server's CPU per request and GC pauses, and the rounds' ratio of CPU per request", () => {
    const filled = { ...figures(9_000, 20_000, 76_000), cpuPerRequestUs: 66, gc: { pauses: 150, medianMs: 1.7, maxMs: 6.2 } };
    const empty = { ...figures(9_500, 19_000, 75_000), cpuPerRequestUs: 60 };
    const row = filledRow('click', filled, empty, { rps: 0.95, cpu: 1.08 }, fill);
    expect(row.result).toBe('9,000 req/s, p99 4.00 ms, 66 µs CPU per request; GC 150 pauses, median 1.70 ms, longest 6.20 ms');
    expect(row.reference).toContain('empty server: 9,500 req/s, p99 4.00 ms, 60 µs CPU per request, GC 100 pauses, median 1.00 ms, longest 5.00 ms, clicks held');
    expect(row.reference).toContain('-5.0 % req/s, 1.08x the CPU per request');
  });

  it('counts the clicks of the fill on the click route', () => {
    const row = filledRow('click', figures(10_000, 21_000, 80_000), figures(10_600, 21_500, 85_000), { rps: 1.01, cpu: 0.98 }, fill);
    expect(row.reference).toMatch(/^clicks held: 121,000 at the start of the measured run, 201,000 at its end; empty server: 10,600 req\/s/);
    expect(row.reference).toContain('+1.0 %');
  });
});

describe('the landing rows beside the bare click script of the same run', () => {
  const summary = (median: number, p95 = median) => ({ n: 10, median, p95, min: median, max: p95 });
  const bounceRows = (received: number[]) =>
    LEAVE_AT_MS.map((leaveAtMs, index) => ({ leaveAtMs, received: { 'navigate away': received[index]!, 'tab closed': received[index]! } }));
  const landing: LandingResult = {
    files: [{ name: 'affitor.global.js', sizes: { minified: 13_000, gzip: 5_800, brotli: 5_200 } }],
    plainFiles: ['affitor.global.js'],
    script: { bare: summary(0.5, 2), plain: summary(15), landing: summary(21, 40), loads: 10 },
    slow4g: {
      clickSent: summary(470, 530),
      cookie: summary(660, 720),
      unversioned: { clickSent: summary(640, 700), cookie: summary(830, 900) },
      landings: 10,
    },
    phone: { toClick: summary(13.3, 22), bareClick: summary(4.1, 9.5), landings: 10, rows: 3_000 },
    bounce: { rows: bounceRows([0, 2, 9, 10, 10]), tries: 10 },
    bareClick: {
      file: { name: 'bare-click.js', sizes: { minified: 700, gzip: 430, brotli: 350 } },
      script: summary(13.5, 18),
      slow4g: { clickSent: summary(437, 529), cookie: summary(638, 746) },
      bounce: bounceRows([0, 6, 10, 10, 10]),
    },
  };
  const rows = landingRows(landing);
  const row = (measure: string) => rows.find((candidate) => candidate.measure.startsWith(measure))!;

  it('puts the bare click script’s figure beside each of the SDK’s, over the same bare page', () => {
    expect(row('bytes a landing').reference).toContain('bare click script, same run: 430 B');
    expect(row('ScriptDuration, landing').reference).toContain('bare click script, same run: +13.0 ms / +16.0 ms');
    expect(row('slow 4G: navigation start to click sent').reference).toContain('bare click script, same run: 437 ms / 529 ms');
    expect(row('slow 4G: navigation start to affitor_click_id').reference).toContain('bare click script, same run: 638 ms / 746 ms');
    expect(row('phone, 3,000-row page: script start to click fetch()')).toMatchObject({
      result: '13.3 ms / 22.0 ms',
      reference: 'bare click script, same run: 4.10 ms / 9.50 ms',
    });
  });

  it('judges the bounce goals on the SDK’s clicks alone, with the bare click script’s of the same leave time beside them', () => {
    const at250 = row('clicks received, visitor leaves at 250 ms');
    expect(at250.result).toBe('navigate away 2/10, tab closed 2/10');
    expect(at250.reference).toBe('navigate away: goal 8/10, FAIL; tab closed: no goal; bare click script, same run: navigate away 6/10, tab closed 6/10');
    expect(row('clicks received, visitor leaves at 500 ms').reference).toBe(
      'navigate away: goal 10/10, FAIL; tab closed: goal 10/10, FAIL; bare click script, same run: navigate away 10/10, tab closed 10/10',
    );
  });

  it('puts the landing through a tag naming no version beside the README’s tag, with what the redirect costs the click', () => {
    expect(row('slow 4G, the tag naming no version')).toMatchObject({
      result: '640 ms / 830 ms',
      reference: "the README's tag, naming the version: 470 ms / 660 ms (same run); the redirect costs the click +170 ms",
    });
  });

  it('says the earlier figures came from another run', () => {
    expect(row('slow 4G: navigation start to click sent').reference).toContain('earlier run: Affitor SDK 411 ms, Dub 395 ms');
  });
});

describe("the README's preconnect line, over a cold TLS connection", () => {
  const summary = (median: number, p95 = median) => ({ n: 15, median, p95, min: median, max: p95 });
  const result = (tagAloneCookie: number, withPreconnectCookie: number): PreconnectResult => ({
    landings: 15,
    roundTripMs: 150,
    tagAlone: { clickSent: summary(480), cookie: summary(tagAloneCookie, 980) },
    withPreconnect: { clickSent: summary(470), cookie: summary(withPreconnectCookie, 760) },
  });
  const cookieRow = (rows: Row[]) => rows.find((row) => row.measure.includes('affitor_click_id written'))!;

  it('puts the landing with the line beside the tag alone of the same run, and says by how much sooner the cookie was written', () => {
    const rows = preconnectRows(result(910, 700));
    expect(cookieRow(rows)).toMatchObject({
      measure: "cold TLS connection to the API, 150 ms round trips: navigation start to affitor_click_id written, with the README's preconnect line (median / p95, 15 landings)",
      result: '700 ms / 760 ms',
      reference: 'the script tag alone, same run: 910 ms / 980 ms; with the line the cookie is written 210 ms sooner (median)',
    });
    expect(rows.find((row) => row.measure.includes('click sent'))!.result).toBe('470 ms');
  });

  it('says "later" when the line did not help, instead of a negative "sooner"', () => {
    expect(cookieRow(preconnectRows(result(700, 720))).reference).toContain('with the line the cookie is written 20.0 ms later (median)');
  });
});
