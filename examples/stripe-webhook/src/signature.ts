/**
 * Checks Stripe's `Stripe-Signature` header (`t=<unix seconds>,v1=<hex HMAC-SHA256>`) over the raw
 * body, as `stripe.webhooks.constructEvent` does, so the example needs no stripe dependency.
 * With the stripe package installed, prefer its own check.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Stripe's default tolerance against replayed deliveries. */
const TOLERANCE_SECONDS = 300;

/**
 * What is wrong with a delivery's signature, said so that the log tells what to fix, or `null` when
 * it is valid. One sentence for every refusal sent the merchant to the secret when the delivery was
 * old (a replay, or this server's clock off), carried no header, or the body checked was not the raw
 * one (a JSON body parser ahead of the route: a parsed object, or JSON written anew).
 */
export function stripeSignatureProblem(rawBody: string | Uint8Array, header: string | undefined, secret: string, nowMs = Date.now()): string | null {
  if (typeof rawBody !== 'string' && !(rawBody instanceof Uint8Array)) {
    return `the body checked is ${rawBody === null ? 'null' : typeof rawBody}, not the raw request body (a string or Buffer): does a JSON body parser run before this route?`;
  }
  if (!header) return 'no Stripe-Signature header: not a delivery from Stripe, or a proxy in front of this server dropped the header';
  const parts = header.split(',').map((part) => part.split('=', 2) as [string, string?]);
  const timestamp = Number(parts.find(([key]) => key === 't')?.[1]);
  if (!Number.isInteger(timestamp)) return 'a Stripe-Signature header with no timestamp (t=): not one Stripe wrote';
  const age = Math.round(nowMs / 1000 - timestamp);
  if (Math.abs(age) > TOLERANCE_SECONDS) {
    const when = age > 0 ? `signed ${age} s ago` : `dated ${-age} s ahead of this server's clock`;
    return `${when}, beyond the ${TOLERANCE_SECONDS} s tolerance: a replayed delivery, or this server's clock is off (is it synchronized?)`;
  }
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
  const matches = parts.some(([key, value]) => {
    if (key !== 'v1' || !value || !/^[0-9a-f]{64}$/.test(value)) return false;
    return timingSafeEqual(Buffer.from(value, 'hex'), expected);
  });
  return matches
    ? null
    : "no v1 signature matches: is STRIPE_WEBHOOK_SECRET this endpoint's signing secret (each endpoint, and `stripe listen`, has its own), and is the body checked the raw bytes Stripe sent, not JSON parsed and written anew?";
}

export function verifyStripeSignature(rawBody: string | Uint8Array, header: string | undefined, secret: string, nowMs = Date.now()): boolean {
  return stripeSignatureProblem(rawBody, header, secret, nowMs) === null;
}

/** Signs a body the way Stripe does: for tests and local demos. */
export function signStripePayload(rawBody: string, secret: string, nowMs = Date.now()): string {
  const timestamp = Math.floor(nowMs / 1000);
  const signature = createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');
  return `t=${timestamp},v1=${signature}`;
}
