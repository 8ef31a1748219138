/**
 * Runs the tracking server on a real port with @hono/node-server. Browser-call
 * rate limits are keyed by the socket's remote address.
 *
 * The adapter hands the server a lazy `Request` (headers and body read from the socket only
 * when asked), and the server's reply is plain data written straight to the socket: no web
 * `Response`, `Headers` or body stream is built per call.
 */
import { readFile } from 'node:fs/promises';
import { STATUS_CODES, createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { getRequestListener } from '@hono/node-server';
import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { createTrackingServer } from './app';
import type { SeedInput, TrackingServer, TrackingServerOptions, UnparsedAnswer } from './app';
import { MESSAGES, fail } from './errors';
import type { Answer } from './errors';
import { jsonReply, requestIdFor, toResponse } from './http';
import { errorMessageOf } from './request-log';

export interface StartOptions {
  /** 0 picks a free port. @default 8787 */
  port?: number;
  /** A seed, or the path of a seed JSON file. @default the demo seed */
  seed?: SeedInput | string;
  /** @default '127.0.0.1' */
  hostname?: string;
  now?: TrackingServerOptions['now'];
  /** Behind a proxy: IP allowlists and browser-call rate limits read `X-Forwarded-For` instead of the socket. @default false */
  trustProxy?: boolean;
  /**
   * The key of browser-call rate limits. @default the socket's remote address (so
   * `X-Forwarded-For` is ignored); a load test that plays many visitors from one socket
   * can key by that header instead.
   */
  clientAddress?: TrackingServerOptions['clientAddress'];
}

export interface RunningServer {
  /** e.g. `http://127.0.0.1:8787` */
  url: string;
  port: number;
  close(): Promise<void>;
  app: TrackingServer;
}

/** Reads and parses a seed file; the error names the file when it is not JSON. */
export async function loadSeedFile(path: string): Promise<SeedInput> {
  const source = await readFile(path, 'utf8');
  try {
    return JSON.parse(source) as SeedInput;
  } catch (error) {
    throw new Error(`Seed file ${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** A header's one value (Node gives repeated ones as a list). */
const header = (incoming: IncomingMessage | undefined, name: string): string | undefined => {
  const value = incoming?.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** The answer to a request Node could not parse, by Node's error code: the statuses Node itself would send. */
const UNPARSED: Partial<Record<string, Answer>> = {
  HPE_HEADER_OVERFLOW: fail(431, MESSAGES.headersTooLarge),
  HPE_CHUNK_EXTENSIONS_OVERFLOW: fail(413, MESSAGES.bodyTooLarge),
  ERR_HTTP_REQUEST_TIMEOUT: fail(408, MESSAGES.requestTimeout),
};

/** The method and target of the request line the bytes Node could not parse begin with, else nulls (a timeout has no bytes). */
function requestLineOf(raw: unknown): { method: string | null; target: string | null } {
  const line = Buffer.isBuffer(raw) ? raw.toString('latin1', 0, Math.min(raw.length, 65_536)).split('\r\n', 1)[0] : undefined;
  const match = line === undefined ? null : /^([A-Z]+) (\S+) HTTP\/\d\.\d$/.exec(line);
  return { method: match?.[1] ?? null, target: match?.[2] ?? null };
}

/** The contract's JSON `answer` with its X-Request-ID and length, closing the connection. */
function closingReply(answer: Answer, requestId: string): { status: number; headers: Record<string, string>; body: string } {
  const reply = jsonReply(answer, { 'X-Request-ID': requestId, Connection: 'close' });
  const body = reply.body ?? '';
  reply.headers['Content-Length'] = String(Buffer.byteLength(body));
  return { status: reply.status, headers: reply.headers, body };
}

/** Writes the contract's JSON `answer` straight to `socket`, then closes it: for a request no `ServerResponse` can answer. */
function answerOnSocket(socket: Duplex, answer: Answer, requestId: string): UnparsedAnswer {
  const { status, headers, body } = closingReply(answer, requestId);
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${head}\r\n${body}`, () => socket.destroy());
  return { status, error: errorMessageOf(answer.body) ?? '', request_id: requestId };
}

/**
 * Logs a request the app never sees, answered `answer` by this file (an HTTP/1.1 request without
 * `Host`, an `Expect` other than `100-continue`, a `CONNECT`, one no URL can be made of), and gives
 * the X-Request-ID to answer it with: the caller's, when sane. Without `incoming` (none at hand),
 * only the id. Node alone would answer these with a bare status and no X-Request-ID, or close the
 * connection without a word.
 */
function logRefused(app: TrackingServer, incoming: IncomingMessage | undefined, answer: Answer): string {
  const requestId = requestIdFor(header(incoming, 'x-request-id'));
  if (incoming) {
    app.logUnparsed({ method: incoming.method ?? null, target: incoming.url ?? null, status: answer.status, error: errorMessageOf(answer.body) ?? '', request_id: requestId });
  }
  return requestId;
}

/** Answers `outgoing` with the contract's JSON `answer`, and closes the connection. */
function answerOn(outgoing: ServerResponse, answer: Answer, requestId: string): void {
  const { status, headers, body } = closingReply(answer, requestId);
  outgoing.writeHead(status, headers).end(body);
}

/** Sockets whose next request could not be parsed, waiting for the answer of the one before it. */
const refusing = new WeakSet<Duplex>();

/**
 * Node's `clientError`: a request it could not parse (a bad request line or Content-Length, headers
 * over its limit, a timeout). Node alone would write a bare `400` with no body and no X-Request-ID;
 * this writes the contract's JSON error with the caller's X-Request-ID where its headers parsed,
 * else a fresh one, on the same condition as Node: the socket is writable and no answer of
 * an earlier request on it has begun, which the peer would read mixed with this one.
 * The answer is logged too, unless the app has the request: it never sees these, yet they are the failures a
 * merchant must find on the dashboard (a browser with huge cookies gets 431 on every click).
 */
function answerUnparsed(
  app: TrackingServer,
  sentInstead: WeakMap<IncomingMessage, UnparsedAnswer>,
  error: NodeJS.ErrnoException & { rawPacket?: unknown },
  socket: Duplex,
): void {
  const inFlight = (socket as Duplex & { _httpMessage?: (ServerResponse & { _headerSent?: boolean }) | null })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || inFlight?._headerSent) {
    socket.destroy();
    return;
  }
  // The request in flight arrived whole: the bytes Node could not parse are the next request, sent
  // before this one's answer (pipelining). This one was handled (a click or a sale may be recorded):
  // answered in its place, its client got "Request body incomplete" with its own X-Request-ID, and
  // the dashboard showed the call as answered 200. It gets its own answer; the refusal follows.
  if (inFlight?.req?.complete) {
    if (refusing.has(socket)) return;
    refusing.add(socket);
    inFlight.once('finish', () => {
      if (!socket.writable) return void socket.destroy();
      // Its request line is not told apart: the bytes Node hands over begin with the request before it.
      app.logUnparsed({ method: null, target: null, ...answerOnSocket(socket, UNPARSED[error.code ?? ''] ?? fail(400, MESSAGES.badRequest), requestIdFor(undefined)) });
    });
    inFlight.once('close', () => {
      if (!inFlight.writableFinished) socket.destroy();
    });
    return;
  }
  // A request whose headers parsed, cut off in its body (the client ended its side mid-body), is
  // answered as the app logs it: its body is incomplete.
  const answer = UNPARSED[error.code ?? ''] ?? fail(400, inFlight?.req ? MESSAGES.bodyIncomplete : MESSAGES.badRequest);
  // Such a request keeps its caller's X-Request-ID, as every answer does: with a fresh one, the id the
  // client got was on no dashboard row.
  const sent = answerOnSocket(socket, answer, requestIdFor(header(inFlight?.req, 'x-request-id')));
  // A request the app already has is the app's to log, once. When Node cut its body off at one of its
  // limits (413, 408), the log shows this answer: the client never gets the app's own ("Request body
  // incomplete", once the socket closes). A body the client itself cut short keeps the app's, which says the same as this answer.
  if (inFlight?.req) {
    if (UNPARSED[error.code ?? '']) sentInstead.set(inFlight.req, sent);
  } else if (!inFlight) app.logUnparsed({ ...requestLineOf(error.rawPacket), ...sent });
}

export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const hostname = options.hostname ?? '127.0.0.1';
  const seed = typeof options.seed === 'string' ? await loadSeedFile(options.seed) : options.seed;
  const addresses = new WeakMap<Request, string>();
  const sentInstead = new WeakMap<IncomingMessage, UnparsedAnswer>();
  const app = createTrackingServer(seed, {
    ...(options.now ? { now: options.now } : {}),
    trustProxy: options.trustProxy ?? false,
    clientAddress: options.clientAddress ?? ((request) => addresses.get(request) ?? 'local'),
  });

  const listener = getRequestListener(
    async (request: Request, env: unknown) => {
      const { incoming, outgoing } = env as HttpBindings;
      const { socket } = incoming;
      if (!options.clientAddress && socket.remoteAddress) addresses.set(request, socket.remoteAddress);
      const reply = await app.reply(request, () => sentInstead.get(incoming));
      // A dropped call (test switch): the client sees the connection close with no answer.
      if (reply.drop) {
        socket.destroy();
      } else if (reply.body === null) {
        outgoing.writeHead(reply.status, reply.headers).end();
      } else {
        // Declared up front: headers written with writeHead are final, and without a length
        // Node would send the body chunked.
        reply.headers['Content-Length'] = String(Buffer.byteLength(reply.body));
        outgoing.writeHead(reply.status, reply.headers).end(reply.body);
      }
      return RESPONSE_ALREADY_SENT;
    },
    {
      hostname,
      overrideGlobalObjects: false,
      // The adapter could not make a Request of the call (a Host header or a path that no URL can
      // hold): the answer still follows the contract, a JSON error with an X-Request-ID, instead
      // of the adapter's bare 400. It asks while `arriving` below still holds that call. The app never
      // saw it, so it is logged here: a merchant whose call got this 400 finds it on the dashboard.
      errorHandler: () => {
        const answer = fail(400, MESSAGES.badRequest);
        return toResponse(jsonReply(answer, { 'X-Request-ID': logRefused(app, arriving, answer) }));
      },
    },
  );
  let arriving: IncomingMessage | undefined;
  // Host is checked below, so that its absence is answered by the contract, not by Node's bare 400.
  const server = createServer({ requireHostHeader: false }, (incoming, outgoing) => {
    if (incoming.httpVersion === '1.1' && incoming.headers.host === undefined) {
      const answer = fail(400, MESSAGES.badRequest);
      answerOn(outgoing, answer, logRefused(app, incoming, answer));
      return;
    }
    arriving = incoming;
    void listener(incoming, outgoing);
    arriving = undefined;
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => answerUnparsed(app, sentInstead, error, socket));
  server.on('checkExpectation', (incoming: IncomingMessage, outgoing: ServerResponse) => {
    const answer = fail(417, MESSAGES.expectationFailed);
    answerOn(outgoing, answer, logRefused(app, incoming, answer));
  });
  server.on('connect', (incoming: IncomingMessage, socket: Duplex) => {
    const answer = fail(400, MESSAGES.badRequest);
    answerOnSocket(socket, answer, logRefused(app, incoming, answer));
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8787, hostname, () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://${hostname}:${port}`,
        port,
        app,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((error) => (error ? fail(error) : done()));
            server.closeAllConnections();
          }),
      });
    });
  });
}
