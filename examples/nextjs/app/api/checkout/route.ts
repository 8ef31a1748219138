/**
 * POST /api/checkout: creates a Stripe Checkout Session carrying the attribution
 * (`stripeCheckoutParams`), then sends the browser to it. Talks to Stripe's REST API directly
 * (form-encoded, as the stripe package does) at STRIPE_API_BASE, so tests point it at a local
 * stand-in; with the stripe package, spread the same params into `stripe.checkout.sessions.create`.
 */
import { cookies } from 'next/headers';
import { stripeCheckoutParams } from '@affitor/sdk/server';
import { CLICK_COOKIE, CUSTOMER_COOKIE } from '../../../lib/affitor';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** Stripe's form encoding of nested fields: `metadata[key]=value`, `subscription_data[metadata][key]=value`. */
function formEncode(value: unknown, prefix: string, into: URLSearchParams): URLSearchParams {
  if (value === undefined || value === null) return into;
  if (typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((item, index) => [String(index), item] as const) : Object.entries(value);
    for (const [key, item] of entries) formEncode(item, prefix ? `${prefix}[${key}]` : key, into);
  } else into.append(prefix, String(value));
  return into;
}

export async function POST(request: Request): Promise<Response> {
  const jar = await cookies();
  const origin = new URL(request.url).origin;
  const session = {
    mode: 'subscription',
    line_items: [{ price: process.env.STRIPE_PRICE_ID ?? 'price_monthly', quantity: 1 }],
    success_url: `${origin}/?checkout=done`,
    cancel_url: `${origin}/`,
    ...stripeCheckoutParams({ clickId: jar.get(CLICK_COOKIE)?.value, customerKey: jar.get(CUSTOMER_COOKIE)?.value, mode: 'subscription' }),
  };
  const answer = await fetch(`${process.env.STRIPE_API_BASE ?? 'https://api.stripe.com'}/v1/checkout/sessions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${process.env.STRIPE_SECRET_KEY ?? ''}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: formEncode(session, '', new URLSearchParams()),
  });
  const created = (await answer.json().catch(() => null)) as { url?: string; error?: { message?: string } } | null;
  if (!answer.ok || !created?.url) {
    return Response.json({ error: created?.error?.message ?? `Stripe answered HTTP ${answer.status}` }, { status: 502 });
  }
  return Response.redirect(created.url, 303);
}
