import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Affitor, AffitorInputError } from '../../src/server';
import { API_KEY, fakeFetch, hangingFetch, json } from './helpers';

const refund = { invoiceId: 'in_1' };

describe('timeouts', () => {
  it('aborts an attempt after timeoutMs through its signal and retries it', async () => {
    const fetch = hangingFetch();
    const affitor = new Affitor({ apiKey: API_KEY, fetch, timeoutMs: 20, maxRetries: 2, retryDelayMs: 1 });
    const result = await affitor.trackRefund(refund);
    expect(result).toMatchObject({ ok: false, status: 0, code: 'timeout', attempts: 3 });
    // Sent three times and never answered: the refund may have been applied, and its key is named.
    const key = fetch.calls[0]?.headers.get('idempotency-key');
    expect(result.error).toBe(`No answer within 20 ms. The refund may have been applied: send it again with idempotencyKey '${key}', which is answered, not applied twice`);
    expect(fetch.calls).toHaveLength(3);
    expect(fetch.calls.every((call) => call.signal?.aborted)).toBe(true);
  });

  it('succeeds when a retry answers in time', async () => {
    const fetch = fakeFetch((call, index) =>
      index === 0
        ? new Promise<Response>((_, reject) => call.signal?.addEventListener('abort', () => reject(new Error('aborted'))))
        : json(200, { success: true, status: 'reversed', deductionAmount: 9.8, commission_id: 1 }),
    );
    const affitor = new Affitor({ apiKey: API_KEY, fetch, timeoutMs: 20, retryDelayMs: 1 });
    expect(await affitor.trackRefund(refund)).toMatchObject({ ok: true, attempts: 2 });
  });

  it('times out even a fetch that ignores its signal', async () => {
    const fetch = fakeFetch(() => new Promise<Response>(() => undefined));
    const affitor = new Affitor({ apiKey: API_KEY, fetch, timeoutMs: 20, maxRetries: 0 });
    expect(await affitor.trackRefund(refund)).toMatchObject({ ok: false, code: 'timeout', attempts: 1 });
  });

  it('counts reading the body in the time limit', async () => {
    const fetch = fakeFetch((call) => {
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"success":'));
          call.signal?.addEventListener('abort', () => controller.error(new Error('aborted')));
        },
      });
      return new Response(stream, { status: 200 });
    });
    const affitor = new Affitor({ apiKey: API_KEY, fetch, timeoutMs: 20, maxRetries: 0 });
    expect(await affitor.trackRefund(refund)).toMatchObject({ ok: false, code: 'timeout' });
  });

  it("counts reading a Node stream body (node-fetch's) in the time limit, also when it never ends and ignores the signal", async () => {
    const fetch = fakeFetch(() => {
      // Half an answer, then nothing: no end, no error.
      const body = new Readable({ read() {} });
      body.push('{"success":');
      return { status: 200, ok: true, headers: new Headers({ 'Content-Type': 'application/json' }), body, text: () => new Promise(() => undefined) } as unknown as Response;
    });
    const affitor = new Affitor({ apiKey: API_KEY, fetch, timeoutMs: 20, maxRetries: 0 });
    expect(await affitor.trackRefund(refund)).toMatchObject({ ok: false, code: 'timeout', attempts: 1 });
  });

  it('refuses a timeoutMs longer than a timer can hold, which would time every attempt out at once; Infinity is none', async () => {
    // setTimeout runs a delay over 2^31 - 1 ms after 1 ms: 'No answer within 3000000000 ms' at once, on every call.
    expect(() => new Affitor({ apiKey: API_KEY, timeoutMs: 3e9 })).toThrow(
      new AffitorInputError('timeoutMs', 'timeoutMs must be a positive number of milliseconds up to 2147483647, or Infinity for none (got 3000000000)'),
    );
    const fetch = fakeFetch(() => new Promise<Response>((resolve) => setTimeout(() => resolve(json(200, { success: true, status: 'reversed' })), 20)));
    for (const timeoutMs of [2 ** 31 - 1, Infinity]) {
      const affitor = new Affitor({ apiKey: API_KEY, fetch, timeoutMs, maxRetries: 0 });
      expect(await affitor.trackRefund(refund)).toMatchObject({ ok: true, attempts: 1 });
    }
  });

  it('resolves at once with code network when the caller signal is already aborted', async () => {
    const fetch = hangingFetch();
    const affitor = new Affitor({ apiKey: API_KEY, fetch });
    const result = await affitor.trackRefund(refund, { signal: AbortSignal.abort() });
    expect(result).toMatchObject({ ok: false, code: 'network', error: 'The request was aborted by the caller', attempts: 1 });
    expect(fetch.calls).toHaveLength(0);
  });

  it('stops a pending attempt when the caller aborts, without retrying', async () => {
    const fetch = hangingFetch();
    const affitor = new Affitor({ apiKey: API_KEY, fetch, timeoutMs: 10_000 });
    const controller = new AbortController();
    // The scenario, not a wait: the caller aborts 10 ms into an attempt that never answers.
    setTimeout(() => controller.abort(), 10);
    const result = await affitor.trackRefund(refund, { signal: controller.signal });
    expect(result).toMatchObject({ ok: false, code: 'network', attempts: 1 });
    expect(fetch.calls).toHaveLength(1);
  });
});
