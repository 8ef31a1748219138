/**
 * Forwarding one browser call to the tracking API: only the body and a few named headers
 * leave (never the visitor's cookies or `Authorization`), bounded by a timeout.
 */
import { readAnswerText } from '../answer-text';
import { messageOf } from '../transport';
import type { CustomFetch } from '../types';

/**
 * Fields the browser SDK adds for the handler, taken out before the body is forwarded: the
 * API has no use for them.
 */
export interface HandlerFields {
  /** The `Domain` the SDK's probe found (or its `cookieDomain` option). */
  cookie_domain?: unknown;
  /** `'granted'`, `'pending'` or `'revoked'`: the handler sets cookies only on `'granted'`. */
  consent?: unknown;
  /** A click a newer landing superseded: recorded, but it must not replace the attribution. */
  stale?: unknown;
}

const HANDLER_FIELDS = ['cookie_domain', 'consent', 'stale'] as const;

/**
 * The body to forward and the handler's own fields. A body that is not a JSON object is
 * forwarded as it came, so the API answers it as it answers any bad body.
 */
export function splitBody(text: string): { forward: string; fields: HandlerFields; body: Record<string, unknown> | null } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { forward: text, fields: {}, body: null };
  }
  if (!parsed || typeof parsed != 'object' || Array.isArray(parsed)) return { forward: text, fields: {}, body: null };
  const body = { ...(parsed as Record<string, unknown>) };
  const fields: HandlerFields = {};
  for (const name of HANDLER_FIELDS) {
    if (name in body) {
      fields[name] = body[name];
      delete body[name];
    }
  }
  try {
    return { forward: JSON.stringify(body), fields, body };
  } catch {
    // Valid JSON that JSON.parse takes but JSON.stringify cannot give back (nested thousands deep: a
    // RangeError from the stack): forwarded as it came too, rather than the handler answering a 500
    // the SDK would take as retryable and send again and again.
    return { forward: text, fields: {}, body: null };
  }
}

export type ApiOutcome =
  | { kind: 'answer'; status: number; contentType: string | null; requestId: string | null; location: string | null; text: string }
  | { kind: 'timeout' }
  /** `why`: the cause, for the server's log (the browser is told only that the API is unreachable). */
  | { kind: 'unreachable'; why: string }
  | { kind: 'too_large' };

export interface ForwardRequest {
  fetch: CustomFetch;
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

/** POSTs to the API and reads its whole answer within `timeoutMs`; never throws. */
export async function forwardToApi({ fetch, url, body, headers, timeoutMs }: ForwardRequest): Promise<ApiOutcome> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Raced as well as signalled: a fetch that ignores its signal still cannot hold the visitor's request.
  const deadline = new Promise<ApiOutcome>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve({ kind: 'timeout' });
    }, timeoutMs);
  });
  const exchange = (async (): Promise<ApiOutcome> => {
    try {
      const response = await fetch(url, { method: 'POST', headers, body, signal: controller.signal, redirect: 'manual' });
      const text = await readAnswerText(response);
      if (text === null) return { kind: 'too_large' };
      return {
        kind: 'answer',
        status: response.status,
        contentType: response.headers.get('content-type'),
        requestId: response.headers.get('x-request-id'),
        location: response.headers.get('location'),
        text,
      };
    } catch (error) {
      return controller.signal.aborted ? { kind: 'timeout' } : { kind: 'unreachable', why: messageOf(error) };
    }
  })();
  try {
    return await Promise.race([exchange, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
