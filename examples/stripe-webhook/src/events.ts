/**
 * What the webhook does with each Stripe event: the Affitor call it amounts to (read by
 * `trackingFromStripeEvent`), and the HTTP status to answer Stripe with.
 */
import { trackingFromStripeEvent } from '../../../src/server'; // in your app: '@affitor/sdk/server'
import type { Affitor, AffitorFailure } from '../../../src/server';

export interface StripeEvent {
  id: string;
  type: string;
  data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> };
}

/** Stripe redelivers an event until it gets a 2xx, for up to three days. */
export interface WebhookAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** The API's 404 for a refund of a sale it never recorded (the buyer came from no partner): final. */
const SALE_NOT_FOUND = 'Sale not found for transaction_id';

/**
 * A 404 or 405 other than that is no route at all: AFFITOR_API_URL names no tracking API (`/api/v1`
 * appended, another host). Like a wrong key, a setting to fix, after which redeliveries record
 * what acknowledging now would lose for good.
 */
const noRoute = (failure: AffitorFailure) => failure.status === 405 || (failure.status === 404 && failure.error !== SALE_NOT_FOUND);

/**
 * The API's 409 for an idempotency key used before with another body: this event was reported
 * already, as Stripe rendered it for another endpoint of another API version (their refunds differ
 * in a field). Final: a redelivery gets the same answer. (Where that first answer was `Sale not
 * found` and this rendering names an invoice, the refund is tried under it: handleStripeEvent.)
 */
const KEY_USED_BEFORE = 'Idempotency-Key was already used with a different request body';

/**
 * The API's 500 when a sale was written but its commission could not be made: the transaction id
 * stays taken (the API's contract), so a redelivery is answered `duplicate` and can never make the
 * commission. Said in the log as what it is, and acknowledged: the partner's commission needs Affitor.
 */
const COMMISSION_FAILED = 'Failed to create commission';

function commissionFailed(event: StripeEvent, failure: AffitorFailure, invoiceId: string): boolean {
  if (failure.error !== COMMISSION_FAILED) return false;
  console.warn(
    `[affitor] ${event.type} ${event.id}: the sale ${invoiceId} was recorded without its commission (${failure.error}) [request ${failure.requestId}]. ` +
      "A redelivery cannot add it (the transaction id is taken): ask Affitor support to create this sale's commission.",
  );
  return true;
}

/**
 * A failure worth a redelivery (the API was down, slow, rate limited, or our key or API URL is
 * wrong and will be fixed) answers 500 so that Stripe sends the event again later; the client
 * has already retried a few times. So does a `conflict`: the call's idempotency key is still held by another
 * attempt (one the client gave up waiting for, or an earlier delivery still being handled) whose
 * outcome is unknown; if that attempt fails, only a redelivery records the sale or refund. Not
 * one for a key used before with another body (KEY_USED_BEFORE): the event was reported.
 * Redelivering a sale or refund is safe: Affitor deduplicates by transaction id, and a refund's
 * event id is its idempotency key. Anything else (an unattributed customer, a refund of a sale we
 * never tracked) is final.
 */
function answerFailure(event: StripeEvent, failure: AffitorFailure): WebhookAnswer {
  const retryable =
    ['network', 'timeout', 'server', 'rate_limited', 'unauthorized', 'invalid_response'].includes(failure.code) ||
    (failure.code === 'conflict' && failure.error !== KEY_USED_BEFORE) ||
    noRoute(failure);
  console.warn(
    `[affitor] ${event.type} ${event.id}: ${failure.code} (${failure.status}) ${failure.error} [request ${failure.requestId}]`,
  );
  return { status: retryable ? 500 : 200, body: { received: true, tracked: false, code: failure.code } };
}

/**
 * Reports what a Stripe event amounts to. `trackingFromStripeEvent` reads the event (a paid
 * one-time checkout or subscription invoice is a sale, a refunded charge or a lost dispute a
 * refund, anything else nothing); this decides what to answer Stripe.
 */
export async function handleStripeEvent(affitor: Affitor, event: StripeEvent): Promise<WebhookAnswer> {
  const tracking = trackingFromStripeEvent(event);
  if (!tracking) return { status: 200, body: { received: true, tracked: false, reason: `nothing to track in ${event.type}` } };

  if (tracking.kind === 'sale') {
    // A redelivered sale is answered `duplicate: true` by its transaction id (the payment intent,
    // the id a later refund carries too). The Stripe event id is the request id in both logs.
    const result = await affitor.trackSale(tracking.input, { requestId: event.id });
    if (!result.ok && commissionFailed(event, result, tracking.input.invoiceId)) {
      return { status: 200, body: { received: true, tracked: true, commission: false } };
    }
    if (!result.ok) return answerFailure(event, result);
    return { status: 200, body: { received: true, tracked: true, duplicate: result.duplicate === true } };
  }

  if (tracking.sale) {
    // The charge is its own sale (a duplicate once its checkout was reported): a refund Stripe
    // delivers before the checkout then finds it. Not recorded (the API is down): redeliver.
    const sale = await affitor.trackSale(tracking.sale, { requestId: event.id });
    // Recorded without its commission: the refund still finds the sale (it has nothing to reverse).
    if (!sale.ok && !commissionFailed(event, sale, tracking.sale.invoiceId)) return answerFailure(event, sale);
  }
  // The event id as idempotency key: a redelivered partial refund is answered, not deducted again.
  let result = await affitor.trackRefund(tracking.input, { requestId: event.id, idempotencyKey: event.id });
  // A subscription bought through a Payment Link has its sale under the invoice id, which the charge
  // names on Stripe API versions before 2025-03-31. A key of its own: the first keeps its 404, also
  // for this event rendered by another endpoint's API version (a 409: the key was used with that body).
  if (!result.ok && (result.error === SALE_NOT_FOUND || result.error === KEY_USED_BEFORE) && tracking.invoiceId) {
    const invoiceId = tracking.invoiceId;
    result = await affitor.trackRefund({ ...tracking.input, invoiceId }, { requestId: event.id, idempotencyKey: `${event.id}:${invoiceId}` });
  }
  if (!result.ok) return answerFailure(event, result);
  return { status: 200, body: { received: true, tracked: true, status: result.data.status } };
}
