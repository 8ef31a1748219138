import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../examples/server/src/node';
import { Readable } from 'node:stream';
import { Affitor, createAffitorHandler } from '../../src/server';
import type { CustomFetch } from '../../src/server/types';
import { startServer } from '../../examples/server/src/node';
import { useTrackingApi } from '../support/tracking-api';
import { SEED, TOKEN } from './reference-server';

/** A local HTTP server that accepts connections and never answers. */
async function silentServer() {
  const server = createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A local HTTP server that answers every request with a redirect to `target` (the same path). */
async function redirectingServer(status: number, target: string) {
  const server = createServer((request, response) => {
    response.writeHead(status, { Location: `${target}${request.url ?? '/'}` }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/**
 * What node-fetch (v2, v3) and cross-fetch answer: a Response-like object whose body is a Node
 * stream, not a web one. Made from a real answer, so the reference server on its port answers.
 */
const nodeStreamFetch: CustomFetch = async (url, init) => {
  const answer = await fetch(url, init);
  return { status: answer.status, headers: answer.headers, body: Readable.fromWeb(answer.body! as never), text: () => answer.text() };
};
/** A hand-written adapter's (axios, a test helper's): no body, only `text()`. */
const textOnlyFetch: CustomFetch = async (url, init) => {
  const answer = await fetch(url, init);
  return { status: answer.status, headers: answer.headers, text: () => answer.text() };
};

describe.each([
  ['node-fetch or cross-fetch: a Node stream body', nodeStreamFetch],
  ['a hand-written adapter: text() only', textOnlyFetch],
])('against the reference server on a real port, through %s', (_, customFetch) => {
  const api = useTrackingApi(SEED);

  it('tracks a sale, and reports a refused call as the API said, not as a network error', async () => {
    const affitor = new Affitor({ apiKey: TOKEN, apiUrl: api.server.url, retryDelayMs: 1, fetch: customFetch });
    const invoiceId = `in_fetch_${Math.random().toString(36).slice(2)}`;
    expect(await affitor.trackSale({ invoiceId, amount: 2500, clickId: 'cust_901_1' })).toMatchObject({ ok: true, status: 200, attempts: 1, data: { success: true } });
    expect(await affitor.trackRefund({ invoiceId: 'in_never_sold' })).toMatchObject({ ok: false, status: 404, code: 'not_found', attempts: 1, error: 'Sale not found for transaction_id' });
  });

  it('gives the first-party handler the answer, and the visitor its cookies', async () => {
    const handler = createAffitorHandler({ apiUrl: api.server.url, fetch: customFetch });
    const answer = await handler(
      new Request('https://www.shop.test/relay/api/v1/track/click', {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain', 'Sec-Fetch-Site': 'same-origin', Origin: 'https://www.shop.test' },
        body: JSON.stringify({ affiliate_url: 'https://www.shop.test/?aff=PARTNER123', consent: 'granted', additional_data: { program_id: 1 } }),
      }),
    );
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-affitor-cookies')).toBe('set');
  });
});

describe('against the reference server on a real port (global fetch)', () => {
  const api = useTrackingApi(SEED);
  let server: RunningServer;
  let affitor: Affitor;

  beforeAll(() => {
    server = api.server;
    affitor = new Affitor({ apiKey: TOKEN, apiUrl: server.url, retryDelayMs: 1 });
  });

  it('tracks a sale, then answers its redelivery as a duplicate, echoing request ids', async () => {
    const first = await affitor.trackSale({ invoiceId: 'in_port_1', amount: 2500, clickId: 'cust_901_1' }, { requestId: 'whk_evt_1' });
    expect(first).toMatchObject({ ok: true, status: 200, requestId: 'whk_evt_1', data: { success: true } });
    const again = await affitor.trackSale({ invoiceId: 'in_port_1', amount: 2500, clickId: 'cust_901_1' });
    expect(again).toMatchObject({ ok: true, duplicate: true, status: 409 });
    expect(again.requestId).toMatch(/^[0-9a-f-]{36}$/);
    // The server is shared by the block's tests: this invoice's sales only.
    expect(server.app.inspect().sales.filter((sale) => sale.transaction_id === 'in_port_1')).toHaveLength(1);
  });

  it('reverses the commission on a full refund, then skips a repeat', async () => {
    await affitor.trackSale({ invoiceId: 'in_port_2', amount: 1000, customerExternalId: 'u_900' });
    expect(await affitor.trackRefund({ invoiceId: 'in_port_2' })).toMatchObject({ ok: true, data: { status: 'reversed' } });
    expect(await affitor.trackRefund({ invoiceId: 'in_port_2' })).toMatchObject({
      ok: true,
      data: { status: 'skipped', reason: 'already reversed' },
    });
  });

  it('recovers from a failing handler flipped off between attempts (a full refund, safe to retry)', async () => {
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
    await affitor.trackSale({ invoiceId: 'in_port_3', amount: 1000, customerExternalId: 'u_900' });
    expect(await flaky.trackRefund({ invoiceId: 'in_port_3' })).toMatchObject({
      ok: true,
      attempts: 2,
      data: { status: 'reversed' },
    });
  });

  it('reports unauthorized for a wrong key, without the key in the result', async () => {
    const wrong = new Affitor({ apiKey: 'aff_wrong_key', apiUrl: server.url });
    const result = await wrong.trackRefund({ invoiceId: 'x' });
    expect(result).toMatchObject({ ok: false, status: 401, code: 'unauthorized', attempts: 1 });
    expect(JSON.stringify(result)).not.toContain('aff_wrong_key');
  });

  it.each([301, 308])('follows no redirect (HTTP %i), which would drop the API key or make the sale a GET, and names where it points', async (status) => {
    // An apiUrl that redirects (http:// for https://, another host): fetch would re-send the sale
    // without Authorization (another origin) or as a GET (301, 302), and the API's 401 or 405
    // would blame the key or the client. The sale is not sent on, and the answer says why.
    const target = server.url.replace('127.0.0.1', 'localhost');
    const redirecting = await redirectingServer(status, target);
    try {
      const client = new Affitor({ apiKey: TOKEN, apiUrl: redirecting.url, retryDelayMs: 1 });
      const result = await client.trackSale({ invoiceId: `in_redirect_${status}`, amount: 1000, customerExternalId: 'u_900' });
      expect(result).toMatchObject({ ok: false, status, code: 'invalid_response', attempts: 1 });
      expect(result.error).toBe(
        `The API answered HTTP ${status}, a redirect to ${target}/api/v1/track/sale, which is not followed (it would drop the API key): set apiUrl to the address it names`,
      );
      expect(server.app.inspect().sales.filter((sale) => sale.transaction_id === `in_redirect_${status}`)).toHaveLength(0);
    } finally {
      await redirecting.close();
    }
  });

  it('reports network after retries when nothing listens on the port', async () => {
    const closed = await startServer({ port: 0, seed: SEED });
    await closed.close();
    const client = new Affitor({ apiKey: TOKEN, apiUrl: closed.url, retryDelayMs: 1, maxRetries: 1 });
    const result = await client.trackSale({ invoiceId: 'in_x', amount: 1, clickId: 'c' });
    expect(result).toMatchObject({ ok: false, status: 0, code: 'network', attempts: 2 });
    expect(result.error).toMatch(/ECONNREFUSED/);
  });

  it('reports timeout when the server accepts the connection and never answers', async () => {
    const silent = await silentServer();
    try {
      const client = new Affitor({ apiKey: TOKEN, apiUrl: silent.url, timeoutMs: 50, retryDelayMs: 1, maxRetries: 1 });
      const started = Date.now();
      const result = await client.trackRefund({ invoiceId: 'x' });
      expect(result).toMatchObject({ ok: false, status: 0, code: 'timeout', attempts: 2 });
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await silent.close();
    }
  });
});
