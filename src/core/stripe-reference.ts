/**
 * How a click id travels through Stripe as `client_reference_id`, shared by the browser (Payment
 * Links, pricing table, buy button) and the server helpers (Checkout Sessions, webhook events).
 */

/** Marks a `client_reference_id` as Affitor's, so a webhook tells it from the merchant's own reference. */
export const STRIPE_REFERENCE_PREFIX = 'affitor_';

/**
 * What Stripe accepts as `client_reference_id` on Payment Links, the pricing table and the buy
 * button (Checkout Sessions take the same): letters, digits, `-` and `_`, up to 200 characters.
 * Anything else makes Stripe refuse the link or drop the value.
 */
export const isStripeReference = (value: unknown): value is string =>
  typeof value == 'string' && /^[\w-]{1,200}$/.test(value);

/** The `client_reference_id` that carries `clickId`, or null when none can (no id, or one Stripe would refuse). */
export const stripeReferenceFor = (clickId: string | null | undefined): string | null => {
  const reference = clickId ? STRIPE_REFERENCE_PREFIX + clickId : '';
  return isStripeReference(reference) ? reference : null;
};

/** The click id inside a `client_reference_id` made by `stripeReferenceFor`; null for the merchant's own references. */
export const clickIdFromStripeReference = (reference: unknown): string | null =>
  isStripeReference(reference) && reference.startsWith(STRIPE_REFERENCE_PREFIX) && reference.length > STRIPE_REFERENCE_PREFIX.length
    ? reference.slice(STRIPE_REFERENCE_PREFIX.length)
    : null;
