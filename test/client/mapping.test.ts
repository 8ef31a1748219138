import { describe, expect, it } from 'vitest';
import { Affitor } from '../../src/server';
import { API_KEY, fakeFetch, json } from './helpers';

function client(status = 200, body: unknown = { success: true }) {
  const fetch = fakeFetch(() => json(status, body));
  return { fetch, affitor: new Affitor({ apiKey: API_KEY, fetch, apiUrl: 'https://api.test/' }) };
}

describe('mapping camelCase input to the wire', () => {
  it('posts a sale with every field under its wire name, amount in integer cents', async () => {
    const { fetch, affitor } = client();
    await affitor.trackSale({
      invoiceId: 'in_1',
      amount: 4900,
      customerExternalId: 'u_1',
      clickId: 'cust_1_2',
      currency: 'EUR',
      saleType: 'subscription',
      lineItems: [{ sku: 'pro', quantity: 1 }],
      isRecurring: true,
      subscriptionId: 'sub_1',
      subscriptionInterval: 'month',
      productId: 'prod_1',
      additionalData: { plan: 'pro' },
    });
    const [call] = fetch.calls;
    expect(call?.url).toBe('https://api.test/api/v1/track/sale');
    expect(call?.method).toBe('POST');
    expect(call?.body).toEqual({
      transaction_id: 'in_1',
      amount_cents: 4900,
      customer_key: 'u_1',
      click_id: 'cust_1_2',
      currency: 'EUR',
      sale_type: 'subscription',
      line_items: [{ sku: 'pro', quantity: 1 }],
      is_recurring: true,
      subscription_id: 'sub_1',
      subscription_interval: 'month',
      product_id: 'prod_1',
      additional_data: { plan: 'pro' },
    });
  });

  it('sends the customer key and click id without surrounding spaces, as the browser SDK sends a lead\'s, so a sale finds its lead', async () => {
    const { fetch, affitor } = client();
    await affitor.trackLead({ customerExternalId: ' user_42 ', clickId: ' cust_1_2\n' });
    await affitor.trackSale({ invoiceId: 'in_1', amount: 4900, customerExternalId: 'user_42 ' });
    expect(fetch.calls[0]?.body).toMatchObject({ customer_key: 'user_42', click_id: 'cust_1_2' });
    expect(fetch.calls[1]?.body).toMatchObject({ customer_key: 'user_42' });
  });

  it('sends the invoice id without surrounding spaces, as the customer ids, so a sale is recorded once and its refund finds it', async () => {
    const { fetch, affitor } = client();
    await affitor.trackSale({ invoiceId: 'in_5 ', amount: 4900, customerExternalId: 'u_1' });
    await affitor.trackSale({ invoiceId: '\tin_6', testMode: true });
    await affitor.trackRefund({ invoiceId: ' in_5\n' });
    expect(fetch.calls.map((call) => call.body.transaction_id)).toEqual(['in_5', 'in_6', 'in_5']);
    // Spaces alone are no id, as an empty one.
    for (const invoiceId of ['', '  ']) {
      expect(() => affitor.trackSale({ invoiceId, amount: 1, customerExternalId: 'u_1' })).toThrow(/^invoiceId must be a non-empty string/);
      expect(() => affitor.trackRefund({ invoiceId })).toThrow(/^invoiceId must be a non-empty string/);
      expect(() => affitor.trackSale({ invoiceId, testMode: true })).toThrow(/^invoiceId must be a non-empty string/);
    }
  });

  it('sends only the fields the caller gave', async () => {
    const { fetch, affitor } = client();
    await affitor.trackSale({ invoiceId: 'in_2', amount: 1, clickId: 'cust_1_2' });
    expect(fetch.calls[0]?.body).toEqual({ transaction_id: 'in_2', amount_cents: 1, click_id: 'cust_1_2' });
  });

  it('sends the currency as an ISO 4217 code in upper case, as trackingFromStripeEvent does with Stripe\'s "usd"', async () => {
    // Else a shop passing charge.currency has its sales under "usd" and its Stripe-helper sales under "USD".
    const { fetch, affitor } = client();
    await affitor.trackSale({ invoiceId: 'in_3', amount: 1, clickId: 'cust_1_2', currency: 'usd' });
    await affitor.trackSale({ invoiceId: 'in_4', amount: 1, clickId: 'cust_1_2', currency: ' eur ' });
    expect(fetch.calls.map((call) => call.body.currency)).toEqual(['USD', 'EUR']);
  });

  it('sends the bearer key, JSON content type and a request id header', async () => {
    const { fetch, affitor } = client();
    await affitor.trackRefund({ invoiceId: 'in_1' });
    const headers = fetch.calls[0]?.headers;
    expect(headers?.get('authorization')).toBe(`Bearer ${API_KEY}`);
    expect(headers?.get('content-type')).toBe('application/json');
    expect(headers?.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('posts a refund with amount and reason; 0 cents (a full refund) is sent as is', async () => {
    const { fetch, affitor } = client();
    await affitor.trackRefund({ invoiceId: 'in_1', refundAmountCents: 1500, refundReason: 'requested_by_customer' });
    await affitor.trackRefund({ invoiceId: 'in_1', refundAmountCents: 0 });
    expect(fetch.calls[0]?.url).toBe('https://api.test/api/v1/track/refund');
    expect(fetch.calls[0]?.body).toEqual({ transaction_id: 'in_1', refund_amount_cents: 1500, refund_reason: 'requested_by_customer' });
    expect(fetch.calls[1]?.body).toEqual({ transaction_id: 'in_1', refund_amount_cents: 0 });
  });

  it('posts a lead with customer key, click ids, email and a client event id', async () => {
    const { fetch, affitor } = client();
    await affitor.trackLead({
      customerExternalId: 'u_9',
      clickId: 'cust_9_1',
      clickIds: ['cust_9_0', 'cust_9_1'],
      email: 'ada@example.com',
      pageUrl: 'https://shop.test/signup',
      sessionId: 'sess_1',
      programId: 1,
    });
    const { event_id: eventId, ...rest } = fetch.calls[0]?.body ?? {};
    expect(fetch.calls[0]?.url).toBe('https://api.test/api/v1/track/lead');
    expect(rest).toEqual({
      customer_key: 'u_9',
      click_id: 'cust_9_1',
      click_ids: ['cust_9_0', 'cust_9_1'],
      email: 'ada@example.com',
      page_url: 'https://shop.test/signup',
      session_id: 'sess_1',
      program_id: 1,
    });
    expect(eventId).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });

  it('posts a click with its page fields, existing click id and program id in additional_data', async () => {
    const { fetch, affitor } = client(200, { success: true, click_id: 'cust_1_1', partner_code: 'P', cookie_window_days: 30 });
    await affitor.trackClick({
      affiliateUrl: 'https://shop.test/?aff=P',
      existingClickId: 'cust_0_1',
      pageUrl: 'https://shop.test/',
      pageTitle: 'Shop',
      referrerUrl: 'https://blog.test/',
      sessionId: 'sess_1',
      userAgent: 'UA',
      screenResolution: '1920x1080',
      viewportSize: '1200x800',
      language: 'en',
      timezone: 'UTC',
      programId: 7,
      eventId: 'evt_1',
      additionalData: { campaign: 'x' },
    });
    expect(fetch.calls[0]?.url).toBe('https://api.test/api/v1/track/click');
    expect(fetch.calls[0]?.body).toEqual({
      affiliate_url: 'https://shop.test/?aff=P',
      existing_click_id: 'cust_0_1',
      page_url: 'https://shop.test/',
      page_title: 'Shop',
      referrer_url: 'https://blog.test/',
      session_id: 'sess_1',
      user_agent: 'UA',
      screen_resolution: '1920x1080',
      viewport_size: '1200x800',
      language: 'en',
      timezone: 'UTC',
      event_id: 'evt_1',
      additional_data: { campaign: 'x', program_id: 7 },
    });
  });

  it('folds testMode into additional_data.test_mode and lets a test sale omit invoice, amount and customer', async () => {
    const { fetch, affitor } = client();
    await affitor.trackSale({ testMode: true });
    await affitor.trackLead({ customerExternalId: 'u_1', testMode: true, additionalData: { a: 1 } });
    expect(fetch.calls[0]?.body).toEqual({ additional_data: { test_mode: true } });
    expect(fetch.calls[1]?.body).toMatchObject({ customer_key: 'u_1', additional_data: { a: 1, test_mode: true } });
  });

  it("refuses a refund in test mode, which the API does not have: sent, it reversed a live sale's commission", async () => {
    const { fetch, affitor } = client();
    expect(() => affitor.trackRefund({ invoiceId: 'in_1', testMode: true as never })).toThrow(
      expect.objectContaining({ name: 'AffitorInputError', field: 'testMode', message: expect.stringMatching(/^trackRefund has no test mode/) as unknown }),
    );
    await affitor.trackRefund({ invoiceId: 'in_1', testMode: false });
    expect(fetch.calls.map((call) => call.body)).toEqual([{ transaction_id: 'in_1' }]);
  });

  it('keeps a path prefix of apiUrl and defaults to https://api.affitor.com', async () => {
    const fetch = fakeFetch(() => json(200, { success: true }));
    await new Affitor({ apiKey: API_KEY, fetch, apiUrl: 'https://proxy.test/affitor//' }).trackRefund({ invoiceId: 'x' });
    await new Affitor({ apiKey: API_KEY, fetch }).trackRefund({ invoiceId: 'x' });
    expect(fetch.calls.map((call) => call.url)).toEqual([
      'https://proxy.test/affitor/api/v1/track/refund',
      'https://api.affitor.com/api/v1/track/refund',
    ]);
  });

  it('takes an apiUrl read with spaces or a line break around it (an env file, a mounted secret), as it takes such an apiKey', async () => {
    const fetch = fakeFetch(() => json(200, { success: true }));
    await new Affitor({ apiKey: API_KEY, fetch, apiUrl: ' https://proxy.test/affitor/\n' }).trackRefund({ invoiceId: 'x' });
    await new Affitor({ apiKey: API_KEY, fetch, apiUrl: 'https://api.affitor.com \r\n' }).trackRefund({ invoiceId: 'x' });
    expect(fetch.calls.map((call) => call.url)).toEqual([
      'https://proxy.test/affitor/api/v1/track/refund',
      'https://api.affitor.com/api/v1/track/refund',
    ]);
  });

  it("calls a given fetch as a plain function, as Cloudflare Workers' own fetch requires (passed as `fetch: fetch`)", async () => {
    const recorded = fakeFetch(() => json(200, { success: true }));
    // workerd's fetch throws unless called with `this` globalThis (or none), as browsers' does.
    const workerdFetch = function (this: unknown, input: string, init: RequestInit) {
      if (this !== undefined && this !== globalThis) throw new TypeError('Illegal invocation: function called with incorrect `this` reference.');
      return recorded(input, init);
    };
    const result = await new Affitor({ apiKey: API_KEY, fetch: workerdFetch, maxRetries: 0 }).trackRefund({ invoiceId: 'x' });
    expect(result).toMatchObject({ ok: true, attempts: 1 });
  });

  it('uses the global fetch when none is given, looked up at call time', async () => {
    const fetch = fakeFetch(() => json(200, { success: true }));
    const original = globalThis.fetch;
    const affitor = new Affitor({ apiKey: API_KEY });
    globalThis.fetch = fetch as unknown as typeof globalThis.fetch;
    try {
      const result = await affitor.trackRefund({ invoiceId: 'x' });
      expect(result.ok).toBe(true);
      expect(fetch.calls).toHaveLength(1);
    } finally {
      globalThis.fetch = original;
    }
  });
});
