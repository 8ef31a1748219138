/** POST /api/v1/track/click: success shapes, re-attribution, test mode, exactly-once event ids. */
import { describe, expect, it } from 'vitest';
import { SHOP_ORIGIN, START, baseSeed, setup } from './helpers';

describe('click', () => {
  it('answers a click_id cust_<customerId>_<epochMs>, the partner code and the program cookie window', async () => {
    const { click, server } = setup();
    const reply = await click('PARTNER123');
    expect(reply.status).toBe(200);
    expect(reply.body).toStrictEqual({ success: true, click_id: `cust_906_${START}`, partner_code: 'PARTNER123', cookie_window_days: 30 });
    const state = server.inspect();
    expect(state.customers.find((c) => c.id === 906)).toMatchObject({ program_id: 1, partner_id: 10, status: 'click', partner_program: true });
    expect(state.clicks).toHaveLength(1);
    expect(state.clicks[0]).toMatchObject({ customer_id: 906, click_id: `cust_906_${START}`, short_link: 'PARTNER123', test_mode: false });
  });

  it('answers the default cookie window of 60 days for a program that sets none', async () => {
    const { click } = setup();
    expect((await click('PROGRAM2')).body?.cookie_window_days).toBe(60);
  });

  it('makes a new customer for every click without existing_click_id', async () => {
    const { click, clock } = setup();
    const a = await click('PARTNER123');
    clock.now += 5;
    const b = await click('PARTNER123');
    expect(a.body?.click_id).toBe(`cust_906_${START}`);
    expect(b.body?.click_id).toBe(`cust_907_${START + 5}`);
  });

  it('finds the customer by a click id made on a clock that is no whole number of ms (a test clock), new or re-attributed', async () => {
    const { click, clock, lead } = setup();
    clock.now = START + 0.5;
    const made = (await click('PARTNER123')).body?.click_id;
    expect(made).toBe(`cust_906_${START + 0.5}`);
    expect((await lead({ click_id: made, email: 'a@example.com', customer_key: 'user_half' })).body).toStrictEqual({ success: true, message: 'Lead tracked successfully' });
    clock.now = -1;
    const again = (await click('PARTNER456', { existing_click_id: 'cust_900_1' })).body?.click_id;
    expect(again).toBe('cust_900_-1');
    expect((await lead({ click_id: again, email: 'b@example.com', customer_key: 'user_negative' })).body).toStrictEqual({ success: true, message: 'Lead tracked successfully' });
  });

  it('stores the page details sent with the click', async () => {
    const { click, server } = setup();
    await click('PARTNER123', { page_url: 'https://shop.test/p', page_title: 'Shop', referrer_url: 'https://blog.test/', session_id: 's1', language: 'en-US', timezone: 'Europe/Paris' });
    expect(server.inspect().clicks[0]).toMatchObject({ page_url: 'https://shop.test/p', page_title: 'Shop', referrer_url: 'https://blog.test/', session_id: 's1', language: 'en-US', timezone: 'Europe/Paris' });
  });

  it('answers success false for an inactive link and records nothing', async () => {
    const { click, server } = setup();
    const reply = await click('SLEEPING');
    expect(reply.status).toBe(200);
    expect(reply.body).toStrictEqual({ success: false, message: 'Referral link is inactive' });
    expect(server.inspect().clicks).toHaveLength(0);
    expect(server.inspect().customers).toHaveLength(baseSeed().customers!.length);
  });

  it('matches the aff value exactly, case included', async () => {
    const { click } = setup();
    expect((await click('partner123')).body).toStrictEqual({ error: 'Referral link not found' });
  });
});

describe('click with existing_click_id', () => {
  it('re-attributes a known customer of the same program to the new partner and keeps its click_id history', async () => {
    const { click, clock, server, lead } = setup();
    clock.now += 1000;
    const reply = await click('PARTNER456', { existing_click_id: 'cust_900_1' });
    expect(reply.body).toStrictEqual({ success: true, click_id: `cust_900_${START + 1000}`, partner_code: 'PARTNER456', cookie_window_days: 30 });
    const customer = server.inspect().customers.find((c) => c.id === 900);
    expect(customer).toMatchObject({ partner_id: 11, click_id: `cust_900_${START + 1000}`, click_ids: ['cust_900_1', `cust_900_${START + 1000}`] });
    expect(server.inspect().customers).toHaveLength(baseSeed().customers!.length);
    expect((await lead({ click_id: 'cust_900_1' })).body).toStrictEqual({ success: true, message: 'Lead tracked successfully' });
  });

  it('keeps every click id of a customer re-attributed again and again, once each, and finds it by any of them', async () => {
    const { click, clock, server, lead } = setup();
    const first = (await click('PARTNER123')).body!.click_id as string;
    clock.now += 10;
    const second = (await click('PARTNER456', { existing_click_id: first })).body!.click_id as string;
    // Re-attributed again in the same millisecond: the same click id, not a second entry for it.
    expect((await click('PARTNER123', { existing_click_id: second })).body?.click_id).toBe(second);
    clock.now += 10;
    const third = (await click('PARTNER123', { existing_click_id: second })).body!.click_id as string;
    expect([first, second, third]).toEqual([`cust_906_${START}`, `cust_906_${START + 10}`, `cust_906_${START + 20}`]);
    expect(server.inspect().customers.find((c) => c.id === 906)).toMatchObject({ click_id: third, click_ids: [first, second, third] });
    expect((await lead({ click_id: first, customer_key: 'user_906' })).body).toStrictEqual({ success: true, message: 'Lead tracked successfully' });
    expect(server.inspect().leads.at(-1)).toMatchObject({ customer_id: 906, click_id: first });
    // A customer never re-attributed lists its one click id.
    const other = (await click('PARTNER123')).body!.click_id as string;
    expect(server.inspect().customers.find((c) => c.id === 907)).toMatchObject({ click_id: other, click_ids: [other] });
  });

  it('makes a new customer when the existing click belongs to another program', async () => {
    const { click } = setup();
    const reply = await click('PARTNER123', { existing_click_id: 'cust_904_1' });
    expect(reply.body?.click_id).toBe(`cust_906_${START}`);
  });

  it('makes a new customer when the existing click id is unknown', async () => {
    const { click } = setup();
    expect((await click('PARTNER123', { existing_click_id: 'cust_1_1' })).body?.click_id).toBe(`cust_906_${START}`);
  });

  it('restarts the attribution window from the new click', async () => {
    const { click, clock, sale } = setup();
    clock.now += 10 * 86_400_000;
    await click('PARTNER456', { existing_click_id: 'cust_905_1' });
    const reply = await sale({ transaction_id: 'late', amount_cents: 1000, customer_key: 'u_905' });
    expect(reply.body?.commission_id).toBe(1);
  });
});

describe('click test mode', () => {
  it('skips the link checks for a known program and records a flagged test event', async () => {
    const { click, server } = setup();
    const reply = await click('NOSUCH', { additional_data: { test_mode: true, program_id: 2 } });
    expect(reply.body).toStrictEqual({ success: true, message: 'Test click event tracked successfully', data: { eventId: 1, programId: 2, test_mode: true } });
    const state = server.inspect();
    expect(state.clicks).toEqual([expect.objectContaining({ id: 1, program_id: 2, test_mode: true })]);
    expect(state.customers).toHaveLength(baseSeed().customers!.length);
  });

  it('runs the normal checks when the test program is unknown', async () => {
    const { click } = setup();
    expect((await click('NOSUCH', { additional_data: { test_mode: true, program_id: 99 } })).body).toStrictEqual({ error: 'Referral link not found' });
  });

  it('still requires a parseable affiliate_url', async () => {
    const { call } = setup();
    const reply = await call('/api/v1/track/click', { affiliate_url: 'nope', additional_data: { test_mode: true, program_id: 1 } });
    expect(reply.body).toStrictEqual({ error: 'Invalid affiliate_url' });
  });
});

describe('click event_id (exactly once)', () => {
  it('answers a repeat exactly like the first call and records nothing new', async () => {
    const { click, clock, server } = setup();
    const first = await click('PARTNER123', { event_id: 'evt_landing-1' });
    clock.now += 30_000;
    const again = await click('PARTNER123', { event_id: 'evt_landing-1' });
    expect(again.status).toBe(first.status);
    expect(again.body).toStrictEqual(first.body);
    expect(server.inspect().clicks).toHaveLength(1);
    expect(server.inspect().customers).toHaveLength(baseSeed().customers!.length + 1);
    expect(server.inspect().clicks[0]?.event_id).toBe('evt_landing-1');
  });

  it('answers the first answer even when the repeat carries another body', async () => {
    const { click } = setup();
    const first = await click('PARTNER123', { event_id: 'e1' });
    expect((await click('PARTNER456', { event_id: 'e1' })).body).toStrictEqual(first.body);
  });

  it('keeps test and live event ids apart: a live click that reuses a test click\'s id is recorded, not answered with the test answer', async () => {
    const { click, server } = setup();
    const test = await click('PARTNER123', { event_id: 'landing_7', additional_data: { test_mode: true, program_id: 1 } });
    expect(test.body).toMatchObject({ message: 'Test click event tracked successfully' });
    const live = await click('PARTNER123', { event_id: 'landing_7' });
    expect(live.body).toMatchObject({ success: true, click_id: expect.stringMatching(/^cust_/) as unknown, partner_code: 'PARTNER123' });
    expect(server.inspect().clicks.map((recorded) => recorded.test_mode)).toEqual([true, false]);
  });

  it("keeps programs' event ids apart: another program's click with the same id is recorded, not answered with the first", async () => {
    const { click, server } = setup();
    // Two merchants' backends that both chose `landing_42` (the server client lets them pick it).
    const first = await click('PARTNER123', { event_id: 'landing_42' });
    const other = await click('PROGRAM2', { event_id: 'landing_42' });
    expect(other.body).toStrictEqual({ success: true, click_id: `cust_907_${START}`, partner_code: 'PROGRAM2', cookie_window_days: 60 });
    expect(server.inspect().clicks.map((c) => c.program_id)).toEqual([1, 2]);
    // Each program's own resend is still answered once.
    expect((await click('PARTNER123', { event_id: 'landing_42' })).body).toStrictEqual(first.body);
    expect((await click('PROGRAM2', { event_id: 'landing_42' })).body).toStrictEqual(other.body);
    expect(server.inspect().clicks).toHaveLength(2);
  });

  it('records a second click for a different event_id', async () => {
    const { click, server } = setup();
    await click('PARTNER123', { event_id: 'e1' });
    await click('PARTNER123', { event_id: 'e2' });
    expect(server.inspect().clicks).toHaveLength(2);
  });

  it('ignores a malformed event_id', async () => {
    const { click, server } = setup();
    await click('PARTNER123', { event_id: 'has space' });
    await click('PARTNER123', { event_id: 'has space' });
    await click('PARTNER123', { event_id: 'x'.repeat(65) });
    await click('PARTNER123', { event_id: 'x'.repeat(65) });
    expect(server.inspect().clicks).toHaveLength(4);
  });

  it('replays a test-mode click too', async () => {
    const { click, server } = setup();
    const body = { event_id: 'evt_test', additional_data: { test_mode: true, program_id: 1 } };
    const first = await click('X', body);
    expect((await click('X', body)).body).toStrictEqual(first.body);
    expect(server.inspect().clicks).toHaveLength(1);
  });

  it('does not keep a failed first answer, so the retry is processed', async () => {
    const { click, faults, server } = setup();
    faults({ click: true });
    expect((await click('PARTNER123', { event_id: 'e_retry' })).status).toBe(500);
    faults({ click: false });
    expect((await click('PARTNER123', { event_id: 'e_retry' })).body?.success).toBe(true);
    expect(server.inspect().clicks).toHaveLength(1);
  });

});

describe('click authentication', () => {
  it('ignores an Authorization header on the public click route and still answers CORS', async () => {
    const { call } = setup();
    const reply = await call('/api/v1/track/click', { affiliate_url: 'https://shop.test/?aff=PARTNER123' }, { authorization: 'Bearer nonsense', headers: { Origin: SHOP_ORIGIN } });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('access-control-allow-origin')).toBe(SHOP_ORIGIN);
  });
});
