/** GET /api/v1/programs/me/readiness: the program's integration, from its seed and what the server recorded. */
import { describe, expect, it } from 'vitest';
import { DAY, START, TOKEN_1, TOKEN_2, baseSeed, buildRequest, API, setup, toReply } from './helpers';
import { NOW_S, SECRET, SIGNED, hmacHex, keyedSeed } from './signing';
import { seed } from '../support/seed';

const PATH = '/api/v1/programs/me/readiness';
const get = (call: ReturnType<typeof setup>['call'], token = TOKEN_1) => call(PATH, undefined, { method: 'GET', token });

describe('readiness', () => {
  it('starts not_started, blocked at payout, with every gate, empty events and a short poll interval', async () => {
    const { call } = setup();
    const reply = await get(call);
    expect(reply.status).toBe(200);
    expect(reply.body).toStrictEqual({
      integration_verified: false,
      state: 'not_started',
      blocker: 'payout',
      gates: {
        profile: { status: 'pass', checked_at: new Date(START).toISOString() },
        economics: { status: 'pass', checked_at: new Date(START).toISOString() },
        payout: {
          status: 'unknown',
          mode: 's2s',
          endpoint: '/api/v1/track/sale',
          next_action: 'Report a sale from your backend with trackSale (testMode: true for a test sale)',
          checked_at: new Date(START).toISOString(),
        },
        tracking: {
          status: 'unknown',
          detail: 'no click and no lead recorded',
          next_action: 'Install the SDK and open your site through a partner link (?aff=<code>)',
          checked_at: new Date(START).toISOString(),
        },
        live: {
          status: 'fail',
          next_action: 'Open your site through a partner link (?aff=<code>) with the SDK installed',
          test_chain: { click: 'pending', lead: 'pending', sale: 'pending' },
          checked_at: new Date(START).toISOString(),
        },
      },
      last_events: { click: null, lead: null, sale: null },
      recent_events: { clicks_24h: 0, leads_24h: 0, sales_24h: 0, refunds_24h: 0 },
      poll: { retry_after_seconds: 5 },
    });
  });

  it('follows one customer click -> lead -> sale to verified, with the last events and the 24-hour counts', async () => {
    const { call, click, lead, sale, clock } = setup();
    const clicked = await click('PARTNER123');
    const clickId = clicked.body?.click_id as string;
    let body = (await get(call)).body!;
    expect(body).toMatchObject({ state: 'in_progress', blocker: 'payout', gates: { live: { test_chain: { click: 'attributed', lead: 'pending', sale: 'pending' } } } });
    expect(body.last_events).toMatchObject({ click: { at: new Date(START).toISOString(), test_mode: false, click_id: clickId, customer_key: null }, lead: null });

    clock.now += 60_000;
    await lead({ click_id: clickId, customer_key: 'user_1' }, { token: TOKEN_1 });
    body = (await get(call)).body!;
    expect(body.gates).toMatchObject({ tracking: { status: 'pass', detail: 'clicks and leads recorded' }, live: { test_chain: { lead: 'attributed' } } });
    expect(body.gates).not.toHaveProperty('tracking.next_action');

    clock.now += 60_000;
    await sale({ transaction_id: 'txn_ready', amount_cents: 4900, customer_key: 'user_1' });
    body = (await get(call)).body!;
    expect(body).toMatchObject({
      integration_verified: true,
      state: 'verified',
      blocker: null,
      gates: { payout: { status: 'pass' }, live: { status: 'pass', test_chain: { click: 'attributed', lead: 'attributed', sale: 'attributed' } } },
      last_events: { sale: { click_id: clickId, customer_key: 'user_1', test_mode: false } },
      recent_events: { clicks_24h: 1, leads_24h: 1, sales_24h: 1, refunds_24h: 0 },
      poll: { retry_after_seconds: 300 },
    });
    expect(body.gates).not.toHaveProperty('live.next_action');

    // A day later the counts are empty; the verdict stays.
    clock.now += DAY + 1;
    body = (await get(call)).body!;
    expect(body).toMatchObject({ state: 'verified', recent_events: { clicks_24h: 0, leads_24h: 0, sales_24h: 0 } });
  });

  it('counts test events for tracking and payout but not for the live chain', async () => {
    const { call, click, sale } = setup();
    await click('anything', { additional_data: { test_mode: true, program_id: 1 } });
    await call('/api/v1/track/lead', { customer_key: 'test_user', additional_data: { test_mode: true } }, { token: TOKEN_1 });
    await sale({ additional_data: { test_mode: true } });
    const body = (await get(call)).body!;
    expect(body).toMatchObject({
      state: 'in_progress',
      blocker: 'live',
      gates: { payout: { status: 'pass' }, tracking: { status: 'pass' }, live: { status: 'fail', test_chain: { click: 'pending', lead: 'pending', sale: 'pending' } } },
      last_events: { click: { test_mode: true }, lead: { test_mode: true }, sale: { test_mode: true } },
      recent_events: { clicks_24h: 1, leads_24h: 1, sales_24h: 1 },
    });
  });

  it('names an unattributed sale (click older than the attribution window) as the live blocker', async () => {
    const { call, click, lead, sale, clock } = setup();
    const clickId = (await click('PARTNER123')).body?.click_id as string;
    await lead({ click_id: clickId, customer_key: 'late' }, { token: TOKEN_1 });
    clock.now += 61 * DAY;
    await sale({ transaction_id: 'txn_late', amount_cents: 1000, customer_key: 'late' });
    const body = (await get(call)).body!;
    expect(body).toMatchObject({
      blocker: 'live',
      gates: { live: { status: 'fail', test_chain: { click: 'attributed', lead: 'attributed', sale: 'unattributed' }, next_action: expect.stringContaining('attribution window') as unknown } },
    });
  });

  it('stays verified when the customer later lands through another partner: the sale was credited to the partner of its time', async () => {
    const { call, click, lead, sale, clock } = setup();
    const clickId = (await click('PARTNER123')).body?.click_id as string;
    await lead({ click_id: clickId, customer_key: 'loyal' }, { token: TOKEN_1 });
    await sale({ transaction_id: 'txn_loyal', amount_cents: 4900, customer_key: 'loyal' });
    expect((await get(call)).body).toMatchObject({ state: 'verified' });

    // Last touch: a later click moves the customer to PARTNER456; the earlier sale stays PARTNER123's.
    clock.now += DAY;
    expect((await click('PARTNER456', { existing_click_id: clickId })).body).toMatchObject({ success: true });
    expect((await get(call)).body).toMatchObject({
      state: 'verified',
      blocker: null,
      gates: { live: { status: 'pass', test_chain: { click: 'attributed', lead: 'attributed', sale: 'attributed' } } },
    });
  });

  it("answers each program's own records only", async () => {
    const { call, click } = setup();
    await click('PARTNER123');
    expect((await get(call, TOKEN_2)).body).toMatchObject({ state: 'not_started', recent_events: { clicks_24h: 0 } });
  });

  it('fails profile and economics from the seed: no allowed origin, a zero commission rate, no usable link', async () => {
    const bare = seed().program(1, TOKEN_1, { commission_rate: 0 }).partners({ id: 10 }).link('SLEEPING', 1, 10, 'inactive').build();
    const { call } = setup(bare);
    const body = (await get(call)).body!;
    expect(body).toMatchObject({
      blocker: 'profile',
      gates: {
        profile: { status: 'fail', next_action: expect.stringContaining('allowed_origins') as unknown },
        economics: { status: 'fail', next_action: 'Set a commission rate above 0' },
      },
    });
    const noLink = setup(seed().program(1, TOKEN_1, { allowed_origins: ['https://shop.test'] }).build());
    expect((await get(noLink.call)).body).toMatchObject({ blocker: 'economics', gates: { economics: { next_action: 'Create an active referral link with a partner' } } });
  });

  it('needs a valid Bearer key: the 401 rows of the contract', async () => {
    const { call } = setup();
    expect(await call(PATH, undefined, { method: 'GET' })).toMatchObject({ status: 401, body: { error: 'Missing or invalid Authorization header' } });
    expect(await call(PATH, undefined, { method: 'GET', authorization: 'Bearer ' })).toMatchObject({ status: 401 });
    expect(await call(PATH, undefined, { method: 'GET', token: 'nope' })).toMatchObject({ status: 401, body: { error: 'Invalid API token' } });
  });

  it('answers 405 with Allow to other methods, HEAD without a body, and carries X-Request-ID', async () => {
    const { call } = setup();
    const post = await call(PATH, {}, { token: TOKEN_1 });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
    const head = await call(PATH, undefined, { method: 'HEAD', token: TOKEN_1, headers: { 'X-Request-ID': 'poll-1' } });
    expect(head.status).toBe(200);
    expect(head.body).toBeUndefined();
    expect(head.headers.get('x-request-id')).toBe('poll-1');
  });

  it('asks a signing key for a signature over the empty body', async () => {
    const { server } = setup(keyedSeed(), { now: () => START });
    const unsigned = await toReply(await server.fetch(buildRequest(API, PATH, undefined, { method: 'GET', token: SIGNED })));
    expect(unsigned.status).toBe(401);
    const timestamp = String(NOW_S);
    const signed = new Request(`${API}${PATH}`, {
      headers: { Authorization: `Bearer ${SIGNED}`, 'X-Timestamp': timestamp, 'X-Signature': hmacHex(SECRET, timestamp, '') },
    });
    expect(await toReply(await server.fetch(signed))).toMatchObject({ status: 200, body: { state: 'not_started' } });
  });

  it("applies the program's rate limit: 429 with the contract's message", async () => {
    const limited = baseSeed();
    limited.programs![0]!.rate_limits = { per_minute: 1 };
    const { call } = setup(limited);
    expect((await get(call)).status).toBe(200);
    expect(await get(call)).toMatchObject({ status: 429, body: { error: 'Rate limit exceeded (1/min)' } });
  });
});
