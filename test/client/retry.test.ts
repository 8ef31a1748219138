import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { Affitor } from '../../src/server';
import { backoffDelay, retryAfterMs, sleep } from '../../src/server/retry';
import { API_KEY, fakeFetch, json } from './helpers';

const sale = { invoiceId: 'in_1', amount: 4900, customerExternalId: 'u_1' };
const ok = { success: true, sale_id: 1, commission_id: 1, message: 'Sale tracked successfully' };

function withAnswers(answers: Array<Response | Error>, options: { maxRetries?: number } = {}) {
  const fetch = fakeFetch((_, index) => {
    const answer = answers[Math.min(index, answers.length - 1)];
    if (answer instanceof Error) throw answer;
    return answer!.clone();
  });
  return { fetch, affitor: new Affitor({ apiKey: API_KEY, fetch, retryDelayMs: 1, ...options }) };
}

/** Retries after `answer` (a Retry-After of 1 s) a second later, not sooner: on fake timers, so the test does not wait it out. */
async function waitsOneSecond(answer: Response) {
  vi.useFakeTimers();
  try {
    const { fetch, affitor } = withAnswers([answer, json(200, ok)]);
    const result = affitor.trackSale(sale);
    await vi.advanceTimersByTimeAsync(999);
    expect(fetch.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(await result).toMatchObject({ ok: true, attempts: 2 });
  } finally {
    vi.useRealTimers();
  }
}

describe('backoff', () => {
  it('waits a random time within [0, min(cap, base * 2^retry)] (full jitter)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (retry, base, cap, random) => {
          const delay = backoffDelay(retry, base, cap, () => random);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(Math.min(cap, base * 2 ** retry));
          expect(Number.isInteger(delay)).toBe(true);
        },
      ),
    );
  });

  it('grows exponentially until the cap', () => {
    const top = () => 0.999999;
    expect([0, 1, 2, 3, 4, 5].map((retry) => backoffDelay(retry, 300, 5000, top))).toEqual([299, 599, 1199, 2399, 4799, 4999]);
    expect(backoffDelay(3, 300, 5000, () => 0)).toBe(0);
  });

  it('waits out a delay longer than a timer can hold instead of firing at once', async () => {
    // A Retry-After of a month with maxRetryDelayMs: Infinity; setTimeout alone fires such a delay after 1 ms.
    const stop = new AbortController();
    const outcome = await Promise.race([sleep(3e9, stop.signal).then(() => 'slept'), new Promise((resolve) => setTimeout(resolve, 30, 'waiting'))]);
    stop.abort();
    expect(outcome).toBe('waiting');
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs(' 120 ')).toBe(120_000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:03 GMT', now)).toBe(3000);
    // The obsolete forms RFC 9110 still has recipients read; a two-digit year over 50 years ahead is last century's.
    expect(retryAfterMs('Thursday, 01-Jan-26 00:00:03 GMT', now)).toBe(3000);
    expect(retryAfterMs('Thu Jan  1 00:00:03 2026', now)).toBe(3000);
    expect(retryAfterMs('Friday, 01-Jan-27 00:00:00 GMT', now)).toBe(365 * 86_400_000);
    expect(retryAfterMs('Friday, 01-Jan-77 00:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon')).toBeUndefined();
  });

  it('reads nothing else as a Retry-After: junk Date.parse took for a date long past was a wait of 0', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    for (const junk of [
      '5, 10', // two headers joined by a proxy
      'Retry in 5',
      '0.5',
      '-5',
      '1e3',
      '0x10',
      '',
      'Thu, 01 Jan 2026 00:00:03 UTC',
      'Thu, 01 Jan 2026 00:00:03',
      'Sat, 31 Feb 2026 00:00:03 GMT',
      'Thu, 01 Jan 2026 24:00:00 GMT',
      '2026-01-01T00:00:03Z',
      'thu, 01 jan 2026 00:00:03 gmt',
    ]) {
      expect([junk, retryAfterMs(junk, now)]).toEqual([junk, undefined]);
    }
  });
});

describe('retries', () => {
  it.each([
    ['a network error', new TypeError('fetch failed')],
    ['a 500', json(500, { error: 'Sale tracking failed' })],
    ['a 502 page', new Response('bad gateway', { status: 502 })],
    ['a 429 without Retry-After', json(429, { error: 'Rate limit exceeded (600/min)' })],
    ['a 408 (the request did not arrive whole in time: nothing was applied)', json(408, { error: 'Request timeout' })],
  ])('retries after %s and returns the success', async (_, first) => {
    const { fetch, affitor } = withAnswers([first, json(200, ok)]);
    const result = await affitor.trackSale(sale);
    expect(result).toMatchObject({ ok: true, status: 200, data: ok, attempts: 2 });
    expect(fetch.calls).toHaveLength(2);
  });

  it('gives up after maxRetries retries and returns the last failure', async () => {
    const { fetch, affitor } = withAnswers([json(503, { error: 'Refund tracking failed' })], { maxRetries: 3 });
    const result = await affitor.trackRefund({ invoiceId: 'in_1' });
    expect(fetch.calls).toHaveLength(4);
    expect(result).toMatchObject({ ok: false, code: 'server', status: 503, error: 'Refund tracking failed', attempts: 4 });
  });

  it('defaults to 2 retries, and maxRetries 0 makes a single attempt', async () => {
    const twice = withAnswers([new TypeError('fetch failed')]);
    expect(await twice.affitor.trackRefund({ invoiceId: 'x' })).toMatchObject({ code: 'network', attempts: 3 });
    const once = withAnswers([new TypeError('fetch failed')], { maxRetries: 0 });
    await once.affitor.trackRefund({ invoiceId: 'x' });
    expect(once.fetch.calls).toHaveLength(1);
  });

  it.each([400, 401, 404, 413])('does not retry a %i', async (status) => {
    const { fetch, affitor } = withAnswers([json(status, { error: 'no' }), json(200, ok)]);
    const result = await affitor.trackSale(sale);
    expect(result).toMatchObject({ ok: false, status, attempts: 1 });
    expect(fetch.calls).toHaveLength(1);
  });

  it('reuses one X-Request-ID and one body (same transaction id, same event id) on every retry', async () => {
    const { fetch, affitor } = withAnswers([new TypeError('fetch failed'), json(500, { error: 'x' }), json(200, { success: true })]);
    const result = await affitor.trackLead({ clickId: 'cust_1_1' });
    const ids = fetch.calls.map((call) => call.headers.get('x-request-id'));
    expect(new Set(ids).size).toBe(1);
    expect(result.requestId).toBe(ids[0]);
    expect(new Set(fetch.calls.map((call) => JSON.stringify(call.body))).size).toBe(1);
  });

  it('uses a fresh request id for each logical call, or the caller-given one', async () => {
    const { fetch, affitor } = withAnswers([json(200, ok)]);
    await affitor.trackSale(sale);
    await affitor.trackSale(sale);
    await affitor.trackSale(sale, { requestId: 'evt_1Nabc:retry.1' });
    const ids = fetch.calls.map((call) => call.headers.get('x-request-id'));
    expect(ids[0]).not.toBe(ids[1]);
    expect(ids[2]).toBe('evt_1Nabc:retry.1');
  });

  it('returns the id the server echoed when it replaced ours', async () => {
    const { affitor } = withAnswers([json(200, ok, { 'X-Request-ID': 'server-made' })]);
    expect((await affitor.trackSale(sale)).requestId).toBe('server-made');
  });

  it('treats a 409 after an attempt whose answer was lost as a duplicate: the first attempt recorded the sale', async () => {
    const { affitor } = withAnswers([new TypeError('fetch failed'), json(409, { error: 'Duplicate transaction_id. This sale has already been recorded.' })]);
    expect(await affitor.trackSale(sale)).toMatchObject({ ok: true, duplicate: true, status: 409, attempts: 2 });
  });

  it('reports the 5xx, not a duplicate, when a retry answers 409 after the server said the sale failed half-way', async () => {
    const { affitor } = withAnswers([json(500, { error: 'Failed to create commission' }), json(409, { error: 'Duplicate' })]);
    expect(await affitor.trackSale(sale)).toMatchObject({
      ok: false,
      code: 'server',
      status: 500,
      error: 'Failed to create commission',
      attempts: 2,
    });
  });

  it("treats the API's 409 after a proxy's 5xx page as a duplicate: the page is not the API's word that the sale failed half-way", async () => {
    const page = new Response('<html><body>503 Service Temporarily Unavailable</body></html>', { status: 503, headers: { 'Content-Type': 'text/html' } });
    const { affitor } = withAnswers([page, json(409, { error: 'Duplicate transaction_id. This sale has already been recorded.' })]);
    expect(await affitor.trackSale(sale)).toMatchObject({ ok: true, duplicate: true, status: 409, attempts: 2 });
  });

  it('honours a Retry-After within maxRetryDelayMs, and gives up at once when it asks for longer', async () => {
    await waitsOneSecond(json(429, { error: 'slow down' }, { 'Retry-After': '1' }));

    const long = withAnswers([json(429, { error: 'slow down' }, { 'Retry-After': '3600' }), json(200, ok)]);
    expect(await long.affitor.trackSale(sale)).toMatchObject({ ok: false, code: 'rate_limited', attempts: 1 });
    expect(long.fetch.calls).toHaveLength(1);
  });

  it('honours a Retry-After on a 503 as on a 429 (a proxy or load balancer in maintenance), instead of spending its retries at once', async () => {
    await waitsOneSecond(json(503, { error: 'Service unavailable' }, { 'Retry-After': '1' }));

    const long = withAnswers([new Response('down for maintenance', { status: 503, headers: { 'Retry-After': '3600' } }), json(200, ok)]);
    expect(await long.affitor.trackSale(sale)).toMatchObject({ ok: false, code: 'server', status: 503, attempts: 1 });
    expect(long.fetch.calls).toHaveLength(1);
  });

  it('takes at most the 25 s the README gives with the defaults: 3 attempts of 5 s, and 2 waits of a 5 s Retry-After', async () => {
    expect(readFileSync(new URL('../../README.md', import.meta.url), 'utf8')).toContain('3 × 5 s + 2 × 5 s = **25 s**');
    vi.useFakeTimers();
    try {
      // Each answer comes just inside the 5 s timeout and asks for the longest wait honoured.
      const slow = () => new Promise<Response>((resolve) => setTimeout(() => resolve(json(503, { error: 'Overloaded' }, { 'Retry-After': '5' })), 4999));
      const fetch = fakeFetch(slow);
      let settled = false;
      const result = new Affitor({ apiKey: API_KEY, fetch }).trackSale(sale).finally(() => (settled = true));
      await vi.advanceTimersByTimeAsync(3 * 4999 + 2 * 5000 - 1);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(await result).toMatchObject({ ok: false, code: 'server', status: 503, attempts: 3 });
    } finally {
      vi.useRealTimers();
    }
  });

  it('stops retrying when the caller aborts during the backoff', async () => {
    const controller = new AbortController();
    const fetch = fakeFetch(() => {
      // The scenario, not a wait: the caller aborts 5 ms into the 10 s backoff that follows.
      setTimeout(() => controller.abort(), 5);
      throw new TypeError('fetch failed');
    });
    const affitor = new Affitor({ apiKey: API_KEY, fetch, retryDelayMs: 10_000, maxRetryDelayMs: 10_000 });
    const started = Date.now();
    const result = await affitor.trackSale(sale, { signal: controller.signal });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result).toMatchObject({ ok: false, code: 'network', error: 'fetch failed (retry cancelled: the request was aborted by the caller)', attempts: 1 });
    expect(fetch.calls).toHaveLength(1);
  });

  it('keeps the last answer (a 503 "Failed to create commission"), noting the abort, when the caller aborts during the backoff', async () => {
    // Regression: the result was status 0, code network, and the 503 saying the sale was written
    // without its commission was lost, though `status` is documented as the last attempt's.
    const controller = new AbortController();
    const fetch = fakeFetch(() => {
      setTimeout(() => controller.abort(), 5);
      return json(503, { error: 'Failed to create commission' });
    });
    const affitor = new Affitor({ apiKey: API_KEY, fetch, retryDelayMs: 10_000, maxRetryDelayMs: 10_000 });
    const result = await affitor.trackSale(sale, { signal: controller.signal });
    expect(result).toMatchObject({
      ok: false,
      status: 503,
      code: 'server',
      error: 'Failed to create commission (retry cancelled: the request was aborted by the caller)',
      attempts: 1,
    });
    expect(fetch.calls).toHaveLength(1);
  });
});

describe('partial refunds', () => {
  const answers = (first: Response | Error) => {
    const fetch = fakeFetch((_, index) => {
      if (index > 0) return json(200, { success: true, status: 'refunded', deductionAmount: 1, commission_id: 1 });
      if (first instanceof Error) throw first;
      return first.clone();
    });
    return { fetch, affitor: new Affitor({ apiKey: API_KEY, fetch, retryDelayMs: 1 }) };
  };

  it.each([
    ['a network error', new TypeError('fetch failed')],
    ['a 500', json(500, { error: 'Refund tracking failed' })],
    ['a 429', json(429, { error: 'Rate limit exceeded (600/min)' })],
    ['a 503', json(503, { error: 'Service unavailable' })],
  ])('are retried after %s with the same Idempotency-Key, which the server answers instead of deducting twice', async (_, first) => {
    const { fetch, affitor } = answers(first);
    const result = await affitor.trackRefund({ invoiceId: 'in_1', refundAmountCents: 500 });
    expect(fetch.calls).toHaveLength(2);
    expect(result.ok).toBe(true);
    const keys = fetch.calls.map((call) => call.headers.get('idempotency-key'));
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
  });

  it('full refunds are retried after a network error: a second one is "skipped" by the server', async () => {
    const { fetch, affitor } = answers(new TypeError('fetch failed'));
    await affitor.trackRefund({ invoiceId: 'in_1' });
    expect(fetch.calls).toHaveLength(2);
  });
});
