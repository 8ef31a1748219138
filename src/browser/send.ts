/**
 * Sending an outbox event: one try from here. A successful answer takes it out of the outbox (or
 * its caller does, once it handled the answer); anything else is handed to `rest.retry`
 * (delivery.ts: retries, the error log), which the script build loads only when a try fails.
 */
import { isSuccess } from '../core/answers';
import type { HttpOutcome } from '../core/answers';
import type { PendingEvent } from '../core/outbox';
import { COOKIE_SET_BY } from '../core/cookie-names';
import { written } from './jar';
import { drop, outbox, unsent } from './outbox';
import { apiUrl, log } from './options';
import { postJson } from './transport';

/** A successful outcome (its `body` is the answer), or undefined. */
export type Answer = HttpOutcome | undefined;
/** Adds fields to each try's body, read at each try: they may change meanwhile. */
export type Extra = (() => object) | undefined;

/** The last outcome of each route and when it came (ms), for diagnose(). */
export const answered: Record<string, HttpOutcome & { at: number }> = {};

/** What the first part leaves to the rest of the SDK: set by each build (tracker.ts, script.ts). */
export const rest = {
  /** Goes on with an event whose first try failed; resolves to the successful outcome, or undefined. */
  retry: (_event: PendingEvent, _outcome: HttpOutcome, _extra: Extra, _keep?: boolean): Promise<Answer> | Answer => undefined,
};

/** Records the outcome of a try; a definitive one takes the event out of the outbox. */
export const record = (event: PendingEvent, outcome: HttpOutcome, definitive: boolean): void => {
  answered[event.route] = { ...outcome, at: Date.now() };
  if (definitive) drop(event);
};

/**
 * One try of an outbox event. Never rejects. A click a newer landing superseded goes without its
 * `existing_click_id`: delivered after the newer click (kept through an outage), it would move the
 * visitor's customer back to its partner on the server, and the sale with it; it is for the record.
 */
export const post = async (event: PendingEvent, extra: Extra): Promise<HttpOutcome> => {
  const outcome = await postJson(apiUrl(event.route), { ...event.body, ...(event.stale && { existing_click_id: undefined }), ...extra?.() });
  // The first-party handler wrote the cookies and its `affitor_set_by=server`, which is not in the jar
  // as the page found it: marked, a later write by the page (an older click answering last, consent
  // given again after a handover) deletes it, so diagnose() does not hide the Safari cap.
  if (outcome.setByServer) written.add(COOKIE_SET_BY);
  return outcome;
};

/**
 * Sends an outbox event; resolves to the successful outcome, or undefined. Never rejects. With
 * `keep`, a success (of any try) leaves the event in the outbox for the caller to drop once it has
 * handled the answer (a click: its cookies first).
 */
export async function send(event: PendingEvent, extra?: Extra, keep?: boolean): Promise<Answer> {
  log('info', event.route, event.body);
  const outcome = await post(event, extra);
  if (!isSuccess(outcome)) {
    const answer = await rest.retry(event, outcome, extra, keep);
    // Not delivered and still in the outbox (not refused for good): sent again when the page is used again.
    if (!answer && outbox.includes(event)) unsent.add(event);
    return answer;
  }
  record(event, outcome, !keep);
  return outcome;
}

/** A fresh page view (tests). */
export const resetSend = (): void => {
  for (const route in answered) delete answered[route];
};
