/** Each mounting example of examples/first-party, run against the reference server on a real port. */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { describe, expect, it, vi } from 'vitest';
import { createExpressApp } from '../../examples/first-party/express';
import { createHonoApp } from '../../examples/first-party/hono';
import { startNodeExample } from '../../examples/first-party/node';
import worker from '../../examples/first-party/worker';
import { clickBody, cookiesSet, send, useRecordingApi } from './first-party-helpers';

const LOADER = readFileSync('dist/affitor.global.js', 'utf8');

const api = useRecordingApi();

/** A landing through the example at `url`: forwarded, answered with the cookies on the domain the SDK found, and the loader served. */
async function expectFirstParty(url: string): Promise<void> {
  const click = await send(url, '/relay/api/v1/track/click', {
    headers: { Host: 'www.shop.test', 'Content-Type': 'text/plain', Cookie: 'session=secret' },
    body: clickBody('PARTNER123', { cookie_domain: 'shop.test' }),
  });
  expect(click.status).toBe(200);
  expect(click.headers['x-affitor-cookies']).toBe('set');
  const cookie = cookiesSet(click).get('affitor_click_id')!;
  expect(cookie.value).toBe(click.json().click_id);
  expect(cookie.attributes).toEqual(expect.arrayContaining(['domain=.shop.test', 'path=/', 'samesite=lax', `max-age=${30 * 86400}`]));
  expect(api.calls).toHaveLength(1);
  expect(api.calls[0]!.headers.get('x-forwarded-for')).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
  expect(api.calls[0]!.headers.has('cookie')).toBe(false);

  const script = await send(url, '/relay/affitor.global.js', { method: 'GET' });
  expect(script.status).toBe(200);
  expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
  expect(script.text).toBe(LOADER);
}

describe('mounting examples (examples/first-party)', () => {
  it('Node server through @hono/node-server', async () => {
    const running = await startNodeExample({ apiUrl: api.url, port: 0 });
    try {
      await expectFirstParty(running.url);
      const page = await send(running.url, '/', { method: 'GET' });
      expect(page.text).toContain('<script src="/relay/affitor.global.js" data-affitor-program-id="1" data-affitor-api-base="/relay"');
    } finally {
      await running.close();
    }
  });

  it('Hono', async () => {
    const port = await new Promise<{ url: string; close: () => void }>((resolve) => {
      const server = serve({ fetch: createHonoApp({ apiUrl: api.url }).fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
        resolve({ url: `http://127.0.0.1:${info.port}`, close: () => server.close() }),
      );
    });
    try {
      await expectFirstParty(port.url);
    } finally {
      port.close();
    }
  });

  it('Express, through the request listener of @hono/node-server, before express.json()', async () => {
    const server = await new Promise<Server>((resolve) => {
      const listening: Server = createExpressApp({ apiUrl: api.url }).listen(0, '127.0.0.1', () => resolve(listening));
    });
    try {
      await expectFirstParty(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('Cloudflare Worker: its fetch export, with script files from the ASSETS binding and CF-Connecting-IP as the address', async () => {
    const env = {
      AFFITOR_API_URL: api.url,
      ASSETS: {
        fetch: (input: string) => {
          const name = new URL(input).pathname.slice(1);
          return Promise.resolve(/^affitor\.[\w.-]+\.js$/.test(name) ? new Response(readFileSync(`dist/${name}`)) : new Response(null, { status: 404 }));
        },
      },
    };
    const click = await worker.fetch(
      new Request('https://www.shop.test/relay/api/v1/track/click', {
        method: 'POST',
        // What the visitor wrote in X-Forwarded-For comes before what Cloudflare adds: not its address.
        headers: { 'CF-Connecting-IP': '198.51.100.7', 'X-Forwarded-For': '192.0.2.1, 198.51.100.7' },
        body: clickBody('PARTNER123', { cookie_domain: 'shop.test' }),
      }),
      env,
    );
    expect(click.status).toBe(200);
    expect(click.headers.getSetCookie()).toContainEqual(expect.stringMatching(/^affitor_click_id=cust_\d+_\d+;path=\/;max-age=2592000;samesite=lax;domain=\.shop\.test;secure$/));
    expect(api.calls[0]!.headers.get('x-forwarded-for')).toBe('198.51.100.7');
    const script = await worker.fetch(new Request('https://www.shop.test/relay/affitor.global.js'), env);
    expect(await script.text()).toBe(LOADER);
  });

  it('Next.js route handler loads with an empty AFFITOR_API_URL= (as a .env may hold): the default API', async () => {
    vi.resetModules();
    const saved = process.env.AFFITOR_API_URL;
    process.env.AFFITOR_API_URL = '';
    try {
      const route = await import('../../examples/first-party/nextjs/app/relay/[...path]/route');
      expect(route.POST).toBeTypeOf('function');
    } finally {
      process.env.AFFITOR_API_URL = saved;
      vi.resetModules();
    }
  });

  it('Next.js App Router route handler: GET, HEAD and POST of app/relay/[...path]/route.ts', async () => {
    process.env.AFFITOR_API_URL = api.url;
    const route = await import('../../examples/first-party/nextjs/app/relay/[...path]/route');
    expect(route.runtime).toBe('nodejs');
    expect(route.HEAD).toBe(route.GET);
    const click = await route.POST(
      new Request('https://www.shop.test/relay/api/v1/track/click', { method: 'POST', body: clickBody('PARTNER123', { cookie_domain: 'shop.test' }) }),
    );
    expect(click.status).toBe(200);
    expect(click.headers.get('x-affitor-cookies')).toBe('set');
    expect(api.calls).toHaveLength(1);
    expect((await route.GET(new Request('https://www.shop.test/relay/api/v1/track/click'))).status).toBe(405);
    expect((await route.GET(new Request('https://www.shop.test/relay/api/v1/track/sale'))).status).toBe(404);
  });
});
