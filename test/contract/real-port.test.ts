/** The server on a real port: concurrency, the wire-level body limit, CORS, and the CLI entry. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServer } from '../../examples/server/src/node';
import { runScript } from '../support/cli';
import { useTrackingApi } from '../support/tracking-api';
import { ADMIN, SHOP_ORIGIN, TOKEN_1, baseSeed, buildRequest, toReply } from './helpers';

const api = useTrackingApi(baseSeed());

const post = async (path: string, body: unknown, options: Parameters<typeof buildRequest>[3] = {}) =>
  toReply(await fetch(buildRequest(api.server.url, path, body, options)));

describe('startServer', () => {
  it('listens on 127.0.0.1 at the port it reports', () => {
    expect(api.server.port).toBeGreaterThan(0);
    expect(api.server.url).toBe(`http://127.0.0.1:${api.server.port}`);
  });

  it('records exactly one sale and one commission for the same transaction_id sent 50 times at once', async () => {
    const replies = await Promise.all(
      Array.from({ length: 50 }, () => post('/api/v1/track/sale', { transaction_id: 'txn_race_port', amount_cents: 2500, customer_key: 'u_900' }, { token: TOKEN_1 })),
    );
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    for (const r of replies.filter((x) => x.status === 409)) {
      expect(r.body).toStrictEqual({ error: 'Duplicate transaction_id. This sale has already been recorded.' });
    }
    const state = await toReply(await fetch(buildRequest(api.server.url, '/_inspect', undefined, { method: 'GET', token: ADMIN })));
    const body = state.body as { sales: { transaction_id: string }[]; commissions: unknown[] };
    expect(body.sales.filter((s) => s.transaction_id === 'txn_race_port')).toHaveLength(1);
    expect(body.commissions).toHaveLength(1);
  });

  it('answers 413 to a declared Content-Length over 64 KiB without reading the body', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${api.server.url}/api/v1/track/click`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Content-Length': String(1024 * 1024) },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', reject);
      req.write('{"affiliate_url":"');
    });
    expect(status).toBe(413);
  });

  /** One request written as raw bytes, and the raw answer, for requests no HTTP client would send. */
  /** Sends `text` on a new connection (then ends this side of it, with `end`), and reads the answer to the end. */
  const rawExchange = (text: string, end = false) =>
    new Promise<string>((resolve, reject) => {
      let answer = '';
      const socket = connect(api.server.port, '127.0.0.1', () => (end ? socket.end(text) : socket.write(text)));
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (answer += chunk));
      socket.on('end', () => resolve(answer));
      socket.on('error', reject);
    });

  it.each([
    ['a Host header no URL can hold', 'POST /api/v1/track/click HTTP/1.1\r\nHost: a b\r\n'],
    ['a backslash in the path', 'POST /api/v1/track\\click HTTP/1.1\r\nHost: 127.0.0.1\r\n'],
  ])('answers a request with %s by the contract: a JSON error and the caller’s X-Request-ID', async (_what, head) => {
    const body = '{"affiliate_url":"https://shop.test/?aff=PARTNER123"}';
    const answer = await rawExchange(
      `${head}X-Request-ID: req_odd_1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );
    const [head_, text] = answer.split('\r\n\r\n') as [string, string];
    const lines = head_.toLowerCase().split('\r\n');
    expect(lines[0]).toBe('http/1.1 400 bad request');
    expect(lines).toContain('x-request-id: req_odd_1');
    expect(lines).toContain('content-type: application/json; charset=utf-8');
    expect(JSON.parse(text)).toStrictEqual({ error: 'Bad request' });
    expect(api.server.app.inspect().clicks).toHaveLength(0);
  });

  it.each([
    ['a Content-Length that is not a number', 'POST /api/v1/track/click HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n\r\n', 400, 'Bad request'],
    ['a request line that is not HTTP', 'NOT HTTP AT ALL\r\n\r\n', 400, 'Bad request'],
    ['headers over Node’s 16 KiB limit', `GET /_dashboard HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'Request header fields too large'],
    ['no Host header in HTTP/1.1', 'POST /api/v1/track/click HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}', 400, 'Bad request'],
    ['an Expect other than 100-continue', 'POST /api/v1/track/click HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: foo\r\nContent-Length: 2\r\n\r\n{}', 417, 'Expectation failed: only Expect: 100-continue is supported'],
    ['a CONNECT', 'CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\n\r\n', 400, 'Bad request'],
  ])('answers a request Node cannot parse or would answer itself (%s) by the contract: a JSON error and an X-Request-ID', async (_what, text, status, error) => {
    const answer = await rawExchange(text);
    const [head, body] = answer.split('\r\n\r\n') as [string, string];
    const lines = head.toLowerCase().split('\r\n');
    expect(lines[0]).toMatch(new RegExp(`^http/1.1 ${status} `));
    expect(lines.find((line) => line.startsWith('x-request-id: '))).toMatch(/^x-request-id: [0-9a-f-]{36}$/);
    expect(lines).toContain('content-type: application/json; charset=utf-8');
    expect(lines).toContain('connection: close');
    expect(JSON.parse(body)).toStrictEqual({ error });
  });

  it("answers /_inspect under this machine's name, and 403 under another site's name pointed at 127.0.0.1 (DNS rebinding), the admin token sent with both", async () => {
    const inspect = (host: string) => rawExchange(`GET /_inspect HTTP/1.1\r\nHost: ${host}:${api.server.port}\r\nAuthorization: Bearer ${ADMIN}\r\nConnection: close\r\n\r\n`);
    expect(await inspect('localhost')).toMatch(/^HTTP\/1.1 200 /);
    const refused = await inspect('rebind.attacker.test');
    expect(refused).toMatch(/^HTTP\/1.1 403 /);
    expect(refused).not.toContain('"customers"');
  });

  // Node answers these before the app sees them; the dashboard must still list them, as a browser
  // with cookies over the limit gets 431 on every click and the merchant looks there first.
  it.each([
    ['headers over Node’s 16 KiB limit', `POST /api/v1/track/click HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${'a'.repeat(20_000)}\r\n\r\n`, 'POST', '/api/v1/track/click', 431, 'Request header fields too large'],
    ['a Content-Length that is not a number', 'POST /api/v1/track/lead?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n\r\n', 'POST', '/api/v1/track/lead', 400, 'Bad request'],
    ['a request line that is not HTTP', 'NOT HTTP AT ALL\r\n\r\n', '?', '?', 400, 'Bad request'],
    ['a Host header no URL can hold', 'POST /api/v1/track/sale HTTP/1.1\r\nHost: a b\r\nX-Request-ID: req_odd_logged\r\nContent-Length: 0\r\nConnection: close\r\n\r\n', 'POST', '/api/v1/track/sale', 400, 'Bad request'],
    ['no Host header in HTTP/1.1', 'POST /api/v1/track/sale HTTP/1.1\r\nContent-Length: 0\r\n\r\n', 'POST', '/api/v1/track/sale', 400, 'Bad request'],
    ['an Expect other than 100-continue', 'POST /api/v1/track/lead HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: foo\r\nContent-Length: 0\r\n\r\n', 'POST', '/api/v1/track/lead', 417, 'Expectation failed: only Expect: 100-continue is supported'],
  ])('logs a request answered before the app saw it (%s) with the status, error and X-Request-ID its client got', async (_what, text, method, path, status, error) => {
    const answer = await rawExchange(text);
    const lines = answer.split('\r\n\r\n')[0]!.toLowerCase().split('\r\n');
    expect(lines[0]).toMatch(new RegExp(`^http/1.1 ${status} `));
    const requestId = lines.find((line) => line.startsWith('x-request-id: '))!.slice('x-request-id: '.length);
    const logged = api.server.app.requests().find((r) => r.request_id === requestId);
    expect(logged).toMatchObject({ method, path, status, error, origin: null, cors_refusal: null, test_mode: false });
  });

  // Node cuts the body off at its limit and answers 413 itself while the app is reading it; the
  // app's read then fails, but its "Request body incomplete" never reaches the client.
  it.each([
    ['Node cut off mid-body (chunk extensions over its limit)', 'req_chunk_ext', `Transfer-Encoding: chunked\r\n\r\n2;${'e'.repeat(20_000)}\r\n{}\r\n0\r\n\r\n`, false, 413, 'Request body too large'],
    ['whose client ended its side mid-body', 'req_half_close', 'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"affiliate_url":', true, 400, 'Request body incomplete'],
  ])('answers a call %s with its caller\'s X-Request-ID, and logs it once with the status and error its client got', async (_what, callerId, rest, end, status, error) => {
    const answer = await rawExchange(`POST /api/v1/track/click HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-ID: ${callerId}\r\n${rest}`, end);
    const lines = answer.split('\r\n\r\n')[0]!.toLowerCase().split('\r\n');
    expect(lines[0]).toMatch(new RegExp(`^http/1.1 ${status} `));
    expect(lines).toContain(`x-request-id: ${callerId}`);
    await expect.poll(() => api.server.app.requests().filter((r) => r.request_id === callerId)).toEqual([
      expect.objectContaining({ method: 'POST', path: '/api/v1/track/click', status, error }),
    ]);
  });

  // A client may send its next request before the answer to the one before (pipelining). Bytes Node
  // cannot parse after a request received whole are that next request, not the whole one cut short.
  it('answers a whole request its own answer when the request after it on the connection cannot be parsed, then refuses that one', async () => {
    const body = '{"affiliate_url":"https://shop.test/?aff=PARTNER123"}';
    const seen = Math.max(0, ...api.server.app.requests().map((r) => r.seq));
    const answer = await rawExchange(
      `POST /api/v1/track/click HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-ID: req_pipelined_1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}` +
        'NOT HTTP AT ALL\r\n\r\n',
    );
    const clicks = api.server.app.inspect().clicks.filter((c) => c.request_id === 'req_pipelined_1');
    expect(clicks).toHaveLength(1);
    const [first, second] = answer.split(/(?=HTTP\/1\.1 )/);
    expect(first).toMatch(/^HTTP\/1\.1 200 /);
    expect(first!.toLowerCase()).toContain('x-request-id: req_pipelined_1');
    expect(JSON.parse(first!.split('\r\n\r\n')[1]!)).toMatchObject({ success: true, click_id: clicks[0]!.click_id });
    expect(second).toMatch(/^HTTP\/1\.1 400 /);
    expect(second!.toLowerCase()).not.toContain('req_pipelined_1');
    expect(JSON.parse(second!.split('\r\n\r\n')[1]!)).toStrictEqual({ error: 'Bad request' });
    await expect.poll(() => api.server.app.requests().filter((r) => r.seq > seen).map((r) => [r.path, r.status, r.error])).toEqual([
      ['/api/v1/track/click', 200, null],
      ['?', 400, 'Bad request'],
    ]);
  });

  it('logs a call whose client went away mid-body as the client’s doing, not a server error', async () => {
    const own = await startServer({ port: 0, seed: baseSeed() });
    try {
      await new Promise<void>((resolve, reject) => {
        const socket = connect(own.port, '127.0.0.1', () => {
          socket.write('POST /api/v1/track/click HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"affiliate_url":');
          setTimeout(() => socket.destroy(), 50);
        });
        socket.on('close', () => resolve());
        socket.on('error', reject);
      });
      await expect.poll(() => own.app.requests().length).toBe(1);
      expect(own.app.requests()[0]).toMatchObject({ path: '/api/v1/track/click', status: 400, error: 'Request body incomplete' });
    } finally {
      await own.close();
    }
  });

  it('answers an allowed preflight with CORS headers and a refused one without', async () => {
    const preflight = (origin: string) =>
      fetch(`${api.server.url}/api/v1/track/click`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
      });
    const allowed = await preflight(SHOP_ORIGIN);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(SHOP_ORIGIN);
    const refused = await preflight('http://evil.test');
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('keys browser rate limits by socket address, so X-Forwarded-For cannot dodge them', async () => {
    // A frozen clock: the limiter's windows are fixed minutes, and 600 requests on a loaded
    // machine can straddle the turn of a minute, which would reset the count mid-test.
    const own = await startServer({ port: 0, seed: baseSeed(), now: () => Date.UTC(2026, 0, 1, 12, 0, 30) });
    try {
      const body = { affiliate_url: 'https://shop.test/?aff=NOSUCH' };
      for (let i = 0; i < 600; i++) {
        await toReply(await fetch(buildRequest(own.url, '/api/v1/track/click', body, { headers: { 'X-Forwarded-For': `10.0.0.${i % 250}` } })));
      }
      const over = await toReply(await fetch(buildRequest(own.url, '/api/v1/track/click', body, { headers: { 'X-Forwarded-For': '10.9.9.9' } })));
      expect(over).toMatchObject({ status: 429, body: { error: 'Rate limit exceeded (600/min)' } });
    } finally {
      await own.close();
    }
  });
});

/** `npm run server -- <args>`. */
const runCli = (args: string[]) => runScript('examples/server/src/main.ts', args);

describe('npm run server (main.ts)', () => {
  it('prints exactly "listening on http://127.0.0.1:<port>" and answers on that port', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'affitor-seed-'));
    const seedPath = join(dir, 'seed.json');
    writeFileSync(seedPath, JSON.stringify(baseSeed()));
    const cli = runCli(['--port', '0', '--seed', seedPath]);
    try {
      const line = await cli.firstLine;
      expect(line).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+$/);
      const url = line.slice('listening on '.length);
      const reply = await toReply(await fetch(buildRequest(url, '/api/v1/track/click', { affiliate_url: 'https://shop.test/?aff=PARTNER123' })));
      expect(reply.body).toMatchObject({ success: true, partner_code: 'PARTNER123', cookie_window_days: 30 });
    } finally {
      cli.stop();
    }
    expect((await cli.exit).code).toBe(0);
  });

  it('loads the demo seed when no --seed is given', async () => {
    const cli = runCli(['--port', '0']);
    try {
      const url = (await cli.firstLine).slice('listening on '.length);
      const reply = await toReply(await fetch(buildRequest(url, '/api/v1/track/refund', { transaction_id: 'none' }, { token: 'aff_test_1' })));
      expect(reply.status).toBe(404);
    } finally {
      cli.stop();
    }
    await cli.exit;
  });

  it('exits 1 with a message naming the field for a bad seed file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'affitor-seed-'));
    const seedPath = join(dir, 'bad.json');
    writeFileSync(seedPath, JSON.stringify({ programs: [{ id: 1 }] }));
    const cli = runCli(['--port', '0', '--seed', seedPath]);
    const { code, stderr } = await cli.exit;
    expect(code).toBe(1);
    expect(stderr).toContain('programs[0].api_token');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 1 naming --port for a port that is no whole number as written (empty, spaces, hex, exponent), instead of listening elsewhere', async () => {
    // Number() reads '' as 0 (a random port) and '0x1f90' as 8080: the server came up where nobody looked.
    for (const port of ['', ' 8787', '0x1f90', '8e3']) {
      const { code, stderr } = await runCli(['--port', port]).exit;
      expect(code).toBe(1);
      expect(stderr.trim()).toBe(`--port must be an integer from 0 to 65535 (got ${JSON.stringify(port)})`);
    }
  });

  it('exits 1 for a seed file that is not JSON, naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'affitor-seed-'));
    const seedPath = join(dir, 'broken.json');
    writeFileSync(seedPath, '{ programs: ');
    const { code, stderr } = await runCli(['--port', '0', '--seed', seedPath]).exit;
    expect(code).toBe(1);
    expect(stderr).toContain(seedPath);
  });
});
