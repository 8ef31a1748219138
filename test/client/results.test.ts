import { describe, expect, it } from 'vitest';
import { Affitor } from '../../src/server';
import { API_KEY, endlessAnswer, fakeFetch, json } from './helpers';

function answering(response: () => Response) {
  return new Affitor({ apiKey: API_KEY, fetch: fakeFetch(response), maxRetries: 0 });
}
const sale = { invoiceId: 'in_1', amount: 4900, customerExternalId: 'u_1' };

describe('results', () => {
  it('resolves a success with the parsed body, the status and the echoed request id', async () => {
    const body = { success: true, sale_id: 1, commission_id: 2, message: 'Sale tracked successfully' };
    const result = await answering(() => json(200, body, { 'X-Request-ID': 'srv-1' })).trackSale(sale);
    expect(result).toEqual({ ok: true, status: 200, data: body, error: null, code: null, requestId: 'srv-1', attempts: 1 });
  });

  it('treats a 409 on a sale as already recorded: ok and duplicate', async () => {
    const result = await answering(() =>
      json(409, { error: 'Duplicate transaction_id. This sale has already been recorded.' }),
    ).trackSale(sale);
    expect(result).toMatchObject({ ok: true, duplicate: true, status: 409, data: null, error: null, code: null });
  });

  // A webhook that answers its payment processor 200 on `ok` would never see the event again: the
  // sale, never recorded, would be lost. Only the API's own answer proves the sale is recorded.
  it('reports a 409 on a sale that is not the API\'s JSON (a proxy\'s, a firewall\'s page) as a failure, not a duplicate', async () => {
    const page = () => new Response('<html><body>409 Conflict</body></html>', { status: 409, headers: { 'Content-Type': 'text/html' } });
    const result = await answering(page).trackSale(sale);
    expect(result).not.toHaveProperty('duplicate');
    expect(result).toMatchObject({ ok: false, status: 409, code: 'conflict', attempts: 1 });
    expect(result.error).toContain("an answer that is not the API's JSON");
  });

  it.each([
    [400, 'amount_cents is required and must be a positive integer', 'validation'],
    [413, 'Request body too large', 'validation'],
    [401, 'Invalid API key', 'unauthorized'],
    [403, 'Forbidden', 'unauthorized'],
    [404, 'Sale not found for transaction_id', 'not_found'],
    [409, 'Conflict', 'conflict'],
    [408, 'Request timeout', 'timeout'],
    [429, 'Rate limit exceeded (600/min)', 'rate_limited'],
    [500, 'Refund tracking failed', 'server'],
    [503, 'Service Unavailable', 'server'],
  ] as const)('maps HTTP %i to a failure with the server message and code %s', async (status, error, code) => {
    const result = await answering(() => json(status, { error })).trackRefund({ invoiceId: 'in_1' });
    expect(result).toMatchObject({ ok: false, status, data: null, error, code, attempts: 1 });
    expect(result.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('points at apiUrl when nothing answers the route there (the API path written into it, a typo)', async () => {
    const apiUrl = 'https://api.affitor.test/api/v1';
    for (const [response, said] of [
      [() => json(404, { error: 'Not found' }), 'Not found'],
      [() => new Response('<html>404</html>', { status: 404 }), 'HTTP 404'],
      [() => new Response(null, { status: 405 }), 'HTTP 405'],
    ] as const) {
      const result = await new Affitor({ apiKey: API_KEY, apiUrl, fetch: fakeFetch(response), maxRetries: 0 }).trackSale(sale);
      expect(result).toMatchObject({
        ok: false,
        error: `${said}: nothing takes POST ${apiUrl}/api/v1/track/sale: is apiUrl ${apiUrl} right? It is the API's base URL, without /api/v1`,
      });
    }
    // A route's own 404 is the answer, not a wrong address.
    const missing = await answering(() => json(404, { error: 'Sale not found for transaction_id' })).trackRefund({ invoiceId: 'x' });
    expect(missing.error).toBe('Sale not found for transaction_id');
  });

  it('describes an error answer that is not JSON by its status, and says the API did not write it', async () => {
    // The API answers every error as JSON: an HTML page comes from something in front of it.
    const said = (status: number) => `HTTP ${status}, an answer that is not the API's JSON: from a proxy, gateway or firewall in front of apiUrl?`;
    const gateway = await answering(() => new Response('<html>Bad gateway</html>', { status: 502 })).trackRefund({ invoiceId: 'x' });
    expect(gateway).toMatchObject({ ok: false, status: 502, code: 'server', error: said(502) });
    const firewall = await answering(() => new Response('Access denied', { status: 403 })).trackRefund({ invoiceId: 'x' });
    expect(firewall).toMatchObject({ ok: false, status: 403, code: 'unauthorized', error: said(403) });
    // A refusal the API did not write says nothing of the input: not `validation`, which a webhook takes as final.
    for (const status of [400, 413, 421]) {
      const proxy = await answering(() => new Response('<html>Bad Request</html>', { status, headers: { 'Content-Type': 'text/html' } })).trackSale({ invoiceId: 'i', amount: 1, clickId: 'c' });
      expect(proxy).toMatchObject({ ok: false, status, code: 'invalid_response', error: said(status) });
    }
  });

  it.each([
    ['an HTML page', () => new Response('<html></html>', { status: 200 })],
    ['an empty body', () => new Response(null, { status: 204 })],
    ['a JSON array', () => json(200, [1, 2])],
    ['a redirect fetch did not follow', () => new Response(null, { status: 302, headers: { Location: '/x' } })],
  ])('reports invalid_response for %s', async (_, response) => {
    const result = await answering(response).trackRefund({ invoiceId: 'x' });
    expect(result).toMatchObject({ ok: false, code: 'invalid_response', data: null });
  });

  it.each([
    ['an HTML page', () => new Response('<html></html>', { status: 200 })],
    ['an empty body', () => new Response(null, { status: 204 })],
  ])('names apiUrl when a success answer is %s (another site there, not the API)', async (_, response) => {
    const result = await new Affitor({ apiKey: API_KEY, apiUrl: 'https://shop.example', fetch: fakeFetch(response) }).trackRefund({ invoiceId: 'x' });
    expect(result.error).toMatch(/^Expected a JSON object in the HTTP 20\d answer: is apiUrl https:\/\/shop\.example the tracking API\? It is the API's base URL, without \/api\/v1$/);
  });

  it('stops reading an answer past 256 KiB (not the API: another server\'s page), reports invalid_response naming apiUrl, and does not retry', async () => {
    const page = endlessAnswer('text/html');
    const huge = fakeFetch(page.response);
    const result = await new Affitor({ apiKey: API_KEY, apiUrl: 'https://api.example', fetch: huge }).trackSale({ invoiceId: 'i', amount: 1, clickId: 'c' });
    expect(result).toMatchObject({ ok: false, status: 200, code: 'invalid_response', attempts: 1 });
    expect(result.error).toBe('The HTTP 200 answer is over 256 KiB, where the API answers a few hundred bytes of JSON: is apiUrl https://api.example the tracking API?');
    expect(huge.calls).toHaveLength(1);
    expect(page.pulled()).toBeLessThan(8 << 20);
  });

  it('reports a click the server refused with 200 success:false as a failure', async () => {
    const result = await answering(() => json(200, { success: false, message: 'Referral link is inactive' })).trackClick({
      affiliateUrl: 'https://shop.test/?aff=OLD',
    });
    expect(result).toMatchObject({ ok: false, status: 200, code: 'validation', error: 'Referral link is inactive' });
  });

  it.each([
    ['undefined', () => undefined, 'undefined'],
    ['a plain object', () => ({ status: 200, json: () => ({ success: true }) }), 'an object'],
  ])('says a custom fetch that resolved to %s answered no Response, once, not as a network failure', async (_, answer, got) => {
    const fetch = fakeFetch(answer as never);
    const result = await new Affitor({ apiKey: API_KEY, fetch, retryDelayMs: 0 }).trackSale(sale);
    expect(result).toMatchObject({
      ok: false,
      status: 0,
      code: 'invalid_response',
      error: `fetch resolved to ${got}, not a Response: a custom fetch must resolve to one (new Response(body, { status, headers }))`,
      attempts: 1,
    });
    expect(fetch.calls).toHaveLength(1);
  });

  it('reports a network error with its cause and status 0', async () => {
    const refused = new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') });
    const result = await answering(() => {
      throw refused;
    }).trackLead({ clickId: 'c' });
    expect(result).toMatchObject({ ok: false, status: 0, code: 'network', error: 'fetch failed: connect ECONNREFUSED 127.0.0.1:9' });
  });

  it.each([
    ['a plain object with a message', { message: 'socket hang up', code: 'ECONNRESET' }, 'socket hang up'],
    ['an object with no prototype', Object.create(null) as object, 'fetch rejected with an object, not an Error'],
    ['undefined', undefined, 'fetch rejected with undefined, not an Error'],
    ['a string', 'socket closed', 'socket closed'],
  ])('resolves, with a readable error, when a custom fetch rejects with %s instead of an Error', async (_, reason, error) => {
    // Else "[object Object]", or a TypeError thrown from String() that made the call reject.
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the non-Error rejection is the case under test
    const result = await answering(() => Promise.reject(reason) as never).trackLead({ clickId: 'c' });
    expect(result).toMatchObject({ ok: false, status: 0, code: 'network', error });
  });

  it('names each refused address when the cause is an AggregateError with no message (localhost on ::1 and 127.0.0.1)', async () => {
    // What Node's fetch throws when every address of a host refuses (happy eyeballs, Node 20+).
    const both = Object.assign(
      new AggregateError([new Error('connect ECONNREFUSED ::1:8787'), new Error('connect ECONNREFUSED 127.0.0.1:8787')], ''),
      { code: 'ECONNREFUSED' },
    );
    const result = await answering(() => {
      throw new TypeError('fetch failed', { cause: both });
    }).trackLead({ clickId: 'c' });
    expect(result).toMatchObject({
      ok: false,
      code: 'network',
      error: 'fetch failed: connect ECONNREFUSED ::1:8787; connect ECONNREFUSED 127.0.0.1:8787',
    });
  });
});
