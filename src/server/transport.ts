/**
 * One HTTP attempt: POST a JSON body (or GET), bounded by a timeout and the caller's signal, and
 * report what happened without throwing. Deciding what it means is the client's job.
 */
import { onAbort } from './abort';
import { readAnswerText } from './answer-text';
import { kindOf } from './errors';
import type { CustomFetch, ResponseLike } from './types';

export type Outcome =
  | {
      kind: 'response';
      status: number;
      /** The server's `X-Request-ID`, if it sent one. */
      requestId: string | null;
      retryAfter: string | null;
      /** Where a 3xx answer points, resolved against the request URL; null when it names nowhere. */
      location: string | null;
      /** The parsed JSON body; `undefined` when the body was empty or not JSON. */
      body: unknown;
      /** The body begins as a JSON object (`{`) but does not parse: cut off on its way, after the server answered. */
      brokenJson: boolean;
      /** `Idempotent-Replayed: true`: the answer kept under the call's idempotency key, which a retry gets again. */
      replayed: boolean;
    }
  | { kind: 'network'; message: string }
  /** An answer over MAX_ANSWER_BYTES (answer-text.ts): not read on. */
  | { kind: 'too_large'; status: number }
  /** The fetch resolved to something that is not a Response (a test double's plain object, undefined). */
  | { kind: 'not_a_response'; got: string }
  | { kind: 'timeout' }
  /** Aborted by the caller's signal; `sent`: after the request went out (the server may have handled it). */
  | { kind: 'aborted'; sent?: true };

export interface AttemptRequest {
  fetch: CustomFetch;
  url: string;
  /** @default 'POST' */
  method?: 'GET' | 'POST';
  headers: Record<string, string>;
  /** The JSON body of a POST; a GET sends none. */
  body: string;
  timeoutMs: number;
  signal: AbortSignal | undefined;
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

function resolveLocation(location: string | null, base: string): string | null {
  try {
    return location ? new URL(location, base).href : null;
  } catch {
    return location;
  }
}

/** Duck-typed, so a Response from another realm or a fetch polyfill is fine: what the client reads of one. */
function isResponse(value: unknown): value is ResponseLike {
  const response = value as Partial<ResponseLike> | null | undefined;
  return typeof response?.status === 'number' && typeof response.text === 'function' && typeof response.headers?.get === 'function';
}

/**
 * The reason undici hides one level down ("fetch failed"): ECONNREFUSED, ENOTFOUND... When every
 * address of a host failed (localhost as ::1 and 127.0.0.1), it is an AggregateError with no
 * message of its own: its errors say what happened, else its code.
 */
function causeOf(cause: unknown): string {
  if (!(cause instanceof Error)) return '';
  if (cause.message) return cause.message;
  const errors: unknown = (cause as { errors?: unknown }).errors;
  const each = Array.isArray(errors) ? errors.map((item) => (item instanceof Error ? item.message : '')).filter(Boolean) : [];
  const code: unknown = (cause as { code?: unknown }).code;
  return each.length > 0 ? each.join('; ') : typeof code === 'string' ? code : '';
}

/** What went wrong, from whatever a fetch rejected with: its message and the cause undici hides. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const detail = causeOf(error.cause);
    return `${error.message || error.name}${detail ? `: ${detail}` : ''}`;
  }
  // A custom fetch may reject with anything. String() gave "[object Object]" for an object, and
  // threw (rejecting the call, which never should) for one with no prototype.
  if (typeof error === 'string' && error !== '') return error;
  const message: unknown = typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : undefined;
  return typeof message === 'string' && message !== '' ? message : `fetch rejected with ${kindOf(error)}, not an Error`;
}

export async function attempt(request: AttemptRequest): Promise<Outcome> {
  const controller = new AbortController();
  let timedOut = false;
  const onCallerAbort = () => controller.abort();
  const stopListening = request.signal ? onAbort(request.signal, onCallerAbort) : undefined;
  const timer = Number.isFinite(request.timeoutMs)
    ? setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, request.timeoutMs)
    : undefined;
  // Raced with the abort so that a fetch which ignores its signal still cannot hang the call.
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
  });
  aborted.catch(() => undefined);

  try {
    if (request.signal?.aborted) return { kind: 'aborted' };
    const exchange = async (): Promise<Outcome> => {
      const method = request.method ?? 'POST';
      // Called as a plain function, not as `request.fetch(...)`: the fetch of Cloudflare Workers
      // (and of browsers) throws "Illegal invocation" when its `this` is another object.
      const { fetch } = request;
      const response = await fetch(request.url, {
        method,
        headers: request.headers,
        ...(method === 'POST' ? { body: request.body } : {}),
        signal: controller.signal,
        // Followed, a redirect to another origin loses Authorization and a 301/302 turns the POST
        // into a GET: the API's 401 or 405 would then blame the key. The client reports it instead.
        redirect: 'manual',
      });
      // Else reading it threw a TypeError that read as a network failure, retried to no avail.
      if (!isResponse(response)) return { kind: 'not_a_response', got: kindOf(response) };
      const text = await readAnswerText(response);
      if (text === null) return { kind: 'too_large', status: response.status };
      const body = parseJson(text);
      return {
        kind: 'response',
        status: response.status,
        requestId: response.headers.get('x-request-id'),
        retryAfter: response.headers.get('retry-after'),
        location: resolveLocation(response.headers.get('location'), request.url),
        body,
        brokenJson: body === undefined && text.trimStart().startsWith('{'),
        replayed: response.headers.get('idempotent-replayed') === 'true',
      };
    };
    const work = exchange();
    work.catch(() => undefined); // when the abort wins the race, a late rejection is not unhandled
    return await Promise.race([work, aborted]);
  } catch (error) {
    if (timedOut) return { kind: 'timeout' };
    if (request.signal?.aborted) return { kind: 'aborted', sent: true };
    return { kind: 'network', message: messageOf(error) };
  } finally {
    clearTimeout(timer);
    stopListening?.();
  }
}
