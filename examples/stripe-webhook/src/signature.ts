/**
 * Checks Stripe's `Stripe-Signature` header (`t=<unix seconds>,v1=<hex HMAC-SHA256>`) over the raw
 * body, as `stripe.webhooks.constructEvent` does, so the example needs no stripe dependency.
 * With the stripe package installed, prefer its own check.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Stripe's default tolerance against replayed deliveries. */
const TOLERANCE_SECONDS = 300;

export function verifyStripeSignature(rawBody: string, header: string | undefined, secret: string, nowMs = Date.now()): boolean {
  if (!header) return false;
  const parts = header.split(',').map((part) => part.split('=', 2) as [string, string?]);
  const timestamp = Number(parts.find(([key]) => key === 't')?.[1]);
  if (!Number.isInteger(timestamp) || Math.abs(nowMs / 1000 - timestamp) > TOLERANCE_SECONDS) return false;
  const expected = createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest();
  return parts.some(([key, value]) => {
    if (key !== 'v1' || !value || !/^[0-9a-f]{64}$/.test(value)) return false;
    return timingSafeEqual(Buffer.from(value, 'hex'), expected);
  });
}

/** Signs a body the way Stripe does: for tests and local demos. */
export function signStripePayload(rawBody: string, secret: string, nowMs = Date.now()): string {
  const timestamp = Math.floor(nowMs / 1000);
  const signature = createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');
  return `t=${timestamp},v1=${signature}`;
}
