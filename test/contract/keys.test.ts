/** Program keys: states (active, disabled, revoked), rotation, and IP allowlists. */
import { describe, expect, it } from 'vitest';
import { SeedError, createTrackingServer } from '../../examples/server/src/app';
import type { SeedInput } from '../../examples/server/src/app';
import { API, ADMIN, START, TOKEN_1, buildRequest, setup, toReply } from './helpers';
import { DISABLED, OFFICE, REVOKED, SECRET, SIGNED, keyedSeed } from './signing';

const goodSale = { transaction_id: 'txn_keys', amount_cents: 4900, customer_key: 'u_900' };

describe('key states', () => {
  it.each([
    ['disabled', DISABLED, 'API key is disabled'],
    ['revoked', REVOKED, 'API key has been revoked'],
  ])('refuses a %s key with 401 and says which, on sale, refund and server-mode lead', async (_, token, error) => {
    const { sale, refund, lead, server } = setup(keyedSeed());
    for (const reply of [await sale(goodSale, token), await refund({ transaction_id: 'x' }, token), await lead({ customer_key: 'u_900' }, { token })]) {
      expect(reply.status).toBe(401);
      expect(reply.body).toStrictEqual({ error });
    }
    expect(server.inspect().sales).toHaveLength(0);
    expect(server.inspect().leads).toHaveLength(0);
  });

  it('still answers 413 before the key state (size comes first)', async () => {
    const { call } = setup(keyedSeed());
    const reply = await call('/api/v1/track/sale', undefined, { token: DISABLED, raw: 'x'.repeat(70_000) });
    expect(reply).toMatchObject({ status: 413, body: { error: 'Request body too large' } });
  });

  it('accepts the api_token and a new key of one program side by side, then refuses the old one once disabled', async () => {
    const during = keyedSeed();
    during.programs![0]!.api_keys!.push({ token: 'tok_next', status: 'active' });
    const overlap = setup(during);
    expect(await overlap.sale(goodSale, TOKEN_1)).toMatchObject({ status: 200, body: { success: true, sale_id: 1 } });
    // Both keys name the same program: a sale made with one is refunded with the other.
    expect(await overlap.refund({ transaction_id: 'txn_keys' }, 'tok_next')).toMatchObject({ status: 200, body: { success: true, status: 'reversed' } });

    const after = keyedSeed();
    after.programs![0]!.api_token = 'tok_next';
    after.programs![0]!.api_keys!.push({ token: TOKEN_1, status: 'disabled' });
    const rotated = setup(after);
    expect(await rotated.sale(goodSale, TOKEN_1)).toMatchObject({ status: 401, body: { error: 'API key is disabled' } });
    expect((await rotated.sale(goodSale, 'tok_next')).status).toBe(200);
  });

  // Per API token, as tracking-api.md and the error reference say ("each key is limited"), under the program's limits.
  it("counts rate limits per key, each of a program's keys with the program's limits", async () => {
    const seed = keyedSeed();
    seed.programs![0]!.rate_limits = { per_minute: 1 };
    seed.programs![0]!.api_keys!.push({ token: 'tok_second' });
    const { refund } = setup(seed);
    expect((await refund({ transaction_id: 'a' }, TOKEN_1)).status).toBe(404);
    expect((await refund({ transaction_id: 'a' }, 'tok_second')).status).toBe(404);
    expect(await refund({ transaction_id: 'a' }, 'tok_second')).toMatchObject({ status: 429, body: { error: 'Rate limit exceeded (1/min)' } });
  });
});

describe("the merchant's account (the first seed's MERCHANT_NOT_APPROVED)", () => {
  const seedWith = (merchant_status: 'approved' | 'pending' | 'suspended' | 'rejected') => {
    const seed = keyedSeed();
    seed.programs![0]!.merchant_status = merchant_status;
    seed.programs![0]!.api_keys!.push({ token: 'tok_test_mode', mode: 'test' });
    return seed;
  };
  const NOT_APPROVED = 'Merchant account is not approved yet: live keys need an approved account, use a test key while pending';
  const INACTIVE = 'Merchant account is suspended or rejected: contact support';

  it('while pending, refuses live keys with 401 and takes test keys', async () => {
    const { sale, refund, server } = setup(seedWith('pending'));
    expect(await sale(goodSale, TOKEN_1)).toMatchObject({ status: 401, body: { error: NOT_APPROVED } });
    expect(server.requests().at(-1)).toMatchObject({ error_code: 'MERCHANT_NOT_APPROVED' });
    expect(server.inspect().sales).toHaveLength(0);
    expect(await refund({ transaction_id: 'no_such_sale' }, 'tok_test_mode')).toMatchObject({ status: 404 });
  });

  it("records a test key's calls as test events: a sale earns no commission, even while pending, and its refunds find test sales only", async () => {
    const { sale, refund, lead, server } = setup(seedWith('pending'));
    expect(await sale(goodSale, 'tok_test_mode')).toMatchObject({ status: 200, body: { success: true, message: 'Test sale event tracked successfully' } });
    expect(await lead({ customer_key: 'u_900' }, { token: 'tok_test_mode' })).toMatchObject({ status: 200, body: { message: 'Test lead event tracked successfully' } });
    expect(server.inspect().sales).toEqual([expect.objectContaining({ test_mode: true })]);
    expect(server.inspect().commissions).toEqual([]);
    expect(server.inspect().customers.find((customer) => customer.customer_key === 'u_900')).toMatchObject({ status: 'click' });

    // A real sale of the approved account, which the test key cannot refund.
    const approved = setup(seedWith('approved'));
    expect(await approved.sale(goodSale, TOKEN_1)).toMatchObject({ status: 200, body: { commission_id: 1 } });
    expect(await approved.refund({ transaction_id: goodSale.transaction_id }, 'tok_test_mode')).toMatchObject({ status: 404 });
    expect(approved.server.inspect().commissions[0]).toMatchObject({ status: 'pending' });
    expect(await refund({ transaction_id: 'no_such_sale' }, 'tok_test_mode')).toMatchObject({ status: 404 });
  });

  it.each(['suspended', 'rejected'] as const)('when %s, refuses every key, test keys too, logged as MERCHANT_INACTIVE', async (status) => {
    const { sale, refund, server } = setup(seedWith(status));
    for (const token of [TOKEN_1, 'tok_test_mode']) {
      expect(await refund({ transaction_id: 'no_such_sale' }, token)).toMatchObject({ status: 401, body: { error: INACTIVE } });
    }
    expect(await sale(goodSale, TOKEN_1)).toMatchObject({ status: 401 });
    // The two refunds, alike, are one entry of the log.
    expect(server.requests().map((entry) => [entry.calls, entry.error_code])).toEqual([
      [2, 'MERCHANT_INACTIVE'],
      [1, 'MERCHANT_INACTIVE'],
    ]);
  });

  it('says a disabled key before the account, and takes every key of an approved account (the default)', async () => {
    expect(await setup(seedWith('suspended')).sale(goodSale, DISABLED)).toMatchObject({ status: 401, body: { error: 'API key is disabled' } });
    const approved = setup(keyedSeed());
    expect((await approved.sale(goodSale, TOKEN_1)).status).toBe(200);
  });

  it('refuses a seed with an unknown account status or key mode, naming the field', () => {
    const status = keyedSeed();
    status.programs![0]!.merchant_status = 'paused' as never;
    expect(() => createTrackingServer(status)).toThrow(SeedError);
    expect(() => createTrackingServer(status)).toThrow(/programs\[0\]\.merchant_status/);
    const mode = keyedSeed();
    mode.programs![0]!.api_keys!.push({ token: 'tok_x', mode: 'sandbox' as never });
    expect(() => createTrackingServer(mode)).toThrow(/programs\[0\]\.api_keys\[4\]\.mode/);
  });
});

describe('IP allowlists', () => {
  const fromAddress = (address: string | undefined, options: { trustProxy?: boolean } = {}) => {
    const server = createTrackingServer(keyedSeed(), { now: () => START, clientAddress: () => address ?? 'local', ...options });
    return (headers: Record<string, string> = {}, token = OFFICE) =>
      server.fetch(buildRequest(API, '/api/v1/track/refund', { transaction_id: 'none' }, { token, headers })).then(toReply);
  };

  it.each(['203.0.113.7', '198.51.100.42', '::ffff:203.0.113.7', '2001:db8::1'])('lets %s through (address, CIDR range, IPv4 over IPv6, IPv6 range)', async (address) => {
    expect(await fromAddress(address)()).toMatchObject({ status: 404, body: { error: 'Sale not found for transaction_id' } });
  });

  it.each(['192.0.2.1', '203.0.113.8', '198.51.101.1', '2001:db9::1'])('refuses %s with 401 naming the address', async (address) => {
    expect(await fromAddress(address)()).toMatchObject({ status: 401, body: { error: `IP address ${address} is not in this API key's allowlist` } });
  });

  it('does not restrict the keys without an allowlist', async () => {
    expect((await fromAddress('192.0.2.1')({}, TOKEN_1)).status).toBe(404);
  });

  it('ignores X-Forwarded-For unless the server is told it sits behind a proxy', async () => {
    const direct = fromAddress('192.0.2.1');
    expect(await direct({ 'X-Forwarded-For': '203.0.113.7' })).toMatchObject({ status: 401, body: { error: "IP address 192.0.2.1 is not in this API key's allowlist" } });
    const proxied = fromAddress('10.0.0.2', { trustProxy: true });
    expect((await proxied({ 'X-Forwarded-For': '203.0.113.7' })).status).toBe(404);
    // Only the entry the proxy added counts: a caller cannot prepend an allowed address.
    expect(await proxied({ 'X-Forwarded-For': '203.0.113.7, 192.0.2.1' })).toMatchObject({ status: 401, body: { error: "IP address 192.0.2.1 is not in this API key's allowlist" } });
    expect(await proxied()).toMatchObject({ status: 401, body: { error: "IP address 10.0.0.2 is not in this API key's allowlist" } });
  });

  it('refuses a key with an allowlist when the server cannot tell the address', async () => {
    const server = createTrackingServer(keyedSeed());
    const reply = await toReply(await server.fetch(buildRequest(API, '/api/v1/track/refund', { transaction_id: 'n' }, { token: OFFICE, headers: { 'X-Forwarded-For': '203.0.113.7' } })));
    expect(reply).toStrictEqual(expect.objectContaining({ status: 401, body: { error: "IP address (unknown) is not in this API key's allowlist" } }));
  });
});

describe('api_keys in the seed', () => {
  const withKeys = (api_keys: unknown): SeedInput => {
    const seed = keyedSeed();
    (seed.programs![0] as Record<string, unknown>).api_keys = api_keys;
    return seed;
  };

  it.each([
    [[{ status: 'active' }], 'programs[0].api_keys[0].token'],
    [[{ token: ' tok_x' }], 'programs[0].api_keys[0].token'],
    [[{ token: TOKEN_1 }], 'programs[0].api_keys[0].token'],
    [[{ token: 'a' }, { token: 'a' }], 'programs[0].api_keys[1].token'],
    [[{ token: 'a', status: 'paused' }], 'programs[0].api_keys[0].status'],
    [[{ token: 'a', signing_secret: '' }], 'programs[0].api_keys[0].signing_secret'],
    [[{ token: 'a', ip_allowlist: '203.0.113.7' }], 'programs[0].api_keys[0].ip_allowlist'],
    [[{ token: 'a', ip_allowlist: ['example.com'] }], 'programs[0].api_keys[0].ip_allowlist[0]'],
    [[{ token: 'a', ip_allowlist: ['203.0.113.0/33'] }], 'programs[0].api_keys[0].ip_allowlist[0]'],
    [[{ token: 'a', expires: 1 }], 'programs[0].api_keys[0].expires'],
    [{ token: 'a' }, 'programs[0].api_keys'],
  ])('rejects %j naming %s', (keys, field) => {
    expect(() => createTrackingServer(withKeys(keys))).toThrow(SeedError);
    try {
      createTrackingServer(withKeys(keys));
    } catch (error) {
      expect((error as SeedError).field).toBe(field);
    }
  });

  it('rejects a key whose token is another program\'s api_token', () => {
    const seed = keyedSeed();
    seed.programs![1]!.api_keys = [{ token: SIGNED }];
    expect(() => createTrackingServer(seed)).toThrow('Invalid seed: programs[1].api_keys[0].token is already the token of another key');
  });

  it('never quotes a token or a signing secret in a seed error', () => {
    for (const keys of [[{ token: SIGNED }, { token: SIGNED, signing_secret: SECRET }], [{ token: 'a', signing_secret: 42 }]]) {
      expect(() => createTrackingServer(withKeys(keys))).toThrow(SeedError);
      try {
        createTrackingServer(withKeys(keys));
      } catch (error) {
        expect(String(error)).not.toContain(SIGNED);
        expect(String(error)).not.toContain(SECRET);
      }
    }
  });

  it('keeps every key and secret out of /_inspect', async () => {
    const { sale, call } = setup(keyedSeed());
    await sale(goodSale, TOKEN_1);
    const state = await call('/_inspect', undefined, { method: 'GET', token: ADMIN });
    const text = JSON.stringify(state.body);
    for (const secret of [TOKEN_1, SIGNED, SECRET, DISABLED, REVOKED, OFFICE, 'old_secret']) expect(text).not.toContain(secret);
  });
});
