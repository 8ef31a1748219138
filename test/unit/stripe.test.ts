/** The Stripe helpers of @affitor/sdk/server and the client_reference_id rules they share with the browser. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { clickIdFromStripeReference, isStripeReference, stripeReferenceFor } from '../../src/core/stripe-reference';
import { AffitorInputError, stripeCheckoutParams, trackingFromStripeEvent } from '../../src/server';
import type { StripeEventLike } from '../../src/server';

type Json = Record<string, unknown>;

const fixture = (name: string): StripeEventLike & { data: { object: Json; previous_attributes?: Json } } =>
  JSON.parse(readFileSync(new URL(`../../examples/stripe-webhook/events/${name}.json`, import.meta.url), 'utf8')) as never;

describe('client_reference_id rules', () => {
  it("accepts Stripe's characters up to 200, nothing else", () => {
    expect(isStripeReference('affitor_cust_1_1700000000000')).toBe(true);
    expect(isStripeReference('a-b_C9')).toBe(true);
    expect(isStripeReference('x'.repeat(200))).toBe(true);
    expect(isStripeReference('x'.repeat(201))).toBe(false);
    for (const bad of ['', ' ', 'a b', 'a.b', 'a:b', 'é', 'a\nb', null, 42]) expect(isStripeReference(bad), String(bad)).toBe(false);
  });

  it('prefixes a click id, and refuses ids Stripe would not take instead of sending them', () => {
    expect(stripeReferenceFor('cust_900_1')).toBe('affitor_cust_900_1');
    expect(stripeReferenceFor(null)).toBeNull();
    expect(stripeReferenceFor('')).toBeNull();
    expect(stripeReferenceFor('cust.1:2')).toBeNull();
    expect(stripeReferenceFor('c'.repeat(193))).toBeNull();
    expect(stripeReferenceFor('c'.repeat(192))).toHaveLength(200);
  });

  it("reads a click id back only from Affitor's references", () => {
    expect(clickIdFromStripeReference('affitor_cust_900_1')).toBe('cust_900_1');
    expect(clickIdFromStripeReference('affitor_')).toBeNull();
    expect(clickIdFromStripeReference('order_123')).toBeNull();
    expect(clickIdFromStripeReference(undefined)).toBeNull();
  });
});

describe('stripeCheckoutParams', () => {
  it('carries the click id and customer key in client_reference_id, metadata and subscription_data.metadata', () => {
    expect(stripeCheckoutParams({ clickId: 'cust_900_1', customerKey: 'u_900' })).toEqual({
      client_reference_id: 'affitor_cust_900_1',
      metadata: { affitor_click_id: 'cust_900_1', affitor_customer_key: 'u_900' },
      subscription_data: { metadata: { affitor_click_id: 'cust_900_1', affitor_customer_key: 'u_900' } },
    });
  });

  it('leaves client_reference_id out without a click id, never sending it blank', () => {
    const params = stripeCheckoutParams({ clickId: '  ', customerKey: 'u_900' });
    expect(params).not.toHaveProperty('client_reference_id');
    expect(params.metadata).toEqual({ affitor_customer_key: 'u_900' });
  });

  it('leaves out a click id no click id can be (a cookie the visitor edited), so the checkout goes on: it threw over 500 characters', () => {
    for (const clickId of ['x'.repeat(501), 'c'.repeat(129), 'cust_1"><script>', 'cust 1']) {
      expect(stripeCheckoutParams({ clickId, customerKey: 'u_900' })).toEqual({
        metadata: { affitor_customer_key: 'u_900' },
        subscription_data: { metadata: { affitor_customer_key: 'u_900' } },
      });
      expect(stripeCheckoutParams({ clickId })).toEqual({});
    }
    // The longest a click id can be, as the browser SDK reads the cookie, is carried.
    expect(stripeCheckoutParams({ clickId: ` ${'c'.repeat(128)} ` }).metadata).toEqual({ affitor_click_id: 'c'.repeat(128) });
  });

  it('returns nothing to spread when there is no attribution at all', () => {
    expect(stripeCheckoutParams({ clickId: null, customerKey: undefined })).toEqual({});
    expect(stripeCheckoutParams({})).toEqual({});
  });

  it('puts the metadata on the payment intent in payment mode and on neither in setup mode', () => {
    const payment = stripeCheckoutParams({ clickId: 'cust_1_2', mode: 'payment' });
    expect(payment.payment_intent_data).toEqual({ metadata: { affitor_click_id: 'cust_1_2' } });
    expect(payment).not.toHaveProperty('subscription_data');
    expect(stripeCheckoutParams({ clickId: 'cust_1_2', mode: 'setup' })).toEqual({
      client_reference_id: 'affitor_cust_1_2',
      metadata: { affitor_click_id: 'cust_1_2' },
    });
  });

  it('adds program_id when given, and keeps a click id Stripe would refuse as a reference in metadata only', () => {
    const params = stripeCheckoutParams({ clickId: 'cust.odd:1', programId: 7 });
    expect(params.client_reference_id).toBeUndefined();
    expect(params.metadata).toEqual({ affitor_click_id: 'cust.odd:1', program_id: '7' });
  });

  it('hands out copies: changing one metadata object leaves the other alone', () => {
    const params = stripeCheckoutParams({ clickId: 'cust_1_2' });
    params.metadata!.order = 'x';
    expect(params.subscription_data!.metadata).toEqual({ affitor_click_id: 'cust_1_2' });
  });

  it('throws a clear AffitorInputError for bad input', () => {
    const cases: [unknown, string, RegExp][] = [
      [null, 'input', /expects \{ clickId, customerKey \}/],
      [{ clickId: 42 }, 'clickId', /clickId must be a string, null or undefined \(got 42\)/],
      [{ customerKey: {} }, 'customerKey', /got an object\)/],
      [{ customerKey: 'k'.repeat(501) }, 'customerKey', /at most 500 characters/],
      [{ clickId: 'c', mode: 'subscriptions' }, 'mode', /mode must be 'payment', 'subscription' or 'setup'/],
      [{ clickId: 'c', programId: -1 }, 'programId', /positive whole number/],
    ];
    for (const [input, field, message] of cases) {
      let thrown: unknown;
      try {
        stripeCheckoutParams(input as never);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, JSON.stringify(input)).toBeInstanceOf(AffitorInputError);
      expect((thrown as AffitorInputError).field).toBe(field);
      expect((thrown as AffitorInputError).message).toMatch(message);
    }
  });
});

describe('trackingFromStripeEvent', () => {
  it('makes a paid one-time checkout a sale under its payment intent', () => {
    const event = fixture('checkout.session.completed');
    event.data.object.metadata = { affitor_click_id: 'cust_900_1', affitor_customer_key: 'u_900' };
    expect(trackingFromStripeEvent(event)).toEqual({
      kind: 'sale',
      input: {
        invoiceId: 'pi_3QdemoPayment0001',
        amount: 4900,
        currency: 'USD',
        clickId: 'cust_900_1',
        customerExternalId: 'u_900',
        isRecurring: false,
        additionalData: { stripe_event_id: 'evt_1QdemoCheckout0001', stripe_checkout_session: 'cs_test_a1demo' },
      },
    });
  });

  it("reads the click id from an affitor_ client_reference_id, and takes the merchant's own reference as the customer id", () => {
    const prefixed = fixture('checkout.session.completed');
    Object.assign(prefixed.data.object, { client_reference_id: 'affitor_cust_7_1', metadata: {} });
    expect(trackingFromStripeEvent(prefixed)?.input).toMatchObject({ clickId: 'cust_7_1' });
    expect(trackingFromStripeEvent(prefixed)?.input).not.toHaveProperty('customerExternalId');

    // The fixture's blank affitor_click_id is ignored; its client_reference_id is the user id.
    const own = fixture('checkout.session.completed');
    const input = trackingFromStripeEvent(own)?.input;
    expect(input).toMatchObject({ customerExternalId: 'user_42' });
    expect(input).not.toHaveProperty('clickId');
  });

  it('records nothing for an unpaid, free, unattributed or subscription checkout', () => {
    const variants: Json[] = [
      { payment_status: 'unpaid' },
      { payment_status: 'no_payment_required', amount_total: 0 },
      { amount_total: 0 },
      { client_reference_id: null, metadata: {} },
    ];
    for (const variant of variants) {
      const event = fixture('checkout.session.completed');
      Object.assign(event.data.object, variant);
      expect(trackingFromStripeEvent(event), JSON.stringify(variant)).toBeNull();
    }
    // The subscription's first invoice (invoice.paid) is the sale: counted once, not twice.
    expect(trackingFromStripeEvent(fixture('checkout.session.completed.subscription'))).toBeNull();
  });

  it('makes a subscription checkout attributed by an affitor_ client_reference_id alone (a decorated Payment Link, pricing table or buy button) the sale: its invoices name no partner', () => {
    const event = fixture('checkout.session.completed.subscription');
    event.data.object.metadata = {};
    expect(trackingFromStripeEvent(event)).toEqual({
      kind: 'sale',
      input: {
        invoiceId: 'in_1QdemoFirstInvoice1',
        amount: 2900,
        currency: 'USD',
        clickId: 'cust_900_1',
        isRecurring: true,
        subscriptionId: 'sub_1QdemoSubscription1',
        additionalData: { stripe_event_id: 'evt_1QdemoCheckoutSub01', stripe_checkout_session: 'cs_test_b1demoSubscription' },
      },
    });
    // Its first invoice carries the Payment Link's subscription metadata, none of Affitor's: not a second sale.
    const invoice = fixture('invoice.paid');
    Object.assign(invoice.data.object, { id: 'in_1QdemoFirstInvoice1', billing_reason: 'subscription_create' });
    (invoice.data.object.parent as { subscription_details: Json }).subscription_details.metadata = {};
    expect(trackingFromStripeEvent(invoice)).toBeNull();
    // A merchant's own reference (a pricing table's client-reference-id set to the user's id) is that customer's sale.
    Object.assign(event.data.object, { client_reference_id: 'user_42' });
    expect(trackingFromStripeEvent(event)?.input).toMatchObject({ invoiceId: 'in_1QdemoFirstInvoice1', customerExternalId: 'user_42', isRecurring: true });
    expect(trackingFromStripeEvent(event)?.input).not.toHaveProperty('clickId');
  });

  it('counts a delayed payment method once it succeeds (checkout.session.async_payment_succeeded)', () => {
    const event = fixture('checkout.session.completed');
    event.type = 'checkout.session.async_payment_succeeded';
    expect(trackingFromStripeEvent(event)?.kind).toBe('sale');
  });

  it('makes a renewal a recurring sale from invoice.parent.subscription_details (API 2025-03-31 and later)', () => {
    expect(trackingFromStripeEvent(fixture('invoice.paid'))).toEqual({
      kind: 'sale',
      input: {
        invoiceId: 'in_1QdemoRenewal00001',
        amount: 2900,
        currency: 'USD',
        clickId: 'cust_900_1',
        customerExternalId: 'u_900',
        isRecurring: true,
        subscriptionId: 'sub_1QdemoSubscription1',
        saleType: 'subscription_cycle',
        additionalData: { stripe_event_id: 'evt_1QdemoInvoicePaid01', stripe_invoice: 'in_1QdemoRenewal00001' },
      },
    });
  });

  it('reads subscription_details of earlier API versions, and records the sale under the payment intent its refunds name', () => {
    expect(trackingFromStripeEvent(fixture('invoice.paid.legacy'))?.input).toMatchObject({
      invoiceId: 'pi_3QdemoSubPayment001',
      amount: 2900,
      currency: 'EUR',
      clickId: 'cust_900_1',
      subscriptionId: 'sub_1QdemoSubscription1',
      subscriptionInterval: 'month',
      isRecurring: true,
    });
  });

  it("finds the payment intent in a newer invoice's payments list when it is there", () => {
    const event = fixture('invoice.paid');
    event.data.object.payments = { object: 'list', data: [{ payment: { type: 'payment_intent', payment_intent: 'pi_3QdemoNewer0001' } }] };
    expect(trackingFromStripeEvent(event)?.input).toMatchObject({ invoiceId: 'pi_3QdemoNewer0001' });
  });

  it("takes the payment intent that paid the invoice from its payments list, not a canceled or open attempt's", () => {
    // The default payment's intent failed and was canceled; another intent paid the invoice: its refunds name that one.
    const event = fixture('invoice.paid');
    event.data.object.payments = {
      object: 'list',
      data: [
        { status: 'canceled', is_default: true, payment: { type: 'payment_intent', payment_intent: 'pi_3QdemoCanceled01' } },
        { status: 'paid', is_default: false, payment: { type: 'payment_intent', payment_intent: 'pi_3QdemoPaid00001' } },
      ],
    };
    expect(trackingFromStripeEvent(event)?.input).toMatchObject({ invoiceId: 'pi_3QdemoPaid00001' });
    // Paid out of band (a payment record, no intent) after a failed attempt: the invoice id, not the unpaid intent.
    const outOfBand = fixture('invoice.paid');
    outOfBand.data.object.payments = {
      object: 'list',
      data: [
        { status: 'paid', payment: { type: 'payment_record', payment_record: 'pr_demo1' } },
        { status: 'open', payment: { type: 'payment_intent', payment_intent: 'pi_3QdemoFailed001' } },
      ],
    };
    expect(trackingFromStripeEvent(outOfBand)?.input).toMatchObject({ invoiceId: 'in_1QdemoRenewal00001' });
  });

  it('records no sale for a zero-amount invoice (a trial) or an invoice without attribution', () => {
    expect(trackingFromStripeEvent(fixture('invoice.paid.trial'))).toBeNull();
    const unattributed = fixture('invoice.paid');
    (unattributed.data.object.parent as { subscription_details: Json }).subscription_details.metadata = { plan: 'pro' };
    expect(trackingFromStripeEvent(unattributed)).toBeNull();
  });

  it('takes the attribution from the invoice metadata of a one-off invoice', () => {
    const event = fixture('invoice.paid');
    event.data.object.parent = null;
    event.data.object.metadata = { affitor_customer_key: 'u_900' };
    expect(trackingFromStripeEvent(event)?.input).toMatchObject({ customerExternalId: 'u_900', isRecurring: false });
  });

  it('makes a partial refund the part this event refunded', () => {
    expect(trackingFromStripeEvent(fixture('charge.refunded'))).toEqual({
      kind: 'refund',
      input: {
        invoiceId: 'pi_3QdemoPayment0001',
        refundAmountCents: 1900,
        refundReason: 'requested_by_customer',
        additionalData: { stripe_event_id: 'evt_1QdemoRefund00001', stripe_charge: 'ch_3QdemoCharge00001' },
      },
    });
    const second = fixture('charge.refunded');
    Object.assign(second.data.object, { amount_refunded: 2900 });
    second.data.previous_attributes = { amount_refunded: 1900 };
    expect(trackingFromStripeEvent(second)?.input).toMatchObject({ refundAmountCents: 1000 });
  });

  it('makes a fully refunded charge a full refund (no amount), and without previous_attributes uses the latest refund', () => {
    const full = fixture('charge.refunded');
    Object.assign(full.data.object, { amount_refunded: 4900, refunded: true });
    const input = trackingFromStripeEvent(full)?.input;
    expect(input).toMatchObject({ invoiceId: 'pi_3QdemoPayment0001' });
    expect(input).not.toHaveProperty('refundAmountCents');

    const noPrevious = fixture('charge.refunded');
    delete noPrevious.data.previous_attributes;
    expect(trackingFromStripeEvent(noPrevious)?.input).toMatchObject({ refundAmountCents: 1900 });
  });

  it('carries the sale an attributed charge is, so that a refund delivered before the checkout still finds it', () => {
    const event = fixture('charge.refunded');
    event.data.object.metadata = { affitor_click_id: 'cust_900_1', affitor_customer_key: 'u_900' };
    expect(trackingFromStripeEvent(event)).toEqual({
      kind: 'refund',
      input: {
        invoiceId: 'pi_3QdemoPayment0001',
        refundAmountCents: 1900,
        refundReason: 'requested_by_customer',
        additionalData: { stripe_event_id: 'evt_1QdemoRefund00001', stripe_charge: 'ch_3QdemoCharge00001' },
      },
      sale: {
        invoiceId: 'pi_3QdemoPayment0001',
        amount: 4900,
        currency: 'USD',
        clickId: 'cust_900_1',
        customerExternalId: 'u_900',
        additionalData: { stripe_event_id: 'evt_1QdemoRefund00001', stripe_charge: 'ch_3QdemoCharge00001' },
      },
    });
    // No attribution on the charge (a subscription's invoice, a Payment Link): its sale is not this event's to report.
    expect(trackingFromStripeEvent(fixture('charge.refunded'))).not.toHaveProperty('sale');
    const noIntent = fixture('charge.refunded');
    Object.assign(noIntent.data.object, { metadata: { affitor_click_id: 'cust_900_1' }, payment_intent: null });
    expect(trackingFromStripeEvent(noIntent)).not.toHaveProperty('sale');
  });

  it("names the charge's invoice beside the payment intent (API versions before 2025-03-31): a Payment Link subscription's sale is under it", () => {
    const event = fixture('charge.refunded');
    event.data.object.invoice = { id: 'in_1QdemoFirstInvoice1', object: 'invoice' };
    expect(trackingFromStripeEvent(event)).toMatchObject({ kind: 'refund', input: { invoiceId: 'pi_3QdemoPayment0001' }, invoiceId: 'in_1QdemoFirstInvoice1' });
    // None named (API 2025-03-31 on), or the same id the refund goes under (a charge without a payment intent): nothing to try again.
    expect(trackingFromStripeEvent(fixture('charge.refunded'))).not.toHaveProperty('invoiceId');
    Object.assign(event.data.object, { payment_intent: null, invoice: 'in_1QdemoFirstInvoice1', id: 'in_1QdemoFirstInvoice1' });
    expect(trackingFromStripeEvent(event)).not.toHaveProperty('invoiceId');
  });

  it('makes a lost dispute a refund of the disputed amount; an open, won or warning dispute is nothing', () => {
    expect(trackingFromStripeEvent(fixture('charge.dispute.closed'))).toEqual({
      kind: 'refund',
      input: {
        invoiceId: 'pi_3QdemoPayment0001',
        refundAmountCents: 4900,
        refundReason: 'dispute_lost: fraudulent',
        additionalData: { stripe_event_id: 'evt_1QdemoDisputeLost01', stripe_dispute: 'dp_1QdemoDispute00001', stripe_charge: 'ch_3QdemoCharge00001' },
      },
    });
    const partial = fixture('charge.dispute.closed');
    Object.assign(partial.data.object, { amount: 1000, payment_intent: null });
    expect(trackingFromStripeEvent(partial)?.input).toMatchObject({ invoiceId: 'ch_3QdemoCharge00001', refundAmountCents: 1000 });
    for (const status of ['won', 'warning_closed', 'needs_response']) {
      const event = fixture('charge.dispute.closed');
      event.data.object.status = status;
      expect(trackingFromStripeEvent(event), status).toBeNull();
    }
    const withdrawn = fixture('charge.dispute.closed');
    withdrawn.type = 'charge.dispute.funds_withdrawn';
    expect(trackingFromStripeEvent(withdrawn)).toBeNull();
  });

  it('reads MGA amounts, which Stripe writes with no decimals, in ariary cents (ISO 4217 gives MGA two decimals)', () => {
    // 49,000 Ar: Stripe's amount is 49000, the API's smallest MGA unit is a hundredth of the ariary.
    const sale = fixture('checkout.session.completed');
    Object.assign(sale.data.object, { currency: 'mga', amount_total: 49000 });
    expect(trackingFromStripeEvent(sale)?.input).toMatchObject({ amount: 4900000, currency: 'MGA' });

    const second = fixture('charge.refunded');
    Object.assign(second.data.object, { currency: 'mga', amount: 49000, amount_refunded: 29000, metadata: { affitor_click_id: 'cust_900_1' } });
    second.data.previous_attributes = { amount_refunded: 19000 };
    const refund = trackingFromStripeEvent(second);
    expect(refund?.input).toMatchObject({ refundAmountCents: 1000000 });
    expect(refund).toMatchObject({ sale: { amount: 4900000, currency: 'MGA' } });
  });

  it('reads ISK amounts, which Stripe writes with two decimals, as whole krónur (ISO 4217 has no minor unit for ISK)', () => {
    // 4,900 kr: Stripe's amount is 490000 (100 is 1 króna), the API's smallest ISK unit is the króna.
    const sale = fixture('checkout.session.completed');
    Object.assign(sale.data.object, { currency: 'isk', amount_total: 490000 });
    expect(trackingFromStripeEvent(sale)?.input).toMatchObject({ amount: 4900, currency: 'ISK' });

    const invoice = fixture('invoice.paid');
    Object.assign(invoice.data.object, { currency: 'isk', amount_paid: 290000 });
    expect(trackingFromStripeEvent(invoice)?.input).toMatchObject({ amount: 2900 });

    const second = fixture('charge.refunded');
    Object.assign(second.data.object, { currency: 'isk', amount: 490000, amount_refunded: 290000, metadata: { affitor_click_id: 'cust_900_1' } });
    second.data.previous_attributes = { amount_refunded: 190000 };
    const refund = trackingFromStripeEvent(second);
    expect(refund?.input).toMatchObject({ refundAmountCents: 1000 });
    expect(refund).toMatchObject({ sale: { amount: 4900, currency: 'ISK' } });

    const dispute = fixture('charge.dispute.closed');
    Object.assign(dispute.data.object, { currency: 'isk', amount: 490000 });
    expect(trackingFromStripeEvent(dispute)?.input).toMatchObject({ refundAmountCents: 4900 });

    // JPY and KWD are written in their smallest unit already: the yen, the fils.
    const yen = fixture('checkout.session.completed');
    Object.assign(yen.data.object, { currency: 'jpy', amount_total: 4900 });
    expect(trackingFromStripeEvent(yen)?.input).toMatchObject({ amount: 4900, currency: 'JPY' });
    const fils = fixture('checkout.session.completed');
    Object.assign(fils.data.object, { currency: 'kwd', amount_total: 12340 });
    expect(trackingFromStripeEvent(fils)?.input).toMatchObject({ amount: 12340, currency: 'KWD' });
  });

  it('names in both READMEs every currency whose Stripe amounts it converts (ISK and MGA)', () => {
    // The example's README said only ISK's were converted: an MGA sale would look 100 times too large.
    for (const path of ['../../README.md', '../../examples/stripe-webhook/README.md']) {
      const readme = readFileSync(new URL(path, import.meta.url), 'utf8');
      const amounts = readme.slice(readme.indexOf('Amounts '), readme.indexOf('\n\n', readme.indexOf('Amounts ')));
      expect(amounts, path).toMatch(/ISK|`isk`/);
      expect(amounts, path).toMatch(/MGA|`mga`/);
    }
  });

  it("shows in its doc comment the calls the README makes: the request id on both, the event id as a refund's idempotency key", () => {
    // The doc comment keyed sales by the event id and sent no request id, unlike the README and the example.
    const source = readFileSync(new URL('../../src/server/stripe.ts', import.meta.url), 'utf8');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const example = source.slice(source.lastIndexOf('@example')).split('*/')[0]!;
    const calls = example
      .split('\n')
      .map((line) => line.replace(/^\s*\*\s?/, ''))
      .filter((line) => line.includes('affitor.track'));
    expect(calls).toHaveLength(4);
    for (const call of calls) expect(readme).toContain(call);
  });

  it('answers null, never throws, for events it does not track and for things that are not events', () => {
    const inputs: unknown[] = [
      null,
      undefined,
      'checkout.session.completed',
      42,
      [],
      {},
      { type: 'invoice.paid' },
      { type: 'invoice.paid', data: null },
      { type: 'invoice.paid', data: { object: 'in_1' } },
      { id: 'evt_1', type: 'customer.created', data: { object: { id: 'cus_1' } } },
      { id: 'evt_2', type: 'charge.refunded', data: { object: {} } },
      { id: 'evt_3', type: 'invoice.paid', data: { object: { amount_paid: '2900', parent: { subscription_details: { metadata: { affitor_click_id: 'c' } } } } } },
      {
        id: 'evt_4',
        type: 'invoice.paid',
        data: {
          object: new Proxy({}, { get: () => { throw new Error('boom'); } }),
        },
      },
    ];
    for (const input of inputs) expect(trackingFromStripeEvent(input as StripeEventLike)).toBeNull();
  });
});
