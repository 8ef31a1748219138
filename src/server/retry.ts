/**
 * When to retry and how long to wait: exponential backoff with full jitter.
 */
import { onAbort } from './abort';

/**
 * The wait before retry number `retry` (0 for the first retry): a uniform random time in
 * `[0, min(cap, base * 2 ** retry)]`. Full jitter spreads the retries of many webhooks that
 * failed together, instead of having them hit the API again in step.
 */
export function backoffDelay(retry: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH = `(?<month>${MONTHS.join('|')})`;
const TIME = '(?<hour>\\d\\d):(?<minute>\\d\\d):(?<second>\\d\\d)';
/** RFC 9110's HTTP-date: IMF-fixdate, and the two obsolete forms it asks recipients to read still. */
const HTTP_DATES = [
  new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (?<day>\\d\\d) ${MONTH} (?<year>\\d{4}) ${TIME} GMT$`),
  new RegExp(`^(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, (?<day>\\d\\d)-${MONTH}-(?<yy>\\d\\d) ${TIME} GMT$`),
  new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ${MONTH} (?<day> \\d|\\d\\d) ${TIME} (?<year>\\d{4})$`),
];

/** An HTTP-date as a time, or NaN when it is none or names no real time (31 Feb, 25:00). */
function httpDate(text: string, now: number): number {
  const found = HTTP_DATES.map((format) => format.exec(text)?.groups).find(Boolean);
  if (!found) return Number.NaN;
  const [day, hour, minute, second] = [found.day, found.hour, found.minute, found.second].map(Number) as [number, number, number, number];
  let year = Number(found.year);
  if (found.yy !== undefined) {
    // A two-digit year more than 50 years ahead is the latest past year with those digits (RFC 9110).
    const thisYear = new Date(now).getUTCFullYear();
    year = thisYear - (thisYear % 100) + Number(found.yy);
    if (year > thisYear + 50) year -= 100;
  }
  const midnight = new Date(Date.UTC(year, MONTHS.indexOf(found.month!), day));
  // Date.UTC rolls 31 Feb over into March: a day the month does not have is no date.
  if (midnight.getUTCDate() !== day || hour > 23 || minute > 59 || second > 60) return Number.NaN;
  return midnight.getTime() + ((hour * 60 + minute) * 60 + second) * 1000;
}

/**
 * A `Retry-After` header in milliseconds, or undefined when absent or unreadable. It is
 * delta-seconds (digits) or an HTTP-date (RFC 9110); nothing else is read. `Number` and
 * `Date.parse` took junk for a time: `"5, 10"` (two headers joined) and `"Retry in 5"` as a
 * date of 2001, so a wait of 0; `"0x10"` as 16 s. The tracking API sends none today; a proxy
 * or load balancer in front of it might, most often with a 503 (maintenance, overload), so it
 * is read on every retryable answer.
 */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = httpDate(text, now);
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
      stopListening?.();
      resolve();
    };
    // Capped, not left to overflow: a Retry-After beyond it (with maxRetryDelayMs Infinity) must not mean "now".
    const timer = setTimeout(done, Math.min(ms, MAX_TIMER_MS));
    const stopListening = signal ? onAbort(signal, done) : undefined;
  });
}
