/**
 * What the webhook does with each Stripe event: the Affitor call it amounts to (read by
 * `trackingFromStripeEvent`), and the HTTP status to answer Stripe with.
 */
import { trackingFromStripeEvent } from '../../../src/server'; // in your app: '@affitor/sdk/server'
import type { Affitor, AffitorFailure, StripeTracking } from '../../../src/server';

export interface StripeEvent {
  id: string;
  type: string;
  /** On a Connect platform's endpoint, the connected account the event happened in. */
  account?: string | undefined;
  data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> };
}

/**
 * Finds the invoice a payment intent paid, with your own Stripe client (this package has no `stripe`
 * dependency): `stripe.invoicePayments.list({ payment: { type: 'payment_intent', payment_intent } })`,
 * the list entry's `invoice` (README). Resolves to the invoice id, or to nothing for a payment of no
 * invoice. The event is there for a Connect platform (`{ stripeAccount: event.account }`).
 */
export type InvoiceOfPaymentIntent = (paymentIntentId: string, event: StripeEvent) => Promise<string | undefined | null> | string | undefined | null;

export interface StripeEventOptions {
  /**
   * Asked when a refund or lost dispute is answered `Sale not found` under its payment intent and the
   * charge names no invoice (Stripe API 2025-03-31 on): a subscription payment's sale is under its
   * invoice id there (`invoice.paid` names no payment intent), and without it that refund never
   * reversed the partner's commission. The refund is then sent again under the invoice id.
   */
  invoiceOfPaymentIntent?: InvoiceOfPaymentIntent | undefined;
  /** How long the webhook waits for `invoiceOfPaymentIntent` before answering 500. @default 5000 */
  invoiceLookupTimeoutMs?: number | undefined;
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
function answerFailure(event: StripeEvent, failure: AffitorFailure, note = ''): WebhookAnswer {
  const retryable =
    ['network', 'timeout', 'server', 'rate_limited', 'unauthorized', 'invalid_response'].includes(failure.code) ||
    (failure.code === 'conflict' && failure.error !== KEY_USED_BEFORE) ||
    noRoute(failure);
  console.warn(
    `[affitor] ${event.type} ${event.id}: ${failure.code} (${failure.status}) ${failure.error} [request ${failure.requestId}]${note}`,
  );
  return { status: retryable ? 500 : 200, body: { received: true, tracked: false, code: failure.code } };
}

const INVOICE_LOOKUP_TIMEOUT_MS = 5000;

/**
 * The invoice `invoiceOfPaymentIntent` names, or why it named none: it threw, rejected, or gave no
 * answer within the timeout (a call to Stripe that hangs would hold the delivery until Stripe gives
 * up on it). Nothing (`undefined`, `null`, blank) is no invoice; an answer of another type (the
 * invoice object, a list entry) is a mistake to fix, said as one rather than taken for no invoice.
 */
async function invoiceOf(lookUp: InvoiceOfPaymentIntent, paymentIntentId: string, event: StripeEvent, timeoutMs: number): Promise<{ invoiceId?: string | undefined; problem?: string }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    // A hook that throws before returning a promise is caught here like a rejection. Promise.race
    // handles the hook's promise, so one that rejects after the timeout is no unhandled rejection.
    const found: unknown = await Promise.race([lookUp(paymentIntentId, event), late]);
    if (found !== undefined && found !== null && typeof found !== 'string') return { problem: `answered a value of type ${Array.isArray(found) ? 'array' : typeof found}, not an invoice id` };
    return { invoiceId: typeof found === 'string' && found.trim() !== '' ? found.trim() : undefined };
  } catch (error) {
    return { problem: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The invoice id a refund answered `Sale not found` under its payment intent may find its sale
 * under, with what the log adds when there is none; or the answer to give Stripe when the lookup
 * failed. A subscription payment can have its sale under its invoice id: bought through a Payment
 * Link, or told by `invoice.paid` on Stripe API 2025-03-31 on (no payment intent on the invoice).
 * Before that version the charge names its invoice (`tracking.invoiceId`); from it on only Stripe can
 * say which, asked through `invoiceOfPaymentIntent`.
 */
async function saleInvoiceOf(
  event: StripeEvent,
  tracking: Extract<StripeTracking, { kind: 'refund' }>,
  error: string,
  options: StripeEventOptions,
): Promise<{ invoiceId: string | undefined; note: string } | { answer: WebhookAnswer }> {
  const paymentIntentId = tracking.input.invoiceId;
  // Only a payment intent: the list is filtered by one, and Stripe refuses a charge id (a charge of
  // no payment intent) as one, which would fail every delivery of that event.
  if (tracking.invoiceId || !paymentIntentId.startsWith('pi_')) return { invoiceId: tracking.invoiceId, note: '' };
  if (!options.invoiceOfPaymentIntent) {
    const note =
      `. If ${paymentIntentId} paid a subscription invoice whose sale is under the invoice id (Stripe API 2025-03-31 on, or a Payment Link), ` +
      "pass invoiceOfPaymentIntent to the webhook (README), or reverse it with trackRefund({ invoiceId: 'in_…' })";
    return { invoiceId: undefined, note: error === SALE_NOT_FOUND ? note : '' };
  }
  const found = await invoiceOf(options.invoiceOfPaymentIntent, paymentIntentId, event, options.invoiceLookupTimeoutMs ?? INVOICE_LOOKUP_TIMEOUT_MS);
  if (found.problem !== undefined) {
    // 500, so that Stripe redelivers: Stripe down, slow or rate limiting is over in minutes, while
    // acknowledged the refund is lost for good (nothing else reverses the commission). A redelivery
    // is safe: the refund under the payment intent is answered from its key, the lookup asked again.
    // A hook that always fails (a restricted key without invoice read access) fails each delivery
    // as a wrong Affitor key does: the log says so, and the redeliveries after the fix record it.
    console.warn(
      `[affitor] ${event.type} ${event.id}: ${error} (${paymentIntentId}), and invoiceOfPaymentIntent failed (${found.problem}): answered 500 for Stripe to redeliver.`,
    );
    return { answer: { status: 500, body: { received: true, tracked: false, code: 'invoice_lookup_failed' } } };
  }
  const invoiceId = found.invoiceId !== paymentIntentId ? found.invoiceId : undefined;
  const note = !invoiceId && error === SALE_NOT_FOUND ? ` (invoiceOfPaymentIntent named no invoice for ${paymentIntentId}: a payment of no invoice, whose sale was never tracked)` : '';
  return { invoiceId, note };
}

/**
 * Reports what a Stripe event amounts to. `trackingFromStripeEvent` reads the event (a paid
 * one-time checkout or subscription invoice is a sale, a refunded charge or a lost dispute a
 * refund, anything else nothing); this decides what to answer Stripe.
 */
export async function handleStripeEvent(affitor: Affitor, event: StripeEvent, options: StripeEventOptions = {}): Promise<WebhookAnswer> {
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
  let note = '';
  if (!result.ok && (result.error === SALE_NOT_FOUND || result.error === KEY_USED_BEFORE)) {
    const elsewhere = await saleInvoiceOf(event, tracking, result.error, options);
    if ('answer' in elsewhere) return elsewhere.answer;
    note = elsewhere.note;
    // A key of its own: the first keeps its 404, also for this event rendered by another endpoint's
    // API version (a 409: the key was used with that body).
    const { invoiceId } = elsewhere;
    if (invoiceId) result = await affitor.trackRefund({ ...tracking.input, invoiceId }, { requestId: event.id, idempotencyKey: `${event.id}:${invoiceId}` });
  }
  if (!result.ok) return answerFailure(event, result, note);
  return { status: 200, body: { received: true, tracked: true, status: result.data.status } };
}
