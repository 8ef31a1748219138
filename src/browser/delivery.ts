/**
 * Delivery: every click and lead goes into the outbox (a cookie) before it is sent, is retried in
 * the page while the outcome is retryable, and stays in the outbox for a later page view while it
 * fails. Each event carries an `event_id`, so the server records a resent event once.
 */
import { readAnswer } from '../core/answers';
import type { HttpOutcome } from '../core/answers';
import type { RequestReport } from '../core/diagnosis';
import { OUTBOX_PAGE_VIEWS, formatOutbox, isRetryable, parseOutbox } from '../core/outbox';
import type { PendingEvent } from '../core/outbox';
import { readCookie } from './cookies';
import { COOKIE_OUTBOX, setCookie } from './jar';
import { apiUrl, log, mayPersist } from './options';
import { postJson } from './transport';

/** Waits between attempts of one request in the page (a little jitter is added); then it waits in the outbox. */
export const RETRY_DELAYS_MS = [500, 1500];

/** A successful outcome (its `body` is the answer), or undefined. */
type Answer = HttpOutcome | undefined;

/** Events not yet answered for good, oldest first. */
export let outbox: PendingEvent[] = [];
/** Requests under way, by event id, so one event is never sent twice at once. */
const inFlight = new Map<string, Promise<Answer>>();
/** The last outcome of each route, for diagnose(). */
export const reports: Record<string, RequestReport> = {};

export const storeOutbox = (): void => {
  if (mayPersist()) setCookie(COOKIE_OUTBOX, outbox.length ? formatOutbox(outbox) : null, 60);
};

/** Puts an event in the outbox (and its cookie) before it is sent, so leaving the page cannot lose it. */
export const enqueue = (event: PendingEvent): PendingEvent => {
  outbox.push(event);
  storeOutbox();
  return event;
};

export const clearOutbox = (): void => void (outbox = []);

/**
 * Sends an outbox event, retrying in the page while the outcome is retryable; resolves to the
 * successful outcome, or logs why there is none (with `debug`, from the first failed try on).
 * `extra` adds fields to each try's body (read at each try: they may change meanwhile).
 * A definitive answer takes the event out of the outbox; one still failing stays for a later page view.
 */
export function deliver(event: PendingEvent, isExpected: (message: string) => boolean, extra?: () => object): Promise<Answer> {
  const id = event.body.event_id;
  const sending =
    inFlight.get(id) ??
    (async () => {
      const { route } = event;
      log('info', route, event.body);
      let outcome: HttpOutcome;
      for (let attempt = 0; ; attempt++) {
        outcome = await postJson(apiUrl(route), { ...event.body, ...extra?.() });
        const delay = RETRY_DELAYS_MS[attempt];
        if (!isRetryable(outcome.status) || delay === undefined) break;
        log('warn', `${route} try ${attempt + 1} failed, retrying:`, readAnswer(outcome, location.origin));
        await new Promise((resolve) => setTimeout(resolve, delay * (1 + Math.random() / 2)));
      }
      const answer = readAnswer(outcome, location.origin);
      const ok = typeof answer == 'object';
      const retryable = isRetryable(outcome.status);
      reports[route] = { status: outcome.status, ok, requestId: outcome.requestId ?? null, message: ok ? null : answer, at: new Date().toISOString() };
      if (!retryable) {
        outbox = outbox.filter((pending) => pending.body.event_id != id);
        storeOutbox();
      }
      inFlight.delete(id);
      if (ok) return outcome;
      log(isExpected(answer) ? 'warn' : 'error', route + ' not recorded:', answer, retryable ? '(kept to resend)' : '');
    })();
  inFlight.set(id, sending);
  return sending;
}

let resumed = false;

/**
 * Takes up the events earlier page views could not deliver, once per page view, and returns
 * them. Each page view tries them again, up to OUTBOX_PAGE_VIEWS times: a request that fails
 * that often (an origin the program does not allow) is not worth sending forever.
 */
export function resumeOutbox(): PendingEvent[] {
  if (resumed) return [];
  resumed = true;
  const earlier = parseOutbox(readCookie(COOKIE_OUTBOX)).filter((event) => {
    const keep = (event.tries = (event.tries ?? 0) + 1) <= OUTBOX_PAGE_VIEWS;
    if (!keep) log('error', `${event.route} given up after ${OUTBOX_PAGE_VIEWS} page views:`, event.body);
    return keep;
  });
  outbox = [...earlier, ...outbox];
  storeOutbox();
  return earlier;
}

/** A fresh page view (tests). */
export const resetDelivery = (): void => {
  outbox = [];
  inFlight.clear();
  for (const route in reports) delete reports[route];
  resumed = false;
};
