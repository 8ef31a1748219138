/**
 * What the webhook does with each Stripe event: the mapping from Stripe objects to Affitor calls,
 * and the HTTP status to answer Stripe with. Only the fields used here are typed.
 */
import type { Affitor, AffitorFailure } from '../../../src/server'; // in your app: '@affitor/sdk/server'

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

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const int = (value: unknown): number | undefined => (Number.isSafeInteger(value) ? (value as number) : undefined);

/**
 * A failure worth a redelivery (the API was down, slow, rate limited, or our key is wrong and
 * will be fixed) answers 500 so that Stripe sends the event again later; the client has already
 * retried a few times. Redelivering a sale or refund is safe: Affitor deduplicates by transaction
 * id. Anything else (an unattributed customer, a refund of a sale we never tracked) is final.
 */
function answerFailure(event: StripeEvent, failure: AffitorFailure): WebhookAnswer {
  const retryable = ['network', 'timeout', 'server', 'rate_limited', 'unauthorized', 'invalid_response'].includes(failure.code);
  console.warn(
    `[affitor] ${event.type} ${event.id}: ${failure.code} (${failure.status}) ${failure.error} [request ${failure.requestId}]`,
  );
  return { status: retryable ? 500 : 200, body: { received: true, tracked: false, code: failure.code } };
}

/** `checkout.session.completed`: a paid checkout becomes a sale. */
async function checkoutCompleted(affitor: Affitor, event: StripeEvent): Promise<WebhookAnswer> {
  const session = event.data.object;
  const metadata = (session.metadata ?? {}) as Record<string, unknown>;
  // Your user id, set as client_reference_id when you created the session, and/or the visitor's
  // affitor_click_id cookie, copied into the session metadata.
  const customerExternalId = str(session.client_reference_id);
  const clickId = str(metadata.affitor_click_id);
  if (!customerExternalId && !clickId) return { status: 200, body: { received: true, tracked: false, reason: 'no attribution' } };
  if (session.payment_status !== 'paid') return { status: 200, body: { received: true, tracked: false, reason: 'not paid' } };

  const amount = int(session.amount_total);
  if (amount === undefined || amount < 1) return { status: 200, body: { received: true, tracked: false, reason: 'free checkout' } };

  const result = await affitor.trackSale(
    {
      // The payment intent is also on the charge of a later refund: one id for both.
      invoiceId: str(session.payment_intent) ?? str(session.invoice) ?? String(session.id),
      amount,
      currency: str(session.currency)?.toUpperCase(),
      customerExternalId,
      clickId,
      isRecurring: session.mode === 'subscription',
      subscriptionId: str(session.subscription),
      additionalData: { stripe_event_id: event.id, stripe_checkout_session: session.id },
    },
    { requestId: event.id },
  );
  if (!result.ok) return answerFailure(event, result);
  return { status: 200, body: { received: true, tracked: true, duplicate: result.duplicate === true } };
}

/** `charge.refunded`: the newly refunded part of a charge reverses that share of the commission. */
async function chargeRefunded(affitor: Affitor, event: StripeEvent): Promise<WebhookAnswer> {
  const charge = event.data.object;
  const invoiceId = str(charge.payment_intent) ?? str(charge.id);
  if (!invoiceId) return { status: 200, body: { received: true, tracked: false, reason: 'no charge id' } };
  // amount_refunded is cumulative; previous_attributes holds its value before this event.
  const total = int(charge.amount_refunded) ?? 0;
  const before = int(event.data.previous_attributes?.amount_refunded) ?? 0;
  const fullyRefunded = charge.refunded === true;

  const result = await affitor.trackRefund(
    {
      invoiceId,
      // Omitted: a full refund, which reverses whatever commission is left.
      refundAmountCents: fullyRefunded || total - before < 1 ? undefined : total - before,
      refundReason: str((charge.refunds as { data?: { reason?: unknown }[] } | undefined)?.data?.[0]?.reason),
    },
    // The event id as idempotency key: a redelivered partial refund is answered, not deducted again.
    { requestId: event.id, idempotencyKey: event.id },
  );
  if (!result.ok) return answerFailure(event, result);
  return { status: 200, body: { received: true, tracked: true, status: result.data.status } };
}

export async function handleStripeEvent(affitor: Affitor, event: StripeEvent): Promise<WebhookAnswer> {
  switch (event.type) {
    case 'checkout.session.completed':
      return checkoutCompleted(affitor, event);
    case 'charge.refunded':
      return chargeRefunded(affitor, event);
    default:
      return { status: 200, body: { received: true, tracked: false, reason: `ignored ${event.type}` } };
  }
}
