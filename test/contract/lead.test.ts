/** POST /api/v1/track/lead in browser mode and in server mode. */
import { describe, expect, it } from 'vitest';
import { TOKEN_1, TOKEN_2, baseSeed, setup } from './helpers';

describe('lead', () => {
  it('binds customer_key and email to the customer found by click_id and makes it a lead', async () => {
    const { lead, server } = setup();
    const reply = await lead({ click_id: 'cust_900_1', customer_key: 'user_42', email: 'a@shop.test', click_ids: ['cust_900_1', 'cust_x'] });
    expect(reply.status).toBe(200);
    expect(reply.body).toStrictEqual({ success: true, message: 'Lead tracked successfully' });
    const state = server.inspect();
    expect(state.customers.find((c) => c.id === 900)).toMatchObject({ customer_key: 'user_42', email: 'a@shop.test', status: 'lead' });
    expect(state.leads).toEqual([expect.objectContaining({ customer_id: 900, mode: 'browser', click_ids: ['cust_900_1', 'cust_x'], test_mode: false })]);
  });

  it('falls back to customer_key when click_id finds nobody', async () => {
    const { lead, server } = setup();
    expect((await lead({ click_id: 'cust_0_0', customer_key: 'u_900' })).status).toBe(200);
    expect(server.inspect().customers.find((c) => c.id === 900)?.status).toBe('lead');
  });

  // A merchant's user id is often a number (`{ customer_key: user.id }` in a raw call): the lead
  // answered success without binding it, and the sale naming the same user found nobody.
  it('binds a customer_key sent as an integer as its decimal string, so the sale finds the customer', async () => {
    const { lead, sale, server } = setup();
    expect((await lead({ click_id: 'cust_900_1', customer_key: 42 })).body).toStrictEqual({ success: true, message: 'Lead tracked successfully' });
    expect(server.inspect().customers.find((c) => c.id === 900)?.customer_key).toBe('42');
    expect((await sale({ transaction_id: 'num_key', amount_cents: 1000, customer_key: 42 })).body).toMatchObject({ success: true, commission_id: 1 });
    expect((await sale({ transaction_id: 'str_key', amount_cents: 1000, customer_key: '42' })).body).toMatchObject({ success: true, commission_id: 2 });
    expect(server.inspect().sales.map((s) => s.customer_id)).toStrictEqual([900, 900]);
  });

  it('accepts a server-mode lead for a customer of the token\'s program', async () => {
    const { lead, server } = setup();
    expect((await lead({ customer_key: 'u_904' }, { token: TOKEN_2 })).status).toBe(200);
    expect(server.inspect().leads[0]).toMatchObject({ mode: 'server', program_id: 2 });
  });

  it('finds the token program\'s customer when a customer_key exists in two programs', async () => {
    const { click, lead, sale } = setup();
    const clicked = await click('PROGRAM2');
    expect((await lead({ click_id: clicked.body?.click_id, customer_key: 'u_900' })).status).toBe(200);
    expect((await lead({ customer_key: 'u_900' }, { token: TOKEN_1 })).status).toBe(200);
    expect((await sale({ transaction_id: 'p2', amount_cents: 100, customer_key: 'u_900' }, TOKEN_2)).status).toBe(200);
  });

  // The browser SDK sends its program_id with every signup, and a signup without a click id
  // (an organic visitor) names the customer by key alone: merchants' keys ('42', an email) repeat
  // across programs, and another program's customer took this program's signup, email included.
  it("finds a browser lead's customer_key among the customers of the program_id it sends", async () => {
    const { lead, server } = setup();
    const reply = await lead({ customer_key: 'u_904', email: 'organic@shop.test', program_id: 1 });
    expect(reply).toMatchObject({ status: 400, body: { error: 'Customer not found. Provide a valid click_id or customer_key.' } });
    expect(server.inspect().customers.find((c) => c.id === 904)).toMatchObject({ status: 'click', email: null });
    expect(server.inspect().leads).toHaveLength(0);
    expect((await lead({ customer_key: 'u_904', program_id: 2 })).status).toBe(200);
  });

  it("prefers the sent program_id's customer when a browser lead's customer_key is in two programs", async () => {
    const seed = baseSeed();
    // Program 1's customer holds the key of program 2's customer 904, which comes first.
    seed.customers!.push({ id: 906, click_id: 'cust_906_1', customer_key: 'u_904', program_id: 1, partner_id: 10 });
    const { lead, server } = setup(seed);
    expect((await lead({ customer_key: 'u_904', program_id: 1 })).status).toBe(200);
    expect(server.inspect().leads.map((l) => [l.program_id, l.customer_id])).toStrictEqual([[1, 906]]);
    expect(server.inspect().customers.find((c) => c.id === 904)?.status).toBe('click');
  });

  it('records a flagged test lead for a known program in browser mode', async () => {
    const { lead, server } = setup();
    const reply = await lead({ customer_key: 'anyone', additional_data: { test_mode: true, program_id: 1 } });
    expect(reply.body).toStrictEqual({ success: true, message: 'Test lead event tracked successfully', data: { eventId: 1, programId: 1, test_mode: true } });
    expect(server.inspect().leads[0]).toMatchObject({ test_mode: true, program_id: 1 });
  });

  it('uses the token\'s program for a server-mode test lead', async () => {
    const { lead } = setup();
    const reply = await lead({ customer_key: 'anyone', additional_data: { test_mode: true, program_id: 1 } }, { token: TOKEN_2 });
    expect(reply.body?.data).toStrictEqual({ eventId: 1, programId: 2, test_mode: true });
  });

  it('answers a repeated event_id like the first call and records one lead', async () => {
    const { lead, server } = setup();
    const first = await lead({ click_id: 'cust_900_1', event_id: 'signup_1' });
    const again = await lead({ click_id: 'cust_900_1', event_id: 'signup_1' });
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.body).toStrictEqual(first.body);
    expect(server.inspect().leads).toHaveLength(1);
  });

  it("keeps a program's server-mode event ids apart from other programs' and from browser calls", async () => {
    const { lead, click, server } = setup();
    // Another program's lead, and an unauthenticated browser lead, that happen to use (or guessed) the same id.
    expect((await lead({ customer_key: 'u_904', event_id: 'signup_42' }, { token: TOKEN_2 })).status).toBe(200);
    const browserClick = await click('PARTNER123');
    expect((await lead({ click_id: browserClick.body?.click_id, customer_key: 'x', event_id: 'signup_43' })).status).toBe(200);
    // Program 1's own leads are still recorded, not answered with the others' first answers.
    expect((await lead({ customer_key: 'u_900', event_id: 'signup_42' }, { token: TOKEN_1 })).status).toBe(200);
    expect((await lead({ click_id: 'cust_905_1', event_id: 'signup_43' }, { token: TOKEN_1 })).status).toBe(200);
    expect(server.inspect().customers.filter((c) => [900, 904, 905].includes(c.id)).map((c) => c.status)).toEqual(['lead', 'lead', 'lead']);
    expect(server.inspect().leads).toHaveLength(4);
    // A retry with the program's own key is still answered once.
    expect((await lead({ customer_key: 'u_900', event_id: 'signup_42' }, { token: TOKEN_1 })).status).toBe(200);
    expect(server.inspect().leads).toHaveLength(4);
  });

  it('keeps browser leads\' event ids per the program they name', async () => {
    const { lead, server } = setup();
    expect((await lead({ click_id: 'cust_900_1', program_id: 1, event_id: 'signup_7' })).status).toBe(200);
    // Another program's page that happens to use the same id: recorded, not answered with program 1's first answer.
    expect((await lead({ customer_key: 'u_904', program_id: 2, event_id: 'signup_7' })).status).toBe(200);
    expect(server.inspect().leads.map((l) => l.customer_id)).toEqual([900, 904]);
    // Each program's own retry is still answered once.
    expect((await lead({ customer_key: 'u_904', program_id: 2, event_id: 'signup_7' })).status).toBe(200);
    expect((await lead({ click_id: 'cust_900_1', program_id: '1', event_id: 'signup_7' })).status).toBe(200);
    expect(server.inspect().leads).toHaveLength(2);
  });

  it('keeps click and lead event ids apart', async () => {
    const { lead, click, server } = setup();
    await click('PARTNER123', { event_id: 'same' });
    expect((await lead({ click_id: 'cust_900_1', event_id: 'same' })).body).toStrictEqual({ success: true, message: 'Lead tracked successfully' });
    expect(server.inspect().leads).toHaveLength(1);
  });
});
