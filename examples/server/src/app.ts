/**
 * The reference tracking server as a web-standard fetch handler over an in-memory
 * store: `Request` in, `Response` out. Runs in-process (behind msw, or called
 * directly) and on a port (see node.ts).
 */
import { Hono } from 'hono';
import { Callers } from './auth/caller';
import { InjectedFault, MESSAGES, fail } from './errors';
import type { Answer } from './errors';
import {
  corsHeaders,
  jsonResponse,
  parseJsonObject,
  preflightResponse,
  readBodyCapped,
  requestIdFor,
} from './http';
import { IdempotencyKeys, REPLAY_HEADER } from './idempotency';
import { RateLimiter } from './rate-limit';
import { trackClick } from './routes/click';
import type { RouteHandler } from './routes/context';
import { inspectRoute } from './routes/inspect';
import { trackLead } from './routes/lead';
import { trackRefund } from './routes/refund';
import { trackSale } from './routes/sale';
import { DEFAULT_RATE_LIMITS, parseFaults, parseSeed } from './seed';
import type { Faults, Program, SeedInput } from './seed';
import { Store } from './store';
import type { InspectState } from './store';
import demoSeed from '../seed.demo.json';

export type { SeedInput, Faults } from './seed';
export type { InspectState } from './store';
export { SeedError } from './seed';

export interface TrackingServerOptions {
  /** Clock in epoch ms. @default Date.now */
  now?: () => number;
  /**
   * The caller's address, the key of browser-call rate limits.
   * @default the first `X-Forwarded-For` entry, else `'local'`
   */
  clientAddress?: (request: Request) => string;
  /**
   * The server sits behind one proxy: IP allowlists read the caller's address from the last
   * `X-Forwarded-For` entry (the one the proxy added). Otherwise they read only `clientAddress` (the socket), and a key
   * with an allowlist is refused when there is none.
   * @default false
   */
  trustProxy?: boolean;
}

export interface TrackingServer {
  /** Answers one HTTP request. Never throws; never leaks a stack trace. */
  fetch(request: Request): Promise<Response>;
  /** The same state `GET /_inspect` answers (a copy). */
  inspect(): InspectState;
  /** Flips fault switches at runtime; unnamed switches keep their value. */
  setFaults(partial: Partial<Faults>): void;
  /** Test switches for flaky networks (see `Chaos`); replaces the previous ones. */
  setChaos(chaos: Chaos): void;
}

/** The browser routes a test switch can act on. */
export type ChaosRoute = 'click' | 'lead';

/**
 * Test switches that imitate a flaky API, for testing that attribution is never lost.
 * Counters run down per call of the route; a call they do not catch is answered normally.
 */
export interface Chaos {
  /** Wait this long before answering each call of the tracking routes. */
  latencyMs?: number;
  /** Answer the next N calls of a route `503 {"error":"Service unavailable"}` without recording anything. */
  failFirst?: Partial<Record<ChaosRoute, number>>;
  /** Record nothing and give the next N calls of a route no answer: the connection is dropped. */
  dropFirst?: Partial<Record<ChaosRoute, number>>;
  /** Handle the next N calls of a route as usual (record them), then drop the connection instead of answering. */
  loseAnswerFirst?: Partial<Record<ChaosRoute, number>>;
}

/** Marks a response whose connection the node entry drops instead of answering. */
export const DROP_HEADER = 'x-affitor-test-drop';

/** How a route authenticates: never, always (Bearer), or only when an Authorization header is sent. */
type AuthMode = 'none' | 'bearer' | 'when-sent';

interface RouteSpec {
  path: string;
  auth: AuthMode;
  /** A browser route answers CORS, except to server-mode (authenticated) calls. */
  browser: boolean;
  fault: keyof Faults;
  failure: string;
  /** Accepts an `Idempotency-Key` header. */
  idempotent: boolean;
  handle: RouteHandler;
}

const ROUTES: readonly RouteSpec[] = [
  { path: '/api/v1/track/click', auth: 'none', browser: true, fault: 'click', failure: MESSAGES.clickFailed, idempotent: false, handle: trackClick },
  { path: '/api/v1/track/lead', auth: 'when-sent', browser: true, fault: 'lead', failure: MESSAGES.leadFailed, idempotent: false, handle: trackLead },
  { path: '/api/v1/track/sale', auth: 'bearer', browser: false, fault: 'sale', failure: MESSAGES.saleFailed, idempotent: true, handle: trackSale },
  { path: '/api/v1/track/refund', auth: 'bearer', browser: false, fault: 'refund', failure: MESSAGES.refundFailed, idempotent: true, handle: trackRefund },
];

function defaultClientAddress(request: Request): string {
  const forwarded = request.headers.get('x-forwarded-for')?.split(',')[0]?.trim();
  return forwarded ? forwarded : 'local';
}

/**
 * Creates a tracking server over a fresh in-memory store.
 * @param seed the seed (see README); @default the demo seed, `seed.demo.json`
 * @throws SeedError when the seed is invalid, naming the field
 */
export function createTrackingServer(seed: SeedInput = demoSeed as SeedInput, options: TrackingServerOptions = {}): TrackingServer {
  const now = options.now ?? (() => Date.now());
  const clientAddress = options.clientAddress ?? defaultClientAddress;
  const store = new Store(parseSeed(seed, now()));
  const limiter = new RateLimiter();
  const callers = new Callers(store.programs.values(), {
    trustProxy: options.trustProxy ?? false,
    socketAddress: options.clientAddress,
  });
  const idempotency = new IdempotencyKeys();
  const allowedOrigins = new Set([...store.programs.values()].flatMap((p) => p.allowed_origins));
  let chaos: Required<Chaos> = { latencyMs: 0, failFirst: {}, dropFirst: {}, loseAnswerFirst: {} };
  const dropped = () => new Response(null, { status: 500, headers: { [DROP_HEADER]: '1' } });

  /** Consumes one count of a chaos counter for the route; true when it caught this call. */
  const caught = (counters: Partial<Record<ChaosRoute, number>>, route: RouteSpec): boolean => {
    const name = route.fault as ChaosRoute;
    if (!counters[name]) return false;
    counters[name] -= 1;
    return true;
  };

  async function runRoute(route: RouteSpec, request: Request): Promise<Response> {
    const sendsAuth = request.headers.has('authorization');
    const serverMode = route.auth === 'bearer' || (route.auth === 'when-sent' && sendsAuth);
    const browserCall = route.browser && !serverMode;
    const headers = browserCall ? corsHeaders(request.headers.get('origin'), allowedOrigins) : {};
    const answer = (a: Answer) => jsonResponse(a, headers);

    if (chaos.latencyMs) await new Promise((resolve) => setTimeout(resolve, chaos.latencyMs));
    if (caught(chaos.dropFirst, route)) return dropped();
    if (caught(chaos.failFirst, route)) return answer(fail(503, MESSAGES.unavailable));

    // The key's state and allowlist are known from the headers, so a sale or refund claims its
    // idempotency key before its body is read: a call whose body is still arriving holds the key.
    // Their 401 still comes after the size check, in the contract's order.
    const caller = serverMode ? callers.identify(request) : null;
    const claim =
      caller?.ok && route.idempotent ? idempotency.claim(caller.entry.program.id, request.headers.get('idempotency-key'), now()) : undefined;
    try {
      const read = await readBodyCapped(request);
      if (read.tooLarge) return answer(fail(413, MESSAGES.bodyTooLarge));

      let program: Program | null = null;
      if (caller) {
        if (!caller.ok) return answer(fail(401, caller.message));
        const signed = callers.verify(caller.entry, request, read.bytes, now());
        if (!signed.ok) return answer(fail(401, signed.message));
        program = caller.entry.program;
      }

      const at = now();
      const limited = program
        ? limiter.hit(`program:${program.id}`, program.rate_limits, at)
        : limiter.hit(`client:${clientAddress(request)}`, DEFAULT_RATE_LIMITS, at);
      if (limited !== null) return answer(fail(429, limited));

      const body = parseJsonObject(read.text);
      if (!body) return answer(fail(400, MESSAGES.invalidJson));

      const settled = claim?.settle(route.path, read.bytes);
      if (settled?.kind === 'answer') {
        return jsonResponse(settled.answer, settled.replayed ? { ...headers, [REPLAY_HEADER]: 'true' } : headers);
      }

      try {
        if (store.faults[route.fault]) throw new InjectedFault(route.fault);
        const decided = route.handle({ body, store, program, now: at });
        claim?.finish(decided);
        return caught(chaos.loseAnswerFirst, route) ? dropped() : answer(decided);
      } catch {
        return answer(fail(500, route.failure));
      }
    } finally {
      claim?.release();
    }
  }

  const app = new Hono();
  for (const route of ROUTES) {
    app.post(route.path, (c) => runRoute(route, c.req.raw));
    if (route.browser) {
      app.options(route.path, (c) => preflightResponse(c.req.header('origin') ?? null, allowedOrigins));
    }
    app.all(route.path, () =>
      jsonResponse(fail(405, MESSAGES.methodNotAllowed), { Allow: route.browser ? 'POST, OPTIONS' : 'POST' }),
    );
  }
  app.get('/_inspect', (c) => jsonResponse(inspectRoute(c.req.raw, store)));
  app.all('/_inspect', () => jsonResponse(fail(405, MESSAGES.methodNotAllowed), { Allow: 'GET' }));
  app.notFound(() => jsonResponse(fail(404, MESSAGES.notFound)));
  app.onError(() => jsonResponse(fail(500, MESSAGES.internalError)));

  return {
    async fetch(request) {
      const requestId = requestIdFor(request);
      let response: Response;
      try {
        response = await app.fetch(request);
      } catch {
        response = jsonResponse(fail(500, MESSAGES.internalError));
      }
      response.headers.set('X-Request-ID', requestId);
      return response;
    },
    inspect: () => store.snapshot(),
    setFaults(partial) {
      store.faults = parseFaults(partial, 'faults', store.faults);
    },
    setChaos(next) {
      chaos = {
        latencyMs: next.latencyMs ?? 0,
        failFirst: { ...next.failFirst },
        dropFirst: { ...next.dropFirst },
        loseAnswerFirst: { ...next.loseAnswerFirst },
      };
    },
  };
}
