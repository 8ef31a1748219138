/**
 * Delivery past the first try (the rest of the SDK): retries in the page while the outcome is
 * retryable, and the error log once they are spent. An event still failing stays in the outbox
 * for a later page view; each carries an `event_id`, so the server records a resent event once.
 */
import { isRetryable, isSuccess, readAnswer, unroutedHint } from '../core/answers';
import type { HttpOutcome } from '../core/answers';
import { isExpectedLeadRefusal } from '../core/attribution';
import type { PendingEvent } from '../core/outbox';
import { log, options, post, record } from './core';
import { noteCspBlock, watchCsp } from './csp';
import type { Answer, Extra } from './core';

/** Waits between attempts of one request in the page (a little jitter is added); then it waits in the outbox. */
export const RETRY_DELAYS_MS = [500, 1500];

/** Refusals that are business outcomes, logged as warnings: an inactive partner link, a duplicate or unattributed lead. */
const isExpected = (event: PendingEvent, message: string): boolean =>
  event.route == 'click' ? /inactive/.test(message) : isExpectedLeadRefusal(message, !!event.body.click_id);

/**
 * Goes on with an event whose first try failed: tries again while the outcome is retryable (with
 * `debug`, each failed try says why at once), then logs why it was not recorded. Never rejects.
 * A try the page's Content-Security-Policy blocked is said to be (csp.ts): from the second on.
 * `keep`: a success leaves the event in the outbox, for the caller to drop (send.ts).
 */
export async function retry(event: PendingEvent, outcome: HttpOutcome, extra?: Extra, keep?: boolean): Promise<Answer> {
  const { route } = event;
  watchCsp();
  for (let attempt = 0; attempt < RETRY_DELAYS_MS.length && isRetryable(outcome.status); attempt++) {
    log('warn', `${route} try ${attempt + 1} failed, retrying:`, readAnswer(outcome, location.origin, options.apiBase));
    await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[attempt]! * (1 + Math.random() / 2)));
    outcome = await post(event, extra);
    if (!outcome.status) await noteCspBlock(outcome, options.apiBase);
    if (isSuccess(outcome)) {
      record(event, outcome, !keep);
      return outcome;
    }
  }
  const retryable = isRetryable(outcome.status);
  record(event, outcome, !retryable);
  const message = readAnswer(outcome, location.origin, options.apiBase) as string;
  // One text: an empty argument for "not kept" ended the console's line with a space.
  log(isExpected(event, message) ? 'warn' : 'error', route + ' not recorded:', message + unroutedHint(outcome, options.apiBase) + (retryable ? ' (kept to resend)' : ''));
}
