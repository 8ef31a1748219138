import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTrackingServer } from '../../examples/server/src/app';
import { MESSAGES } from '../../examples/server/src/errors';
import type { StripeEvent, StripeEventOptions } from '../../examples/stripe-webhook/src/events';
import { createWebhookServer } from '../../examples/stripe-webhook/src/server';
import { startServer } from '../../examples/server/src/node';
import { signStripePayload, stripeSignatureProblem, verifyStripeSignature } from '../../examples/stripe-webhook/src/signature';
import { Affitor } from '../../src/server';
import { runScript } from '../support/cli';
import { SEED, TOKEN, inProcessFetch } from './reference-server';

type Json = Record<string, unknown>;

const fixture = (name: string): StripeEvent =>
  JSON.parse(readFileSync(new URL(`../../examples/stripe-webhook/events/${name}.json`, import.meta.url), 'utf8')) as StripeEvent;

function checkout(overrides: Json = {}): StripeEvent {
  const event = fixture('checkout.session.completed');
  Object.assign(event.data.object, { client_reference_id: 'u_901' }, overrides);
  return event;
}

function refund(object: Json, previous: Json = { amount_refunded: 0 }, id = 'evt_refund'): StripeEvent {
  const event = fixture('charge.refunded');
  event.id = id;
  Object.assign(event.data.object, object);
  event.data.previous_attributes = previous;
  return event;
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()?.();
  vi.restoreAllMocks();
});

interface WebhookSetup {
  signingSecret?: string;
  hooks?: Parameters<typeof inProcessFetch>[1];
  /** The tracking server's clock. */
  now?: () => number;
  apiUrl?: string;
  /** The merchant's Stripe lookup of a payment intent's invoice, and how long it is waited for. */
  lookup?: StripeEventOptions;
}

async function webhook({ signingSecret, hooks, now, apiUrl = 'https://tracking.test', lookup }: WebhookSetup = {}) {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  const app = createTrackingServer(SEED, { now });
  const affitor = new Affitor({ apiKey: TOKEN, apiUrl, fetch: inProcessFetch(app, hooks), retryDelayMs: 1 });
  const server = createWebhookServer({ affitor, signingSecret, ...lookup });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
  const post = async (event: StripeEvent | Json, headers: Record<string, string> = {}) => {
    const response = await fetch(url, { method: 'POST', body: JSON.stringify(event), headers: { 'Content-Type': 'application/json', ...headers } });
    return { status: response.status, body: (await response.json()) as Json };
  };
  return { app, post, url };
}

/**
 * A subscription bought through a decorated Payment Link (attributed by client_reference_id alone:
 * its sale is under the first invoice's id), reported, and the charge of its first payment refunded in full.
 */
async function paymentLinkSubscription() {
  const setup = await webhook();
  const subscribed = fixture('checkout.session.completed.subscription');
  subscribed.data.object.metadata = {};
  await setup.post(subscribed);
  const charge = { id: 'ch_3QdemoSubCharge0001', amount: 2900, amount_refunded: 2900, refunded: true, payment_intent: 'pi_3QdemoSubPayment001' };
  return { ...setup, charge };
}

describe('examples/stripe-webhook', () => {
  it('tracks a paid checkout as a sale and answers its redelivery as a duplicate', async () => {
    const { app, post } = await webhook();
    expect(await post(checkout())).toEqual({ status: 200, body: { received: true, tracked: true, duplicate: false } });
    expect(await post(checkout())).toEqual({ status: 200, body: { received: true, tracked: true, duplicate: true } });
    const sales = app.inspect().sales;
    expect(sales).toHaveLength(1);
    expect(sales[0]).toMatchObject({ transaction_id: 'pi_3QdemoPayment0001', amount_cents: 4900, currency: 'USD' });
  });

  it('refunds only the newly refunded part of a charge, then the rest in full', async () => {
    const { app, post } = await webhook();
    await post(checkout());
    const partial = await post(refund({ amount_refunded: 1900, refunded: false }));
    expect(partial).toEqual({ status: 200, body: { received: true, tracked: true, status: 'refunded' } });
    expect(app.inspect().refunds.at(-1)).toMatchObject({ refund_amount_cents: 1900 });

    const rest = await post(refund({ amount_refunded: 4900, refunded: true }, { amount_refunded: 1900 }, 'evt_refund_2'));
    expect(rest).toEqual({ status: 200, body: { received: true, tracked: true, status: 'reversed' } });
  });

  it('records a subscription once: the checkout records nothing, its first invoice and each renewal are recurring sales', async () => {
    const { app, post } = await webhook();
    const subscribed = fixture('checkout.session.completed.subscription');
    expect(await post(subscribed)).toEqual({ status: 200, body: { received: true, tracked: false, reason: 'nothing to track in checkout.session.completed' } });
    expect(await post(fixture('invoice.paid.legacy'))).toEqual({ status: 200, body: { received: true, tracked: true, duplicate: false } });
    expect(await post(fixture('invoice.paid.trial'))).toMatchObject({ status: 200, body: { tracked: false } });
    expect(await post(fixture('invoice.paid'))).toEqual({ status: 200, body: { received: true, tracked: true, duplicate: false } });
    const sales = app.inspect().sales;
    expect(sales.map((sale) => [sale.transaction_id, sale.amount_cents, sale.is_recurring, sale.subscription_id])).toEqual([
      ['pi_3QdemoSubPayment001', 2900, true, 'sub_1QdemoSubscription1'],
      ['in_1QdemoRenewal00001', 2900, true, 'sub_1QdemoSubscription1'],
    ]);
    expect(app.inspect().commissions).toHaveLength(2);
  });

  it('records a renewal told by invoice.payment_succeeded (the event many guides subscribe to) as invoice.paid, and once when both are sent', async () => {
    const { app, post } = await webhook();
    const succeeded = fixture('invoice.paid');
    succeeded.type = 'invoice.payment_succeeded';
    expect(await post(succeeded)).toEqual({ status: 200, body: { received: true, tracked: true, duplicate: false } });
    expect(await post(fixture('invoice.paid'))).toEqual({ status: 200, body: { received: true, tracked: true, duplicate: true } });
    expect(app.inspect().sales.map((sale) => [sale.transaction_id, sale.amount_cents, sale.is_recurring])).toEqual([['in_1QdemoRenewal00001', 2900, true]]);
    expect(app.inspect().commissions).toHaveLength(1);
  });

  it('records a subscription bought through a decorated Payment Link or pricing table once, at its checkout: its invoices carry no attribution', async () => {
    const { app, post } = await webhook();
    const subscribed = fixture('checkout.session.completed.subscription');
    subscribed.data.object.metadata = {};
    expect(await post(subscribed)).toEqual({ status: 200, body: { received: true, tracked: true, duplicate: false } });
    expect(await post(subscribed)).toEqual({ status: 200, body: { received: true, tracked: true, duplicate: true } });
    const firstInvoice = fixture('invoice.paid');
    Object.assign(firstInvoice.data.object, { id: 'in_1QdemoFirstInvoice1', billing_reason: 'subscription_create' });
    (firstInvoice.data.object.parent as { subscription_details: Json }).subscription_details.metadata = {};
    expect(await post(firstInvoice)).toMatchObject({ status: 200, body: { tracked: false } });
    const sales = app.inspect().sales;
    expect(sales.map((sale) => [sale.transaction_id, sale.amount_cents, sale.is_recurring, sale.subscription_id])).toEqual([
      ['in_1QdemoFirstInvoice1', 2900, true, 'sub_1QdemoSubscription1'],
    ]);
    expect(app.inspect().commissions).toHaveLength(1);
  });

  it("takes back the commission of a Payment Link subscription's refunded first payment where the charge names its invoice (API versions before 2025-03-31)", async () => {
    const { app, post, charge } = await paymentLinkSubscription();
    // Without the invoice (API 2025-03-31 on), the refund finds no sale: acknowledged, as the README says.
    expect(await post(refund(charge, undefined, 'evt_refund_basil'))).toMatchObject({ status: 200, body: { tracked: false, code: 'not_found' } });
    const answer = await post(refund({ ...charge, invoice: 'in_1QdemoFirstInvoice1' }));
    expect(answer).toEqual({ status: 200, body: { received: true, tracked: true, status: 'reversed' } });
    expect(await post(refund({ ...charge, invoice: 'in_1QdemoFirstInvoice1' }))).toEqual(answer);
    expect(app.inspect().commissions.map((commission) => commission.status)).toEqual(['reversed']);
    expect(app.inspect().refunds).toHaveLength(1);
  });

  it("reverses a Payment Link subscription's commission when its refund event reaches an endpoint of API 2025-03-31 first (no invoice: not found), then one of an older version", async () => {
    const { app, post, charge } = await paymentLinkSubscription();
    const basil = refund(charge, undefined, 'evt_both');
    delete basil.data.object.refunds;
    // The older rendering names the invoice, and lists the refunds (a body of its own under the same key).
    const older = refund({ ...charge, invoice: 'in_1QdemoFirstInvoice1' }, undefined, 'evt_both');
    expect(await post(basil)).toMatchObject({ status: 200, body: { tracked: false, code: 'not_found' } });
    expect(await post(older)).toEqual({ status: 200, body: { received: true, tracked: true, status: 'reversed' } });
    expect(app.inspect().commissions.map((commission) => commission.status)).toEqual(['reversed']);
  });

  describe('Stripe API 2025-03-31 on: a subscription payment recorded under its invoice id (invoice.paid names no payment intent), refunded', () => {
    // The renewal of the basil fixture: its sale is under in_1QdemoRenewal00001; its charge names the payment intent only.
    const RENEWAL_INVOICE = 'in_1QdemoRenewal00001';
    const RENEWAL_INTENT = 'pi_3QdemoRenewalPay01';
    const renewalCharge = { id: 'ch_3QdemoRenewalCh01', amount: 2900, payment_intent: RENEWAL_INTENT };
    const stripeKnows = (paymentIntentId: string) => Promise.resolve(paymentIntentId === RENEWAL_INTENT ? RENEWAL_INVOICE : undefined);

    async function renewed(lookup?: StripeEventOptions) {
      const setup = await webhook({ lookup });
      expect(await setup.post(fixture('invoice.paid'))).toMatchObject({ status: 200, body: { tracked: true, duplicate: false } });
      expect(setup.app.inspect().sales.map((sale) => sale.transaction_id)).toEqual([RENEWAL_INVOICE]);
      return setup;
    }

    it('reverses the commission of a fully refunded renewal: the refund is sent again under the invoice invoiceOfPaymentIntent names', async () => {
      const asked = vi.fn(stripeKnows);
      const { app, post } = await renewed({ invoiceOfPaymentIntent: asked });
      const full = refund({ ...renewalCharge, amount_refunded: 2900, refunded: true });
      expect(await post(full)).toEqual({ status: 200, body: { received: true, tracked: true, status: 'reversed' } });
      expect(asked).toHaveBeenCalledWith(RENEWAL_INTENT, expect.objectContaining({ id: 'evt_refund' }));
      // Redelivered: answered from the keys, never reversed twice.
      expect(await post(full)).toEqual({ status: 200, body: { received: true, tracked: true, status: 'reversed' } });
      expect(app.inspect().refunds).toHaveLength(1);
      expect(app.inspect().commissions.map((commission) => commission.status)).toEqual(['reversed']);
    });

    it('deducts a partially refunded renewal once, however often Stripe redelivers it', async () => {
      const { app, post } = await renewed({ invoiceOfPaymentIntent: stripeKnows });
      const partial = refund({ ...renewalCharge, amount_refunded: 900, refunded: false });
      expect(await post(partial)).toEqual({ status: 200, body: { received: true, tracked: true, status: 'refunded' } });
      expect(await post(partial)).toEqual({ status: 200, body: { received: true, tracked: true, status: 'refunded' } });
      expect(app.inspect().refunds).toHaveLength(1);
      expect(app.inspect().commissions[0]).toMatchObject({ status: 'refunded', deducted_cents: 180 });
    });

    it("takes the commission back when a renewal's dispute is lost", async () => {
      const { app, post } = await renewed({ invoiceOfPaymentIntent: stripeKnows });
      const lost = fixture('charge.dispute.closed');
      Object.assign(lost.data.object, { amount: 2900, charge: renewalCharge.id, payment_intent: RENEWAL_INTENT });
      expect(await post(lost)).toEqual({ status: 200, body: { received: true, tracked: true, status: 'reversed' } });
      expect(app.inspect().commissions.map((commission) => commission.status)).toEqual(['reversed']);
    });

    it("without invoiceOfPaymentIntent: acknowledged as not found, and the log says what reverses it", async () => {
      const { app, post } = await renewed();
      expect(await post(refund({ ...renewalCharge, amount_refunded: 2900, refunded: true }))).toEqual({ status: 200, body: { received: true, tracked: false, code: 'not_found' } });
      expect(console.warn).toHaveBeenLastCalledWith(
        `[affitor] charge.refunded evt_refund: not_found (404) Sale not found for transaction_id [request evt_refund]. If ${RENEWAL_INTENT} paid a subscription invoice whose sale is under the invoice id (Stripe API 2025-03-31 on, or a Payment Link), pass invoiceOfPaymentIntent to the webhook (README), or reverse it with trackRefund({ invoiceId: 'in_…' })`,
      );
      expect(app.inspect().commissions.map((commission) => commission.status)).toEqual(['pending']);
    });

    it('acknowledges a refund invoiceOfPaymentIntent names no invoice for (a payment of no invoice, never tracked), with no second call', async () => {
      const asked = vi.fn(() => Promise.resolve(null));
      const { app, post } = await renewed({ invoiceOfPaymentIntent: asked });
      expect(await post(refund({ payment_intent: 'pi_3QdemoOneTime00001', amount_refunded: 4900, refunded: true }))).toEqual({
        status: 200,
        body: { received: true, tracked: false, code: 'not_found' },
      });
      expect(asked).toHaveBeenCalledTimes(1);
      expect(console.warn).toHaveBeenLastCalledWith(expect.stringContaining('invoiceOfPaymentIntent named no invoice for pi_3QdemoOneTime00001'));
      expect(app.inspect().refunds).toHaveLength(0);
    });

    it('asks nothing when the refund finds its sale, nor for a charge of no payment intent (Stripe would refuse a charge id)', async () => {
      const asked = vi.fn(stripeKnows);
      const { post } = await renewed({ invoiceOfPaymentIntent: asked });
      await post(checkout());
      expect(await post(refund({}))).toMatchObject({ status: 200, body: { tracked: true } });
      expect(await post(refund({ payment_intent: null, id: 'ch_legacy0001' }, undefined, 'evt_legacy'))).toMatchObject({ status: 200, body: { code: 'not_found' } });
      expect(asked).not.toHaveBeenCalled();
    });

    it('answers 500 when invoiceOfPaymentIntent throws or rejects (Stripe down), and reverses the commission on the redelivery', async () => {
      let stripeDown = true;
      const { app, post } = await renewed({
        invoiceOfPaymentIntent: (paymentIntentId) => {
          if (stripeDown) throw new Error('StripeConnectionError: An error occurred with our connection to Stripe.');
          return stripeKnows(paymentIntentId);
        },
      });
      const full = refund({ ...renewalCharge, amount_refunded: 2900, refunded: true });
      expect(await post(full)).toEqual({ status: 500, body: { received: true, tracked: false, code: 'invoice_lookup_failed' } });
      expect(console.warn).toHaveBeenLastCalledWith(
        `[affitor] charge.refunded evt_refund: Sale not found for transaction_id (${RENEWAL_INTENT}), and invoiceOfPaymentIntent failed (StripeConnectionError: An error occurred with our connection to Stripe.): answered 500 for Stripe to redeliver.`,
      );
      stripeDown = false;
      expect(await post(full)).toEqual({ status: 200, body: { received: true, tracked: true, status: 'reversed' } });
      expect(app.inspect().commissions.map((commission) => commission.status)).toEqual(['reversed']);

      const rejecting = await renewed({ invoiceOfPaymentIntent: () => Promise.reject(new Error('rate limited')) });
      expect(await rejecting.post(full)).toEqual({ status: 500, body: { received: true, tracked: false, code: 'invoice_lookup_failed' } });
      expect(rejecting.app.inspect().refunds).toHaveLength(0);

      // The invoice object instead of its id: said, not taken for a payment of no invoice (the refund lost).
      const objects = await renewed({ invoiceOfPaymentIntent: (() => Promise.resolve({ id: RENEWAL_INVOICE })) as unknown as StripeEventOptions['invoiceOfPaymentIntent'] });
      expect(await objects.post(full)).toEqual({ status: 500, body: { received: true, tracked: false, code: 'invoice_lookup_failed' } });
      expect(console.warn).toHaveBeenLastCalledWith(expect.stringContaining('invoiceOfPaymentIntent failed (answered a value of type object, not an invoice id)'));
    });

    it('answers 500 when invoiceOfPaymentIntent gives no answer in time, rather than hold the delivery, and its late answer is harmless', async () => {
      const rejections: unknown[] = [];
      const onRejection = (reason: unknown) => rejections.push(reason);
      process.on('unhandledRejection', onRejection);
      try {
        const { app, post } = await renewed({
          invoiceOfPaymentIntent: () => new Promise((_, reject) => setTimeout(() => reject(new Error('too late')), 300)),
          invoiceLookupTimeoutMs: 50,
        });
        const started = Date.now();
        expect(await post(refund({ ...renewalCharge, amount_refunded: 2900, refunded: true }))).toEqual({
          status: 500,
          body: { received: true, tracked: false, code: 'invoice_lookup_failed' },
        });
        expect(Date.now() - started).toBeLessThan(250);
        expect(console.warn).toHaveBeenLastCalledWith(expect.stringContaining('invoiceOfPaymentIntent failed (no answer within 50 ms)'));
        await new Promise((resolve) => setTimeout(resolve, 400));
        expect(rejections).toEqual([]);
        expect(app.inspect().refunds).toHaveLength(0);
      } finally {
        process.off('unhandledRejection', onRejection);
      }
    });
  });

  it('acknowledges a refund event it reported already, as another API version renders it (its body differs), instead of answering 500 for days', async () => {
    const { app, post } = await webhook();
    await post(checkout());
    const rendered = fixture('charge.refunded');
    const renderedLater = fixture('charge.refunded');
    delete renderedLater.data.object.refunds;
    expect(await post(rendered)).toMatchObject({ status: 200, body: { tracked: true } });
    expect(await post(renderedLater)).toEqual({ status: 200, body: { received: true, tracked: false, code: 'conflict' } });
    expect(app.inspect().refunds).toHaveLength(1);
  });

  it("records a subscription whose checkout names the merchant's own customer id as its client_reference_id once, at its checkout", async () => {
    const { app, post } = await webhook();
    const subscribed = fixture('checkout.session.completed.subscription');
    Object.assign(subscribed.data.object, { client_reference_id: 'u_901', metadata: {} });
    expect(await post(subscribed)).toEqual({ status: 200, body: { received: true, tracked: true, duplicate: false } });
    const sales = app.inspect().sales;
    expect(sales.map((sale) => [sale.transaction_id, sale.customer_id, sale.amount_cents, sale.is_recurring])).toEqual([['in_1QdemoFirstInvoice1', 901, 2900, true]]);
  });

  it('deducts a partial refund once when Stripe redelivers its event', async () => {
    const { app, post } = await webhook();
    await post(checkout());
    const event = refund({ amount_refunded: 1900, refunded: false });
    const first = await post(event);
    expect(await post(event)).toEqual(first);
    expect(app.inspect().refunds).toHaveLength(1);
    expect(app.inspect().commissions[0]).toMatchObject({ status: 'refunded', deducted_cents: 380 });
  });

  it('deducts a partial refund once when Stripe redelivers it two days later, after answers lost until then', async () => {
    // The API applied the refund but its answers were lost (a proxy failing, the webhook's host
    // down): the webhook answered 500, and Stripe keeps redelivering for up to three days.
    let lost = false;
    const clock = { now: Date.now() };
    const { app, post } = await webhook({
      hooks: { after: (_n, response) => (lost ? new Response(null, { status: 502 }) : response) },
      now: () => clock.now,
    });
    await post(checkout());
    lost = true;
    const event = refund({ amount_refunded: 1900, refunded: false });
    expect(await post(event)).toEqual({ status: 500, body: { received: true, tracked: false, code: 'server' } });
    expect(app.inspect().refunds).toHaveLength(1);
    lost = false;
    clock.now += 2 * 86_400_000;
    expect(await post(event)).toEqual({ status: 200, body: { received: true, tracked: true, status: 'refunded' } });
    expect(app.inspect().refunds).toHaveLength(1);
    expect(app.inspect().commissions[0]).toMatchObject({ status: 'refunded', deducted_cents: 380 });
  });

  it('acknowledges a checkout with no attribution without calling Affitor', async () => {
    const { app, post } = await webhook();
    const result = await post(checkout({ client_reference_id: null }));
    expect(result).toEqual({ status: 200, body: { received: true, tracked: false, reason: 'nothing to track in checkout.session.completed' } });
    expect(app.inspect().sales).toHaveLength(0);
  });

  it('answers 500 while the API fails, so that Stripe redelivers, and tracks the redelivery', async () => {
    const { app, post } = await webhook();
    app.setFaults({ sale: true });
    expect(await post(checkout())).toEqual({ status: 500, body: { received: true, tracked: false, code: 'server' } });
    app.setFaults({ sale: false });
    expect(await post(checkout())).toMatchObject({ status: 200, body: { tracked: true, duplicate: false } });
  });

  it("says a sale recorded without its commission needs Affitor, and acknowledges it: a redelivery was answered `duplicate` and the commission lost without a word", async () => {
    // The API's contract: the sale is written, the commission fails (500), the transaction id stays taken.
    const { app, post } = await webhook();
    app.setFaults({ commission: true });
    expect(await post(checkout())).toEqual({ status: 200, body: { received: true, tracked: true, commission: false } });
    expect(console.warn).toHaveBeenCalledWith(
      "[affitor] checkout.session.completed evt_1QdemoCheckout0001: the sale pi_3QdemoPayment0001 was recorded without its commission (Failed to create commission) [request evt_1QdemoCheckout0001]. A redelivery cannot add it (the transaction id is taken): ask Affitor support to create this sale's commission.",
    );
    expect(app.inspect().sales).toHaveLength(1);
    expect(app.inspect().commissions).toHaveLength(0);
    // A refund that comes first and carries that sale still goes through (there is nothing to reverse).
    const other = await webhook();
    other.app.setFaults({ commission: true });
    expect(await other.post(refund({ metadata: { affitor_customer_key: 'u_901' } }))).toEqual({ status: 200, body: { received: true, tracked: true, status: 'no_commission' } });
  });

  it('answers 500 when the idempotency key is still in use after the retries, so that Stripe redelivers: the outcome is unknown', async () => {
    // Another attempt holds the key (the client timed out on it, or Stripe redelivered while the
    // first delivery was still being handled), and that attempt then fails: nothing is recorded.
    let inUse = true;
    const { app, post } = await webhook({
      hooks: {
        after: (_n, response) => (inUse ? Response.json({ error: MESSAGES.idempotencyInProgress }, { status: 409 }) : response),
      },
    });
    app.setFaults({ sale: true });
    expect(await post(checkout())).toEqual({ status: 500, body: { received: true, tracked: false, code: 'conflict' } });
    expect(app.inspect().sales).toHaveLength(0);
    inUse = false;
    app.setFaults({ sale: false });
    expect(await post(checkout())).toMatchObject({ status: 200, body: { tracked: true, duplicate: false } });
  });

  it('records a refund Stripe delivers before its sale: the attributed charge is the sale, so the checkout that follows is a duplicate', async () => {
    // Stripe does not deliver in order (and the checkout's delivery may be failing while the
    // refund's gets through): answered `Sale not found` and acknowledged, the refund was lost for
    // good, and the sale recorded afterwards kept its whole commission.
    const { app, post } = await webhook();
    const early = refund({ metadata: { affitor_customer_key: 'u_901' } });
    expect(await post(early)).toEqual({ status: 200, body: { received: true, tracked: true, status: 'refunded' } });
    expect(await post(early)).toEqual({ status: 200, body: { received: true, tracked: true, status: 'refunded' } });
    expect(await post(checkout())).toEqual({ status: 200, body: { received: true, tracked: true, duplicate: true } });
    expect(app.inspect().sales).toHaveLength(1);
    expect(app.inspect().sales[0]).toMatchObject({ transaction_id: 'pi_3QdemoPayment0001', amount_cents: 4900, currency: 'USD' });
    expect(app.inspect().refunds).toHaveLength(1);
    expect(app.inspect().commissions[0]).toMatchObject({ status: 'refunded', deducted_cents: 380 });
  });

  it('answers 500 to an early refund while its sale cannot be recorded, and records both on the redelivery', async () => {
    const { app, post } = await webhook();
    app.setFaults({ sale: true });
    const early = refund({ metadata: { affitor_customer_key: 'u_901' } });
    expect(await post(early)).toEqual({ status: 500, body: { received: true, tracked: false, code: 'server' } });
    expect(app.inspect().refunds).toHaveLength(0);
    app.setFaults({ sale: false });
    expect(await post(early)).toEqual({ status: 200, body: { received: true, tracked: true, status: 'refunded' } });
    expect(app.inspect().commissions[0]).toMatchObject({ status: 'refunded', deducted_cents: 380 });
  });

  it('takes the commission back when a dispute is lost, once however often Stripe redelivers it', async () => {
    const { app, post } = await webhook();
    await post(checkout());
    const lost = fixture('charge.dispute.closed');
    expect(await post(lost)).toEqual({ status: 200, body: { received: true, tracked: true, status: 'reversed' } });
    expect(await post(lost)).toEqual({ status: 200, body: { received: true, tracked: true, status: 'reversed' } });
    expect(app.inspect().refunds).toHaveLength(1);
    expect(app.inspect().commissions[0]).toMatchObject({ status: 'reversed' });
  });

  it('leaves the commission while a dispute is open or once it is won', async () => {
    const { app, post } = await webhook();
    await post(checkout());
    const withdrawn = fixture('charge.dispute.closed');
    withdrawn.type = 'charge.dispute.funds_withdrawn';
    Object.assign(withdrawn.data.object, { status: 'needs_response' });
    const won = fixture('charge.dispute.closed');
    Object.assign(won.data.object, { status: 'won' });
    for (const event of [withdrawn, won]) expect(await post(event)).toMatchObject({ status: 200, body: { tracked: false } });
    expect(app.inspect().refunds).toHaveLength(0);
    expect(app.inspect().commissions[0]).toMatchObject({ status: 'pending', deducted_cents: 0 });
  });

  it('acknowledges a refund of a sale Affitor never saw (the buyer came from no partner)', async () => {
    const { post } = await webhook();
    expect(await post(refund({ payment_intent: 'pi_unknown' }))).toEqual({
      status: 200,
      body: { received: true, tracked: false, code: 'not_found' },
    });
  });

  it('answers 500 while AFFITOR_API_URL names no tracking API (a 404 or 405 of no route), so that Stripe redelivers once it is fixed', async () => {
    // With /api/v1 appended by mistake every call reaches no route: acknowledged, every sale and refund was lost.
    const misrouted = await webhook({ apiUrl: 'https://tracking.test/api/v1' });
    expect(await misrouted.post(checkout())).toEqual({ status: 500, body: { received: true, tracked: false, code: 'not_found' } });
    expect(await misrouted.post(refund({}))).toEqual({ status: 500, body: { received: true, tracked: false, code: 'not_found' } });
    const wrongHost = await webhook({
      hooks: { after: () => Response.json({ error: 'Method Not Allowed' }, { status: 405 }) },
    });
    expect(await wrongHost.post(checkout())).toEqual({ status: 500, body: { received: true, tracked: false, code: 'validation' } });
    expect(misrouted.app.inspect().sales).toHaveLength(0);
  });

  it("answers 500 on a refusal that is a proxy's page (a 400 in HTML), not the API's: it says nothing of the event, and Stripe redelivers", async () => {
    const proxied = await webhook({ hooks: { after: () => new Response('<html><h1>400 Bad Request</h1></html>', { status: 400, headers: { 'Content-Type': 'text/html' } }) } });
    expect(await proxied.post(checkout())).toEqual({ status: 500, body: { received: true, tracked: false, code: 'invalid_response' } });
  });

  it('checks the Stripe signature when a signing secret is set', async () => {
    const secret = 'whsec_test_secret';
    const { post } = await webhook({ signingSecret: secret });
    const event = checkout();
    const raw = JSON.stringify(event);
    expect(await post(event)).toEqual({ status: 400, body: { error: 'Invalid Stripe signature' } });
    expect(console.warn).toHaveBeenCalledWith('[webhook] invalid Stripe-Signature: no Stripe-Signature header: not a delivery from Stripe, or a proxy in front of this server dropped the header');
    expect(await post(event, { 'Stripe-Signature': signStripePayload(raw, 'whsec_other') })).toMatchObject({ status: 400 });
    expect(console.warn).toHaveBeenLastCalledWith(expect.stringMatching(/^\[webhook\] invalid Stripe-Signature: no v1 signature matches: is STRIPE_WEBHOOK_SECRET this endpoint's signing secret/));
    expect(await post(event, { 'Stripe-Signature': signStripePayload(raw, secret) })).toMatchObject({ status: 200, body: { tracked: true } });
  });

  it('refuses a signature older than five minutes, or over another body', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const header = signStripePayload('{"a":1}', 'whsec_x', now);
    expect(verifyStripeSignature('{"a":1}', header, 'whsec_x', now + 60_000)).toBe(true);
    expect(verifyStripeSignature('{"a":1}', header, 'whsec_x', now + 301_000)).toBe(false);
    expect(verifyStripeSignature('{"a":2}', header, 'whsec_x', now)).toBe(false);
    expect(verifyStripeSignature('{"a":1}', 'garbage', 'whsec_x', now)).toBe(false);
    expect(verifyStripeSignature(Buffer.from('{"a":1}'), header, 'whsec_x', now)).toBe(true);
  });

  it('says why a signature is refused, so that the log names what to fix: a replay or a clock off, no header, or a body that is not the raw one', () => {
    // One sentence, "is STRIPE_WEBHOOK_SECRET this endpoint's signing secret?", for every refusal sent
    // the merchant to rotate a secret that was right.
    const now = Date.parse('2026-01-01T00:00:00Z');
    const raw = '{\n  "id": "evt_1",\n  "object": "event"\n}';
    const header = signStripePayload(raw, 'whsec_x', now);
    expect(stripeSignatureProblem(raw, header, 'whsec_x', now)).toBeNull();
    expect(stripeSignatureProblem(raw, header, 'whsec_x', now + 600_000)).toBe(
      "signed 600 s ago, beyond the 300 s tolerance: a replayed delivery, or this server's clock is off (is it synchronized?)",
    );
    expect(stripeSignatureProblem(raw, header, 'whsec_x', now - 400_000)).toMatch(/^dated 400 s ahead of this server's clock/);
    expect(stripeSignatureProblem(raw, undefined, 'whsec_x', now)).toMatch(/^no Stripe-Signature header/);
    // Behind express.json(): the parsed event itself (req.body), or JSON written anew from it.
    const parsed: unknown = JSON.parse(raw);
    expect(stripeSignatureProblem(parsed as string, header, 'whsec_x', now)).toBe(
      'the body checked is object, not the raw request body (a string or Buffer): does a JSON body parser run before this route?',
    );
    expect(stripeSignatureProblem(JSON.stringify(parsed), header, 'whsec_x', now)).toMatch(/not JSON parsed and written anew\?$/);
  });

  it('answers 404 elsewhere and 400 for a body that is not an event', async () => {
    const { url, post } = await webhook();
    expect((await fetch(url.replace('/webhook', '/other'), { method: 'POST' })).status).toBe(404);
    expect((await fetch(url.replace('/webhook', '/webhook/other'), { method: 'POST' })).status).toBe(404);
    // A request line no URL parser takes relative to a base: answered 404 too, not 500 with an error logged.
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const origin = new URL(url);
    const slashes = await new Promise<number>((resolve, reject) =>
      httpRequest({ host: origin.hostname, port: origin.port, path: '//', method: 'POST' }, (answer) => {
        answer.resume();
        resolve(answer.statusCode!);
      })
        .on('error', reject)
        .end(),
    );
    expect(slashes).toBe(404);
    expect(errors).not.toHaveBeenCalled();
    // Stripe's guide to a new API version has the new endpoint be the same URL with a query.
    const query = await fetch(`${url}?version=2025-03-31`, { method: 'POST', body: JSON.stringify(checkout()) });
    expect(await query.json()).toMatchObject({ tracked: true });
    expect(await post({ hello: 'world' })).toEqual({ status: 400, body: { error: 'Not a Stripe event' } });
  });
});

describe('examples/stripe-webhook/src/main.ts', () => {
  const MAIN = 'examples/stripe-webhook/src/main.ts';
  const ENV = { AFFITOR_API_KEY: 'aff_test_1', STRIPE_WEBHOOK_SECRET: 'whsec_test_secret' };

  it('PORT=0: the line it prints names the port it got, where the webhook answers', async () => {
    const cli = runScript(MAIN, [], { ...ENV, PORT: '0' });
    try {
      const line = await cli.firstLine;
      expect(line).toMatch(/^stripe webhook listening on http:\/\/127\.0\.0\.1:[1-9]\d*\/webhook$/);
      const answer = await fetch(line.slice('stripe webhook listening on '.length), { method: 'POST', body: '{}' });
      expect(answer.status).toBe(400);
    } finally {
      cli.stop();
    }
  });

  it('a STRIPE_WEBHOOK_SECRET read with a newline at its end (a secret mounted from a file) checks signatures with the secret', async () => {
    const cli = runScript(MAIN, [], { ...ENV, STRIPE_WEBHOOK_SECRET: `${ENV.STRIPE_WEBHOOK_SECRET}\n`, PORT: '0' });
    try {
      const url = (await cli.firstLine).slice('stripe webhook listening on '.length);
      const body = JSON.stringify({ id: 'evt_x', type: 'customer.created', data: { object: {} } });
      const signed = await fetch(url, { method: 'POST', body, headers: { 'Stripe-Signature': signStripePayload(body, ENV.STRIPE_WEBHOOK_SECRET) } });
      expect(signed.status).toBe(200);
      expect((await fetch(url, { method: 'POST', body })).status).toBe(400);
    } finally {
      cli.stop();
    }
  });

  it('a STRIPE_WEBHOOK_SECRET that is set but blank (an empty secret file): says so and exits 1, rather than check no signature', async () => {
    const { code, stderr } = await runScript(MAIN, [], { ...ENV, STRIPE_WEBHOOK_SECRET: ' \n', PORT: '0' }).exit;
    expect(code).toBe(1);
    expect(stderr).toContain('STRIPE_WEBHOOK_SECRET is set but blank');
  });

  it('AFFITOR_SIGNING_SECRET: a key that requires signed requests records the sale (unsigned, every delivery was a 401 and a 500)', async () => {
    const seed = structuredClone(SEED);
    seed.programs![0]!.api_keys = [{ token: 'aff_live_signed_webhook', signing_secret: 'sec_webhook_1' }];
    const api = await startServer({ port: 0, seed });
    const cli = runScript(MAIN, [], { ...ENV, AFFITOR_API_KEY: 'aff_live_signed_webhook', AFFITOR_SIGNING_SECRET: 'sec_webhook_1\n', AFFITOR_API_URL: api.url, PORT: '0' });
    try {
      const url = (await cli.firstLine).slice('stripe webhook listening on '.length);
      const body = JSON.stringify(checkout());
      const answer = await fetch(url, { method: 'POST', body, headers: { 'Stripe-Signature': signStripePayload(body, ENV.STRIPE_WEBHOOK_SECRET) } });
      expect({ status: answer.status, body: (await answer.json()) as Json }).toMatchObject({ status: 200, body: { tracked: true } });
      expect(api.app.inspect().sales).toHaveLength(1);
    } finally {
      cli.stop();
      await api.close();
    }
  });

  it('an empty PORT (a `.env` line `PORT=`) is the default port, 4242', async () => {
    const cli = runScript(MAIN, [], { ...ENV, PORT: '' });
    try {
      expect(await cli.firstLine).toBe('stripe webhook listening on http://127.0.0.1:4242/webhook');
      expect((await fetch('http://127.0.0.1:4242/webhook', { method: 'POST', body: '{}' })).status).toBe(400);
    } finally {
      cli.stop();
    }
  });

  it('a PORT already taken: says so in one line and exits 1', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    try {
      const { code, stderr } = await runScript(MAIN, [], { ...ENV, PORT: String((taken.address() as AddressInfo).port) }).exit;
      expect(code).toBe(1);
      expect(stderr.trim()).toMatch(/^listen EADDRINUSE: address already in use 127\.0\.0\.1:\d+: set PORT to a free port$/);
    } finally {
      taken.close();
    }
  });

  it.each(['abc', '8e3', '70000'])('PORT=%s: says PORT is not a port and exits 1', async (port) => {
    const { code, stderr } = await runScript(MAIN, [], { ...ENV, PORT: port }).exit;
    expect(code).toBe(1);
    expect(stderr).toContain(`PORT must be an integer from 0 to 65535 (got "${port}")`);
  });
});
