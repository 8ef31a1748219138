/**
 * When to retry and how long to wait: exponential backoff with full jitter.
 */

/**
 * The wait before retry number `retry` (0 for the first retry): a uniform random time in
 * `[0, min(cap, base * 2 ** retry)]`. Full jitter spreads the retries of many webhooks that
 * failed together, instead of having them hit the API again in step.
 */
export function backoffDelay(retry: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

/**
 * A `Retry-After` header in milliseconds (seconds or an HTTP date), or undefined when absent
 * or unreadable. The tracking API sends none today; a proxy or load balancer in front of it
 * might, most often with a 503 (maintenance, overload), so it is read on every retryable answer.
 */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The longest delay `setTimeout` keeps; a longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Waits `ms` (at most {@link MAX_TIMER_MS}), or less when `signal` aborts (then it resolves early; the caller checks the signal). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    // Capped, not left to overflow: a Retry-After beyond it (with maxRetryDelayMs Infinity) must not mean "now".
    const timer = setTimeout(done, Math.min(ms, MAX_TIMER_MS));
    signal?.addEventListener('abort', done, { once: true });
  });
}
