/** Rate limits: per token for Bearer calls, per client address for browser calls. */
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../examples/server/src/rate-limit';
import { TOKEN_1, TOKEN_2, baseSeed, setup } from './helpers';

function seedWithLimits(limits: { per_minute?: number; per_hour?: number }) {
  const seed = baseSeed();
  seed.programs![0]!.rate_limits = limits;
  return seed;
}

const refundBody = { transaction_id: 'unknown' };

describe('rate limits for clicks the merchant\'s backend reports with its key', () => {
  const clickWith = (call: ReturnType<typeof setup>['call'], token?: string) =>
    call('/api/v1/track/click', { affiliate_url: 'https://shop.test/?aff=PARTNER123' }, token === undefined ? {} : { token });

  it("counts them per key under the program's limits, apart from browser clicks from the same address", async () => {
    const { call } = setup(seedWithLimits({ per_minute: 700 }));
    for (let i = 0; i < 650; i++) expect((await clickWith(call, TOKEN_1)).status, `click ${i + 1}`).toBe(200);
    // The address has its own count, at the defaults.
    expect((await clickWith(call)).status).toBe(200);
  });

  it('counts a click with a token that names no usable key as a browser click (the route is public)', async () => {
    const { call } = setup(seedWithLimits({ per_minute: 1 }));
    expect((await clickWith(call, 'tok_nobody')).status).toBe(200);
    expect((await clickWith(call, 'tok_nobody')).status).toBe(200);
    expect((await clickWith(call, TOKEN_1)).status).toBe(200);
    expect(await clickWith(call, TOKEN_1)).toMatchObject({ status: 429, body: { error: 'Rate limit exceeded (1/min)' } });
  });
});

describe('rate limits for Bearer calls', () => {
  it('refuses the call after the per-minute limit with 429 and the limit in the message, without Retry-After', async () => {
    const { refund } = setup(seedWithLimits({ per_minute: 3 }));
    for (let i = 0; i < 3; i++) expect((await refund(refundBody)).status).toBe(404);
    const reply = await refund(refundBody);
    expect(reply.status).toBe(429);
    expect(reply.body).toStrictEqual({ error: 'Rate limit exceeded (3/min)' });
    expect(reply.headers.get('retry-after')).toBeNull();
  });

  it('lets calls through again in the next minute', async () => {
    const { refund, clock } = setup(seedWithLimits({ per_minute: 2 }));
    await refund(refundBody);
    await refund(refundBody);
    expect((await refund(refundBody)).status).toBe(429);
    clock.now += 60_000;
    expect((await refund(refundBody)).status).toBe(404);
  });

  it('refuses after the per-hour limit even in a fresh minute, until the next hour', async () => {
    const { refund, clock } = setup(seedWithLimits({ per_minute: 100, per_hour: 4 }));
    for (let i = 0; i < 4; i++) {
      expect((await refund(refundBody)).status).toBe(404);
      clock.now += 61_000;
    }
    expect((await refund(refundBody)).body).toStrictEqual({ error: 'Rate limit exceeded (4/hour)' });
    clock.now += 3_600_000;
    expect((await refund(refundBody)).status).toBe(404);
  });

  it('counts each token separately', async () => {
    const { refund } = setup(seedWithLimits({ per_minute: 1 }));
    await refund(refundBody);
    expect((await refund(refundBody)).status).toBe(429);
    expect((await refund(refundBody, TOKEN_2)).status).toBe(404);
  });

  // Per API token (tracking-api.md), not per program: a program's second key (a worker's, or the
  // new one during a rotation) was refused once the first had used the program's minute.
  it("counts each of a program's keys separately, with the program's limits", async () => {
    const seed = seedWithLimits({ per_minute: 1 });
    seed.programs![0]!.api_keys = [{ token: 'tok_second' }];
    const { refund } = setup(seed);
    expect((await refund(refundBody)).status).toBe(404);
    expect((await refund(refundBody, 'tok_second')).status).toBe(404);
    expect((await refund(refundBody, 'tok_second')).body).toStrictEqual({ error: 'Rate limit exceeded (1/min)' });
    expect((await refund(refundBody)).status).toBe(429);
  });

  it('counts server-mode leads against the token', async () => {
    const { refund, lead } = setup(seedWithLimits({ per_minute: 1 }));
    await refund(refundBody);
    expect((await lead({ customer_key: 'u_900' }, { token: TOKEN_1 })).status).toBe(429);
  });

  it('does not count refused calls', async () => {
    // Refused calls within one minute look the same counted or not: the hour's count tells them apart.
    const { refund, clock } = setup(seedWithLimits({ per_minute: 2, per_hour: 4 }));
    await refund(refundBody);
    await refund(refundBody);
    for (let i = 0; i < 5; i++) expect((await refund(refundBody)).body).toStrictEqual({ error: 'Rate limit exceeded (2/min)' });
    // Next minute, same hour: 2 of the 4 an hour are left, not 4 - 7.
    clock.now += 60_000;
    expect((await refund(refundBody)).status).toBe(404);
    expect((await refund(refundBody)).status).toBe(404);
    expect((await refund(refundBody)).body).toStrictEqual({ error: 'Rate limit exceeded (2/min)' });
    clock.now += 60_000;
    expect((await refund(refundBody)).body).toStrictEqual({ error: 'Rate limit exceeded (4/hour)' });
  });

  it('uses the defaults of 600 a minute when the seed sets none', async () => {
    const { refund } = setup();
    const statuses = [];
    for (let i = 0; i < 601; i++) statuses.push((await refund(refundBody, TOKEN_2)).status);
    expect(statuses.filter((s) => s === 404)).toHaveLength(600);
    expect(statuses[600]).toBe(429);
    expect((await refund(refundBody, TOKEN_2)).body).toStrictEqual({ error: 'Rate limit exceeded (600/min)' });
  });
});

describe('rate limits for browser calls', () => {
  const from = (address: string) => ({ headers: { 'X-Forwarded-For': address } });

  it('limits each client address to the default 600 a minute, whatever the program says', async () => {
    const { call } = setup(seedWithLimits({ per_minute: 1 }));
    const body = { affiliate_url: 'https://shop.test/?aff=NOSUCH' };
    for (let i = 0; i < 600; i++) expect((await call('/api/v1/track/click', body, from('203.0.113.7'))).status).toBe(400);
    const over = await call('/api/v1/track/click', body, from('203.0.113.7'));
    expect(over.body).toStrictEqual({ error: 'Rate limit exceeded (600/min)' });
    expect((await call('/api/v1/track/lead', {}, from('203.0.113.7'))).status).toBe(429);
    expect((await call('/api/v1/track/click', body, from('198.51.100.2'))).status).toBe(400);
  });

  it('limits to the default 30000 an hour', async () => {
    const { call, clock } = setup();
    const body = { affiliate_url: 'https://shop.test/?aff=NOSUCH' };
    clock.now = Date.parse('2026-03-01T00:00:00Z');
    for (let i = 0; i < 30_000; i++) {
      if (i % 600 === 0 && i > 0) clock.now += 60_000;
      await call('/api/v1/track/click', body);
    }
    clock.now += 60_000;
    expect((await call('/api/v1/track/click', body)).body).toStrictEqual({ error: 'Rate limit exceeded (30000/hour)' });
  });

  it('keys browser calls by the clientAddress option', async () => {
    let address = 'a';
    const { call } = setup(baseSeed(), { clientAddress: () => address });
    const body = { affiliate_url: 'https://shop.test/?aff=NOSUCH' };
    for (let i = 0; i < 600; i++) await call('/api/v1/track/click', body);
    expect((await call('/api/v1/track/click', body)).status).toBe(429);
    address = 'b';
    expect((await call('/api/v1/track/click', body)).status).toBe(400);
  });

  it("behind a proxy (trustProxy), keys browser calls by the address the proxy added, not the proxy's socket: every visitor behind the first-party handler shared one limit", async () => {
    const { call } = setup(baseSeed(), { clientAddress: () => '127.0.0.1', trustProxy: true });
    const body = { affiliate_url: 'https://shop.test/?aff=NOSUCH' };
    // A visitor's own entry first, the proxy's (the handler's X-Forwarded-For) last: the last one counts.
    const via = (visitor: string) => ({ headers: { 'X-Forwarded-For': `10.9.9.9, ${visitor}` } });
    for (let i = 0; i < 600; i++) expect((await call('/api/v1/track/click', body, via('203.0.113.7'))).status).toBe(400);
    expect((await call('/api/v1/track/click', body, via('203.0.113.7'))).status).toBe(429);
    expect((await call('/api/v1/track/click', body, via('198.51.100.2'))).status).toBe(400);
    // Without the header, the socket's address.
    expect((await call('/api/v1/track/click', body)).status).toBe(400);
  });

  // Every visitor's address (or any X-Forwarded-For a caller makes up) got a counter kept for
  // the server's life: 200,000 addresses held 27 MB that no call would ever read again.
  it('forgets the counters of addresses not seen for an hour', () => {
    const limiter = new RateLimiter();
    const limits = { per_minute: 600, per_hour: 30_000 };
    const start = Date.parse('2026-03-01T00:00:00Z');
    for (let i = 0; i < 1000; i++) limiter.hitClient(`198.51.100.${i}`, limits, start);
    expect(limiter.clientCount).toBe(1000);
    limiter.hitClient('203.0.113.7', limits, start + 3_600_000);
    expect(limiter.clientCount).toBe(1);
  });

  it('keeps the hour count of an address through the sweep', () => {
    const limiter = new RateLimiter();
    const limits = { per_minute: 100, per_hour: 2 };
    const start = Date.parse('2026-03-01T00:00:00Z');
    limiter.hitClient('a', limits, start);
    limiter.hitClient('a', limits, start);
    // Minutes later, in the same hour: a sweep runs and 'a' is still over its hour's limit.
    limiter.hitClient('b', limits, start + 120_000);
    expect(limiter.hitClient('a', limits, start + 120_000)).toBe('Rate limit exceeded (2/hour)');
  });
});
