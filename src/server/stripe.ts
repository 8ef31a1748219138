/**
 * Stripe, without the `stripe` package: the Checkout Session fields that carry a visitor's
 * attribution into Stripe, and the Affitor call a Stripe webhook event amounts to. Only the
 * fields read here are typed, structurally, so Stripe's own types (any API version) fit.
 */
import { clickIdFromStripeReference, stripeReferenceFor } from '../core/stripe-reference';
import { isPlausibleId } from '../core/values';
import { AffitorInputError, describe } from './errors';
import type { TrackRefundInput, TrackSaleInput } from './types';

/** The metadata keys Affitor reads back from Stripe objects. */
export const STRIPE_METADATA = {
  clickId: 'affitor_click_id',
  customerKey: 'affitor_customer_key',
  programId: 'program_id',
} as const;

export interface StripeCheckoutInput {
  /** The visitor's click id (the `affitor_click_id` cookie, or `getClickId()` in the browser). */
  clickId?: string | null | undefined;
  /** Your id of the customer, the one you passed to `signup()` / `trackLead`. */
  customerKey?: string | null | undefined;
  /** Your Affitor program id, stored as `metadata.program_id`. */
  programId?: number | string | null | undefined;
  /**
   * The session's `mode`. Stripe refuses `subscription_data` outside subscription mode, so:
   * `'subscription'` (and the default) adds `subscription_data.metadata`, `'payment'` adds
   * `payment_intent_data.metadata` instead, `'setup'` neither.
   * @default 'subscription'
   */
  mode?: 'payment' | 'subscription' | 'setup' | undefined;
}

type Metadata = Record<string, string>;

/** Fields to spread into `stripe.checkout.sessions.create({ ... })`. */
export interface StripeCheckoutParams {
  /** `affitor_<click id>`; absent when there is no click id (Stripe refuses an empty one). */
  client_reference_id?: string;
  metadata?: Metadata;
  /** The subscription keeps the attribution, so every renewal's invoice carries it. */
  subscription_data?: { metadata: Metadata };
  payment_intent_data?: { metadata: Metadata };
}

/** Stripe's limit on a metadata value. */
const METADATA_VALUE_MAX = 500;

function optionalText(field: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new AffitorInputError(field, `${field} must be a string, null or undefined (got ${describe(value)})`);
  }
  const trimmed = value.trim();
  if (trimmed.length > METADATA_VALUE_MAX) {
    throw new AffitorInputError(field, `${field} must be at most ${METADATA_VALUE_MAX} characters, Stripe's metadata limit (got ${trimmed.length})`);
  }
  return trimmed === '' ? undefined : trimmed;
}

/**
 * The click id, when it can be one. It comes from the visitor's cookie, which the visitor can edit: a
 * value the API never issues (over 128 characters, or characters a click id never has) is left out, as
 * the browser SDK ignores such a cookie, and the checkout goes on without it. Thrown on (one over
 * Stripe's 500 characters did), it failed the checkout, and a customer could not pay.
 */
function clickIdOf(value: unknown): string | undefined {
  const clickId = typeof value === 'string' ? value.trim() : optionalText('clickId', value);
  return isPlausibleId(clickId) ? clickId : undefined;
}

/**
 * The Checkout Session fields that carry the attribution: `client_reference_id` (only when there
 * is a click id, prefixed `affitor_`), and `metadata` plus `subscription_data.metadata` (or
 * `payment_intent_data.metadata`) with `affitor_click_id` and `affitor_customer_key`. Blank and
 * missing values are left out, never sent empty, and so is a `clickId` no click id can be (a cookie
 * edited by the visitor). Returns `{}` when there is nothing to carry.
 *
 * @throws AffitorInputError for a value that is not a string (or null/undefined), or a `customerKey`
 * or `programId` over 500 characters.
 * @example
 * const session = await stripe.checkout.sessions.create({
 *   mode: 'subscription', line_items, success_url,
 *   ...stripeCheckoutParams({ clickId: cookies.get('affitor_click_id'), customerKey: user.id }),
 * });
 */
export function stripeCheckoutParams(input: StripeCheckoutInput): StripeCheckoutParams {
  if (typeof input !== 'object' || input === null) {
    throw new AffitorInputError('input', `stripeCheckoutParams expects { clickId, customerKey } (got ${describe(input)})`);
  }
  const mode: unknown = input.mode ?? 'subscription';
  if (mode !== 'payment' && mode !== 'subscription' && mode !== 'setup') {
    throw new AffitorInputError('mode', `mode must be 'payment', 'subscription' or 'setup' (got ${describe(mode)})`);
  }
  if (typeof input.programId === 'number' && !(Number.isSafeInteger(input.programId) && input.programId > 0)) {
    throw new AffitorInputError('programId', `programId must be a positive whole number (got ${describe(input.programId)})`);
  }
  const clickId = clickIdOf(input.clickId);
  const customerKey = optionalText('customerKey', input.customerKey);
  const programId = typeof input.programId === 'number' ? String(input.programId) : optionalText('programId', input.programId);

  const metadata: Metadata = {};
  if (clickId) metadata[STRIPE_METADATA.clickId] = clickId;
  if (customerKey) metadata[STRIPE_METADATA.customerKey] = customerKey;
  if (Object.keys(metadata).length === 0) return {};
  if (programId) metadata[STRIPE_METADATA.programId] = programId;

  const params: StripeCheckoutParams = { metadata };
  const reference = stripeReferenceFor(clickId);
  if (reference) params.client_reference_id = reference;
  if (mode === 'subscription') params.subscription_data = { metadata: { ...metadata } };
  if (mode === 'payment') params.payment_intent_data = { metadata: { ...metadata } };
  return params;
}

/** The shape of a Stripe webhook event, as far as it is read here. `Stripe.Event` fits. */
export interface StripeEventLike {
  id: string;
  type: string;
  data: { object: unknown; previous_attributes?: unknown };
}

/** What a Stripe event amounts to: a sale or a refund to report with the client's `trackSale`/`trackRefund`. */
export type StripeTracking =
  | { kind: 'sale'; input: TrackSaleInput }
  | {
      kind: 'refund';
      input: TrackRefundInput;
      /**
       * The sale the refunded charge is, when the charge carries the attribution (Stripe copies the
       * payment intent's metadata, set by `stripeCheckoutParams` in payment mode, onto its charge).
       * Report it with `trackSale` before the refund: Stripe does not deliver events in order, and a
       * refund that comes before its sale's `checkout.session.completed` is otherwise refused as
       * `Sale not found`, for good (its event id, the idempotency key, keeps that answer). Once the
       * sale is recorded, it is answered `duplicate: true`.
       */
      sale?: TrackSaleInput;
      /**
       * The refunded charge's invoice, where the charge names one (Stripe API versions before
       * 2025-03-31) other than `input.invoiceId`. A subscription bought through a decorated Payment
       * Link, pricing table or buy button has its sale recorded under that invoice id (its checkout
       * names no payment intent): when the refund is answered `not_found` (`Sale not found`), send
       * it again with this `invoiceId`, under an idempotency key of its own. From 2025-03-31 on (and
       * for a dispute) the charge names none: ask Stripe which invoice the payment intent paid
       * (`stripe.invoicePayments.list`, README) and do the same with that one.
       */
      invoiceId?: string;
    };

type Fields = Record<string, unknown>;

const fields = (value: unknown): Fields | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : undefined;
const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value : undefined);
const cents = (value: unknown): number | undefined => (Number.isSafeInteger(value) ? (value as number) : undefined);
/** An id field, expanded (an object with `id`) or not (the id itself). */
const idOf = (value: unknown): string | undefined => text(value) ?? text(fields(value)?.id);
const upper = (value: unknown): string | undefined => text(value)?.toUpperCase();
/**
 * Where Stripe's unit differs from ISO 4217's: the power of ten from a Stripe amount to the ISO
 * 4217 minor unit Affitor keeps. Stripe keeps ISK a two-decimal currency for backwards
 * compatibility (100 is 1 króna, whole krónur only since 2023), though the króna has no minor
 * unit; it writes MGA with no decimals, though ISO 4217 gives the ariary two.
 */
const STRIPE_UNIT_SHIFT: Record<string, number> = { ISK: -2, MGA: 2 };

/**
 * A Stripe amount in the currency's smallest unit, the unit Affitor keeps (ISO 4217's minor unit:
 * cents, the yen itself, fils). Stripe writes them so for every currency but those above.
 */
const amountIn = (value: unknown, currency: unknown): number | undefined => {
  const amount = cents(value);
  const shift = STRIPE_UNIT_SHIFT[upper(currency) ?? ''];
  return amount === undefined || !shift ? amount : Math.round(amount * 10 ** shift);
};

interface Attribution {
  clickId?: string;
  customerExternalId?: string;
}

/** The attribution in a metadata object, if any. */
function fromMetadata(metadata: unknown): Attribution {
  const found = fields(metadata);
  return { clickId: text(found?.[STRIPE_METADATA.clickId]), customerExternalId: text(found?.[STRIPE_METADATA.customerKey]) };
}

const attributed = (attribution: Attribution): boolean => !!(attribution.clickId ?? attribution.customerExternalId);

/** Drops the keys whose value is undefined, so an input holds only what the event said. */
function compact<T extends object>(input: T): T {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)) as T;
}

/**
 * `checkout.session.completed` (and `checkout.session.async_payment_succeeded`): a paid
 * one-time checkout is a sale under its payment intent's id, the id its refunds carry. A
 * subscription checkout records nothing when its metadata holds the attribution
 * (`stripeCheckoutParams` put it on the subscription too): its first invoice's `invoice.paid` is
 * the sale, so the first payment is counted once whichever event arrives first. One attributed by
 * its `client_reference_id` alone (an `affitor_` one from a Payment Link, the pricing table or the
 * buy button decorated in the browser, or the merchant's own customer id) is the sale, under its
 * first invoice: its subscription, so its invoices, carry no attribution.
 */
function checkoutSale(event: StripeEventLike, session: Fields): StripeTracking | null {
  if (session.payment_status !== 'paid') return null;
  const amount = amountIn(session.amount_total, session.currency);
  if (amount === undefined || amount < 1) return null;
  const metadata = fromMetadata(session.metadata);
  const reference = session.client_reference_id;
  const referenced = clickIdFromStripeReference(reference) ?? undefined;
  if (session.mode === 'subscription' ? attributed(metadata) || !text(reference) : session.mode !== 'payment') return null;
  const attribution: Attribution = {
    clickId: metadata.clickId ?? referenced,
    // A reference that is not Affitor's is the merchant's own: its customer id, as documented.
    customerExternalId: metadata.customerExternalId ?? (referenced ? undefined : text(reference)),
  };
  if (!attributed(attribution)) return null;
  const sessionId = text(session.id);
  const invoiceId = idOf(session.payment_intent) ?? idOf(session.invoice) ?? sessionId;
  if (!invoiceId) return null;
  const subscriptionId = idOf(session.subscription);
  return {
    kind: 'sale',
    input: compact({
      invoiceId,
      amount,
      currency: upper(session.currency),
      ...attribution,
      isRecurring: subscriptionId !== undefined,
      subscriptionId,
      additionalData: compact({ stripe_event_id: text(event.id), stripe_checkout_session: sessionId }),
    }),
  };
}

/**
 * `invoice.paid` (or `invoice.payment_succeeded`, which many guides subscribe to instead: ignored,
 * every renewal went unrecorded): a subscription payment (the first and every renewal) is a sale. The attribution
 * is the subscription's metadata, found on the invoice at `parent.subscription_details` (API
 * versions from 2025-03-31) or `subscription_details` (earlier), else the invoice's own. A
 * zero-amount invoice (a trial, a 100% coupon) is no sale.
 */
function invoiceSale(event: StripeEventLike, invoice: Fields): StripeTracking | null {
  const amount = amountIn(invoice.amount_paid, invoice.currency);
  if (amount === undefined || amount < 1) return null;
  const parentDetails = fields(fields(invoice.parent)?.subscription_details);
  const legacyDetails = fields(invoice.subscription_details);
  const fromSubscription = fromMetadata(parentDetails?.metadata ?? legacyDetails?.metadata);
  const fromInvoice = fromMetadata(invoice.metadata);
  const attribution: Attribution = {
    clickId: fromSubscription.clickId ?? fromInvoice.clickId,
    customerExternalId: fromSubscription.customerExternalId ?? fromInvoice.customerExternalId,
  };
  if (!attributed(attribution)) return null;
  const invoiceId = text(invoice.id);
  // Refunds name the charge's payment intent: record the sale under it when the invoice says it.
  // Only a paid entry's: the list also holds attempts that failed or were replaced (status `open`
  // or `canceled`, the default payment's among them), whose intents no refund will ever name.
  const payments = fields(invoice.payments)?.data;
  const paidPayment = Array.isArray(payments)
    ? payments
        .map((entry) => fields(entry))
        .filter((entry) => entry?.status === undefined || entry.status === 'paid')
        .map((entry) => fields(entry?.payment))
        .find((payment) => idOf(payment?.payment_intent))
    : undefined;
  const transactionId = idOf(invoice.payment_intent) ?? idOf(paidPayment?.payment_intent) ?? invoiceId;
  if (!transactionId) return null;
  const subscriptionId = idOf(parentDetails?.subscription) ?? idOf(invoice.subscription);
  const firstLine = fields(Array.isArray(fields(invoice.lines)?.data) ? (fields(invoice.lines)!.data as unknown[])[0] : undefined);
  const interval = text(fields(fields(firstLine?.price)?.recurring)?.interval) ?? text(fields(firstLine?.plan)?.interval);
  return {
    kind: 'sale',
    input: compact({
      invoiceId: transactionId,
      amount,
      currency: upper(invoice.currency),
      ...attribution,
      isRecurring: subscriptionId !== undefined,
      subscriptionId,
      subscriptionInterval: interval,
      saleType: text(invoice.billing_reason),
      additionalData: compact({ stripe_event_id: text(event.id), stripe_invoice: invoiceId }),
    }),
  };
}

/**
 * The sale an attributed charge is: the one `checkoutSale` reports for a paid one-time checkout,
 * under the same payment intent id and for the same amount, so whichever comes first is the sale
 * and the other a duplicate. A charge without the attribution (a subscription's invoice, a Payment
 * Link) is none: its sale is its `invoice.paid` or checkout's to report.
 */
function chargeSale(event: StripeEventLike, charge: Fields): TrackSaleInput | undefined {
  const attribution = fromMetadata(charge.metadata);
  const invoiceId = idOf(charge.payment_intent);
  const amount = amountIn(charge.amount, charge.currency);
  if (!attributed(attribution) || !invoiceId || amount === undefined || amount < 1) return undefined;
  return compact({
    invoiceId,
    amount,
    currency: upper(charge.currency),
    ...attribution,
    additionalData: compact({ stripe_event_id: text(event.id), stripe_charge: text(charge.id) }),
  });
}

/**
 * `charge.refunded`: a fully refunded charge is a full refund; otherwise the part this event
 * refunded (`amount_refunded` minus its previous value), else the latest refund's amount.
 * The sale is found by the charge's payment intent (the id `checkoutSale`/`invoiceSale` use);
 * an attributed charge also carries that sale (`chargeSale`), for a refund delivered before it.
 */
function chargeRefund(event: StripeEventLike, charge: Fields): StripeTracking | null {
  const invoiceId = idOf(charge.payment_intent) ?? text(charge.id);
  if (!invoiceId) return null;
  const total = amountIn(charge.amount_refunded, charge.currency) ?? 0;
  const refunds = fields(charge.refunds)?.data;
  const latest = Array.isArray(refunds) ? fields(refunds[0]) : undefined;
  let refundAmountCents: number | undefined;
  if (charge.refunded !== true) {
    // Each cumulative amount converted on its own, so that the parts add up to the charge.
    const before = amountIn(fields(event.data.previous_attributes)?.amount_refunded, charge.currency);
    const part = before !== undefined ? total - before : (amountIn(latest?.amount, charge.currency) ?? total);
    if (part < 1) return null; // nothing newly refunded: an event about something else
    refundAmountCents = part;
  }
  const refund: StripeTracking = {
    kind: 'refund',
    input: compact({
      invoiceId,
      refundAmountCents,
      refundReason: text(latest?.reason),
      additionalData: compact({ stripe_event_id: text(event.id), stripe_charge: text(charge.id) }),
    }),
  };
  const sale = chargeSale(event, charge);
  const charged = idOf(charge.invoice);
  return compact({ ...refund, sale, invoiceId: charged !== invoiceId ? charged : undefined });
}

/**
 * `charge.dispute.closed` with status `lost`: the buyer's bank took the money back, as a refund
 * would, so the commission goes with it: a refund of the disputed `amount` (usually the whole
 * charge) under the charge's payment intent. Only once lost: `charge.dispute.funds_withdrawn`
 * comes when the dispute opens, and a won dispute's funds come back, while a reversed commission
 * cannot be restored. Like a partial refund, it needs the event id as its idempotency key.
 */
function disputeRefund(event: StripeEventLike, dispute: Fields): StripeTracking | null {
  if (dispute.status !== 'lost') return null;
  const chargeId = idOf(dispute.charge);
  const invoiceId = idOf(dispute.payment_intent) ?? chargeId;
  if (!invoiceId) return null;
  const amount = amountIn(dispute.amount, dispute.currency);
  if (amount !== undefined && amount < 1) return null;
  const reason = text(dispute.reason);
  return {
    kind: 'refund',
    input: compact({
      invoiceId,
      refundAmountCents: amount,
      refundReason: reason ? `dispute_lost: ${reason}` : 'dispute_lost',
      additionalData: compact({ stripe_event_id: text(event.id), stripe_dispute: text(dispute.id), stripe_charge: chargeId }),
    }),
  };
}

/**
 * The Affitor call a Stripe webhook event amounts to: `{ kind: 'sale', input }` for a paid
 * one-time checkout, a paid subscription invoice and a paid subscription checkout attributed by
 * its `affitor_` `client_reference_id` alone, `{ kind: 'refund', input, sale? }` for a
 * refunded charge (with the sale an attributed charge is, to report first) and a lost dispute,
 * `null` for every other event and for one that records nothing (unpaid, free, not attributed,
 * not an event at all). Never throws.
 *
 * A sale needs no idempotency key: a redelivered one is answered `duplicate: true` by its
 * transaction id. A partial refund does: the event id, so that a redelivery is not deducted twice.
 *
 * @example
 * const tracking = trackingFromStripeEvent(event);
 * if (tracking?.kind === 'sale') await affitor.trackSale(tracking.input, { requestId: event.id });
 * if (tracking?.kind === 'refund') {
 *   if (tracking.sale) await affitor.trackSale(tracking.sale, { requestId: event.id }); // a refund may come first
 *   const refund = await affitor.trackRefund(tracking.input, { requestId: event.id, idempotencyKey: event.id });
 *   // A subscription payment's sale may be under its invoice id: the charge names it before API
 *   // 2025-03-31; from it on, ask Stripe (`invoiceOfPaymentIntent`, your stripe.invoicePayments.list: README).
 *   const paymentIntent = tracking.input.invoiceId.startsWith('pi_') ? tracking.input.invoiceId : undefined;
 *   const invoiceId = !refund.ok && refund.code === 'not_found' ? (tracking.invoiceId ?? (paymentIntent && (await invoiceOfPaymentIntent(paymentIntent)))) : undefined;
 *   if (invoiceId) await affitor.trackRefund({ ...tracking.input, invoiceId }, { requestId: event.id, idempotencyKey: `${event.id}:${invoiceId}` });
 * }
 */
export function trackingFromStripeEvent(event: StripeEventLike): StripeTracking | null {
  try {
    const object = fields(fields(fields(event)?.data)?.object);
    if (!object) return null;
    switch (event.type) {
      case 'checkout.session.completed':
      case 'checkout.session.async_payment_succeeded':
        return checkoutSale(event, object);
      // The same invoice, told twice when both are sent: the second is a duplicate by its transaction id.
      case 'invoice.paid':
      case 'invoice.payment_succeeded':
        return invoiceSale(event, object);
      case 'charge.refunded':
        return chargeRefund(event, object);
      case 'charge.dispute.closed':
        return disputeRefund(event, object);
      default:
        return null;
    }
  } catch {
    // A getter that throws, a proxy: an event this cannot read records nothing.
    return null;
  }
}
