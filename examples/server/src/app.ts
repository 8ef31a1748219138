/**
 * The reference tracking server as a web-standard fetch handler over an in-memory
 * store: `Request` in, `Response` out. Runs in-process (behind msw, or called
 * directly) and on a port (see node.ts).
 */
import { Callers, forwardedFor } from './auth/caller';
import { ChaosSwitches } from './chaos';
import type { Chaos } from './chaos';
import { isAdminHost } from './auth/admin-hosts';
import { InjectedFault, MESSAGES, adminHostMessage, authLogCode, fail, ok } from './errors';
import {
  corsHeaders,
  corsRefusal,
  jsonReply,
  parseJsonObject,
  preflightReply,
  readBodyCapped,
  requestIdFor,
  toResponse,
} from './http';
import { IdempotencyKeys, REPLAY_HEADER } from './idempotency';
import type { BodyRead, Reply } from './http';
import { RateLimiter } from './rate-limit';
import { RequestLog, errorMessageOf } from './request-log';
import { trackClick } from './routes/click';
import { additionalData } from './routes/context';
import type { RouteHandler } from './routes/context';
import type { RouteContext } from './routes/context';
import { dashboardRoutes } from './routes/dashboard';
import { inspectRoute } from './routes/inspect';
import { trackLead } from './routes/lead';
import { readiness } from './readiness';
import { trackRefund } from './routes/refund';
import { trackSale } from './routes/sale';
import { DEFAULT_RATE_LIMITS, parseFaults, parseSeed } from './seed';
import { Store } from './store';
import type { Faults, InspectState, Program, SeedInput } from './types';
import demoSeed from '../seed.demo.json';

export type { SeedInput, Faults, InspectState } from './types';
export type { Chaos, ChaosRoute } from './chaos';
export type { Reply } from './http';
export type { LoggedRequest } from './request-log';
import type { LoggedRequest } from './request-log';
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
   * The server sits behind one proxy: IP allowlists and browser-call rate limits read the caller's
   * address from the last `X-Forwarded-For` entry (the one the proxy added). Otherwise they read only
   * `clientAddress` (the socket), and a key with an allowlist is refused when there is none.
   * @default false
   */
  trustProxy?: boolean;
}

/** An answer the node adapter wrote itself, to a request Node could not finish parsing. */
export interface UnparsedAnswer {
  status: number;
  error: string;
  request_id: string;
}

export interface TrackingServer {
  /** Answers one HTTP request. Never throws; never leaks a stack trace. */
  fetch(request: Request): Promise<Response>;
  /**
   * Answers one HTTP request as plain data, for an adapter that writes it itself (node.ts). Never throws.
   * @param sentInstead asked when the call is logged: what the adapter already answered in its
   * place (Node cut its body short with a 413 or 408), which the log then shows, as the client got it
   */
  reply(request: Request, sentInstead?: () => UnparsedAnswer | undefined): Promise<Reply>;
  /** The same state `GET /_inspect` answers (a copy). */
  inspect(): InspectState;
  /** The latest calls to the API (not to `/_…` pages), oldest first: what the dashboard lists. */
  requests(): LoggedRequest[];
  /**
   * Logs a call answered before `reply` could see it (node.ts: a request Node or the adapter
   * could not parse), so the dashboard lists it with the status and error its client got.
   * `method` and `target` (the request line's) are `null` when they could not be read, and logged as `?`.
   */
  logUnparsed(call: { method: string | null; target: string | null } & UnparsedAnswer): void;
  /** Flips fault switches at runtime; unnamed switches keep their value. */
  setFaults(partial: Partial<Faults>): void;
  /** Test switches for flaky networks (see `Chaos`); replaces the previous ones. */
  setChaos(chaos: Chaos): void;
}

/** Where a program's key reads how far its integration is. */
export const READINESS_PATH = '/api/v1/programs/me/readiness';

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

/** A request as a path's handler sees it. */
export interface Call {
  request: Request;
  requestId: string;
  /** The method, `GET` for `HEAD` (whose answer is then sent without its body). */
  method: string;
  /** The `Origin` header, read once: CORS, the log and its refusal check all ask for it. */
  origin: string | null;
  /** Set once the route ran: whether what it recorded is a test event (for the request log). */
  testMode: boolean;
}

/** A path's answers by method; a method it does not list gets `405` with `Allow`. */
export type PathHandlers = Partial<Record<string, (call: Call) => Reply | Promise<Reply>>>;

function defaultClientAddress(request: Request): string {
  const forwarded = request.headers.get('x-forwarded-for')?.split(',')[0]?.trim();
  return forwarded ? forwarded : 'local';
}

/** The URL's path, without the query, percent-decoded when it can be. */
function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('://') + 3);
  if (start === -1) return '/';
  const query = url.indexOf('?', start);
  const path = query === -1 ? url.slice(start) : url.slice(start, query);
  if (!path.includes('%')) return path;
  try {
    return decodeURI(path);
  } catch {
    return path;
  }
}

/** Every request to these paths is logged for the dashboard; the dashboard's and inspection's own are not. */
const isLogged = (path: string) => !path.startsWith('/_');

/**
 * Creates a tracking server over a fresh in-memory store.
 * @param seed the seed (see README); @default the demo seed, `seed.demo.json`
 * @throws SeedError when the seed is invalid, naming the field
 */
export function createTrackingServer(seed: SeedInput = demoSeed as SeedInput, options: TrackingServerOptions = {}): TrackingServer {
  const now = options.now ?? (() => Date.now());
  const clientAddress = options.clientAddress ?? defaultClientAddress;
  // Behind a proxy (the first-party handler, a load balancer), the socket is the proxy's: every
  // visitor shared its limit, and a shop's 601st landing in a minute was refused. The entry the proxy
  // added is the visitor's.
  const browserCaller = (request: Request): string => (options.trustProxy && forwardedFor(request)) || clientAddress(request);
  const store = new Store(parseSeed(seed, now()));
  const limiter = new RateLimiter();
  const callers = new Callers(store.programs.values(), {
    trustProxy: options.trustProxy ?? false,
    socketAddress: options.clientAddress,
  });
  const idempotency = new IdempotencyKeys();
  const log = new RequestLog();
  const chaos = new ChaosSwitches();
  const allowedOrigins = new Set([...store.programs.values()].flatMap((p) => p.allowed_origins));
  async function runRoute(route: RouteSpec, call: Call): Promise<Reply> {
    const { request, requestId } = call;
    const sendsAuth = request.headers.has('authorization');
    const serverMode = route.auth === 'bearer' || (route.auth === 'when-sent' && sendsAuth);
    const browserCall = route.browser && !serverMode;
    const headers = browserCall ? corsHeaders(call.origin, allowedOrigins) : {};

    const delay = chaos.delay();
    if (delay) await delay;
    const switched = chaos.before(route.fault);
    if (switched.kind === 'drop') return { status: 500, headers: {}, body: null, drop: true };
    if (switched.kind === 'answer') return jsonReply(switched.answer, headers);

    // The key's state and allowlist are known from the headers, so a sale or refund claims its
    // idempotency key before its body is read: a call whose body is still arriving holds the key.
    // Their 401 still comes after the size check, in the contract's order.
    const caller = serverMode ? callers.identify(request) : null;
    const claim =
      caller?.ok && route.idempotent ? idempotency.claim(caller.entry.program.id, request.headers.get('idempotency-key'), now()) : undefined;
    try {
      let read: BodyRead;
      try {
        read = await readBodyCapped(request);
      } catch {
        // The body stream broke before its end: the client went away mid-upload (on a port) or its
        // stream failed. The client's doing, answered and logged as such, not as the server's 500.
        return jsonReply(fail(400, MESSAGES.bodyIncomplete), headers);
      }
      if (read.tooLarge) return jsonReply(fail(413, MESSAGES.bodyTooLarge), headers);

      let program: Program | null = null;
      if (caller) {
        if (!caller.ok) return jsonReply(fail(401, caller.message), headers);
        const signed = callers.verify(caller.entry, request, read.bytes, now());
        if (!signed.ok) return jsonReply(fail(401, signed.message), headers);
        program = caller.entry.program;
      }

      const at = now();
      // A click the merchant's backend reports (the server client sends its key with every call) is
      // a Bearer call: counted per key, under the program's limits. Counted per address, every
      // visitor's click the backend sent shared one 600-a-minute limit. The click stays public: a
      // token that names no usable key is no reason to refuse it.
      const keyed = caller ?? (sendsAuth && route.auth === 'none' ? callers.identify(request) : null);
      const limited = keyed?.ok
        ? limiter.hitToken(keyed.entry.key.token, keyed.entry.program.rate_limits, at)
        : limiter.hitClient(browserCaller(request), DEFAULT_RATE_LIMITS, at);
      if (limited !== null) return jsonReply(fail(429, limited), headers);

      const body = parseJsonObject(read.text);
      if (!body) return jsonReply(fail(400, MESSAGES.invalidJson), headers);

      const settled = claim?.settle(route.path, read.bytes);
      if (settled?.kind === 'answer') {
        call.testMode = settled.test;
        return jsonReply(settled.answer, settled.replayed ? { ...headers, [REPLAY_HEADER]: 'true' } : headers);
      }

      try {
        if (store.faults[route.fault]) throw new InjectedFault(route.fault);
        // A test key's calls are test events, whatever their body says (the first seed: "use a test key
        // while pending"): recorded with no commission, its refunds finding test sales only. Taken as
        // asked, a test key let a pending account record real sales and commissions.
        const asTest = caller?.ok && caller.entry.key.mode === 'test' ? { ...body, additional_data: { ...additionalData(body), test_mode: true } } : body;
        const context: RouteContext = { body: asTest, store, program, now: at, requestId };
        const decided = route.handle(context);
        call.testMode = context.recordedTest === true;
        claim?.finish(decided, call.testMode);
        return chaos.losesAnswer(route.fault) ? { status: 500, headers: {}, body: null, drop: true } : jsonReply(decided, headers);
      } catch {
        return jsonReply(fail(500, route.failure), headers);
      }
    } finally {
      claim?.release();
    }
  }

  const paths = new Map<string, PathHandlers>();
  for (const route of ROUTES) {
    paths.set(route.path, {
      POST: (call) => runRoute(route, call),
      ...(route.browser ? { OPTIONS: ({ origin }: Call) => preflightReply(origin, allowedOrigins) } : {}),
    });
  }
  /** The admin routes' handlers, answering under this machine's names only (auth/admin-hosts.ts). */
  const adminOnly = (handlers: PathHandlers): PathHandlers =>
    Object.fromEntries(
      Object.entries(handlers).map(([method, handle]) => [
        method,
        (call: Call) => {
          const { hostname } = new URL(call.request.url);
          return isAdminHost(hostname, store.adminHosts) ? handle!(call) : jsonReply(fail(403, adminHostMessage(hostname)), { 'Cache-Control': 'no-store' });
        },
      ]),
    );
  // Every record, customers' emails included: never kept by a cache (as the dashboard's pages).
  paths.set('/_inspect', adminOnly({ GET: ({ request }) => jsonReply(inspectRoute(request, store), { 'Cache-Control': 'no-store' }) }));
  // The one Bearer GET: the key's checks (state, allowlist, a signature over the empty body), its rate limit, then the verdict.
  paths.set(READINESS_PATH, {
    GET: ({ request }) => {
      const caller = callers.identify(request);
      if (!caller.ok) return jsonReply(fail(401, caller.message));
      const signed = callers.verify(caller.entry, request, new Uint8Array(0), now());
      if (!signed.ok) return jsonReply(fail(401, signed.message));
      const program = caller.entry.program;
      const at = now();
      const limited = limiter.hitToken(caller.entry.key.token, program.rate_limits, at);
      if (limited !== null) return jsonReply(fail(429, limited));
      return jsonReply(ok({ ...readiness(store, program, at) }));
    },
  });
  for (const [path, handlers] of dashboardRoutes({ store, log })) paths.set(path, adminOnly(handlers));

  const browserPaths = new Set(ROUTES.filter((route) => route.browser).map((route) => route.path));
  // An allowed origin may read a 404, and a 405 of a browser route: without CORS headers the
  // browser reports them as a network error, and the SDK blames allowed_origins for a wrong
  // API URL and keeps resending. Server routes' answers still carry none.
  const cors = (call: Call) => corsHeaders(call.origin, allowedOrigins);

  async function dispatch(call: Call, path: string): Promise<Reply> {
    const handlers = paths.get(path);
    if (!handlers) return jsonReply(fail(404, MESSAGES.notFound), cors(call));
    const handle = Object.hasOwn(handlers, call.method) ? handlers[call.method] : undefined;
    if (!handle) {
      const allow = { Allow: Object.keys(handlers).join(', ') };
      return jsonReply(fail(405, MESSAGES.methodNotAllowed), browserPaths.has(path) ? { ...allow, ...cors(call) } : allow);
    }
    return handle(call);
  }

  async function reply(request: Request, sentInstead?: () => UnparsedAnswer | undefined): Promise<Reply> {
    const requestId = requestIdFor(request.headers.get('x-request-id'));
    const path = pathOf(request.url);
    const head = request.method === 'HEAD';
    const call: Call = { request, requestId, method: head ? 'GET' : request.method, origin: request.headers.get('origin'), testMode: false };
    let answered: Reply;
    try {
      answered = await dispatch(call, path);
    } catch {
      answered = jsonReply(fail(500, MESSAGES.internalError));
    }
    answered.headers['X-Request-ID'] = requestId;
    if (head) answered.body = null;
    if (isLogged(path)) {
      const sent = sentInstead?.();
      if (sent) {
        // Node answered this call itself mid-body; the app's own answer (its body "incomplete") never left.
        log.add({ at: now(), method: request.method, path, ...sent, error_code: null, origin: null, cors_refusal: null, test_mode: false });
        return answered;
      }
      const error = answered.answer ? errorMessageOf(answered.answer.body) : null;
      log.add({
        at: now(),
        method: request.method,
        path,
        status: answered.drop ? null : answered.status,
        error,
        error_code: answered.status === 401 ? authLogCode(error) : null,
        request_id: requestId,
        origin: call.origin,
        cors_refusal: answered.drop ? null : corsRefusal(request, call.origin, answered.headers, allowedOrigins),
        test_mode: call.testMode,
      });
    }
    return answered;
  }

  return {
    reply,
    async fetch(request) {
      const answered = await reply(request);
      if (answered.drop) return new Response(null, { status: 500, headers: { ...answered.headers, [DROP_HEADER]: '1' } });
      return toResponse(answered);
    },
    inspect: () => store.snapshot(),
    requests: () => log.list(),
    logUnparsed({ method, target, status, error, request_id }) {
      const path = target === null ? '?' : pathOf(target.startsWith('/') ? `http://unparsed${target}` : target);
      if (!isLogged(path)) return;
      log.add({ at: now(), method: method ?? '?', path, status, error, error_code: null, request_id, origin: null, cors_refusal: null, test_mode: false });
    },
    setFaults(partial) {
      store.faults = parseFaults(partial, 'faults', store.faults);
    },
    setChaos: (next) => chaos.set(next),
  };
}
