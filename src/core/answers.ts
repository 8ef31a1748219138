/** Reading the tracking API's answers, which may be anything: HTML error pages, empty bodies, wrong types. */
import { apiOriginOf, isHandlerPath, isLoopback, originOf } from './values';

export interface HttpOutcome {
  /** 0 when no HTTP answer arrived (network error, CORS refusal, timeout). */
  status: number;
  /** The parsed JSON object; undefined when the body was not a JSON object. */
  body?: Record<string, unknown> | undefined;
  /** Why no answer arrived. */
  failure?: string;
  /** The server's `X-Request-ID`. */
  requestId?: string | null;
  /** The first-party handler answered `X-Affitor-Cookies: set`: it wrote the attribution cookies with `Set-Cookie`. */
  setByServer?: boolean;
}

/**
 * Whether an outcome may succeed if sent again: no answer (0), rate limited, a server error, or a
 * 408 (the server or a proxy in front gave up waiting for the request to arrive whole: nothing was
 * handled, and RFC 9110 lets the client repeat it). Taken as a refusal, a 408 lost the event for
 * good: a click from a phone on a slow upload behind a proxy, a sale a webhook then acknowledged.
 * The browser SDK and the server client both follow it.
 */
export const isRetryable = (status: number): boolean => !status || status == 408 || status == 429 || status > 499;

/** The `failure` of a request the browser SDK gave up waiting for (transport.ts). */
export const TIMED_OUT = 'timed out';

/** What the `failure` of a request the page's Content-Security-Policy blocked starts with (csp.ts): the fix is said with it. */
export const CSP_BLOCKED = "blocked by the page's Content-Security-Policy";

/** The `failure` of a request to `apiOrigin` the page's Content-Security-Policy blocked. */
export const cspBlocked = (apiOrigin: string): string => `${CSP_BLOCKED}: add ${apiOrigin} to its connect-src`;

/**
 * Whether browsers block an https page's calls to `apiBase` as mixed content: an http URL not on
 * this machine (which they trust). It fails at once with no answer, as a CORS refusal does: the
 * console blamed CORS, and an origin the program allows never helped.
 */
const isMixedContent = (origin: string, apiBase?: string | null): boolean => {
  const api = /^https:/.test(origin) ? originOf(apiBase ?? '', origin) : undefined;
  return !!api?.startsWith('http:') && !isLoopback(new URL(api).hostname);
};

/**
 * What to check when no answer arrived (`failure`), to follow it. A refusal by CORS comes at once,
 * as do being offline and an API host that does not exist or is not listening, which the page
 * cannot tell apart: it asks whether the page's `origin` is allowed, else whether the API answers;
 * not for an `apiBase` that is the first-party handler's path, which is on the page's origin: no CORS there. A request that timed out met an API that is down or slow, or an `apiBase` nothing answers at.
 * One the page's Content-Security-Policy blocked says what to change in it already (cspBlocked).
 */
export const noAnswerHint = (failure: string | undefined, origin: string, apiBase?: string | null): string =>
  failure?.startsWith(CSP_BLOCKED)
    ? ''
    : isMixedContent(origin, apiBase)
      ? `: ${apiBase} is blocked on an https page (mixed content): use https://`
      : failure == TIMED_OUT
        ? ': the tracking API is down or slow, or apiBase points nowhere'
        : isHandlerPath(apiBase)
          ? `: is the page offline, or did an extension block ${apiBase}? (same origin: not CORS)`
          : // A page of no web origin (Chromium's file:// is `file://`, Firefox's and a sandboxed
            // frame's `null`) is no origin a program can allow: asking for it sent the merchant to
            // the program's settings, where it cannot be entered.
            !/^http/.test(origin)
            ? `: a page at ${origin} (file://, a sandboxed frame) is no origin a program can allow: serve it over http(s)`
            : // An apiBase without its scheme and with a port (`localhost:8787`) is a URL of the scheme
              // `localhost:`, which fetch refuses at once: its origin is "null", which was named as the API's.
              apiOriginOf(apiBase ?? undefined, origin) == 'null'
              ? `: apiBase ${apiBase} needs its https:// (or http://)`
              : // A host that does not exist, or does not take the connection (a typo, a dev API not
                // started), fails at once too, as CORS does: the API's origin is named beside it.
                `: is ${origin} in the program's allowed origins (CORS)? Else does ${apiOriginOf(apiBase ?? undefined, origin) ?? apiBase} answer (a typo in apiBase, the API down, a content blocker in this browser)?`;

/**
 * What to check after an HTTP answer to follow its message. The API answers 404 and 405 only to
 * a path it has no route for, and never a 2xx that is not JSON (a web page: an `apiBase` with no
 * scheme, resolved against the shop's own host, which serves its index.html for every path): the
 * `apiBase` given is wrong (a typo, the API's path in it twice, a first-party handler not mounted
 * there), not the event.
 */
export const unroutedHint = ({ status, body }: HttpOutcome, apiBase?: string): string =>
  apiBase && (status == 404 || status == 405 || (status > 199 && status < 300 && !body)) ? `: is apiBase ${apiBase} right?` : '';

/**
 * The body of a successful answer (2xx, a JSON object, `success` not false), or a
 * one-line description of what went wrong, quoting the server's `error` or `message`; for no
 * answer, what to check (noAnswerHint, with the `apiBase` it went to).
 */
export function readAnswer(outcome: HttpOutcome, origin: string, apiBase?: string): Record<string, unknown> | string {
  const { status, body, failure } = outcome;
  if (!status) return `no answer (${failure})` + noAnswerHint(failure, origin, apiBase);
  // (A 404 or 405, or a 2xx, that is no JSON: an apiBase with no route, said by unroutedHint.)
  if (!body && (status < 400 || status == 404 || status == 405)) return `HTTP ${status}, answer is not JSON`;
  // The API says why in `error` (or a refusal's `message`). Any other refusal or failure is not its
  // own: a firewall's, bot protection's or CDN's page, or JSON without either as text (`{"errors": […]}`,
  // which read "undefined" or "[object Object]"). Said as such: read as the API's refusal, a WAF's
  // 403 page sent the merchant to the program's settings.
  const said = [body?.error, body?.message].find((text) => typeof text == 'string');
  return isSuccess(outcome) ? body! : said ? `HTTP ${status}: ${said}` : `HTTP ${status}, answer is not the API's JSON`;
}

/** A 2xx answer whose body is a JSON object with `success` not false. */
export const isSuccess = ({ status, body }: HttpOutcome): boolean => status > 199 && status < 300 && !!body && body.success !== false;
