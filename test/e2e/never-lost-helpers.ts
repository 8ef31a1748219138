/**
 * Helpers for the "attribution that is never lost" suite (never-lost.test.ts): reading the
 * SDK's outbox cookie from the browser's jar, timing the requests a page sends, and a
 * front for the tracking server that also answers pages with an opaque origin.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext, Page } from 'playwright-core';
import { jarCookie } from './harness';

/** One event of the SDK's outbox (`affitor_outbox`), as stored. */
export interface StoredEvent {
  route: 'click' | 'lead';
  body: Record<string, unknown> & { event_id: string };
  stale?: boolean;
}

/** The events in the `affitor_outbox` cookie, or null when there is no such cookie. */
export async function outboxIn(context: BrowserContext): Promise<StoredEvent[] | null> {
  const cookie = await jarCookie(context, 'affitor_outbox');
  return cookie ? (JSON.parse(decodeURIComponent(cookie.value)) as StoredEvent[]) : null;
}

/** A POST to the tracking API seen leaving the page, with the time it left (ms since the recorder started). */
export interface TimedRequest {
  route: string;
  eventId: string | undefined;
  at: number;
}

/**
 * Records the tracking requests `page` sends, with their times, until the page closes.
 * (The harness records bodies; this adds when each left, to check the retry delays.)
 */
export function timeRequests(page: Page): TimedRequest[] {
  const start = Date.now();
  const seen: TimedRequest[] = [];
  page.on('request', (request) => {
    const route = /\/api\/v1\/track\/(\w+)$/.exec(request.url())?.[1];
    if (!route || request.method() !== 'POST') return;
    const body = JSON.parse(request.postData() ?? '{}') as { event_id?: string };
    seen.push({ route, eventId: body.event_id, at: Date.now() - start });
  });
  return seen;
}

/** The distinct values, in first-seen order. */
export const distinct = <T>(values: T[]): T[] => [...new Set(values)];

export interface ApiFront {
  /** e.g. `http://127.0.0.1:40123` */
  url: string;
  close(): Promise<void>;
}

/**
 * A pass-through in front of the tracking server that, in addition, lets a page with an
 * opaque origin (`Origin: null`, e.g. an iframe sandboxed without allow-same-origin) read
 * the answers. The reference server cannot be told to: `allowed_origins` only takes real
 * origins, and `null` is none. Everything else (bodies, statuses, dropped connections) is
 * the tracking server's own; `target()` is read per request, so a reset server is followed.
 */
export async function startOpaqueOriginFront(target: () => string): Promise<ApiFront> {
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string' && !['host', 'connection', 'content-length'].includes(name)) headers.set(name, value);
    }
    const upstream = await fetch(target() + (request.url ?? '/'), {
      method: request.method,
      headers,
      ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
    });
    const out: Record<string, string> = {};
    upstream.headers.forEach((value, name) => {
      if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection', 'keep-alive'].includes(name)) out[name] = value;
    });
    if (request.headers.origin === 'null') {
      out['access-control-allow-origin'] = 'null';
      out['access-control-expose-headers'] = 'X-Request-ID';
    }
    response.writeHead(upstream.status, out).end(Buffer.from(await upstream.arrayBuffer()));
  };
  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      // The tracking server dropped the connection: drop this one too.
      response.socket?.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
