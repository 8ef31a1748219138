/** The client's signed requests and idempotency keys, against a fetch double. */
import { createHmac } from 'node:crypto';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Affitor, isAffitorInputError } from '../../src/server';
import { MAX_SECONDS_AHEAD, RequestSigner } from '../../src/server/signing';
import type { RecordedCall } from './helpers';
import { API_KEY, fakeFetch, json, thrown } from './helpers';

const SECRET = 'whsec_client_secret_do_not_leak_91c4';
const sale = { invoiceId: 'in_1', amount: 4900, customerExternalId: 'u_1' };
const saved = { success: true, sale_id: 1, commission_id: 1, message: 'Sale tracked successfully' };
const IN_USE = 'Idempotency-Key is in use by a request still being processed; retry later';
const MISMATCH = 'Idempotency-Key was already used with a different request body';

/** What the fetch double saw as the raw body: the client sends a string. */
const rawBody = (call: RecordedCall) => JSON.stringify(call.body);

describe('signingSecret', () => {
  it('signs `${X-Timestamp}.${body}` with HMAC-SHA256 in hex, with the current Unix second', async () => {
    const fetch = fakeFetch(() => json(200, saved));
    const before = Math.floor(Date.now() / 1000);
    await new Affitor({ apiKey: API_KEY, signingSecret: SECRET, fetch }).trackSale(sale);
    const [call] = fetch.calls;
    const timestamp = call!.headers.get('x-timestamp')!;
    expect(Number(timestamp)).toBeGreaterThanOrEqual(before);
    expect(Number(timestamp)).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    const expected = createHmac('sha256', SECRET).update(`${timestamp}.${rawBody(call!)}`).digest('hex');
    expect(call!.headers.get('x-signature')).toBe(expected);
  });

  it('signs every attempt afresh, never sending one signature twice (the server accepts each once)', async () => {
    const fetch = fakeFetch((_, n) => (n < 2 ? Promise.reject(new TypeError('fetch failed')) : json(200, saved)));
    const started = Date.now();
    const result = await new Affitor({ apiKey: API_KEY, signingSecret: SECRET, fetch, retryDelayMs: 1 }).trackSale(sale);
    expect(result).toMatchObject({ ok: true, attempts: 3 });
    const signatures = fetch.calls.map((call) => call.headers.get('x-signature'));
    expect(new Set(signatures).size).toBe(3);
    const timestamps = fetch.calls.map((call) => Number(call.headers.get('x-timestamp')));
    expect(timestamps[1]).toBeGreaterThan(timestamps[0]!);
    expect(timestamps[2]).toBeGreaterThan(timestamps[1]!);
    // Signed ahead of the clock, not after a wait for it (bound loose for busy machines).
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('signs with the secret trimmed, as read from an env file or a mounted secret ending in a line break', async () => {
    // Else every signed call was refused as `Invalid signature`, and no sale was recorded.
    const fetch = fakeFetch(() => json(200, saved));
    await new Affitor({ apiKey: API_KEY, signingSecret: ` ${SECRET}\n`, fetch }).trackSale(sale);
    const [call] = fetch.calls;
    const expected = createHmac('sha256', SECRET).update(`${call!.headers.get('x-timestamp')!}.${rawBody(call!)}`).digest('hex');
    expect(call!.headers.get('x-signature')).toBe(expected);
  });

  it('sends no signature headers without a secret', async () => {
    const fetch = fakeFetch(() => json(200, saved));
    await new Affitor({ apiKey: API_KEY, fetch }).trackSale(sale);
    expect(fetch.calls[0]!.headers.has('x-signature')).toBe(false);
    expect(fetch.calls[0]!.headers.has('x-timestamp')).toBe(false);
  });

  it.each([
    ['an empty string', '', 'signingSecret must be a non-empty string (got an empty string)'],
    ['a number', 42, 'signingSecret must be a non-empty string (got a number)'],
    ['blank', ' \n', 'signingSecret must be a non-empty string (got a blank string)'],
  ])('is refused when %s, without quoting it', (_, signingSecret, message) => {
    const error = thrown(() => new Affitor({ apiKey: API_KEY, signingSecret: signingSecret as string }));
    expect(isAffitorInputError(error)).toBe(true);
    expect(error.message).toBe(message);
  });

  it('is refused with a clear error where the runtime has no Web Crypto', () => {
    const crypto = Object.getOwnPropertyDescriptor(globalThis, 'crypto');
    Object.defineProperty(globalThis, 'crypto', { value: undefined, configurable: true });
    try {
      const error = thrown(() => new Affitor({ apiKey: API_KEY, signingSecret: SECRET, fetch: fakeFetch(() => json(200, {})) }));
      expect(error.message).toBe('signingSecret needs Web Crypto (globalThis.crypto.subtle): use Node 19+, Bun, Deno or an edge runtime');
      expect(error.message).not.toContain(SECRET);
    } finally {
      Object.defineProperty(globalThis, 'crypto', crypto!);
    }
  });

  it('fails at once, not sent and not retried as a network error, when the runtime cannot sign (Web Crypto without HMAC)', async () => {
    // Regression: `crypto.subtle.sign` rejecting was reported as `code: 'network'` and retried,
    // though no retry can sign either: a webhook would keep failing as if the API were down.
    const crypto = Object.getOwnPropertyDescriptor(globalThis, 'crypto');
    const { subtle } = globalThis.crypto;
    const noHmac = {
      importKey: subtle.importKey.bind(subtle),
      sign: () => Promise.reject(new DOMException('Unrecognized algorithm name', 'NotSupportedError')),
    };
    Object.defineProperty(globalThis, 'crypto', { value: { subtle: noHmac }, configurable: true });
    try {
      const fetch = fakeFetch(() => json(200, saved));
      const result = await new Affitor({ apiKey: API_KEY, signingSecret: SECRET, fetch, retryDelayMs: 1 }).trackSale(sale);
      expect(result).toMatchObject({
        ok: false,
        status: 0,
        code: 'unauthorized',
        error:
          'Could not sign the request, so it was not sent: Unrecognized algorithm name. signingSecret needs a Web Crypto (globalThis.crypto.subtle) that signs HMAC-SHA256: Node 19+, Bun, Deno or an edge runtime',
        attempts: 1,
      });
      expect(fetch.calls).toHaveLength(0);
    } finally {
      Object.defineProperty(globalThis, 'crypto', crypto!);
    }
  });

  it('never shows up in the client, a result or an error text', async () => {
    const echo = fakeFetch((call) => {
      throw new Error(`proxy refused ${SECRET} ${call.headers.get('x-signature')}`);
    });
    const affitor = new Affitor({ apiKey: API_KEY, signingSecret: SECRET, fetch: echo, maxRetries: 0 });
    expect(inspect(affitor, { showHidden: true, depth: 5 })).not.toContain(SECRET);
    expect(JSON.stringify(affitor)).not.toContain(SECRET);
    const result = await affitor.trackRefund({ invoiceId: 'i' });
    expect(result.error).toMatch(/^proxy refused \[redacted\] [0-9a-f]{64}\. The refund may have been applied: send it again with idempotencyKey '[\w-]+', which is answered, not applied twice$/);
    expect(inspect(result, { depth: 10 })).not.toContain(SECRET);
  });
});

describe('RequestSigner, on a clock that stands still', () => {
  const subtle = globalThis.crypto.subtle;
  /** 'waited' after `ms`: the bound raced against a call that must settle without the clock moving. */
  const never = (ms: number) => new Promise<'waited'>((resolve) => setTimeout(() => resolve('waited'), ms));

  it('signs different bodies in the same second at once', async () => {
    const signer = new RequestSigner(SECRET, subtle, () => 1_000_000_500);
    const both = Promise.all([signer.headers('{"a":1}'), signer.headers('{"a":2}')]);
    const [a, b] = (await Promise.race([both, never(5000)])) as Record<string, string>[];
    expect(a!['X-Timestamp']).toBe('1000000');
    expect(b!['X-Timestamp']).toBe('1000000');
    expect(a!['X-Signature']).not.toBe(b!['X-Signature']);
  });

  it('signs the same body again at once, for the next second not used yet: ahead of a clock that stands still', async () => {
    const signer = new RequestSigner(SECRET, subtle, () => 1_000_000_900);
    const signed = (await Promise.race([Promise.all([1, 2, 3].map(() => signer.headers('{"a":1}'))), never(5000)])) as Record<string, string>[];
    expect(signed.map((headers) => headers['X-Timestamp'])).toEqual(['1000000', '1000001', '1000002']);
    expect(signed[2]!['X-Signature']).toBe(createHmac('sha256', SECRET).update('1000002.{"a":1}').digest('hex'));
  });

  it('signs a repeat with the current second once the clock has passed the last one used', async () => {
    let now = 1_000_000_900;
    const signer = new RequestSigner(SECRET, subtle, () => now);
    await signer.headers('{"a":1}');
    await signer.headers('{"a":1}');
    now = 1_000_005_000;
    expect((await signer.headers('{"a":1}'))!['X-Timestamp']).toBe('1000005');
  });

  it('signs a repeat with the clock\'s second at once after the clock moved back (an NTP step)', async () => {
    let now = 1_000_000_000_000;
    const signer = new RequestSigner(SECRET, subtle, () => now);
    await signer.headers('{"a":1}');
    now -= 600_000;
    const headers = (await Promise.race([signer.headers('{"a":1}'), never(5000)])) as Record<string, string>;
    expect(headers['X-Timestamp']).toBe('999999400');
    // Back at the second it first used, that one stays taken.
    now += 600_000;
    expect((await signer.headers('{"a":1}'))!['X-Timestamp']).toBe('1000000001');
  });

  it(`waits for the clock only ${MAX_SECONDS_AHEAD} s ahead of it, and gives up that wait at once when the signal aborts`, async () => {
    const signer = new RequestSigner(SECRET, subtle, () => 1_000_000_000);
    for (let ahead = 0; ahead <= MAX_SECONDS_AHEAD; ahead++) expect((await signer.headers('{"a":1}'))!['X-Timestamp']).toBe(String(1_000_000 + ahead));
    const controller = new AbortController();
    const repeat = signer.headers('{"a":1}', controller.signal);
    expect(await Promise.race([repeat, never(50)])).toBe('waited');
    controller.abort();
    // On this clock the next second never comes: only the abort can end the wait.
    expect(await Promise.race([repeat, never(5000)])).toBeUndefined();
  });
});

describe('a signed client on a clock that stands still (a test suite fake Date)', () => {
  afterEach(() => vi.useRealTimers());

  it('retries a failed call at once, signed for the next second, and settles', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-06-01T12:00:00.500Z'));
    const fetch = fakeFetch((_, n) => (n == 0 ? json(503, { success: false, message: 'Service unavailable' }) : json(200, saved)));
    const result = await new Affitor({ apiKey: API_KEY, signingSecret: SECRET, fetch, retryDelayMs: 1 }).trackSale(sale);
    expect(result).toMatchObject({ ok: true, attempts: 2 });
    expect(fetch.calls.map((call) => call.headers.get('x-timestamp'))).toEqual(['1780315200', '1780315201']);
  });

  it('signs the same body at once after a test sets its fake Date to an earlier day', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const fetch = fakeFetch(() => json(200, saved));
    const affitor = new Affitor({ apiKey: API_KEY, signingSecret: SECRET, fetch });
    vi.setSystemTime(new Date('2026-06-01T12:00:00Z'));
    await affitor.trackSale(sale);
    vi.setSystemTime(new Date('2026-01-01T12:00:00Z'));
    const never = new Promise<'waited'>((resolve) => setTimeout(() => resolve('waited'), 5000));
    expect(await Promise.race([affitor.trackSale(sale), never])).toMatchObject({ ok: true });
    expect(fetch.calls.map((call) => call.headers.get('x-timestamp'))).toEqual(['1780315200', '1767268800']);
  });

  it(`settles as aborted when the caller aborts while a retry more than ${MAX_SECONDS_AHEAD} s ahead waits for the clock`, async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    // The same body signed for the seconds from the clock's to just before the furthest ahead allowed.
    const fetch = fakeFetch((_, n) => (n < MAX_SECONDS_AHEAD ? json(200, saved) : Promise.reject(new TypeError('fetch failed'))));
    const affitor = new Affitor({ apiKey: API_KEY, signingSecret: SECRET, fetch, retryDelayMs: 0 });
    for (let ahead = 0; ahead < MAX_SECONDS_AHEAD; ahead++) await affitor.trackSale(sale);
    const controller = new AbortController();
    // The scenario, not a wait: the caller aborts 20 ms in, while the retry waits for the clock.
    setTimeout(() => controller.abort(), 20);
    const result = await affitor.trackSale(sale, { signal: controller.signal });
    // The last answer (a lost connection) is kept, the abort noted; no attempt is counted that was never sent.
    expect(result).toMatchObject({ ok: false, code: 'network', error: 'fetch failed (retry cancelled: the request was aborted by the caller)', attempts: 1 });
    expect(fetch.calls).toHaveLength(MAX_SECONDS_AHEAD + 1);
  });

});

describe('Idempotency-Key', () => {
  it('sends one per sale and refund call, the same on every retry, a new one for the next call', async () => {
    const fetch = fakeFetch((_, n) => (n === 0 ? json(503, { error: 'Service unavailable' }) : json(200, saved)));
    const affitor = new Affitor({ apiKey: API_KEY, fetch, retryDelayMs: 1 });
    await affitor.trackSale(sale);
    await affitor.trackRefund({ invoiceId: 'in_1', refundAmountCents: 100 });
    const keys = fetch.calls.map((call) => call.headers.get('idempotency-key'));
    expect(keys).toHaveLength(3);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).not.toBe(keys[0]);
    for (const key of keys) expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('sends the caller\'s key when given one (a webhook event id)', async () => {
    const fetch = fakeFetch(() => json(200, saved));
    await new Affitor({ apiKey: API_KEY, fetch }).trackSale(sale, { idempotencyKey: 'evt_1NabcDEF' });
    expect(fetch.calls[0]!.headers.get('idempotency-key')).toBe('evt_1NabcDEF');
  });

  it('sends none on clicks and leads, which carry an event id instead', async () => {
    const fetch = fakeFetch(() => json(200, { success: true }));
    const affitor = new Affitor({ apiKey: API_KEY, fetch });
    await affitor.trackLead({ clickId: 'cust_1_1' });
    await affitor.trackClick({ affiliateUrl: 'https://shop.test/?aff=P' });
    expect(fetch.calls.map((call) => call.headers.has('idempotency-key'))).toEqual([false, false]);
  });

  it.each([
    ['a key with a space', () => ({ idempotencyKey: 'my key' })],
    ['a key of 256 characters', () => ({ idempotencyKey: 'k'.repeat(256) })],
    ['an empty key', () => ({ idempotencyKey: '' })],
  ])('refuses %s at once', (_, options) => {
    const affitor = new Affitor({ apiKey: API_KEY, fetch: fakeFetch(() => json(200, saved)) });
    const error = thrown(() => affitor.trackSale(sale, options()));
    expect(isAffitorInputError(error)).toBe(true);
    expect((error as Error & { field: string }).field).toBe('idempotencyKey');
  });

  it('refuses a key on a lead, naming what to use instead', () => {
    const affitor = new Affitor({ apiKey: API_KEY, fetch: fakeFetch(() => json(200, {})) });
    // @ts-expect-error: the types already refuse it; a JavaScript caller gets the error
    const error = thrown(() => affitor.trackLead({ clickId: 'c' }, { idempotencyKey: 'k' }));
    expect(error.message).toBe('idempotencyKey applies to trackSale and trackRefund; clicks and leads take an eventId');
  });

  it('retries a 409 saying the key is still in use, and gets the first answer', async () => {
    const fetch = fakeFetch((_, n) => (n === 0 ? json(409, { error: IN_USE }) : json(200, saved)));
    const result = await new Affitor({ apiKey: API_KEY, fetch, retryDelayMs: 1 }).trackSale(sale);
    expect(result).toMatchObject({ ok: true, status: 200, data: saved, attempts: 2 });
  });

  it('reports a key still in use after the retries as a conflict, not a duplicate sale', async () => {
    const fetch = fakeFetch(() => json(409, { error: IN_USE }));
    const result = await new Affitor({ apiKey: API_KEY, fetch, retryDelayMs: 1, maxRetries: 1 }).trackSale(sale);
    expect(result).toMatchObject({ ok: false, status: 409, code: 'conflict', error: IN_USE, attempts: 2 });
    expect(result).not.toHaveProperty('duplicate');
  });

  it('does not retry a key used with another body: a conflict, on sale as on refund', async () => {
    for (const call of [(a: Affitor) => a.trackSale(sale, { idempotencyKey: 'k' }), (a: Affitor) => a.trackRefund({ invoiceId: 'i' }, { idempotencyKey: 'k' })]) {
      const fetch = fakeFetch(() => json(409, { error: MISMATCH }));
      const result = await call(new Affitor({ apiKey: API_KEY, fetch, retryDelayMs: 1 }));
      expect(result).toMatchObject({ ok: false, status: 409, code: 'conflict', error: MISMATCH, attempts: 1 });
      expect(fetch.calls).toHaveLength(1);
    }
  });
});
