/** POST /api/v1/track/sale: commissions, the duplicate guard, attribution windows, test mode. */
import { describe, expect, it } from 'vitest';
import { DAY, START, TOKEN_2, baseSeed, setup } from './helpers';

describe('sale', () => {
  it('records the sale and a commission of amount times rate, rounded to whole cents', async () => {
    const { sale, server } = setup();
    const reply = await sale({ transaction_id: 'ch_1', amount_cents: 4999, customer_key: 'u_900' });
    expect(reply.body).toStrictEqual({ success: true, sale_id: 1, commission_id: 1, message: 'Sale tracked successfully' });
    const state = server.inspect();
    expect(state.sales[0]).toMatchObject({ transaction_id: 'ch_1', amount_cents: 4999, currency: 'USD', program_id: 1, customer_id: 900, partner_id: 10, commission_id: 1, test_mode: false });
    expect(state.commissions[0]).toMatchObject({ sale_id: 1, amount_cents: 1000, partner_id: 10, status: 'pending', test_mode: false });
    expect(state.customers.find((c) => c.id === 900)?.status).toBe('conversion');
  });

  it('credits the partner of the latest customer a customer_key was bound to (a returning user who clicked a new partner on another device)', async () => {
    const { click, lead, sale, server } = setup();
    const first = (await click('PARTNER123')).body?.click_id;
    expect((await lead({ click_id: first, customer_key: 'user_42' })).status).toBe(200);
    // Another device: no cookie, so no existing_click_id, and a new customer for partner B's click.
    const second = (await click('PARTNER456')).body?.click_id;
    expect((await lead({ click_id: second, customer_key: 'user_42' })).status).toBe(200);
    expect((await sale({ transaction_id: 'o1', amount_cents: 1000, customer_key: 'user_42' })).status).toBe(200);
    expect((await sale({ transaction_id: 'o2', amount_cents: 1000, customer_key: 'user_42', click_id: second })).status).toBe(200);
    expect(server.inspect().commissions.map((c) => c.partner_id)).toEqual([11, 11]);
    expect(server.inspect().customers.filter((c) => c.customer_key === 'user_42').map((c) => c.status)).toEqual(['lead', 'conversion']);
  });

  it('uses the program\'s commission rate', async () => {
    const { sale, server } = setup();
    await sale({ transaction_id: 'p2', amount_cents: 1005, customer_key: 'u_904' }, TOKEN_2);
    expect(server.inspect().commissions[0]?.amount_cents).toBe(101);
  });

  it('rounds a half cent up even when floating point lands just below it (90 at 35% is 32)', async () => {
    const seed = baseSeed();
    seed.programs![0]!.commission_rate = 0.35;
    const { sale, server } = setup(seed);
    await sale({ transaction_id: 'half', amount_cents: 90, customer_key: 'u_900' });
    expect(server.inspect().commissions[0]?.amount_cents).toBe(32);
  });

  it('keeps the currency and details it is given', async () => {
    const { sale, server } = setup();
    await sale({ transaction_id: 'eur', amount_cents: 100, click_id: 'cust_900_1', currency: 'EUR', is_recurring: true, subscription_id: 'sub_1', line_items: [{ sku: 'a' }] });
    expect(server.inspect().sales[0]).toMatchObject({ currency: 'EUR', is_recurring: true, subscription_id: 'sub_1', line_items: [{ sku: 'a' }] });
  });

  // ISO 4217 codes are upper case, but a raw call passes on what its source wrote: Stripe's 'usd',
  // a padded database column ('JPY '). One spelling per currency, as the server client sends it.
  it('keeps the currency as its upper-case code, trimmed; a blank one is USD', async () => {
    const { sale, server } = setup();
    await sale({ transaction_id: 'lower', amount_cents: 100, customer_key: 'u_900', currency: 'usd' });
    await sale({ transaction_id: 'padded', amount_cents: 100, customer_key: 'u_900', currency: ' jpy ' });
    await sale({ transaction_id: 'blank', amount_cents: 100, customer_key: 'u_900', currency: '  ' });
    expect(server.inspect().sales.map((s) => s.currency)).toStrictEqual(['USD', 'JPY', 'USD']);
  });

  it('finds the customer by customer_key before click_id', async () => {
    const { sale, server } = setup();
    await sale({ transaction_id: 't', amount_cents: 100, customer_key: 'u_905', click_id: 'cust_900_1' });
    expect(server.inspect().sales[0]?.customer_id).toBe(905);
  });

  it('finds the customer by click_id when its customer_key names only another program\'s customer', async () => {
    // Merchants pick their keys ('42', an email): another program may hold the same one. The sale
    // names this program's customer by click_id and must not be refused for the other's key.
    const { sale, server } = setup();
    const reply = await sale({ transaction_id: 't_shared_key', amount_cents: 1000, customer_key: 'u_904', click_id: 'cust_900_1' });
    expect(reply.body).toStrictEqual({ success: true, sale_id: 1, commission_id: 1, message: 'Sale tracked successfully' });
    expect(server.inspect().sales[0]).toMatchObject({ customer_id: 900, partner_id: 10, program_id: 1 });
  });

  it('still refuses a customer_key found only in another program when no click_id resolves', async () => {
    const { sale } = setup();
    const reply = await sale({ transaction_id: 't_other', amount_cents: 1000, customer_key: 'u_904', click_id: 'cust_0_0' });
    expect(reply).toMatchObject({ status: 400, body: { error: 'No affiliate attribution found for this customer in this program' } });
  });

  it('follows a customer from click through lead to sale', async () => {
    const { click, lead, sale, server } = setup();
    const { body } = await click('PARTNER456');
    await lead({ click_id: body?.click_id, customer_key: 'user_7' });
    const reply = await sale({ transaction_id: 'flow', amount_cents: 2000, customer_key: 'user_7' });
    expect(reply.body?.commission_id).toBe(1);
    expect(server.inspect().commissions[0]).toMatchObject({ partner_id: 11, amount_cents: 400 });
  });
});

describe('sale attribution window', () => {
  it('keeps the sale with commission_id null when the click is older than attribution_window_days', async () => {
    const { sale, server } = setup();
    const reply = await sale({ transaction_id: 'old', amount_cents: 1000, customer_key: 'u_905' });
    expect(reply.body).toStrictEqual({ success: true, sale_id: 1, commission_id: null, message: 'Sale tracked successfully' });
    expect(server.inspect().sales).toHaveLength(1);
    expect(server.inspect().commissions).toHaveLength(0);
  });

  it('pays a commission on the last day of the window and none the day after', async () => {
    const { click, sale, clock } = setup();
    const a = await click('PARTNER123');
    clock.now = START + 60 * DAY;
    expect((await sale({ transaction_id: 'in', amount_cents: 100, click_id: a.body?.click_id })).body?.commission_id).toBe(1);
    clock.now = START;
    const b = await click('PARTNER123');
    clock.now = START + 60 * DAY + 1;
    expect((await sale({ transaction_id: 'out', amount_cents: 100, click_id: b.body?.click_id })).body?.commission_id).toBeNull();
  });
});

describe('sale duplicate guard', () => {
  it('answers 409 to a repeated transaction_id and records nothing more', async () => {
    const { sale, server } = setup();
    await sale({ transaction_id: 'dup', amount_cents: 100, customer_key: 'u_900' });
    const again = await sale({ transaction_id: 'dup', amount_cents: 100, customer_key: 'u_900' });
    expect(again.status).toBe(409);
    expect(server.inspect().sales).toHaveLength(1);
    expect(server.inspect().commissions).toHaveLength(1);
  });

  it('records exactly one sale and one commission for 50 simultaneous calls (in-process)', async () => {
    const { sale, server } = setup();
    const replies = await Promise.all(Array.from({ length: 50 }, () => sale({ transaction_id: 'race', amount_cents: 500, customer_key: 'u_900' })));
    expect(replies.filter((r) => r.status === 200)).toHaveLength(1);
    expect(replies.filter((r) => r.status === 409)).toHaveLength(49);
    expect(server.inspect().sales).toHaveLength(1);
    expect(server.inspect().commissions).toHaveLength(1);
  });

  it('leaves the transaction_id consumed when commission creation fails after the sale write', async () => {
    const { sale, server, faults } = setup();
    faults({ commission: true });
    const failed = await sale({ transaction_id: 'ch_fail', amount_cents: 1000, customer_key: 'u_900' });
    expect(failed).toMatchObject({ status: 500, body: { error: 'Failed to create commission' } });
    faults({ commission: false });
    const retry = await sale({ transaction_id: 'ch_fail', amount_cents: 1000, customer_key: 'u_900' });
    expect(retry.status).toBe(409);
    const state = server.inspect();
    expect(state.sales).toEqual([expect.objectContaining({ transaction_id: 'ch_fail', commission_id: null })]);
    expect(state.commissions).toHaveLength(0);
  });
});

describe('sale test mode', () => {
  it('records a flagged test sale with no commission when nothing else is sent', async () => {
    const { sale, server } = setup();
    const reply = await sale({ additional_data: { test_mode: true } });
    expect(reply.body).toStrictEqual({ success: true, message: 'Test sale event tracked successfully', data: { eventId: 1, programId: 1, test_mode: true } });
    const state = server.inspect();
    expect(state.sales[0]).toMatchObject({ transaction_id: `test_txn_${START}`, test_mode: true, commission_id: null });
    expect(state.commissions).toHaveLength(0);
  });

  it('gives two test sales in the same millisecond distinct transaction ids', async () => {
    const { sale, server } = setup();
    expect((await sale({ additional_data: { test_mode: true } })).status).toBe(200);
    expect((await sale({ additional_data: { test_mode: true } })).status).toBe(200);
    const ids = server.inspect().sales.map((s) => s.transaction_id);
    expect(new Set(ids).size).toBe(2);
  });

  // Test mode may leave them out, not send them wrong: a merchant testing an integration that sends
  // 49.99 or a numeric id must hear now what live mode will answer, not see it pass and break live.
  it.each([
    ['amount_cents in dollars', { amount_cents: 49.99 }, 'amount_cents is required and must be a positive integer'],
    ['amount_cents 0', { amount_cents: 0 }, 'amount_cents is required and must be a positive integer'],
    ['amount_cents as a string', { amount_cents: '4999' }, 'amount_cents is required and must be a positive integer'],
    ['a numeric transaction_id', { transaction_id: 12345 }, 'transaction_id is required and must be a string'],
    ['an empty transaction_id', { transaction_id: '' }, 'transaction_id is required and must be a string'],
  ])('refuses a test sale with %s as live mode does, recording nothing', async (_what, fields, error) => {
    const { sale, server } = setup();
    const reply = await sale({ ...fields, additional_data: { test_mode: true } });
    expect(reply).toMatchObject({ status: 400, body: { error } });
    expect(server.inspect().sales).toHaveLength(0);
  });

  it('takes a test sale with null for the fields it may leave out, and keeps a valid amount', async () => {
    const { sale, server } = setup();
    expect((await sale({ transaction_id: null, amount_cents: null, additional_data: { test_mode: true } })).status).toBe(200);
    expect((await sale({ transaction_id: 'test_2', amount_cents: 4999, additional_data: { test_mode: true } })).status).toBe(200);
    expect(server.inspect().sales).toMatchObject([
      { transaction_id: `test_txn_${START}`, amount_cents: 0 },
      { transaction_id: 'test_2', amount_cents: 4999 },
    ]);
  });

  it('answers 409 when a test sale repeats an explicit transaction_id', async () => {
    const { sale } = setup();
    await sale({ transaction_id: 'test_1', additional_data: { test_mode: true } });
    expect((await sale({ transaction_id: 'test_1', additional_data: { test_mode: true } })).status).toBe(409);
  });
});
