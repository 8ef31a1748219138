/**
 * A pass-through in front of the reference tracking server that records every request the
 * browser sends it (preflights too), so a scenario checks what went over the wire the same
 * way in every engine. It can also let a page with an opaque origin (`Origin: null`, an
 * iframe sandboxed without allow-same-origin) read the answers, which the reference server
 * cannot be told to do: `allowed_origins` only takes real origins. Bodies, statuses and
 * dropped connections are the tracking server's own; `target()` is read per request.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the browser sent to the tracking API. */
export interface SeenRequest {
  method: string;
  /** `click`, `lead`, ... for `/api/v1/track/<route>` */
  route: string;
  contentType: string | undefined;
  origin: string | undefined;
  body: Record<string, unknown>;
  /** When it arrived: ms since the front started or was last reset. */
  at: number;
}

export interface ApiFront {
  /** e.g. `http://127.0.0.1:40123` */
  url: string;
  /** Every request so far, oldest first. */
  seen: SeenRequest[];
  /** The POSTs to the tracking routes so far, oldest first (preflights left out). */
  posts(): SeenRequest[];
  /** Whether answers carry `Access-Control-Allow-Origin: null` for opaque origins. */
  answerOpaqueOrigins: boolean;
  /** Resolves once no request has been in flight for `quietMs` (the page sent what it was going to). */
  quiet(quietMs?: number, timeoutMs?: number): Promise<void>;
  /**
   * From now on, holds every answer back (the tracking server has handled and recorded the call;
   * only its answer waits) until `releaseAnswers()`: a scenario whose visitor must be gone before
   * an answer comes releases them once the visitor is, instead of betting on a latency that a
   * busy machine can outrun. With `which`, only the answers to the requests it picks wait.
   */
  holdAnswers(which?: (request: SeenRequest) => boolean): void;
  /** Sends the answers held back, and holds no more. */
  releaseAnswers(): void;
  reset(): void;
  close(): Promise<void>;
}

const HOP_HEADERS = ['content-length', 'content-encoding', 'transfer-encoding', 'connection', 'keep-alive'];

export async function startApiFront(target: () => string): Promise<ApiFront> {
  let inFlight = 0;
  let lastActivity = Date.now();
  let start = Date.now();
  /** Set while answers are held back: resolves when they are released. */
  let held: { released: Promise<void>; release: () => void; which?: (request: SeenRequest) => boolean } | undefined;
  const front: Omit<ApiFront, 'url' | 'close'> = {
    seen: [],
    posts: () => front.seen.filter((request) => request.method === 'POST'),
    answerOpaqueOrigins: false,
    quiet: async (quietMs = 500, timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      while (inFlight > 0 || Date.now() - lastActivity < quietMs) {
        if (Date.now() > deadline) throw new Error(`the tracking API did not go quiet for ${quietMs} ms within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    holdAnswers: (which) => {
      if (held) return;
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      held = { released, release, which };
    },
    releaseAnswers: () => {
      held?.release();
      held = undefined;
    },
    reset: () => {
      start = Date.now();
      front.seen.length = 0;
      front.answerOpaqueOrigins = false;
      front.releaseAnswers();
    },
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: Record<string, unknown>;
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      body = { unparsed: text };
    }
    const seen: SeenRequest = {
      method: request.method ?? '',
      route: /\/api\/v1\/track\/(\w+)$/.exec(request.url ?? '')?.[1] ?? request.url ?? '',
      contentType: request.headers['content-type'],
      origin: request.headers.origin,
      body,
      at: Date.now() - start,
    };
    front.seen.push(seen);
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string' && !['host', 'connection', 'content-length'].includes(name)) headers.set(name, value);
    }
    const upstream = await fetch(target() + (request.url ?? '/'), {
      method: request.method,
      headers,
      ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
    });
    // A fresh connection per request: an engine resends by itself a request whose reused
    // keep-alive connection closes without an answer, which would hide the SDK's own retries.
    const out: Record<string, string> = { connection: 'close' };
    upstream.headers.forEach((value, name) => {
      if (!HOP_HEADERS.includes(name)) out[name] = value;
    });
    if (front.answerOpaqueOrigins && request.headers.origin === 'null') {
      out['access-control-allow-origin'] = 'null';
      out['access-control-allow-methods'] = 'POST, OPTIONS';
      out['access-control-allow-headers'] = 'Content-Type';
      out['access-control-expose-headers'] = 'X-Request-ID';
    }
    const answer = Buffer.from(await upstream.arrayBuffer());
    if (held && (!held.which || held.which(seen))) await held.released;
    response.writeHead(upstream.status, out).end(answer);
  };

  const server = createServer((request, response) => {
    inFlight += 1;
    lastActivity = Date.now();
    response.on('close', () => {
      inFlight -= 1;
      lastActivity = Date.now();
    });
    handle(request, response).catch(() => {
      // The tracking server dropped the connection: drop this one too.
      response.socket?.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return Object.assign(front, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  });
}
