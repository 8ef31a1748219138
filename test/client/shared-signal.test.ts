import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Affitor } from '../../src/server';
import { API_KEY, fakeFetch, hangingFetch, json } from './helpers';

const sale = (n: number) => ({ invoiceId: `in_${n}`, amount: 4900, customerExternalId: 'user_42' });
const tick = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('one AbortSignal shared by many calls', () => {
  // A server's shutdown signal passed to every call: past 10 listeners on it Node warns
  // "MaxListenersExceededWarning: Possible EventTarget memory leak detected", which a plain fetch
  // given the same signal never does. The client listens on it once, however many calls wait.
  it('listens on it once while many calls are in flight, and not at all once they settle', async () => {
    const affitor = new Affitor({ apiKey: API_KEY, fetch: hangingFetch(), timeoutMs: Infinity });
    const controller = new AbortController();
    const calls = Array.from({ length: 20 }, (_, n) => affitor.trackSale(sale(n), { signal: controller.signal }));
    await tick();
    expect(getEventListeners(controller.signal, 'abort').length).toBe(1);
    controller.abort();
    const results = await Promise.all(calls);
    expect(results.every((result) => !result.ok && result.code === 'network' && result.error === 'The request was aborted by the caller')).toBe(true);
    expect(getEventListeners(controller.signal, 'abort').length).toBe(0);
  });

  it('listens on it once while many calls wait to retry, and each wait still ends at the abort', async () => {
    const fetch = fakeFetch(() => json(503, { error: 'Service unavailable' }, { 'Retry-After': '3' }));
    const affitor = new Affitor({ apiKey: API_KEY, fetch, maxRetryDelayMs: 5000 });
    const controller = new AbortController();
    const started = Date.now();
    const calls = Array.from({ length: 20 }, (_, n) => affitor.trackSale(sale(n), { signal: controller.signal }));
    await tick();
    expect(getEventListeners(controller.signal, 'abort').length).toBe(1);
    controller.abort();
    const results = await Promise.all(calls);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(results.every((result) => !result.ok && result.status === 503 && result.error.endsWith('(retry cancelled: the request was aborted by the caller)'))).toBe(true);
    expect(getEventListeners(controller.signal, 'abort').length).toBe(0);
  });

  it('leaves no listener behind after calls that were never aborted', async () => {
    const fetch = fakeFetch(() => json(200, { success: true, sale_id: 1, commission_id: 1, message: 'Sale tracked successfully' }));
    const affitor = new Affitor({ apiKey: API_KEY, fetch });
    const controller = new AbortController();
    const results = await Promise.all(Array.from({ length: 20 }, (_, n) => affitor.trackSale(sale(n), { signal: controller.signal })));
    expect(results.every((result) => result.ok)).toBe(true);
    expect(getEventListeners(controller.signal, 'abort').length).toBe(0);
  });
});
