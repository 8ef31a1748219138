/** GET /_dashboard in-process: what each customer's row and the test-mode table show (the browser side is test/e2e/dashboard.test.ts). */
import { describe, expect, it } from 'vitest';
import { ADMIN, SHOP_ORIGIN, TOKEN_1, baseSeed, setup } from './helpers';
import { PARTNER_B } from '../support/seed';

/** The `<td>`s of customer `id`'s row. */
function cellsOf(html: string, id: number): string[] {
  const row = html.match(new RegExp(`<tr data-customer="${id}">(.*?)</tr>`))?.[1];
  expect(row, `a row for customer #${id}`).toBeDefined();
  return [...row!.matchAll(/<td>(.*?)<\/td>/g)].map((cell) => cell[1]!);
}

/** The customers the page shows a row for, in order. */
const shownCustomers = (html: string): number[] => [...html.matchAll(/<tr data-customer="(\d+)">/g)].map((row) => Number(row[1]));

const customerIdOf = (clickId: unknown) => Number(String(clickId).split('_')[1]);

describe('the dashboard', () => {
  const page = async (server: ReturnType<typeof setup>['server']) => {
    const response = await server.fetch(new Request('https://api.affitor.test/_dashboard', { headers: { Authorization: `Bearer ${ADMIN}` } }));
    expect(response.status).toBe(200);
    return response.text();
  };

  it('shows a partial refund in the currency of its sale', async () => {
    const { server, click, sale, refund } = setup();
    const clickId = (await click('PARTNER123')).body?.click_id;
    expect((await sale({ transaction_id: 'txn_eur', amount_cents: 10_000, currency: 'EUR', click_id: clickId })).status).toBe(200);
    expect((await refund({ transaction_id: 'txn_eur', refund_amount_cents: 2500 })).body).toMatchObject({ status: 'refunded' });
    const [, , , , sales, commissions, refunds] = cellsOf(await page(server), customerIdOf(clickId));
    expect(sales).toContain('100.00 EUR');
    expect(commissions).toContain('5.00 EUR taken back');
    expect(refunds).toContain('25.00 EUR');
    expect(refunds).not.toContain('USD');
  });

  it('shows an amount of a currency without minor units (JPY) as it is, not divided by 100', async () => {
    const { server, click, sale, refund } = setup();
    const clickId = (await click('PARTNER123')).body?.click_id;
    // amount_cents is in the currency's smallest unit (tracking-api.md): for JPY the yen itself.
    expect((await sale({ transaction_id: 'txn_jpy', amount_cents: 4900, currency: 'JPY', click_id: clickId })).status).toBe(200);
    expect((await refund({ transaction_id: 'txn_jpy', refund_amount_cents: 1900 })).body).toMatchObject({ status: 'refunded' });
    const [, , , , sales, , refunds] = cellsOf(await page(server), customerIdOf(clickId));
    expect(sales).toContain('4900 JPY');
    expect(refunds).toContain('1900 JPY');
  });

  it("names each customer's program: one partner's customers in two programs are told apart", async () => {
    const { server, click } = setup();
    const inProgram1 = (await click(PARTNER_B.link)).body?.click_id;
    const inProgram2 = (await click('PROGRAM2')).body?.click_id;
    const html = await page(server);
    const [customer1, partner1] = cellsOf(html, customerIdOf(inProgram1));
    const [customer2, partner2] = cellsOf(html, customerIdOf(inProgram2));
    expect(partner1).toContain(PARTNER_B.name);
    expect(partner2).toContain(PARTNER_B.name);
    expect(customer1).toContain('program #1');
    expect(customer2).toContain('program #2');
  });

  it('names the partner of a commission when the customer has moved to another partner since the sale', async () => {
    const { server, click, sale } = setup();
    const first = (await click('PARTNER123')).body?.click_id;
    expect((await sale({ transaction_id: 'txn_a', amount_cents: 1000, click_id: first })).status).toBe(200);
    const second = (await click('PARTNER456', { existing_click_id: first })).body?.click_id;
    expect((await sale({ transaction_id: 'txn_b', amount_cents: 2000, click_id: second })).status).toBe(200);
    expect(server.inspect().commissions.map((c) => c.partner_id)).toStrictEqual([10, 11]);

    const [, partner, , , , commissions] = cellsOf(await page(server), customerIdOf(first));
    expect(partner).toContain('Partner B');
    const [forA, forB] = commissions!.match(/<li>.*?<\/li>/g)!;
    expect(forA).toContain('txn_a');
    // Partner A earned it, not the partner the row names.
    expect(forA).toContain('Partner A');
    expect(forB).toContain('txn_b');
    expect(forB).not.toContain('Partner');
  });

  it('lists the refund of a test-mode sale among the test-mode events', async () => {
    const { server, sale, refund } = setup();
    expect((await sale({ transaction_id: 'test_txn_1', additional_data: { test_mode: true } })).status).toBe(200);
    const refunded = await refund({ transaction_id: 'test_txn_1' });
    expect(refunded.body).toMatchObject({ success: true, status: 'no_commission' });
    expect(server.inspect().refunds[0]).toMatchObject({ test_mode: true });

    const html = await page(server);
    const tests = html.slice(html.indexOf('<table class="tests"'));
    expect(tests).toContain(refunded.headers.get('x-request-id')!);
    expect(tests).toMatch(/<tr><td>refund<\/td>/);
  });

  it('names what each test-mode event was about: the link clicked, the lead\'s key and email, the sale\'s transaction and amount, the refunded transaction', async () => {
    const { server, click, lead, sale, refund } = setup();
    const test = { test_mode: true, program_id: 1 };
    expect((await click('PARTNER123', { additional_data: test })).body).toMatchObject({ data: { test_mode: true } });
    expect((await lead({ customer_key: 'u_tester', email: 'tester@shop.test', additional_data: test })).body).toMatchObject({ data: { test_mode: true } });
    expect((await sale({ transaction_id: 'test_txn_seen', amount_cents: 4900, additional_data: test })).body).toMatchObject({ data: { test_mode: true } });
    expect((await refund({ transaction_id: 'test_txn_seen', refund_amount_cents: 900 })).status).toBe(200);

    const html = await page(server);
    const rows = html.slice(html.indexOf('<table class="tests"')).match(/<tr><td>(?:click|lead|sale|refund)<\/td>.*?<\/tr>/g)!;
    const rowOf = (kind: string) => rows.find((row) => row.startsWith(`<tr><td>${kind}</td>`));
    expect(rowOf('click')).toContain('PARTNER123');
    expect(rowOf('lead')).toContain('u_tester');
    expect(rowOf('lead')).toContain('tester@shop.test');
    expect(rowOf('sale')).toContain('test_txn_seen');
    expect(rowOf('sale')).toContain('49.00 USD');
    expect(rowOf('refund')).toContain('test_txn_seen');
    expect(rowOf('refund')).toContain('9.00 USD');
  });

  it('lists the latest 20 test-mode events of every kind, newest first, however many the server holds', async () => {
    const { server, clock, lead, sale } = setup();
    const test = { test_mode: true, program_id: 1 };
    for (let n = 0; n < 25; n++) {
      clock.now += 1000;
      expect((await sale({ transaction_id: `test_txn_${n}`, amount_cents: 100, additional_data: test })).status).toBe(200);
      // Two leads half a second after the 10th and 11th sales: older than the latest sales, newer than the earlier ones.
      clock.now += 500;
      if (n >= 10 && n < 12) expect((await lead({ customer_key: `u_tester_${n}`, email: 'tester@shop.test', additional_data: test })).status).toBe(200);
    }
    const html = await page(server);
    const rows = html.slice(html.indexOf('<table class="tests"')).match(/<tr><td>(?:click|lead|sale|refund)<\/td>.*?<\/tr>/g)!;
    const named = rows.map((row) => row.match(/test_txn_\d+|u_tester_\d+/)![0]);
    expect(named).toEqual([
      ...Array.from({ length: 13 }, (_, i) => `test_txn_${24 - i}`),
      'u_tester_11',
      'test_txn_11',
      'u_tester_10',
      'test_txn_10',
      'test_txn_9',
      'test_txn_8',
      'test_txn_7',
    ]);
  });

  it("shows at most the first 300 characters of what a caller sent, and its direction marks as visible marks: the page stays small, and shows what was sent", async () => {
    const { server, click, lead } = setup();
    const clickIds: unknown[] = [];
    for (let i = 0; i < 10; i++) {
      const clickId = (await click('PARTNER123')).body?.click_id;
      clickIds.push(clickId);
      // A public caller's lead: 31,000 characters each, escaped to four times as many. Ten of them made a 3 MB page, refreshed every second.
      expect((await lead({ click_id: clickId, customer_key: '<'.repeat(31_000), email: `${i}@x.test` })).status).toBe(200);
    }
    const html = await page(server);
    expect(html.length).toBeLessThan(200_000);
    expect(cellsOf(html, customerIdOf(clickIds[0]))[0]).toContain(`key <code>${'&lt;'.repeat(300)}…</code>`);
    // U+202E turned what follows around: a call to /api/v1/track/\u202Eelas read as one to /sale.
    await lead({ click_id: clickIds[1], customer_key: 'user\u202Elive' });
    // U+061C, the Arabic letter mark, is one too: 'user\u061C 1001 2002' read as 'user 2002 1001'.
    expect((await lead({ click_id: (await click('PARTNER123')).body?.click_id, customer_key: 'user\u061C 1001 2002' })).status).toBe(200);
    await server.fetch(new Request('https://api.affitor.test/api/v1/track/%E2%80%AEelas', { method: 'POST', body: '{}' }));
    const again = await page(server);
    expect(again).not.toMatch(/\p{Bidi_Control}/u);
    expect(again).toContain('/api/v1/track/\uFFFDelas');
    expect(again).toContain('user\uFFFD 1001 2002');
  });

  it('lists only the latest clicks of a customer, however many a public caller sends for it', async () => {
    const { server, click } = setup();
    const first = (await click('PARTNER123')).body?.click_id;
    for (let i = 0; i < 40; i++) expect((await click('PARTNER123', { existing_click_id: first })).status).toBe(200);
    expect(server.inspect().clicks).toHaveLength(41);

    const [, , clicks] = cellsOf(await page(server), customerIdOf(first));
    const items = clicks!.match(/<li>.*?<\/li>/g)!;
    expect(items.length).toBeLessThanOrEqual(11);
    expect(clicks).toContain('31 earlier clicks');
    // The newest is shown, the first is not.
    expect(clicks).toContain(server.inspect().clicks[40]!.request_id);
    expect(clicks).not.toContain(server.inspect().clicks[0]!.request_id);
  });
  it("lists only the latest sales of a customer, with their commissions and refunds, however many its integration sends", async () => {
    const { server, click, sale, refund } = setup();
    const clickId = (await click('PARTNER123')).body?.click_id;
    for (let i = 1; i <= 25; i++) expect((await sale({ transaction_id: `txn_${i}`, amount_cents: 4900, click_id: clickId })).status).toBe(200);
    // One refund of an earlier sale, and a newer sale refunded in 15 parts.
    expect((await refund({ transaction_id: 'txn_1', refund_amount_cents: 100 })).status).toBe(200);
    for (let i = 0; i < 15; i++) expect((await refund({ transaction_id: 'txn_25', refund_amount_cents: 100 })).status).toBe(200);

    const [, , , , sales, commissions, refunds] = cellsOf(await page(server), customerIdOf(clickId));
    const items = (cell: string | undefined) => cell!.match(/<li>.*?<\/li>/g)!;
    expect(items(sales)).toHaveLength(11);
    expect(sales).toContain('15 earlier sales not shown');
    expect(sales).toContain('txn_25');
    expect(sales).not.toContain('txn_15<');
    expect(items(commissions)).toHaveLength(11);
    expect(commissions).toContain('15 earlier sales not shown');
    expect(refunds).toContain('1 refund of the earlier sales not shown');
    expect(refunds).toContain('5 earlier refunds of <code>txn_25</code> not shown');
    expect(items(refunds)).toHaveLength(12);
    // The newest refund is shown, the first of that sale's is not.
    const ofTxn25 = server.inspect().refunds.filter((r) => r.transaction_id === 'txn_25');
    expect(refunds).toContain(ofTxn25[14]!.request_id);
    expect(refunds).not.toContain(ofTxn25[0]!.request_id);
  });

  it("marks a latest request test mode when what it recorded is a test event, not when its body only asked for it", async () => {
    const { server, click, sale, refund } = setup();
    // test_mode without a program id: recorded as a real click, which a merchant must not take for a test.
    const real = await click('PARTNER123', { additional_data: { test_mode: true } });
    expect(real.body).toMatchObject({ success: true, click_id: expect.any(String) as unknown });
    const test = await click('PARTNER123', { additional_data: { test_mode: true, program_id: 1 } });
    expect(test.body).toMatchObject({ data: { test_mode: true } });
    expect((await sale({ transaction_id: 'test_txn_r', additional_data: { test_mode: true } })).status).toBe(200);
    const refunded = await refund({ transaction_id: 'test_txn_r' });

    const html = await page(server);
    const testModeOf = (reply: { headers: Headers }) => {
      const row = html.match(new RegExp(`<tr data-call="\\d+"[^>]*>(?:(?!</tr>).)*${reply.headers.get('x-request-id')!}(?:(?!</tr>).)*</tr>`))?.[0];
      expect(row, 'a row for the call').toBeDefined();
      return row!.match(/<td>([^<]*)<\/td><\/tr>$/)?.[1];
    };
    expect(testModeOf(real)).toBe('');
    expect(testModeOf(test)).toBe('yes');
    expect(testModeOf(refunded)).toBe('yes');
  });

  it('marks a resent test event test mode too: an event_id or Idempotency-Key replay of a test call', async () => {
    const { server, call, click, lead } = setup();
    const testClick = { event_id: 'evt_t1', additional_data: { test_mode: true, program_id: 1 } };
    await click('X', testClick);
    await click('X', testClick);
    const testLead = { customer_key: 'k', event_id: 'evt_t2', additional_data: { test_mode: true, program_id: 1 } };
    await lead(testLead);
    await lead(testLead);
    const resent = { token: TOKEN_1, headers: { 'Idempotency-Key': 'key-test-sale' } };
    await call('/api/v1/track/sale', { additional_data: { test_mode: true } }, resent);
    const again = await call('/api/v1/track/sale', { additional_data: { test_mode: true } }, resent);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const refundOnce = { token: TOKEN_1, headers: { 'Idempotency-Key': 'key-test-refund' } };
    const testTxn = server.inspect().sales[0]!.transaction_id;
    await call('/api/v1/track/refund', { transaction_id: testTxn }, refundOnce);
    await call('/api/v1/track/refund', { transaction_id: testTxn }, refundOnce);
    expect(server.inspect().clicks.length + server.inspect().leads.length + server.inspect().sales.length + server.inspect().refunds.length).toBe(4);
    // Each first call and its resend show as one entry of two calls, flagged test mode.
    expect(server.requests().map((r) => [r.path.split('/').pop(), r.calls, r.test_mode])).toStrictEqual([
      ['click', 2, true],
      ['lead', 2, true],
      ['sale', 2, true],
      ['refund', 2, true],
    ]);
  });

  it('flags a latest request a browser refused to its page: an origin not allowed, a server route called from a page, a header not allowed', async () => {
    const { server, call } = setup();
    const landing = { affiliate_url: 'https://shop.test/?aff=PARTNER123' };
    // Answered 200 and recorded, but with no CORS headers: the page's SDK sees a network error.
    const refused = await call('/api/v1/track/click', landing, { headers: { Origin: 'http://localhost:3000' } });
    expect(refused.status).toBe(200);
    const allowed = await call('/api/v1/track/click', landing, { headers: { Origin: SHOP_ORIGIN } });
    const fromPage = await call('/api/v1/track/sale', { transaction_id: 'txn_page', amount_cents: 1000, customer_key: 'u_900' }, { token: TOKEN_1, headers: { Origin: SHOP_ORIGIN } });

    expect(fromPage.status).toBe(200);
    // An allowed origin whose preflight asks for a header the answer does not allow: the browser sends no call.
    const preflight = { method: 'OPTIONS', headers: { Origin: SHOP_ORIGIN, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,traceparent' } };
    const unsent = await call('/api/v1/track/lead', undefined, preflight);
    expect(unsent.status).toBe(204);
    const fine = await call('/api/v1/track/lead', undefined, { ...preflight, headers: { ...preflight.headers, 'Access-Control-Request-Headers': 'content-type' } });
    const html = await page(server);
    const requests = html.slice(html.indexOf('<table class="requests"'));
    const rowOf = (reply: { headers: Headers }) => requests.match(new RegExp(`<tr[^>]*>(?:(?!</tr>).)*${reply.headers.get('x-request-id')!}(?:(?!</tr>).)*</tr>`))?.[0];
    expect(rowOf(refused)).toMatch(/^<tr data-call="\d+" data-seq="\d+" class="failed">/);
    expect(rowOf(refused)).toContain('allowed_origins');
    expect(rowOf(fromPage)).toMatch(/^<tr data-call="\d+" data-seq="\d+" class="failed">/);
    expect(rowOf(fromPage)).toContain('server route');
    expect(rowOf(unsent)).toMatch(/^<tr data-call="\d+" data-seq="\d+" class="failed">/);
    expect(rowOf(unsent)).toContain('traceparent');
    expect(rowOf(allowed)).toMatch(/^<tr data-call="\d+" data-seq="\d+"><td>/);
    expect(rowOf(fine)).toMatch(/^<tr data-call="\d+" data-seq="\d+"><td>/);
    expect(server.requests().map((r) => r.cors_refusal !== null)).toStrictEqual([true, false, true, true, false]);
  });

  it('shows the 100 customers with the latest activity, newest first: a sale brings an old customer back to the top', async () => {
    const { server, clock, click, sale } = setup();
    const clickIds: unknown[] = [];
    for (let i = 0; i < 105; i++) {
      clock.now += 1000;
      clickIds.push((await click('PARTNER123')).body?.click_id);
    }
    clock.now += 1000;
    expect((await sale({ transaction_id: 'txn_old', amount_cents: 1000, click_id: clickIds[0] })).status).toBe(200);

    const shown = shownCustomers(await page(server));
    expect(shown).toHaveLength(100);
    // The sale's customer first, then the newest clicks; the customers of clicks 2 to 6 and the seeded ones fall off.
    expect(shown.slice(0, 3)).toStrictEqual([customerIdOf(clickIds[0]), customerIdOf(clickIds[104]), customerIdOf(clickIds[103])]);
    expect(shown.at(-1)).toBe(customerIdOf(clickIds[6]));
    expect(shown).not.toContain(customerIdOf(clickIds[5]));
    expect(shown).not.toContain(905);
  });

  it("shows a seeded customer's click id, the one its lead and sale name, also after a later click gave it another", async () => {
    const { server, click, lead, sale } = setup();
    // A merchant's test seed: customer 900 comes with the click id cust_900_1 and no click event.
    expect((await lead({ click_id: 'cust_900_1', email: 'seeded@shop.test' })).status).toBe(200);
    expect((await sale({ transaction_id: 'txn_seeded', amount_cents: 1000, click_id: 'cust_900_1' })).status).toBe(200);
    const [, , clicks] = cellsOf(await page(server), 900);
    expect(clicks).toContain('cust_900_1');
    // Its time: the seed's clicked_at, the server's start here.
    expect(clicks).toContain('2026-03-01 00:00:00.000Z');

    const later = (await click('PARTNER456', { existing_click_id: 'cust_900_1' })).body?.click_id;
    const [, , both] = cellsOf(await page(server), 900);
    expect(both).toContain(String(later));
    expect(both).toContain('cust_900_1');
  });

  it('shows seeded customers that have no records yet, their click time as their activity', async () => {
    const { server } = setup();
    const shown = shownCustomers(await page(server));
    // All six seeded customers; the one clicked in 2025 last.
    expect(shown).toHaveLength(6);
    expect(shown.at(-1)).toBe(905);
  });

  it("orders seeded customers by their click time, not by their place in the seed: the newest of 151 is shown, first", async () => {
    const seed = baseSeed();
    const at = (day: string) => `2026-${day}T00:00:00Z`;
    seed.customers = [
      { id: 1, program_id: 1, clicked_at: at('02-20') },
      ...Array.from({ length: 150 }, (_, i) => ({ id: 2 + i, program_id: 1, clicked_at: at('01-01') })),
    ];
    const { server } = setup(seed);
    const shown = shownCustomers(await page(server));
    expect(shown).toHaveLength(100);
    // Walked by position, the seed's first customer (its newest) came last of all and was left out.
    expect(shown[0]).toBe(1);
  });
});

describe('GET /_dashboard/fragment', () => {
  const fragment = (server: ReturnType<typeof setup>['server'], etag?: string) =>
    server.fetch(
      new Request('https://api.affitor.test/_dashboard/fragment', { headers: { Authorization: `Bearer ${ADMIN}`, ...(etag ? { 'If-None-Match': etag } : {}) } }),
    );

  it('answers 304 to the ETag of an unchanged state, and 200 once a call changed it', async () => {
    const { server, click } = setup();
    const first = await fragment(server);
    const etag = first.headers.get('etag')!;
    expect((await fragment(server, etag)).status).toBe(304);
    await click('PARTNER123');
    expect((await fragment(server, etag)).status).toBe(200);
  });

  it("does not answer 304 to a restarted server's page: the same number of calls is another state", async () => {
    // The tab stays open while the server restarts and the merchant's suite runs again, making as many calls.
    const before = setup();
    await before.click('PARTNER123');
    const etag = (await fragment(before.server)).headers.get('etag')!;
    const after = setup();
    await after.click('PARTNER456');
    const reply = await fragment(after.server, etag);
    expect(reply.status).toBe(200);
    expect(await reply.text()).toContain('PARTNER456');
  });
});

describe('GET /_inspect', () => {
  it('is never cached: it answers every record, emails included', async () => {
    const { call, lead, server } = setup();
    expect((await lead({ click_id: 'cust_900_1', email: 'ada@shop.test' })).status).toBe(200);
    const reply = await call('/_inspect', undefined, { method: 'GET', token: ADMIN });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('cache-control')).toBe('no-store');
    expect(reply.body).toStrictEqual(server.inspect());
    expect((reply.body as { customers: { id: number; email?: string }[] }).customers.find((c) => c.id === 900)).toMatchObject({ email: 'ada@shop.test' });
  });
});
