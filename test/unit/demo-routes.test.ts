import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLES_DIR, startStaticServer } from '../../examples/demo/static-server';
import type { StaticServer } from '../../examples/demo/static-server';

/** GET `path` from the server with a `Host` header of our choosing (fetch would not send one). */
const get = (server: StaticServer, host: string, path: string) =>
  new Promise<number>((resolve, reject) => {
    const url = new URL(server.origin('127.0.0.1') + path);
    request({ host: url.hostname, port: url.port, path, headers: { Host: `${host}:${url.port}` } }, (response) => {
      response.resume();
      resolve(response.statusCode!);
    })
      .on('error', reject)
      .end();
  });

describe("the demo's web server", () => {
  let server: StaticServer;
  beforeAll(async () => {
    server = await startStaticServer({ sites: { '*': `${EXAMPLES_DIR}/script-tag` }, apiBase: () => '/relay', routes: { '/_inspect': () => Promise.resolve({ type: 'application/json', body: '{}' }) } });
  });
  afterAll(() => server.close());

  it("answers its code's routes (the demo's /_inspect, which holds the admin token) only under this machine's names: not a rebound name of another site", async () => {
    for (const host of ['localhost', 'www.shop.localhost', '127.0.0.1', '[::1]']) expect(await get(server, host, '/_inspect'), host).toBe(200);
    for (const host of ['attacker.example', 'localhost.attacker.example', '127.0.0.1.nip.io']) expect(await get(server, host, '/_inspect'), host).toBe(404);
    // Its files are for every host, as before.
    expect(await get(server, 'attacker.example', '/index.html')).toBe(200);
  });

  it('answers 400, not its URIError with a 500, to a path with a malformed percent-escape', async () => {
    expect(await get(server, 'localhost', '/%E0%A4%A')).toBe(400);
  });
});
