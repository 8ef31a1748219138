/** A first-party handler and the reference tracking server, each on a real port, and a raw HTTP client for them. */
import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { HttpBindings } from '@hono/node-server';
import { beforeEach } from 'vitest';
import { createTrackingServer } from '../../examples/server/src/app';
import type { SeedInput, TrackingServer } from '../../examples/server/src/app';
import { createAffitorHandler } from '../../src/server';
import { useRunning } from '../support/running';
import type { AffitorHandlerOptions } from '../../src/server';
import { seed } from '../support/seed';

export interface Listening {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves a fetch handler on 127.0.0.1 and a free port, passing it the socket's address as `clientAddress`. */
export function listen(handle: (request: Request, connection: { clientAddress?: string }) => Promise<Response>): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const server = serve(
      {
        hostname: '127.0.0.1',
        port: 0,
        overrideGlobalObjects: false,
        fetch: (request: Request, env: unknown) => handle(request, { clientAddress: (env as HttpBindings).incoming.socket.remoteAddress }),
      },
      (info: AddressInfo) =>
        resolve({
          url: `http://127.0.0.1:${info.port}`,
          port: info.port,
          close: () =>
            new Promise<void>((done) => {
              server.close(() => done());
              if ('closeAllConnections' in server) server.closeAllConnections();
            }),
        }),
    );
    server.once('error', reject);
  });
}

export const SEED: SeedInput = seed()
  .program(1, 'aff_test_1', { cookie_window_days: 30 })
  .program(2, 'aff_test_2', { cookie_window_days: 500 })
  .partners({ id: 10, name: 'Partner A' })
  .link('PARTNER123', 1, 10)
  .link('LONGWINDOW', 2, 10)
  .link('INACTIVE1', 1, 10, 'inactive')
  .customer({ id: 900, click_id: 'cust_900_1', customer_key: null, program_id: 1, partner_id: 10, partner_program: true, status: 'click' })
  .build();

/** What reached the tracking API. */
export interface ApiCall {
  path: string;
  headers: Headers;
  body: string;
}

export type RecordingApi = Listening & { app: TrackingServer; calls: ApiCall[] };

/** The reference tracking server on a real port, recording each request it receives. */
export async function startRecordingApi(): Promise<RecordingApi> {
  const app = createTrackingServer(SEED);
  const calls: ApiCall[] = [];
  const running = await listen(async (request) => {
    calls.push({ path: new URL(request.url).pathname, headers: new Headers(request.headers), body: await request.clone().text() });
    return app.fetch(request);
  });
  return { ...running, app, calls };
}

/**
 * `startRecordingApi` for a test file or a describe block: the helper registers its own start
 * (beforeAll) and stop (afterAll), and each test starts with no recorded call and no chaos.
 */
export function useRecordingApi(): Pick<RecordingApi, 'url' | 'app' | 'calls'> {
  const started = useRunning('useRecordingApi', startRecordingApi);
  beforeEach(() => {
    started().calls.length = 0;
    started().app.setChaos({});
  });
  return {
    get url() {
      return started().url;
    },
    get app() {
      return started().app;
    },
    get calls() {
      return started().calls;
    },
  };
}

/** The handler on a real port, forwarding to `apiUrl`. */
export function startHandler(options: AffitorHandlerOptions): Promise<Listening> {
  return listen(createAffitorHandler(options));
}

export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  setCookies: string[];
  /** The bytes of the answer's status line and header block, as a proxy in front buffers them. */
  headBytes: number;
  text: string;
  json: () => Record<string, unknown>;
}

/**
 * One HTTP request with node:http, which (unlike fetch) sends the `Host` header given, as a
 * browser on `www.shop.test` would, and gives every `Set-Cookie` line as sent.
 */
export function send(
  base: string,
  path: string,
  { method = 'POST', headers = {}, body }: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawAnswer> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          setCookies: res.headers['set-cookie'] ?? [],
          headBytes: Buffer.byteLength(
            `HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\n${res.rawHeaders.map((value, i) => (i % 2 ? `${value}\r\n` : `${value}: `)).join('')}\r\n`,
          ),
          text,
          json: () => JSON.parse(text) as Record<string, unknown>,
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A click body as the browser SDK pointed at the handler sends it (as `text/plain`): with
 * `consent`, `granted` unless given (`undefined` leaves it out), and the other handler fields when given.
 */
export function clickBody(aff: string, extra: Record<string, unknown> = {}, landing = `http://www.shop.test/pricing?aff=${aff}`): string {
  return JSON.stringify({
    consent: 'granted',
    affiliate_url: landing,
    page_url: landing,
    page_title: 'Pricing',
    referrer_url: 'https://partner.example/',
    session_id: 'sess_1',
    user_agent: 'Mozilla/5.0',
    screen_resolution: '1920x1080',
    viewport_size: '1280x720',
    language: 'en',
    timezone: 'UTC',
    additional_data: { program_id: 1 },
    event_id: `ev_${Math.random().toString(36).slice(2)}`,
    ...extra,
  });
}

/** `name -> attributes` of the Set-Cookie lines that set a value (deletions of host-only twins left out). */
export function cookiesSet(answer: RawAnswer): Map<string, { value: string; attributes: string[] }> {
  const set = new Map<string, { value: string; attributes: string[] }>();
  for (const line of answer.setCookies) {
    const [pair = '', ...attributes] = line.split(';');
    const eq = pair.indexOf('=');
    const value = decodeURIComponent(pair.slice(eq + 1));
    if (value) set.set(pair.slice(0, eq), { value, attributes: attributes.map((a) => a.trim().toLowerCase()) });
  }
  return set;
}
