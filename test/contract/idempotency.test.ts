/** Idempotency-Key on sale and refund: replays, conflicts, calls in flight, 7 days. */
import { describe, expect, it } from 'vitest';
import { API, DAY, TOKEN_1, TOKEN_2, buildRequest, setup, toReply } from './helpers';
import type { Reply } from './helpers';

const SALE = { transaction_id: 'txn_idem', amount_cents: 5000, customer_key: 'u_900' };
const MISMATCH = { status: 409, body: { error: 'Idempotency-Key was already used with a different request body' } };
const IN_PROGRESS = { status: 409, body: { error: 'Idempotency-Key is in use by a request still being processed; retry later' } };

function idempotentSetup() {
  const env = setup();
  const post = (path: string, body: unknown, key: string | null, token = TOKEN_1) =>
    env.call(path, body, { token, headers: key === null ? {} : { 'Idempotency-Key': key } });
  const sale = (body: unknown, key: string | null, token?: string) => post('/api/v1/track/sale', body, key, token);
  const refund = (body: unknown, key: string | null, token?: string) => post('/api/v1/track/refund', body, key, token);
  return { ...env, sale, refund };
}

const replayed = (reply: Reply) => reply.headers.get('idempotent-replayed');

describe('Idempotency-Key', () => {
  it('answers a repeat with the same body with the first answer, marked as a replay, and records nothing new', async () => {
    const { sale, server } = idempotentSetup();
    const first = await sale(SALE, 'key-1');
    expect(first).toMatchObject({ status: 200, body: { success: true, sale_id: 1, commission_id: 1 } });
    expect(replayed(first)).toBeNull();
    const again = await sale(SALE, 'key-1');
    expect(again.status).toBe(200);
    expect(again.body).toStrictEqual(first.body);
    expect(replayed(again)).toBe('true');
    expect(server.inspect().sales).toHaveLength(1);
    expect(server.inspect().commissions).toHaveLength(1);
  });

  it('replays a first answer that was a refusal too (a 409 duplicate stays a 409 duplicate)', async () => {
    const { sale } = idempotentSetup();
    await sale(SALE, null);
    const first = await sale(SALE, 'key-dup');
    const again = await sale(SALE, 'key-dup');
    expect(first).toMatchObject({ status: 409, body: { error: 'Duplicate transaction_id. This sale has already been recorded.' } });
    expect(again).toMatchObject({ status: 409, body: first.body });
    expect(replayed(again)).toBe('true');
  });

  it('applies a partial refund once however often it is retried with its key', async () => {
    const { sale, refund, server } = idempotentSetup();
    await sale(SALE, null);
    const partial = { transaction_id: 'txn_idem', refund_amount_cents: 1000 };
    const answers = [await refund(partial, 'refund-1'), await refund(partial, 'refund-1'), await refund(partial, 'refund-1')];
    expect(answers.map((a) => a.body)).toStrictEqual(Array(3).fill({ success: true, status: 'refunded', deductionAmount: 2, commission_id: 1 }));
    expect(server.inspect().refunds).toHaveLength(1);
    expect(server.inspect().commissions[0]).toMatchObject({ deducted_cents: 200, status: 'refunded' });
    // Another key is another refund.
    await refund(partial, 'refund-2');
    expect(server.inspect().commissions[0]?.deducted_cents).toBe(400);
  });

  it('refuses the same key with a different body, or on the other route, with 409', async () => {
    const { sale, refund, server } = idempotentSetup();
    await sale(SALE, 'key-2');
    expect(await sale({ ...SALE, amount_cents: 5001 }, 'key-2')).toMatchObject(MISMATCH);
    expect(await refund({ transaction_id: 'txn_idem' }, 'key-2')).toMatchObject(MISMATCH);
    expect(server.inspect().sales).toHaveLength(1);
    expect(server.inspect().refunds).toHaveLength(0);
  });

  it('compares the bytes: the same JSON spaced differently is a different body', async () => {
    const { call } = idempotentSetup();
    const headers = { 'Idempotency-Key': 'key-bytes' };
    await call('/api/v1/track/sale', undefined, { token: TOKEN_1, headers, raw: JSON.stringify(SALE) });
    expect(await call('/api/v1/track/sale', undefined, { token: TOKEN_1, headers, raw: JSON.stringify(SALE, null, 1) })).toMatchObject(MISMATCH);
  });

  it('keeps each program\'s keys apart', async () => {
    const { sale } = idempotentSetup();
    await sale(SALE, 'shared-key');
    const other = await sale({ transaction_id: 'txn_p2', amount_cents: 100, customer_key: 'u_904' }, 'shared-key', TOKEN_2);
    expect(other).toMatchObject({ status: 200, body: { success: true } });
    expect(replayed(other)).toBeNull();
  });

  it("keeps a key 7 days, past Stripe's three days of redeliveries: a repeat after that is handled anew", async () => {
    const { sale, refund, clock, server } = idempotentSetup();
    await sale(SALE, null);
    const partial = { transaction_id: 'txn_idem', refund_amount_cents: 500 };
    await refund(partial, 'day-key');
    clock.now += 7 * DAY - 1;
    expect(replayed(await refund(partial, 'day-key'))).toBe('true');
    clock.now += 1;
    const later = await refund(partial, 'day-key');
    expect(replayed(later)).toBeNull();
    expect(server.inspect().refunds).toHaveLength(2);
  });

  it('does not keep a 5xx: the retry is handled', async () => {
    const { refund, sale, faults, server } = idempotentSetup();
    await sale(SALE, null);
    faults({ refund: true });
    expect(await refund({ transaction_id: 'txn_idem' }, 'key-5xx')).toMatchObject({ status: 500, body: { error: 'Refund tracking failed' } });
    faults({ refund: false });
    const retry = await refund({ transaction_id: 'txn_idem' }, 'key-5xx');
    expect(retry).toMatchObject({ status: 200, body: { status: 'reversed' } });
    expect(replayed(retry)).toBeNull();
    expect(server.inspect().refunds).toHaveLength(1);
  });

  it("keeps a sale's 500 for its failed commission: the sale is recorded, and the retry is told so again, not 409 Duplicate", async () => {
    const { sale, faults, server } = idempotentSetup();
    faults({ commission: true });
    const first = await sale(SALE, 'key-commission');
    expect(first).toMatchObject({ status: 500, body: { error: 'Failed to create commission' } });
    const retry = await sale(SALE, 'key-commission');
    expect(retry).toMatchObject({ status: 500, body: { error: 'Failed to create commission' } });
    expect(replayed(retry)).toBe('true');
    expect(server.inspect().sales).toHaveLength(1);
    expect(server.inspect().commissions).toHaveLength(0);
  });

  it('frees a key whose call was refused before it was handled (body too large, not JSON)', async () => {
    const { call, sale } = idempotentSetup();
    const headers = { 'Idempotency-Key': 'key-freed' };
    expect((await call('/api/v1/track/sale', undefined, { token: TOKEN_1, headers, raw: '{' })).status).toBe(400);
    expect((await call('/api/v1/track/sale', undefined, { token: TOKEN_1, headers, raw: 'x'.repeat(70_000) })).status).toBe(413);
    expect(await sale(SALE, 'key-freed')).toMatchObject({ status: 200, body: { success: true } });
  });

  it.each([
    ['empty', ''],
    ['256 characters long', 'k'.repeat(256)],
    ['with a space', 'my key'],
    ['with a non-ASCII character', 'clé'],
  ])('answers 400 to a key %s', async (_, key) => {
    const { server } = idempotentSetup();
    const request = buildRequest(API, '/api/v1/track/sale', SALE, { token: TOKEN_1 });
    request.headers.set('Idempotency-Key', key);
    expect(await toReply(await server.fetch(request))).toMatchObject({ status: 400, body: { error: 'Idempotency-Key must be 1 to 255 visible ASCII characters' } });
    expect(server.inspect().sales).toHaveLength(0);
  });

  it('accepts a key of 255 visible characters', async () => {
    const { sale } = idempotentSetup();
    expect((await sale(SALE, '~'.repeat(255))).status).toBe(200);
  });

  it('is ignored on click and lead, which have event_id', async () => {
    const { call, server } = idempotentSetup();
    const headers = { 'Idempotency-Key': 'key-lead' };
    expect((await call('/api/v1/track/lead', { customer_key: 'u_900' }, { token: TOKEN_1, headers })).body).toMatchObject({ success: true });
    expect((await call('/api/v1/track/lead', { customer_key: 'u_900' }, { token: TOKEN_1, headers })).status).toBe(400);
    expect(server.inspect().leads).toHaveLength(1);
  });
});

describe('Idempotency-Key and calls in flight', () => {
  /**
   * A sale whose body arrives only when `finish` is called, like a slow upload. `reading`
   * resolves once the server asks for the body: it claimed the key before that.
   */
  function slowSale(server: ReturnType<typeof setup>['server'], key: string) {
    let push!: ReadableStreamDefaultController<Uint8Array>;
    let asked!: () => void;
    const reading = new Promise<void>((resolve) => (asked = resolve));
    const body = new ReadableStream<Uint8Array>(
      { start: (controller) => void (push = controller), pull: () => asked() },
      // Without this, the stream would ask for its first chunk at once, before anyone reads it.
      { highWaterMark: 0 },
    );
    const request = new Request(`${API}/api/v1/track/sale`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN_1}`, 'Idempotency-Key': key },
      body,
      duplex: 'half',
    } as RequestInit);
    const reply = server.fetch(request).then(toReply);
    const finish = () => {
      push.enqueue(new TextEncoder().encode(JSON.stringify(SALE)));
      push.close();
      return reply;
    };
    return { finish, reading };
  }

  it('refuses a call with the key of a call still being handled, then replays the first answer', async () => {
    const { server, sale } = idempotentSetup();
    const { finish, reading } = slowSale(server, 'key-slow');
    await reading;
    expect(await sale(SALE, 'key-slow')).toMatchObject(IN_PROGRESS);
    expect(await finish()).toMatchObject({ status: 200, body: { success: true, sale_id: 1 } });
    const after = await sale(SALE, 'key-slow');
    expect(after).toMatchObject({ status: 200, body: { sale_id: 1 } });
    expect(replayed(after)).toBe('true');
    expect(server.inspect().sales).toHaveLength(1);
  });

  it('records exactly one sale for 50 concurrent calls with one key: one handled, each other a replay or "in progress"', async () => {
    const { sale, server } = idempotentSetup();
    const replies = await Promise.all(Array.from({ length: 50 }, () => sale({ ...SALE, transaction_id: 'txn_many' }, 'key-many')));
    const handled = replies.filter((r) => r.status === 200 && replayed(r) === null);
    expect(handled).toHaveLength(1);
    for (const reply of replies) {
      if (reply === handled[0]) continue;
      if (reply.status === 200) expect([reply.body, replayed(reply)]).toStrictEqual([handled[0]!.body, 'true']);
      else expect(reply).toMatchObject(IN_PROGRESS);
    }
    expect(server.inspect().sales).toHaveLength(1);
    expect(server.inspect().commissions).toHaveLength(1);
  });
});
