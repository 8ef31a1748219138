/** The rules every route shares: request ids, body handling, and the order of the common checks. */
import { describe, expect, it } from 'vitest';
import { ADMIN, API, TOKEN_1, TOKEN_2, baseSeed, errorOf, setup, toReply } from './helpers';

const CLICK = '/api/v1/track/click';
const SALE = '/api/v1/track/sale';
const goodClick = { affiliate_url: 'https://shop.test/?aff=PARTNER123' };

describe('X-Request-ID', () => {
  it('echoes a sane caller value', async () => {
    const { call } = setup();
    const id = 'req_1.a:B-9';
    const reply = await call(CLICK, goodClick, { headers: { 'X-Request-ID': id } });
    expect(reply.headers.get('x-request-id')).toBe(id);
  });

  it('echoes a value of exactly 128 characters', async () => {
    const { call } = setup();
    const id = 'a'.repeat(128);
    expect((await call(CLICK, goodClick, { headers: { 'X-Request-ID': id } })).headers.get('x-request-id')).toBe(id);
  });

  it.each([
    ['too long', 'a'.repeat(129)],
    ['with a space', 'req 1'],
    ['with a slash', 'req/1'],
    ['with a quote', 'req"1'],
  ])('replaces a value %s with a fresh id', async (_what, given) => {
    const { call } = setup();
    const got = (await call(CLICK, goodClick, { headers: { 'X-Request-ID': given } })).headers.get('x-request-id');
    expect(got).not.toBe(given);
    expect(got).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
  });

  it('gives a fresh, distinct id to each call without one', async () => {
    const { call } = setup();
    const a = (await call(CLICK, goodClick)).headers.get('x-request-id');
    const b = (await call(CLICK, goodClick)).headers.get('x-request-id');
    expect(a).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
    expect(b).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
    expect(a).not.toBe(b);
  });

  it('is on 404, 405, 401, 500 answers and on preflights', async () => {
    const { call, faults } = setup();
    faults({ sale: true });
    const replies = await Promise.all([
      call('/nowhere', {}, { headers: { 'X-Request-ID': 'r404' } }),
      call(CLICK, undefined, { method: 'GET', headers: { 'X-Request-ID': 'r405' } }),
      call(SALE, {}, { headers: { 'X-Request-ID': 'r401' } }),
      call(SALE, { transaction_id: 't', amount_cents: 1 }, { token: TOKEN_1, headers: { 'X-Request-ID': 'r500' } }),
      call(CLICK, undefined, { method: 'OPTIONS', headers: { 'X-Request-ID': 'rpre' } }),
    ]);
    expect(replies.map((r) => [r.status, r.headers.get('x-request-id')])).toStrictEqual([
      [404, 'r404'], [405, 'r405'], [401, 'r401'], [500, 'r500'], [204, 'rpre'],
    ]);
  });
});

describe('methods', () => {
  it.each(['constructor', 'toString', 'hasOwnProperty'])('answers 405 to the method %s, never throwing', async (method) => {
    // A method named like an Object.prototype member is a valid token for an in-process Request (msw).
    const { server } = setup();
    const reply = await toReply(await server.fetch(new Request(`${API}${CLICK}`, { method, headers: { 'X-Request-ID': 'r_odd' } })));
    expect(reply).toMatchObject({ status: 405, body: { error: 'Method not allowed' } });
    expect(reply.headers.get('x-request-id')).toBe('r_odd');
  });
});

describe('request bodies', () => {
  it('accepts a JSON body sent as text/plain', async () => {
    const { call } = setup();
    const reply = await call(CLICK, undefined, { raw: JSON.stringify(goodClick), headers: { 'Content-Type': 'text/plain;charset=UTF-8' } });
    expect(reply.status).toBe(200);
    expect(reply.body?.success).toBe(true);
  });

  it('accepts a body of exactly 64 KiB', async () => {
    const { call } = setup();
    const prefix = '{"affiliate_url":"https://shop.test/?aff=PARTNER123","pad":"';
    const raw = `${prefix}${'x'.repeat(64 * 1024 - prefix.length - 2)}"}`;
    expect(new TextEncoder().encode(raw).byteLength).toBe(64 * 1024);
    expect((await call(CLICK, undefined, { raw })).status).toBe(200);
  });

  it('refuses a body one byte over 64 KiB with 413', async () => {
    const { call } = setup();
    const prefix = '{"affiliate_url":"https://shop.test/?aff=PARTNER123","pad":"';
    const raw = `${prefix}${'x'.repeat(64 * 1024 - prefix.length - 1)}"}`;
    const reply = await call(CLICK, undefined, { raw });
    expect(reply.status).toBe(413);
    expect(reply.body).toStrictEqual({ error: 'Request body too large' });
  });

  it('refuses with 413 a body longer than its Content-Length says (a Request built in-process)', async () => {
    const { server } = setup();
    const request = new Request(`${API}${CLICK}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Length': '10' },
      body: JSON.stringify({ ...goodClick, pad: 'x'.repeat(100_000) }),
    });
    const reply = await toReply(await server.fetch(request));
    expect(reply.status).toBe(413);
    expect(reply.body).toStrictEqual({ error: 'Request body too large' });
    expect(server.inspect().clicks).toHaveLength(0);
  });

  it('refuses JSON nested deeper than 128 levels as Invalid JSON body, and /_inspect keeps answering', async () => {
    const { call, server } = setup();
    const nested = (depth: number) => `{"affiliate_url":"https://shop.test/?aff=PARTNER123","additional_data":${'{"a":'.repeat(depth - 1)}1${'}'.repeat(depth - 1)}}`;
    // 2,000 levels is 12 KB, far under the body cap, and deep enough to overflow structuredClone.
    const deep = await call(CLICK, undefined, { raw: nested(2000) });
    expect(deep.status).toBe(400);
    expect(deep.body).toStrictEqual({ error: 'Invalid JSON body' });
    const arrays = await call(SALE, undefined, { raw: `{"transaction_id":"t","amount_cents":1,"customer_key":"u_900","line_items":${'['.repeat(200)}${']'.repeat(200)}}`, token: TOKEN_1 });
    expect(arrays.body).toStrictEqual({ error: 'Invalid JSON body' });
    // The body itself is level 1: 128 levels in all are taken.
    expect((await call(CLICK, undefined, { raw: nested(128) })).status).toBe(200);
    expect((await call(CLICK, undefined, { raw: nested(129) })).status).toBe(400);
    // The shortest texts around the limit (brackets only, under one key) are told apart too.
    const tightest = (depth: number) => `{"":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
    expect((await call(SALE, undefined, { raw: tightest(129), token: TOKEN_1 })).body).toStrictEqual({ error: 'Invalid JSON body' });
    expect((await call(SALE, undefined, { raw: tightest(128), token: TOKEN_1 })).body).not.toStrictEqual({ error: 'Invalid JSON body' });
    expect((await call('/_inspect', undefined, { method: 'GET', token: ADMIN })).status).toBe(200);
    expect(server.inspect().clicks).toHaveLength(1);
  });

  it('refuses a body that is not UTF-8 as Invalid JSON body: two ids differing in one Latin-1 byte are not one', async () => {
    const { server } = setup();
    const latin1 = (id: string) => Uint8Array.from(Buffer.from(`{"transaction_id":"${id}","amount_cents":1000,"customer_key":"u_900"}`, 'latin1'));
    for (const id of ['order-café-1', 'order-cafè-1']) {
      const request = new Request(`${API}${SALE}`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN_1}` }, body: latin1(id) });
      expect(await toReply(await server.fetch(request))).toMatchObject({ status: 400, body: { error: 'Invalid JSON body' } });
    }
    expect(server.inspect().sales).toHaveLength(0);
    // The same ids in UTF-8 are two sales.
    const { sale } = setup();
    expect((await sale({ transaction_id: 'order-café-1', amount_cents: 1000, customer_key: 'u_900' })).status).toBe(200);
    expect((await sale({ transaction_id: 'order-cafè-1', amount_cents: 1000, customer_key: 'u_900' })).status).toBe(200);
  });

  it('counts bytes, not characters, against the limit', async () => {
    const { call } = setup();
    const raw = JSON.stringify({ ...goodClick, pad: 'é'.repeat(33 * 1024) });
    expect(raw.length).toBeLessThan(64 * 1024);
    expect((await call(CLICK, undefined, { raw })).status).toBe(413);
  });
});

describe('order of the common checks', () => {
  const big = 'x'.repeat(70 * 1024);

  it('answers 413 before 401 for an oversized unauthenticated sale', async () => {
    const { call } = setup();
    const reply = await call(SALE, { pad: big });
    expect(reply.status).toBe(413);
  });

  it('answers 401 before 429 once the token is over its limit', async () => {
    const seed = baseSeed();
    seed.programs![0]!.rate_limits = { per_minute: 1 };
    const { call, sale } = setup(seed);
    await sale({ transaction_id: 'a', amount_cents: 1, customer_key: 'u_900' });
    expect((await sale({})).status).toBe(429);
    expect((await call(SALE, {}, { authorization: 'Bearer wrong' })).status).toBe(401);
  });

  it('answers 429 before 400 for invalid JSON', async () => {
    const seed = baseSeed();
    seed.programs![0]!.rate_limits = { per_minute: 1 };
    const { call } = setup(seed);
    expect((await call(SALE, undefined, { raw: 'not json', token: TOKEN_1 })).status).toBe(400);
    const reply = await call(SALE, undefined, { raw: 'not json', token: TOKEN_1 });
    expect(reply).toMatchObject({ status: 429, body: { error: 'Rate limit exceeded (1/min)' } });
  });

  it('answers 400 for invalid JSON before the route checks', async () => {
    const { call } = setup();
    const reply = await call(SALE, undefined, { raw: '{"transaction_id": 5', token: TOKEN_1 });
    expect(errorOf(reply)).toBe('Invalid JSON body');
  });

  it('answers 401 for a bad token before a body that is not JSON', async () => {
    const { call } = setup();
    const reply = await call(SALE, undefined, { raw: 'nope', token: 'tok_wrong' });
    expect(reply).toMatchObject({ status: 401, body: { error: 'Invalid API token' } });
  });

  it('authenticates each program by its own token', async () => {
    const { sale } = setup();
    expect((await sale({ transaction_id: 'p2', amount_cents: 10, customer_key: 'u_904' }, TOKEN_2)).status).toBe(200);
  });
});
