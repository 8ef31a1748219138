/** Signed requests: X-Timestamp and X-Signature for keys with a signing secret. */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TOKEN_1, setup, toReply } from './helpers';
import { NOW_S, SECRET, SIGNED, hmacHex, keyedSeed, signedRequest } from './signing';
import type { SignedCall } from './signing';

const REFUND = JSON.stringify({ transaction_id: 'no_such_sale' });
/** A refund of an unknown sale: 404 proves the call passed every auth check. */
const PASSED = { status: 404, body: { error: 'Sale not found for transaction_id' } };

const ERRORS = {
  required: 'This API key requires signed requests: send X-Timestamp and X-Signature headers',
  timestamp: 'X-Timestamp must be a Unix time in whole seconds',
  signature: 'Invalid signature: X-Signature must be the hex HMAC-SHA256 of "<X-Timestamp>.<raw body>" under the key\'s signing secret',
  expired: 'X-Timestamp is outside ±300 seconds of server time: sync your clock and sign each request afresh',
  replay: 'Replay detected: this signature was already used. Sign every request with a fresh X-Timestamp',
};

function signedSetup() {
  const env = setup(keyedSeed());
  const send = async (call: SignedCall) => toReply(await env.server.fetch(signedRequest(call)));
  return { ...env, send };
}

describe('signed requests', () => {
  it('accepts a correctly signed call, on sale, refund and server-mode lead', async () => {
    const { send, server } = signedSetup();
    const sale = JSON.stringify({ transaction_id: 'txn_signed', amount_cents: 4900, customer_key: 'u_900' });
    expect(await send({ path: '/api/v1/track/sale', body: sale })).toMatchObject({ status: 200, body: { success: true, sale_id: 1 } });
    expect(await send({ body: JSON.stringify({ transaction_id: 'txn_signed', refund_amount_cents: 100 }) })).toMatchObject({ status: 200, body: { status: 'refunded' } });
    expect(await send({ path: '/api/v1/track/lead', body: JSON.stringify({ customer_key: 'u_900' }) })).toMatchObject({ status: 400 });
    expect(server.inspect().sales).toHaveLength(1);
  });

  it('accepts the signature in upper-case hex too', async () => {
    const { send } = signedSetup();
    expect(await send({ body: REFUND, signature: hmacHex(SECRET, String(NOW_S), REFUND).toUpperCase() })).toMatchObject(PASSED);
  });

  it.each(['X-Signature', 'X-Timestamp'])('refuses a call without %s', async (missing) => {
    const { server } = signedSetup();
    const request = signedRequest({ body: REFUND });
    request.headers.delete(missing);
    expect(await toReply(await server.fetch(request))).toStrictEqual(expect.objectContaining({ status: 401, body: { error: ERRORS.required } }));
  });

  it('refuses an unsigned call with the signing key, and ignores signature headers for a key without a secret', async () => {
    const { refund, send } = signedSetup();
    expect(await refund({ transaction_id: 'x' }, SIGNED)).toMatchObject({ status: 401, body: { error: ERRORS.required } });
    // The Affitor contract is unchanged for keys that do not sign: headers it does not know are ignored.
    expect(await send({ token: TOKEN_1, body: REFUND, signature: 'nonsense' })).toMatchObject(PASSED);
  });

  it.each(['soon', '1772323200.5', '-1772323200', '1772323200000000', ''])('refuses X-Timestamp %j', async (timestamp) => {
    const { server } = signedSetup();
    const request = signedRequest({ body: REFUND, timestamp, signature: hmacHex(SECRET, timestamp, REFUND) });
    expect(await toReply(await server.fetch(request))).toMatchObject({ status: 401, body: { error: ERRORS.timestamp } });
  });

  it.each([
    ['signed with another secret', { secret: 'not_the_secret' }],
    ['with a signature of another timestamp', { signature: hmacHex(SECRET, String(NOW_S + 1), REFUND) }],
    ['with a truncated signature', { signature: hmacHex(SECRET, String(NOW_S), REFUND).slice(0, 63) }],
    ['with a signature of the body alone', { signature: createHmac('sha256', SECRET).update(REFUND).digest('hex') }],
    ['with a base64 signature', { signature: Buffer.from(hmacHex(SECRET, String(NOW_S), REFUND), 'hex').toString('base64') }],
  ])('refuses a call %s', async (_, change) => {
    const { send, server } = signedSetup();
    expect(await send({ body: REFUND, ...change })).toMatchObject({ status: 401, body: { error: ERRORS.signature } });
    expect(server.inspect().refunds).toHaveLength(0);
  });

  it('checks the exact bytes sent: the same JSON spaced differently is refused', async () => {
    const { server } = signedSetup();
    const request = signedRequest({ body: '{"transaction_id": "no_such_sale"}', signature: hmacHex(SECRET, String(NOW_S), REFUND) });
    expect(await toReply(await server.fetch(request))).toMatchObject({ status: 401, body: { error: ERRORS.signature } });
  });

  it('says nothing about the clock to a forged call: a bad signature with a stale timestamp is a bad signature', async () => {
    const { send } = signedSetup();
    expect(await send({ body: REFUND, timestamp: NOW_S - 10_000, secret: 'forged' })).toMatchObject({ status: 401, body: { error: ERRORS.signature } });
  });
});

describe('the ±300 s window, with the server clock', () => {
  it.each([
    ['300 s behind', -300, PASSED],
    ['301 s behind', -301, { status: 401, body: { error: ERRORS.expired } }],
    ['300 s ahead', 300, PASSED],
    ['301 s ahead', 301, { status: 401, body: { error: ERRORS.expired } }],
    ['an hour behind', -3600, { status: 401, body: { error: ERRORS.expired } }],
  ])('a timestamp %s of the server is answered as expected', async (_, offset, expected) => {
    const { send } = signedSetup();
    expect(await send({ body: REFUND, timestamp: NOW_S + offset })).toMatchObject(expected);
  });

  it('counts milliseconds: 300.001 s after the timestamp is outside', async () => {
    const { send, clock } = signedSetup();
    clock.now += 300_000;
    expect(await send({ body: REFUND })).toMatchObject(PASSED);
    clock.now += 1;
    expect(await send({ body: REFUND, timestamp: NOW_S })).toMatchObject({ status: 401, body: { error: ERRORS.expired } });
  });
});

describe('replays', () => {
  it('refuses the same signature again inside the window, even when the first call was refused further on', async () => {
    const { send, clock } = signedSetup();
    expect(await send({ body: REFUND })).toMatchObject(PASSED);
    expect(await send({ body: REFUND })).toMatchObject({ status: 401, body: { error: ERRORS.replay } });
    clock.now += 300_000; // the window's last millisecond
    expect(await send({ body: REFUND })).toMatchObject({ status: 401, body: { error: ERRORS.replay } });
  });

  it('answers a replay after the window as a stale timestamp', async () => {
    const { send, clock } = signedSetup();
    await send({ body: REFUND });
    clock.now += 301_000;
    expect(await send({ body: REFUND })).toMatchObject({ status: 401, body: { error: ERRORS.expired } });
  });

  it('remembers a signature dated ahead of the server until its own window ends', async () => {
    const { send, clock } = signedSetup();
    const ahead = NOW_S + 300;
    expect(await send({ body: REFUND, timestamp: ahead })).toMatchObject(PASSED);
    clock.now += 600_000;
    expect(await send({ body: REFUND, timestamp: ahead })).toMatchObject({ status: 401, body: { error: ERRORS.replay } });
    clock.now += 1000;
    expect(await send({ body: REFUND, timestamp: ahead })).toMatchObject({ status: 401, body: { error: ERRORS.expired } });
  });

  it('accepts the same body again with a fresh timestamp', async () => {
    const { send, clock } = signedSetup();
    await send({ body: REFUND });
    clock.now += 1000;
    expect(await send({ body: REFUND, timestamp: NOW_S + 1 })).toMatchObject(PASSED);
  });

  it('refuses a replay before it can record anything', async () => {
    const { send, server } = signedSetup();
    const sale = JSON.stringify({ transaction_id: 'txn_replayed', amount_cents: 100, customer_key: 'u_900' });
    await send({ path: '/api/v1/track/sale', body: sale });
    const again = await send({ path: '/api/v1/track/sale', body: sale });
    expect(again).toMatchObject({ status: 401, body: { error: ERRORS.replay } });
    expect(server.inspect().sales).toHaveLength(1);
  });
});

describe('a signed body changed by one byte', () => {
  it('is refused, whichever byte changes to whatever value', async () => {
    const { server } = signedSetup();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({ transaction_id: fc.string({ minLength: 1, maxLength: 40 }), refund_amount_cents: fc.integer({ min: 1, max: 1e6 }), note: fc.string({ unit: 'binary' }) }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (fields, at, delta) => {
          run += 1;
          const bytes = new TextEncoder().encode(JSON.stringify({ ...fields, run }));
          const timestamp = String(NOW_S);
          const signature = hmacHex(SECRET, timestamp, bytes);
          const changed = bytes.slice();
          const index = at % changed.length;
          changed[index] = (changed[index]! + delta) % 256;
          const refused = await toReply(await server.fetch(signedRequest({ body: changed, timestamp, signature })));
          expect(refused).toStrictEqual(expect.objectContaining({ status: 401, body: { error: ERRORS.signature } }));
          // The unchanged bytes with the same signature pass: the change alone was refused.
          const original = await server.fetch(signedRequest({ body: bytes, timestamp, signature }));
          expect(original.status).not.toBe(401);
        },
      ),
      { numRuns: 150 },
    );
    expect(server.inspect().refunds).toHaveLength(0);
  }, 60_000);
});

describe('secrets in answers', () => {
  it('never echoes the key or the signing secret in any refusal', async () => {
    const { send } = signedSetup();
    const replies = [
      await send({ body: REFUND, secret: 'wrong' }),
      await send({ body: REFUND, timestamp: NOW_S - 999 }),
      await send({ body: REFUND }),
      await send({ body: REFUND }),
      await send({ body: REFUND, timestamp: 'x' }),
    ];
    for (const reply of replies) {
      expect(reply.status).toBeGreaterThanOrEqual(400);
      expect(JSON.stringify(reply.body)).not.toContain(SIGNED);
      expect(JSON.stringify(reply.body)).not.toContain(SECRET);
      expect([...reply.headers.values()].join('\n')).not.toContain(SECRET);
    }
  });
});
