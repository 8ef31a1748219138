/** examples/nextjs's Stripe call (lib/stripe.ts), behind its checkout route: the environment as a .env holds it, Stripe unreachable. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { redirectToCheckout } from '../../examples/nextjs/lib/stripe';

const saved = process.env.STRIPE_API_BASE;
afterEach(() => {
  process.env.STRIPE_API_BASE = saved;
  vi.restoreAllMocks();
});

describe('examples/nextjs checkout (lib/stripe.ts)', () => {
  it('calls Stripe at its default base when STRIPE_API_BASE= is empty, as a .env may hold it', async () => {
    process.env.STRIPE_API_BASE = '';
    const fetch = vi
      .spyOn(globalThis, 'fetch')
      .mockResolvedValue(Response.json({ url: 'https://checkout.stripe.com/c/pay/cs_test_1' }));
    const answer = await redirectToCheckout({ mode: 'subscription', client_reference_id: 'cust_1_1' });
    expect(fetch.mock.calls[0]![0]).toBe('https://api.stripe.com/v1/checkout/sessions');
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('https://checkout.stripe.com/c/pay/cs_test_1');
  });

  it('answers 502 saying Stripe could not be reached when no answer came, instead of throwing', async () => {
    process.env.STRIPE_API_BASE = 'https://stripe.test';
    vi.spyOn(globalThis, 'fetch').mockRejectedValue(new TypeError('fetch failed'));
    const answer = await redirectToCheckout({ mode: 'subscription' });
    expect(answer.status).toBe(502);
    expect(await answer.json()).toEqual({ error: 'No answer from Stripe at https://stripe.test (TypeError: fetch failed)' });
  });
});
