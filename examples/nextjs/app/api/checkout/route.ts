/**
 * POST /api/checkout: creates a Stripe Checkout Session carrying the attribution
 * (`stripeCheckoutParams`), then sends the browser to it (lib/stripe.ts talks to Stripe).
 */
import { cookies } from 'next/headers';
import { stripeCheckoutParams } from '@affitor/sdk/server';
import { CLICK_COOKIE, CUSTOMER_COOKIE } from '../../../lib/affitor';
import { checkoutCustomerKey, redirectToCheckout } from '../../../lib/stripe';

export async function POST(request: Request): Promise<Response> {
  const jar = await cookies();
  const origin = new URL(request.url).origin;
  return redirectToCheckout({
    mode: 'subscription',
    // `||`: an empty value in a .env means the default, as for the other variables.
    line_items: [{ price: process.env.STRIPE_PRICE_ID || 'price_monthly', quantity: 1 }],
    success_url: `${origin}/?checkout=done`,
    cancel_url: `${origin}/`,
    // Cookies the visitor tampered with are left out (a click id no click id can be, by stripeCheckoutParams;
    // a customer key over Stripe's limit, by checkoutCustomerKey): the customer pays without that attribution, not a 500.
    ...stripeCheckoutParams({ clickId: jar.get(CLICK_COOKIE)?.value, customerKey: checkoutCustomerKey(jar.get(CUSTOMER_COOKIE)?.value), mode: 'subscription' }),
  });
}
