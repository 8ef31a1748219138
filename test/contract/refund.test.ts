/** POST /api/v1/track/refund: reversal, proportional deductions, and program isolation. */
import { describe, expect, it } from 'vitest';
import { TOKEN_2, setup } from './helpers';

/** A server with sale `txn` of `amount` cents (commission 20%) for customer 900. */
async function withSale(amount = 10_000) {
  const env = setup();
  const reply = await env.sale({ transaction_id: 'txn', amount_cents: amount, customer_key: 'u_900' });
  expect(reply.status).toBe(200);
  return env;
}

describe('refund', () => {
  it('reverses the whole commission on a full refund', async () => {
    const { refund, server } = await withSale();
    const reply = await refund({ transaction_id: 'txn' });
    expect(reply.body).toStrictEqual({ success: true, status: 'reversed', deductionAmount: 20, commission_id: 1 });
    expect(server.inspect().commissions[0]).toMatchObject({ status: 'reversed', deducted_cents: 2000 });
    expect(server.inspect().refunds[0]).toMatchObject({ status: 'reversed', deduction_cents: 2000, refund_amount_cents: null });
  });

  // The server client sends them (its Stripe helper: `dispute_lost: fraudulent`, the Stripe event
  // id); a merchant asserting on /_inspect that a lost dispute was reported as one found neither.
  it('keeps the refund_reason and additional_data it is given, as a sale keeps its details', async () => {
    const { refund, server } = await withSale();
    const additional_data = { stripe_event_id: 'evt_1', stripe_charge: 'ch_1' };
    await refund({ transaction_id: 'txn', refund_amount_cents: 2500, refund_reason: 'dispute_lost: fraudulent', additional_data });
    await refund({ transaction_id: 'txn', refund_reason: '', additional_data: ['not', 'an object'] });
    const [first, second] = server.inspect().refunds;
    expect(first).toMatchObject({ refund_reason: 'dispute_lost: fraudulent', additional_data });
    expect(second).toMatchObject({ refund_reason: null, additional_data: null });
  });

  it('treats refund_amount_cents 0 as a full refund', async () => {
    const { refund } = await withSale();
    expect((await refund({ transaction_id: 'txn', refund_amount_cents: 0 })).body).toMatchObject({ status: 'reversed', deductionAmount: 20 });
  });

  it('refuses refund_amount_cents null with 400 instead of reversing the whole commission', async () => {
    const { refund, server } = await withSale();
    const reply = await refund({ transaction_id: 'txn', refund_amount_cents: null });
    expect(reply.status).toBe(400);
    expect(reply.body).toStrictEqual({ error: 'refund_amount_cents must be a positive integer' });
    expect(server.inspect().commissions[0]).toMatchObject({ status: 'pending', deducted_cents: 0 });
    expect(server.inspect().refunds).toHaveLength(0);
  });

  it('deducts the proportional share on a partial refund', async () => {
    const { refund, server } = await withSale();
    const reply = await refund({ transaction_id: 'txn', refund_amount_cents: 2500 });
    expect(reply.body).toStrictEqual({ success: true, status: 'refunded', deductionAmount: 5, commission_id: 1 });
    expect(server.inspect().commissions[0]).toMatchObject({ status: 'refunded', deducted_cents: 500 });
  });

  it('reverses when partial refunds add up to the sale amount', async () => {
    const { refund } = await withSale();
    await refund({ transaction_id: 'txn', refund_amount_cents: 2500 });
    expect((await refund({ transaction_id: 'txn', refund_amount_cents: 7500 })).body).toStrictEqual({ success: true, status: 'reversed', deductionAmount: 15, commission_id: 1 });
  });

  it('reverses when a partial refund goes above the sale amount', async () => {
    const { refund } = await withSale();
    await refund({ transaction_id: 'txn', refund_amount_cents: 6000 });
    expect((await refund({ transaction_id: 'txn', refund_amount_cents: 6000 })).body).toMatchObject({ status: 'reversed', deductionAmount: 8 });
  });

  it('never deducts more or less than the commission over several rounded partials', async () => {
    const { refund, server } = await withSale(999);
    const amounts = [];
    for (let i = 0; i < 3; i++) amounts.push((await refund({ transaction_id: 'txn', refund_amount_cents: 333 })).body?.deductionAmount);
    expect(amounts).toStrictEqual([0.67, 0.66, 0.67]);
    expect(server.inspect().commissions[0]).toMatchObject({ amount_cents: 200, deducted_cents: 200, status: 'reversed' });
  });

  // amount_cents is in the currency's smallest unit, and deductionAmount in its main unit: for a
  // currency without minor units (JPY) those are one, and a 380 yen deduction read 3.8.
  it("gives deductionAmount in the sale currency's main unit: yen for JPY, not hundredths", async () => {
    const { sale, refund } = setup();
    expect((await sale({ transaction_id: 'txn_jpy', amount_cents: 4900, currency: 'JPY', customer_key: 'u_900' })).status).toBe(200);
    expect((await refund({ transaction_id: 'txn_jpy', refund_amount_cents: 1900 })).body).toStrictEqual({ success: true, status: 'refunded', deductionAmount: 380, commission_id: 1 });
    expect((await refund({ transaction_id: 'txn_jpy' })).body).toMatchObject({ status: 'reversed', deductionAmount: 600 });
    // A currency with three minor digits (fils) and an unknown code (hundredths, as USD).
    await sale({ transaction_id: 'txn_kwd', amount_cents: 10_000, currency: 'KWD', customer_key: 'u_900' });
    expect((await refund({ transaction_id: 'txn_kwd' })).body).toMatchObject({ deductionAmount: 2 });
    await sale({ transaction_id: 'txn_odd', amount_cents: 10_000, currency: 'not a code', customer_key: 'u_900' });
    expect((await refund({ transaction_id: 'txn_odd' })).body).toMatchObject({ deductionAmount: 20 });
    // The code as a raw call may send it: lower case, padded. Still yen, not hundredths.
    await sale({ transaction_id: 'txn_jpy_padded', amount_cents: 4900, currency: ' jpy ', customer_key: 'u_900' });
    expect((await refund({ transaction_id: 'txn_jpy_padded' })).body).toMatchObject({ deductionAmount: 980 });
  });

  // ISO 4217's minor units, not how a locale shows prices: forint and rupiah have two (filler,
  // sen; Stripe writes them so), though CLDR shows neither with decimals.
  it.each(['HUF', 'IDR', 'COP', 'PKR'])('gives deductionAmount for %s in its main unit: hundredths, as ISO 4217 has them', async (currency) => {
    const { sale, refund } = setup();
    await sale({ transaction_id: `txn_${currency}`, amount_cents: 490_000, currency, customer_key: 'u_900' });
    expect((await refund({ transaction_id: `txn_${currency}` })).body).toMatchObject({ deductionAmount: 980 });
  });

  it('skips a second full refund as already reversed', async () => {
    const { refund, server } = await withSale();
    await refund({ transaction_id: 'txn' });
    expect((await refund({ transaction_id: 'txn' })).body).toStrictEqual({ success: true, status: 'skipped', reason: 'already reversed', commission_id: 1 });
    expect(server.inspect().commissions[0]?.deducted_cents).toBe(2000);
  });

  it('answers no_commission for a sale outside the attribution window', async () => {
    const { sale, refund } = setup();
    await sale({ transaction_id: 'late', amount_cents: 1000, customer_key: 'u_905' });
    expect((await refund({ transaction_id: 'late' })).body).toStrictEqual({ success: true, status: 'no_commission', message: 'Sale has no commission to reverse' });
  });

  // The sale's refunded_cents is the sum of its refunds whether or not it earned a commission:
  // /_inspect showed 0 for a refunded sale that had none, as if nothing had been refunded.
  it('counts the refunds of a sale with no commission in its refunded_cents', async () => {
    const { sale, refund, server } = setup();
    await sale({ transaction_id: 'late', amount_cents: 1000, customer_key: 'u_905' });
    expect((await refund({ transaction_id: 'late', refund_amount_cents: 300 })).body?.status).toBe('no_commission');
    expect(server.inspect().sales[0]?.refunded_cents).toBe(300);
    await refund({ transaction_id: 'late' });
    expect(server.inspect().sales[0]?.refunded_cents).toBe(1000);
  });

  it('answers no_commission for a sale whose commission creation failed', async () => {
    const { sale, refund, faults } = setup();
    faults({ commission: true });
    await sale({ transaction_id: 'broken', amount_cents: 1000, customer_key: 'u_900' });
    expect((await refund({ transaction_id: 'broken' })).body?.status).toBe('no_commission');
  });

  it('a refund in test mode finds test sales only: asked of a real sale, it answers 404 and reverses no commission', async () => {
    const { refund, server } = await withSale();
    const reply = await refund({ transaction_id: 'txn', additional_data: { test_mode: true } });
    expect(reply).toMatchObject({ status: 404, body: { error: 'Sale not found for transaction_id' } });
    expect(server.inspect().commissions[0]?.status).toBe('pending');
    expect(server.inspect().refunds).toHaveLength(0);
  });

  it('answers no_commission for a test sale', async () => {
    const { sale, refund } = setup();
    await sale({ transaction_id: 'test_sale', additional_data: { test_mode: true } });
    expect((await refund({ transaction_id: 'test_sale' })).body?.status).toBe('no_commission');
  });
});

describe('program isolation', () => {
  it('answers 404 when another program\'s token refunds a sale, and changes nothing', async () => {
    const { refund, server } = await withSale();
    const reply = await refund({ transaction_id: 'txn' }, TOKEN_2);
    expect(reply).toMatchObject({ status: 404, body: { error: 'Sale not found for transaction_id' } });
    expect(server.inspect().commissions[0]?.status).toBe('pending');
    expect(server.inspect().refunds).toHaveLength(0);
  });

  it('does not let a token record a sale for another program\'s customer', async () => {
    const { sale, server } = setup();
    const reply = await sale({ transaction_id: 'cross', amount_cents: 100, customer_key: 'u_900' }, TOKEN_2);
    expect(reply.status).toBe(400);
    expect(server.inspect().sales).toHaveLength(0);
  });
});
