/** examples/nextjs's Stripe call (lib/stripe.ts), behind its checkout route: the environment as a .env holds it, Stripe unreachable. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { stripeCheckoutParams } from '../../src/server';
import { checkoutCustomerKey, redirectToCheckout } from '../../examples/nextjs/lib/stripe';

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

  it('answers 502 when a 200 from Stripe carries no URL a redirect can take (a proxy or a stand-in answering junk), instead of throwing', async () => {
    process.env.STRIPE_API_BASE = 'https://stripe.test';
    for (const url of [42, 'not a url', '']) {
      vi.spyOn(globalThis, 'fetch').mockResolvedValueOnce(Response.json({ url }));
      const answer = await redirectToCheckout({ mode: 'subscription' });
      expect(answer.status).toBe(502);
      expect(await answer.json()).toEqual({ error: 'Stripe answered HTTP 200' });
    }
  });

  it('answers 502 within its deadline when Stripe takes the request and never answers, instead of leaving the checkout hanging', async () => {
    process.env.STRIPE_API_BASE = 'https://stripe.test';
    // Settles only when its signal aborts, as a connection Stripe (or a proxy) never answers.
    vi.spyOn(globalThis, 'fetch').mockImplementation(
      (_input, init) => new Promise<Response>((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason as Error))),
    );
    const started = Date.now();
    const answer = await redirectToCheckout({ mode: 'subscription' }, { timeoutMs: 200 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(answer.status).toBe(502);
    const body = (await answer.json()) as { error: string };
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error).toMatch(/^No answer from Stripe at https:\/\/stripe\.test \(TimeoutError: /);
  }, 5_000);
});

describe('examples/nextjs checkout route: the attribution cookies (app/api/checkout/route.ts)', () => {
  // What the route spreads into the Checkout Session, from the request's cookies.
  const params = (cookies: { clickId?: string; customerKey?: string }) =>
    stripeCheckoutParams({ clickId: cookies.clickId, customerKey: checkoutCustomerKey(cookies.customerKey), mode: 'subscription' });

  it('checks out without the click id when its cookie was tampered with (over 500 characters, or no click id), instead of a 500', () => {
    const onlyCustomer = { metadata: { affitor_customer_key: 'next@example.com' }, subscription_data: { metadata: { affitor_customer_key: 'next@example.com' } } };
    expect(params({ clickId: 'x'.repeat(501), customerKey: 'next@example.com' })).toEqual(onlyCustomer);
    // Short, but not a click id the API issues (the browser SDK ignores such a cookie too): not sent to Stripe for the webhook to report.
    expect(params({ clickId: 'cust_1"><script>', customerKey: 'next@example.com' })).toEqual(onlyCustomer);
  });

  it('checks out without the customer key, with a warning, when its cookie is over Stripe\'s 500 characters: the click id still attributes the sale', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(params({ clickId: 'cust_900_1', customerKey: 'y'.repeat(600) })).toEqual({
      client_reference_id: 'affitor_cust_900_1',
      metadata: { affitor_click_id: 'cust_900_1' },
      subscription_data: { metadata: { affitor_click_id: 'cust_900_1' } },
    });
    expect(warn).toHaveBeenCalledExactlyOnceWith("[affitor] checkout without the customer key: its cookie is over Stripe's 500 characters (600)");
  });

  it('keeps the customer cookie the shop set as it is, with no warning', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(checkoutCustomerKey(' next@example.com ')).toBe('next@example.com');
    expect(checkoutCustomerKey(undefined)).toBeUndefined();
    expect(checkoutCustomerKey('y'.repeat(500))).toBe('y'.repeat(500));
    expect(warn).not.toHaveBeenCalled();
  });
});
