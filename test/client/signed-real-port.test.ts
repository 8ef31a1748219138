/**
 * The client against the reference server on a real port, with the first seed's security rows:
 * signed requests, key rotation, and retries that idempotency keys make safe.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startServer } from '../../examples/server/src/node';
import type { RunningServer } from '../../examples/server/src/node';
import type { SeedInput } from '../../examples/server/src/app';
import { Affitor } from '../../src/server';
import type { AffitorOptions, FetchLike } from '../../src/server';
import { SEED, TOKEN } from './reference-server';

const SIGNED = 'aff_live_signed_2b7e';
const SECRET = 'whsec_live_secret_77d0';
const OLD = 'aff_live_old_4410';

function seedWith(keys: NonNullable<NonNullable<SeedInput['programs']>[number]['api_keys']>): SeedInput {
  const seed = structuredClone(SEED);
  seed.programs![0]!.api_keys = keys;
  return seed;
}

const running: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

async function serve(seed: SeedInput, now?: () => number) {
  const server = await startServer({ port: 0, seed, ...(now ? { now } : {}) });
  running.push(server);
  return server;
}

function client(server: RunningServer, options: Partial<AffitorOptions> = {}) {
  return new Affitor({ apiKey: SIGNED, signingSecret: SECRET, apiUrl: server.url, retryDelayMs: 1, ...options });
}

/** Real fetch, but the answer of the attempts listed in `lose` is dropped after the server handled them. */
function losingAnswers(lose: number[]): FetchLike & { attempts: () => number } {
  let n = 0;
  const fn: FetchLike = async (input, init) => {
    const attempt = n++;
    const response = await fetch(input, init);
    if (lose.includes(attempt)) {
      await response.arrayBuffer();
      throw new TypeError('fetch failed');
    }
    return response;
  };
  return Object.assign(fn, { attempts: () => n });
}

const sale = { invoiceId: 'in_signed_1', amount: 10_000, customerExternalId: 'u_900' };

describe('signed requests on a real port', () => {
  it('tracks a sale and partial refunds with a signing key', async () => {
    const server = await serve(seedWith([{ token: SIGNED, signing_secret: SECRET }]));
    const affitor = client(server);
    expect(await affitor.trackSale(sale)).toMatchObject({ ok: true, status: 200, data: { sale_id: 1, commission_id: 1 } });
    expect(await affitor.trackRefund({ invoiceId: sale.invoiceId, refundAmountCents: 2500 })).toMatchObject({ ok: true, data: { status: 'refunded', deductionAmount: 5 } });
    expect(await affitor.trackLead({ customerExternalId: 'u_900', clickId: 'cust_900_1' })).toMatchObject({ ok: false, status: 400 });
    expect(server.app.inspect().refunds).toHaveLength(1);
  });

  it('is refused with a clear error, and no retry, for a wrong secret or a missing one', async () => {
    const server = await serve(seedWith([{ token: SIGNED, signing_secret: SECRET }]));
    const wrong = await client(server, { signingSecret: 'not_the_secret' }).trackSale(sale);
    expect(wrong).toMatchObject({ ok: false, status: 401, code: 'unauthorized', attempts: 1 });
    // The API's words, then what to check in this client (it signs by itself, given the option).
    expect(wrong.error).toMatch(/^Invalid signature: .*: is signingSecret the one for this API key\?$/);
    const unsigned = await new Affitor({ apiKey: SIGNED, apiUrl: server.url }).trackSale(sale);
    expect(unsigned).toMatchObject({
      status: 401,
      error: "This API key requires signed requests: send X-Timestamp and X-Signature headers: pass the key's signingSecret to new Affitor()",
    });
    expect(JSON.stringify([wrong, unsigned])).not.toMatch(new RegExp(`${SIGNED}|${SECRET}`));
    expect(server.app.inspect().sales).toHaveLength(0);
  });

  it('says the clock is off when the server\'s clock is more than 300 s away', async () => {
    const server = await serve(seedWith([{ token: SIGNED, signing_secret: SECRET }]), () => Date.now() + 302_000);
    const result = await client(server).trackSale(sale);
    expect(result).toMatchObject({ ok: false, status: 401, code: 'unauthorized' });
    expect(result.error).toMatch(/^X-Timestamp is outside ±300 seconds of server time/);
  });

  it('signs each retry afresh, so the server sees no replay, and the stored answer comes back', async () => {
    const server = await serve(seedWith([{ token: SIGNED, signing_secret: SECRET }]));
    const fetch = losingAnswers([0, 1]);
    const result = await client(server, { fetch }).trackSale(sale);
    expect(result).toMatchObject({ ok: true, status: 200, data: { sale_id: 1 }, attempts: 3 });
    expect(server.app.inspect().sales).toHaveLength(1);
  });

  it('tracks two equal partial refunds sent in the same second by two clients (two workers, two lambdas)', async () => {
    // Same body, same second: the same signature. The server refuses the second as a replay;
    // that refusal applied nothing, so the client signs again in the next second.
    const server = await serve(seedWith([{ token: SIGNED, signing_secret: SECRET }]));
    await client(server).trackSale(sale);
    const refund = { invoiceId: sale.invoiceId, refundAmountCents: 1000 };
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000))); // both in one second
    const results = await Promise.all([client(server).trackRefund(refund), client(server).trackRefund(refund)]);
    for (const result of results) expect(result).toMatchObject({ ok: true, data: { status: 'refunded', deductionAmount: 2 } });
    expect(server.app.inspect().refunds).toHaveLength(2);
  });

  it('does not retry a replay refusal without a signing secret to sign afresh with', async () => {
    const fetch: FetchLike = () => Promise.resolve(Response.json({ error: 'Replay detected: this signature was already used. Sign every request with a fresh X-Timestamp' }, { status: 401 }));
    const result = await new Affitor({ apiKey: TOKEN, apiUrl: 'http://127.0.0.1:9', fetch, retryDelayMs: 1 }).trackSale(sale);
    expect(result).toMatchObject({ ok: false, status: 401, code: 'unauthorized', attempts: 1 });
  });
});

describe('retries made safe by idempotency keys, on a real port', () => {
  it('applies a partial refund once when its answer is lost and the client retries', async () => {
    const server = await serve(seedWith([{ token: SIGNED, signing_secret: SECRET }]));
    await client(server).trackSale(sale);
    const fetch = losingAnswers([0]);
    const refund = await client(server, { fetch }).trackRefund({ invoiceId: sale.invoiceId, refundAmountCents: 1000 });
    expect(refund).toMatchObject({ ok: true, attempts: 2, data: { status: 'refunded', deductionAmount: 2 } });
    expect(server.app.inspect().refunds).toHaveLength(1);
    expect(server.app.inspect().commissions[0]).toMatchObject({ deducted_cents: 200 });
  });

  it('applies a partial refund once after a 500 that did nothing, with a plain key too', async () => {
    const server = await serve(SEED);
    const affitor = new Affitor({ apiKey: TOKEN, apiUrl: server.url, retryDelayMs: 1 });
    await affitor.trackSale(sale);
    let attempts = 0;
    const flaky = new Affitor({
      apiKey: TOKEN,
      apiUrl: server.url,
      retryDelayMs: 1,
      fetch: (input, init) => {
        server.app.setFaults({ refund: attempts++ === 0 });
        return fetch(input, init);
      },
    });
    const refund = await flaky.trackRefund({ invoiceId: sale.invoiceId, refundAmountCents: 1000 });
    expect(refund).toMatchObject({ ok: true, attempts: 2, data: { status: 'refunded' } });
    expect(server.app.inspect().refunds).toHaveLength(1);
  });

  it('answers a redelivered webhook with the first answer when the caller passes the event id as key', async () => {
    const server = await serve(SEED);
    const affitor = new Affitor({ apiKey: TOKEN, apiUrl: server.url });
    const refund = { invoiceId: sale.invoiceId, refundAmountCents: 500 };
    await affitor.trackSale(sale);
    const first = await affitor.trackRefund(refund, { idempotencyKey: 'evt_refund_1' });
    const redelivered = await affitor.trackRefund(refund, { idempotencyKey: 'evt_refund_1' });
    expect(redelivered).toStrictEqual({ ...first, requestId: redelivered.requestId });
    expect(server.app.inspect().refunds).toHaveLength(1);
    const other = await affitor.trackRefund({ ...refund, refundAmountCents: 600 }, { idempotencyKey: 'evt_refund_1' });
    expect(other).toMatchObject({ ok: false, status: 409, code: 'conflict', error: 'Idempotency-Key was already used with a different request body' });
  });
});

describe('key rotation on a real port', () => {
  it('works with the old and the new key side by side, then refuses the old one once disabled, and a revoked one', async () => {
    const overlap = await serve(seedWith([{ token: OLD }, { token: SIGNED, signing_secret: SECRET }]));
    expect(await new Affitor({ apiKey: OLD, apiUrl: overlap.url }).trackSale(sale)).toMatchObject({ ok: true, status: 200 });
    expect(await client(overlap).trackRefund({ invoiceId: sale.invoiceId })).toMatchObject({ ok: true, data: { status: 'reversed' } });

    const after = await serve(seedWith([{ token: OLD, status: 'disabled' }, { token: 'aff_gone', status: 'revoked' }, { token: SIGNED, signing_secret: SECRET }]));
    const old = await new Affitor({ apiKey: OLD, apiUrl: after.url }).trackSale(sale);
    expect(old).toMatchObject({ ok: false, status: 401, code: 'unauthorized', error: 'API key is disabled', attempts: 1 });
    expect(await new Affitor({ apiKey: 'aff_gone', apiUrl: after.url }).trackSale(sale)).toMatchObject({ status: 401, error: 'API key has been revoked' });
    expect(await client(after).trackSale(sale)).toMatchObject({ ok: true, status: 200 });
    expect(JSON.stringify(old)).not.toContain(OLD);
  });
});
