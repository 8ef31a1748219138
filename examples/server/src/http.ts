/**
 * HTTP plumbing shared by every route: request ids, the capped body reader,
 * JSON answers and CORS headers.
 */
import type { Answer } from './errors';

export const MAX_BODY_BYTES = 64 * 1024;

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's X-Request-ID when it is sane, otherwise a fresh one. */
export function requestIdFor(request: Request): string {
  const given = request.headers.get('x-request-id');
  if (given !== null && SANE_REQUEST_ID.test(given)) return given;
  return globalThis.crypto.randomUUID();
}

/** `bytes` are the body exactly as received (what a signature covers); `text` is them decoded. */
export type BodyRead = { tooLarge: true } | { tooLarge: false; text: string; bytes: Uint8Array };

/** Reads the body as text, stopping as soon as it passes `limit` bytes. */
export async function readBodyCapped(request: Request, limit = MAX_BODY_BYTES): Promise<BodyRead> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) return { tooLarge: true };
  if (request.body === null) return { tooLarge: false, text: '', bytes: new Uint8Array(0) };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return { tooLarge: true };
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { tooLarge: false, text: new TextDecoder().decode(bytes), bytes };
}

/** A JSON object: not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses a JSON object body; anything else (including arrays and null) is `undefined`. */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function jsonResponse(answer: Answer, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(answer.body), {
    status: answer.status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
  });
}

export const CORS_ALLOW_HEADERS = 'Content-Type, Authorization, X-Request-ID';
export const CORS_ALLOW_METHODS = 'POST, OPTIONS';

/** Headers for an answer to `origin`: CORS ones only when the origin is allowed. */
export function corsHeaders(origin: string | null, allowed: ReadonlySet<string>): Record<string, string> {
  if (origin === null || !allowed.has(origin)) return { Vary: 'Origin' };
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Expose-Headers': 'X-Request-ID',
    Vary: 'Origin',
  };
}

/** The answer to a CORS preflight on a browser route. */
export function preflightResponse(origin: string | null, allowed: ReadonlySet<string>): Response {
  const headers = corsHeaders(origin, allowed);
  if (headers['Access-Control-Allow-Origin'] !== undefined) {
    headers['Access-Control-Allow-Methods'] = CORS_ALLOW_METHODS;
    headers['Access-Control-Allow-Headers'] = CORS_ALLOW_HEADERS;
    headers['Access-Control-Max-Age'] = '600';
  }
  return new Response(null, { status: 204, headers });
}
