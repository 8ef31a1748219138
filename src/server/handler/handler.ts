/**
 * `createAffitorHandler`: the Affitor SDK served from the merchant's own domain. A web-standard
 * handler (`Request` in, `Response` out) that forwards the browser SDK's click and lead calls to
 * the tracking API, answers a click with the attribution cookies set by the server (which Safari
 * keeps for the program's whole window), and serves the `<script>` build's files.
 */
import { isLoopback, isPlausibleId, readAff } from '../../core/values';
import { normaliseCookieDomain } from '../../core/cookie-codec';
import { isObject, withoutCredentials } from '../input';
import { createId } from '../request-id';
import { messageOf } from '../transport';
import type { CustomFetch } from '../types';
import { cookieDomainCandidates } from '../../core/root-domain';
import { chooseCookieDomain, clickCookies } from './cookies';
import { forwardToApi, splitBody } from './forward';
import type { HandlerFields } from './forward';
import { forwardedFor, hostLostByProxy, isHttps, isSameOrigin, readBodyWithin, requestHosts } from './request';
import { SCRIPT_FILE_NAME, scriptReader, scriptResponse } from './scripts';
import type { ScriptSource } from './scripts';

export type { ScriptContent, ScriptSource } from './scripts';

export const DEFAULT_BASE_PATH = '/relay';
export const DEFAULT_API_URL = 'https://api.affitor.com';
/** Below the browser SDK's own 10-second patience, so the SDK hears a retryable 504 rather than giving up itself. */
export const DEFAULT_HANDLER_TIMEOUT_MS = 8_000;

/**
 * A page of the same site on another origin (the handler on `t.shop.example`, given to the SDK as a
 * whole URL from `www.shop.example`) may read the answer: the browser vouches for the site
 * (`Sec-Fetch-Site: same-site`, by the public suffix list). Without it, every click and lead was a
 * CORS error the page could do nothing about. The handler writes no cookie for such a page (it is
 * not this origin's), so the SDK writes them from the answer, as with the API.
 */
function allowSameSite(request: Request, response: Response): void {
  const origin = request.headers.get('origin');
  if (origin && request.headers.get('sec-fetch-site') == 'same-site') {
    response.headers.set('Access-Control-Allow-Origin', origin);
    response.headers.set('Access-Control-Expose-Headers', 'X-Request-ID');
    response.headers.append('Vary', 'Origin');
  }
}

/**
 * Whether reading a body failed because the visitor's connection closed, as each runtime says it:
 * Node's `aborted` or `ECONNRESET`, workerd's "Network connection lost.", Bun's `AbortError`, Deno's
 * `BadResource` (each seen with a visitor that left mid-upload).
 */
const visitorLeft = (error: unknown): boolean => {
  const { code, message, name } = (error ?? {}) as { code?: unknown; message?: unknown; name?: unknown };
  return code == 'ECONNRESET' || message == 'aborted' || message == 'Network connection lost.' || name == 'AbortError' || name == 'BadResource';
};

/**
 * A domain written in Unicode (`bücher.de`) in its ASCII form (`xn--bcher-kva.de`), as a request's
 * host names it and as `Domain` must (Firefox and WebKit refuse the Unicode form); anything else as
 * given, for normaliseCookieDomain to judge. (The browser SDK leaves this out of the file every page
 * view loads: its option is refused with an error log, and the README asks for the ASCII form.)
 */
function asciiDomain(domain: unknown): string {
  const written = String(domain).trim().replace(/^\./, '');
  if (!/^(?=.*[^\0-\x7f])[\p{L}\p{M}\p{N}.-]+$/u.test(written)) return String(domain);
  try {
    return new URL(`http://${written}`).hostname;
  } catch {
    return String(domain);
  }
}

/** The answer header that tells the SDK whether the handler wrote the attribution cookies: `set` or `none`. */
export const COOKIES_HEADER = 'X-Affitor-Cookies';

export interface AffitorHandlerOptions {
  /**
   * Where the handler is mounted on the merchant's domain. Neither a private folder of the
   * Next.js App Router (`_name`) nor a name ad blockers look for.
   * @default '/relay'
   * @example '/t'
   */
  basePath?: string | undefined;
  /** The tracking API calls are forwarded to (null or undefined: the default). @default 'https://api.affitor.com' */
  apiUrl?: string | null | undefined;
  /**
   * `Domain` for the cookies, e.g. `example.com`; used when it is the request's host or a parent
   * of it. @default the domain the SDK's probe found and sent, else host-only
   */
  cookieDomain?: string | undefined;
  /**
   * How long a call may take, the visitor's body and the API's answer together, before the visitor
   * gets `504` (the SDK keeps the event and sends it again). A numeric string (read from the
   * environment) is taken as its number. @default 8000
   */
  timeoutMs?: number | string | undefined;
  /**
   * The `<script>` build's files, served under `{basePath}/`: a directory, an object of name to
   * content, a function of the name, or `false`. @default the package's own `dist` directory (Node 18+, Bun, Deno)
   */
  scripts?: ScriptSource | undefined;
  /** fetch used to reach the API. @default globalThis.fetch */
  fetch?: CustomFetch | undefined;
}

/** What the server adapter knows about the connection and the Request does not carry. */
export interface AffitorConnection {
  /**
   * The address of the peer that connected: the visitor's, sent as `X-Forwarded-For`; or a proxy's
   * of yours (private or loopback), then the entry your proxies added is sent instead.
   */
  clientAddress?: string | null | undefined;
}

/** Answers one request; never throws. The second argument is optional and ignored unless it carries `clientAddress`. */
export type AffitorHandler = (request: Request, connection?: AffitorConnection) => Promise<Response>;

const SANE_REQUEST_ID = /^[\w.:-]{1,128}$/;
const BASE_PATH = /^(\/[\w.~-]+)+$/;
// With a slash after it too: a Next.js app with `trailingSlash: true` redirects the SDK's POST to
// `.../click/` (a 308, which the browser follows with its body), and every click and lead was a 404.
const ROUTE = /^api\/v1\/track\/(click|lead)\/?$/;

/** How a wrong option's value is named: `a number`, `a URL`, `null`. */
const kindOf = (value: unknown): string => {
  if (value === null) return 'null';
  const kind = typeof value == 'object' ? (value.constructor?.name ?? 'object') : typeof value;
  return /^[aeio]/i.test(kind) ? `an ${kind}` : `a ${kind}`; // a URL, a Uint8Array
};

/** Options of the wrong type (an apiUrl as a URL object, a fetch that is not one) fail here, named, not on every request. */
function checkTypes(options: AffitorHandlerOptions) {
  if (typeof options != 'object' || options === null) throw new TypeError(`createAffitorHandler: options must be an object, got ${kindOf(options)}`);
  const wrong = (name: string, expected: string, value: unknown) => new TypeError(`createAffitorHandler: ${name} must be ${expected}, got ${kindOf(value)}`);
  if (options.apiUrl != null && typeof options.apiUrl != 'string') throw wrong('apiUrl', "a string such as 'https://api.affitor.com'", options.apiUrl);
  if (options.cookieDomain != null && typeof options.cookieDomain != 'string') throw wrong('cookieDomain', "a domain such as 'example.com'", options.cookieDomain);
  if (options.fetch != null && typeof options.fetch != 'function') throw wrong('fetch', 'a function', options.fetch);
  const { scripts } = options;
  if (!(scripts === undefined || scripts === false || ['string', 'function'].includes(typeof scripts) || (typeof scripts == 'object' && scripts))) {
    throw wrong('scripts', 'a directory path, an object of file name to content, a function or false', scripts);
  }
}

function checkOptions(options: AffitorHandlerOptions) {
  checkTypes(options);
  const basePath = options.basePath ?? DEFAULT_BASE_PATH;
  if (typeof basePath != 'string' || !BASE_PATH.test(basePath) || /\/\.\.?(\/|$)/.test(basePath)) {
    throw new TypeError(`createAffitorHandler: basePath must be a path such as '/relay' (no trailing slash), got ${JSON.stringify(basePath)}`);
  }
  // Trimmed: read from an env file it may end in a line break, which `new URL` accepts but
  // `${apiUrl}/api/v1/...` does not: every call would answer 502.
  const apiUrl = (options.apiUrl ?? DEFAULT_API_URL).trim().replace(/\/+$/, '');
  // No credentials (`user:pass@`): fetch refuses such a URL, so every call would answer 502. Not quoted.
  if (/^[^/]*\/\/[^/?#]*@/.test(apiUrl)) throw new TypeError('createAffitorHandler: apiUrl must not carry credentials (user:password@)');
  let parsed: URL | undefined;
  try {
    if (/^https?:\/\/[^/?#]+(\/[^?#]*)?$/i.test(apiUrl)) parsed = new URL(apiUrl);
  } catch {
    /* not a URL (a space in the host): refused below */
  }
  // Quoted without credentials the check above missed (a password with a `/`, no scheme).
  const shown = JSON.stringify(withoutCredentials(options.apiUrl ?? ''));
  // Said for what it is: an https URL with a query is still an https URL.
  if (/[?#]/.test(apiUrl)) {
    throw new TypeError(`createAffitorHandler: apiUrl must not carry a query (?) or a fragment (#): the handler adds each route's path to it (got ${shown})`);
  }
  if (!parsed) throw new TypeError(`createAffitorHandler: apiUrl must be an http(s) URL, got ${shown}`);
  // A lead carries the visitor's email and customer key, every call their address: over http anyone
  // on the path reads them. Plain http stays for an API on this machine (the reference server, tests).
  if (parsed.protocol == 'http:' && !isLoopback(parsed.hostname)) {
    throw new TypeError(
      `createAffitorHandler: apiUrl must use https: over http each lead's email would travel in clear text (got ${shown}); http is kept for localhost (and *.localhost), 127.x.x.x and [::1]`,
    );
  }
  const cookieDomain = options.cookieDomain == null ? undefined : normaliseCookieDomain(asciiDomain(options.cookieDomain));
  if (cookieDomain === null) {
    throw new TypeError(`createAffitorHandler: cookieDomain must be a domain such as 'example.com', got ${JSON.stringify(options.cookieDomain)}`);
  }
  const givenTimeout: unknown = options.timeoutMs ?? DEFAULT_HANDLER_TIMEOUT_MS;
  // A numeric string (read from an env var) is taken as its number: the deadline adds it to performance.now().
  const timeoutMs = typeof givenTimeout == 'string' && givenTimeout.trim() ? Number(givenTimeout) : givenTimeout;
  if (!(typeof timeoutMs == 'number' && timeoutMs > 0 && timeoutMs < 2 ** 31)) {
    throw new TypeError(`createAffitorHandler: timeoutMs must be a positive number of milliseconds, got ${String(options.timeoutMs)}`);
  }
  const fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  return { basePath, apiUrl, cookieDomain, timeoutMs, fetch };
}

/** `text` as the JSON object every answer of the tracking API is; undefined when it is none. */
function jsonObjectOf(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

const jsonAnswer = (status: number, body: unknown, headers: Record<string, string>): Response =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers },
  });

/**
 * Whether the SDK's fields forbid cookies: consent not said to be given, or a click a newer landing
 * superseded. A click without `consent` is refused too: the SDK adds its fields only when `apiBase` is a
 * same-origin path, so one pointed at the handler by a whole URL sends none, even with consent pending.
 * The SDK sends `stale` as true or false (or not at all): any other value (a hand-made body's `"true"`)
 * cannot say the click is the newest, so it is refused as a stale one is.
 */
const cookiesRefused = (fields: HandlerFields): boolean => fields.consent !== 'granted' || (fields.stale !== undefined && fields.stale !== false);

/**
 * Creates the first-party handler. Mount it for every method under `basePath` (see the README's
 * examples for Node, Next.js, Hono, Express and Cloudflare Workers).
 * @throws TypeError when an option is invalid, naming it
 */
export function createAffitorHandler(options: AffitorHandlerOptions = {}): AffitorHandler {
  const { basePath, apiUrl, cookieDomain, timeoutMs, fetch } = checkOptions(options);
  const readScript = scriptReader(options.scripts, timeoutMs);
  /** What this handler has said in the server's log: a setup mistake fails every call alike, and is said once (an outage once per outage). */
  const said = new Set<string>();
  const sayOnce = (what: string, message: string): void => {
    if (!said.has(what)) {
      said.add(what);
      console.error(message);
    }
  };

  async function relay(route: string, request: Request, url: URL, requestId: string, peer: unknown): Promise<Response> {
    const answerHeaders = { 'X-Request-ID': requestId };
    // One deadline for the body and the API's answer together, so the SDK hears from us within its own 10 s.
    // On the monotonic clock: a step of the wall clock (NTP, a resumed VM) cut it short or held the visitor for as long as the step.
    const deadline = performance.now() + timeoutMs;
    const text = await readBodyWithin(request, timeoutMs);
    if (text === null) return jsonAnswer(413, { error: 'Request body too large' }, answerHeaders);
    // 5xx, retryable: a real visitor on a very slow network keeps the event in the SDK's outbox.
    if (text === false) return jsonAnswer(504, { error: 'Request body not received in time' }, answerHeaders);
    const { forward, fields, body } = splitBody(text);

    // Named headers only: the visitor's cookies, Authorization and anything else stay here.
    const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json', 'X-Request-ID': requestId };
    const userAgent = request.headers.get('user-agent');
    if (userAgent) headers['User-Agent'] = userAgent;
    const chain = forwardedFor(request, peer);
    if (chain) headers['X-Forwarded-For'] = chain;

    // What is left of the deadline once the visitor's body arrived: the API's share.
    const apiMs = Math.max(1, deadline - performance.now());
    const outcome = await forwardToApi({ fetch, url: `${apiUrl}/api/v1/track/${route}`, body: forward, headers, timeoutMs: apiMs });
    // Both are retryable for the SDK (5xx): the event stays in its outbox and is sent again.
    if (outcome.kind == 'timeout') {
      // Said once, and only when the API had most of the time: a visitor's slow upload that left it
      // little is no news of the API, and would use up the line a real outage needs.
      if (apiMs >= timeoutMs / 2) {
        sayOnce('timeout', `[Affitor] the tracking API at ${apiUrl} did not answer within ${Math.round(apiMs)} ms: is it down, or is createAffitorHandler's apiUrl a host that answers nothing?`);
      }
      return jsonAnswer(504, { error: 'Tracking API timed out' }, answerHeaders);
    }
    if (outcome.kind == 'unreachable') {
      // Said once, with the cause (a DNS typo, a certificate, a refused connection), which the
      // visitor's browser is not told: else every landing failed and nothing in the server's log said why.
      sayOnce('unreachable', `[Affitor] the tracking API at ${apiUrl} cannot be reached (${outcome.why}): is createAffitorHandler's apiUrl right?`);
      return jsonAnswer(502, { error: 'Tracking API unreachable' }, answerHeaders);
    }
    // The API answered: an outage after this one is said again (once per outage, not once for the
    // process: a second outage days later said nothing).
    said.delete('timeout');
    said.delete('unreachable');
    if (outcome.kind == 'too_large') return jsonAnswer(502, { error: 'Tracking API answer too large' }, answerHeaders);
    // A redirect (the API moved, an apex domain sending to www) is not followed: it would turn the POST
    // into a GET. Passed on without its Location, the browser takes it as final and the SDK drops the
    // event; as a 502 the SDK keeps it to send again once apiUrl points where the API is. (Status 0:
    // the opaque redirect of a fetch that follows the browser's rules.)
    if (outcome.status < 200 || (outcome.status > 299 && outcome.status < 400)) {
      const where = outcome.location ? ` to ${outcome.location}` : '';
      sayOnce('redirect', `[Affitor] the tracking API at ${apiUrl} redirects${where}: set createAffitorHandler's apiUrl to where it points`);
      return jsonAnswer(502, { error: `Tracking API redirected${where}: set the handler's apiUrl to where it points` }, answerHeaders);
    }

    // The API answers 404 and 405 only to a path it has no route for, and every 2xx with a JSON object:
    // either is an apiUrl that is not the API (its path written into it, another site). Passed on, the
    // SDK blamed its own apiBase, which is right, and dropped the event for good; as a 502 it keeps it
    // to send again once apiUrl is fixed, and the server's log says which option is wrong.
    // Read once, here: a success's cookies are made from it (setCookiesFor).
    const answer = outcome.status < 300 ? jsonObjectOf(outcome.text) : undefined;
    if (outcome.status == 404 || outcome.status == 405 || (outcome.status < 300 && !answer)) {
      const what = outcome.status == 405 ? 'Method not allowed' : outcome.status < 300 ? 'that is no JSON object' : 'Not found';
      sayOnce('unrouted', `[Affitor] the tracking API at ${apiUrl} answered HTTP ${outcome.status} ${what} for /api/v1/track/${route}: is createAffitorHandler's apiUrl right? (the API's origin, without /api/v1)`);
      return jsonAnswer(502, { error: `Tracking API answered HTTP ${outcome.status} for ${route}: check the handler's apiUrl` }, answerHeaders);
    }

    // 204 and 205 answers cannot carry a body, even an empty one.
    const response = new Response([204, 205].includes(outcome.status) ? null : outcome.text, {
      status: outcome.status,
      headers: {
        'Content-Type': outcome.contentType ?? 'application/json; charset=utf-8',
        'Cache-Control': 'no-store',
        // Served from the merchant's origin: an HTML page the API or a CDN in front answered (an
        // error page reflecting input) must be neither sniffed nor run there.
        'X-Content-Type-Options': 'nosniff',
        'Content-Security-Policy': "default-src 'none'; sandbox",
        'X-Request-ID': outcome.requestId && SANE_REQUEST_ID.test(outcome.requestId) ? outcome.requestId : requestId,
      },
    });
    if (route == 'click') {
      const cookies = setCookiesFor(answer, body, fields, request, url);
      for (const cookie of cookies) response.headers.append('Set-Cookie', cookie);
      response.headers.set(COOKIES_HEADER, cookies.length ? 'set' : 'none');
    }
    return response;
  }

  /**
   * The cookies a click answer calls for: none unless it is a success (`answer`, its JSON object;
   * undefined for any other status) with a click id, and the SDK, from a page of this origin, allows them.
   */
  function setCookiesFor(
    answer: Record<string, unknown> | undefined,
    body: Record<string, unknown> | null,
    fields: HandlerFields,
    request: Request,
    url: URL,
  ): string[] {
    const hosts = requestHosts(request, url);
    if (!answer || cookiesRefused(fields)) return [];
    if (!isSameOrigin(request, hosts)) {
      const page = hostLostByProxy(request, hosts);
      // Said: else the SDK's fallback hides it, and only Safari's 7-day cap shows, weeks later.
      if (page) {
        sayOnce(
          'lost host',
          `[Affitor] a click from a page on ${page} reached the handler for ${hosts.join(', ')}: the proxy in front rewrote Host, so the handler cannot tell the page is yours and writes no cookie (the SDK writes them, which Safari keeps 7 days). Pass the Host on (nginx: proxy_set_header Host $host) or set X-Forwarded-Host.`,
        );
      }
      return [];
    }
    const affiliateUrl = body?.affiliate_url;
    if (answer.success === false || !isPlausibleId(answer.click_id) || typeof affiliateUrl != 'string' || !readAff(affiliateUrl)) {
      return [];
    }
    return clickCookies({
      clickId: answer.click_id,
      affiliateUrl,
      windowDays: answer.cookie_window_days,
      cookieHeader: request.headers.get('cookie'),
      domain: chooseCookieDomain(hosts, cookieDomain, fields.cookie_domain),
      twinDomains: [...new Set(hosts.flatMap(cookieDomainCandidates))],
      secure: isHttps(request, url),
    });
  }

  /**
   * A request outside `basePath` reached the handler: it is mounted somewhere else than `basePath`
   * says (a Hono or Express route on `/t/*` with `basePath` left at `/relay`, Express's
   * `app.use('/relay', …)`, which takes the mount path off the URL). Every call and script file
   * answered 404 with nothing in the server's log: said once, with the `basePath` the path calls for.
   */
  function sayOutside(pathname: string): void {
    const mount = /^(.*?)\/(?:api\/v1\/track\/(?:click|lead)\/?|affitor(?:\.[\w-]+)+\.js)$/.exec(pathname)?.[1];
    const fix =
      mount === ''
        ? `its mount path was taken off the URL (Express's app.use('${basePath}', …) does): mount it with app.all('${basePath}/*path')`
        : mount !== undefined && BASE_PATH.test(mount)
          ? `pass basePath: '${mount}', where it is mounted`
          : `mount it on ${basePath}/* only, or pass the path it is mounted on as basePath`;
    sayOnce('outside', `[Affitor] createAffitorHandler answered 404 to ${pathname.slice(0, 200)}, outside its basePath ${basePath}: ${fix}`);
  }

  async function serveScript(name: string, request: Request, requestId: string): Promise<Response> {
    try {
      const file = await readScript(name);
      if (file) return scriptResponse(file, request);
    } catch (error) {
      sayOnce('script', `[Affitor] cannot serve ${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return jsonAnswer(404, { error: 'Not found' }, { 'X-Request-ID': requestId });
  }

  return async (request, connection) => {
    // Mounted as Node's or Express's own handler (`createServer(affitor)`, `app.all(path, affitor)`), it
    // gets Node's request, whose headers are a plain object: read as a web Request, the first request
    // threw, which ended a Node server's process. Answered 500 on Node's response, and the fix said once.
    if (typeof (request as Partial<Request> | undefined)?.headers?.get != 'function') {
      sayOnce('node', `[Affitor] createAffitorHandler's handler takes a web Request, not Node's request: mount it through @hono/node-server (its serve, or getRequestListener inside Express), as the README shows`);
      const node = connection as { writeHead?: unknown; headersSent?: boolean; end?: (body: string) => void } | undefined;
      if (typeof node?.writeHead == 'function' && !node.headersSent) {
        (node.writeHead as (status: number, headers: object) => void)(500, { 'Content-Type': 'application/json; charset=utf-8' });
        node.end!(JSON.stringify({ error: 'Internal server error' }));
      }
      return jsonAnswer(500, { error: 'Internal server error' }, {});
    }
    const given = request.headers.get('x-request-id');
    const requestId = given && SANE_REQUEST_ID.test(given) ? given : createId();
    let isClick = false;
    try {
      const url = new URL(request.url);
      const path = url.pathname.startsWith(basePath + '/') ? url.pathname.slice(basePath.length + 1) : null;
      const route = path === null ? undefined : ROUTE.exec(path)?.[1];
      const method = request.method.toUpperCase();
      if (route) {
        isClick = route == 'click';
        if (method == 'POST') {
          const response = await relay(route, request, url, requestId, connection?.clientAddress);
          // Every click answer says whether the cookies were written, refusals and failures included.
          if (route == 'click' && !response.headers.has(COOKIES_HEADER)) response.headers.set(COOKIES_HEADER, 'none');
          allowSameSite(request, response);
          return response;
        }
        return jsonAnswer(405, { error: 'Method not allowed' }, { 'X-Request-ID': requestId, Allow: 'POST' });
      }
      if (path !== null && SCRIPT_FILE_NAME.test(path)) {
        if (method == 'GET' || method == 'HEAD') return await serveScript(path, request, requestId);
        return jsonAnswer(405, { error: 'Method not allowed' }, { 'X-Request-ID': requestId, Allow: 'GET, HEAD' });
      }
      // `basePath` itself (a route on `/relay/*` matches it too) is no sign of a wrong mount.
      if (path === null && url.pathname != basePath) sayOutside(url.pathname);
      return jsonAnswer(404, { error: 'Not found' }, { 'X-Request-ID': requestId });
    } catch (error) {
      // A request the runtime could not read (a broken body stream): answered, never thrown into the merchant's server.
      // A click's answer says whether the cookies were written even here, as every other click answer does.
      const headers = { 'X-Request-ID': requestId, ...(isClick && { [COOKIES_HEADER]: 'none' }) };
      // The visitor left mid-upload: nobody reads the answer, and it is no mistake of the merchant's
      // (said as one, it also used up the one warning below).
      if (visitorLeft(error)) return jsonAnswer(400, { error: 'Request body incomplete' }, headers);
      // Said once: a body parser mounted before the handler (a global express.json()) read every body
      // first, and each call answered 500 with nothing in the server's log.
      sayOnce('unreadable', `[Affitor] a request's body could not be read (${messageOf(error)}): mount the handler before any body parser (express.json(), express.text())`);
      return jsonAnswer(500, { error: 'Internal server error' }, headers);
    }
  };
}
