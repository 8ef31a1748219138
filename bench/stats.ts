/** Order statistics for the bench: pure functions over samples, tested in test/unit/bench-render.test.ts. */

export interface Summary {
  n: number;
  median: number;
  p95: number;
  min: number;
  max: number;
}

function sorted(samples: readonly number[]): number[] {
  if (samples.length === 0) throw new Error('no samples');
  if (samples.some((value) => !Number.isFinite(value))) throw new Error('a sample is not a finite number');
  return [...samples].sort((a, b) => a - b);
}

/** The middle sample; the mean of the two middle samples when their count is even. */
export function median(samples: readonly number[]): number {
  const s = sorted(samples);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * The `p`th percentile by the nearest-rank method: the smallest sample with at least `p`% of
 * the samples at or below it. Always an observed value, never an interpolation.
 */
export function percentile(samples: readonly number[], p: number): number {
  if (!(p > 0 && p <= 100)) throw new Error(`percentile must be in (0, 100], got ${p}`);
  const s = sorted(samples);
  return s[Math.ceil((p / 100) * s.length) - 1]!;
}

export function summarize(samples: readonly number[]): Summary {
  const s = sorted(samples);
  return { n: s.length, median: median(s), p95: percentile(s, 95), min: s[0]!, max: s[s.length - 1]! };
}

/** The item whose `value` is the median (the upper middle of an even count), kept whole with its other fields. */
export function medianBy<T>(items: readonly T[], value: (item: T) => number): T {
  if (items.length === 0) throw new Error('medianBy: no items');
  return [...items].sort((a, b) => value(a) - value(b))[Math.floor(items.length / 2)]!;
}
