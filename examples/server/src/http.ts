/**
 * HTTP plumbing shared by every route: request ids, the capped body reader,
 * replies and CORS headers.
 */
import { MAX_BODY_BYTES, readBodyBytes } from '../../../src/server/handler/request';
import { markVersion4 } from '../../../src/server/request-id';
import type { Answer } from './errors';

/**
 * An answer as plain data: what the node entry writes straight to the socket, and what
 * `toResponse` turns into a web `Response` for in-process callers. Headers are complete
 * when the reply is made, never added afterwards.
 */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string | null;
  /** A test switch asked for no answer at all: the connection is to be dropped. */
  drop?: true;
  /** The route's answer the body was made from, when it was one (the request log reads its error). */
  answer?: Answer;
}

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Random bytes for request ids, drawn 256 ids at a time. */
const entropy = new Uint8Array(16 * 256);
let entropyUsed = entropy.length;
/** The id being written, as ASCII: decoded, it is one flat 36-character string. */
const idBytes = new Uint8Array(36);
const HEX_DIGITS = Uint8Array.from('0123456789abcdef', (digit) => digit.charCodeAt(0));
const DASH = 0x2d;
const asciiDecoder = new TextDecoder();

/**
 * A random UUID (version 4). `randomUUID()` builds its string from many small pieces (about
 * 475 B of heap for 36 characters), and an id is stored with every record; copying it into one
 * flat string went through a fresh byte array per call. Written into one buffer and decoded
 * once, it is the same 52 B string, in about a fifth of the time, which counts on every call.
 */
function randomRequestId(): string {
  if (entropyUsed === entropy.length) {
    globalThis.crypto.getRandomValues(entropy);
    entropyUsed = 0;
  }
  const first = entropyUsed;
  markVersion4(entropy, first);
  let at = 0;
  for (let i = 0; i < 16; i++) {
    const byte = entropy[first + i]!;
    if (i === 4 || i === 6 || i === 8 || i === 10) idBytes[at++] = DASH;
    idBytes[at++] = HEX_DIGITS[byte >> 4]!;
    idBytes[at++] = HEX_DIGITS[byte & 0x0f]!;
  }
  entropyUsed += 16;
  return asciiDecoder.decode(idBytes);
}

/** The caller's X-Request-ID (`given`, the header's value) when it is sane, otherwise a fresh one. */
export function requestIdFor(given: string | null | undefined): string {
  if (typeof given === 'string' && SANE_REQUEST_ID.test(given)) return given;
  return randomRequestId();
}

/**
 * `bytes` are the body exactly as received (what a signature covers); `text` is them decoded,
 * empty when they are not UTF-8.
 */
export type BodyRead = { tooLarge: true } | { tooLarge: false; text: string; bytes: Uint8Array };

/**
 * JSON between systems is UTF-8 (RFC 8259). Bytes that are not (a Latin-1 `é` from an older
 * system) are read as no text, which JSON's 400 answers: decoded leniently, each became U+FFFD,
 * and two transaction ids differing in one such byte were one, the second sale refused as a duplicate.
 */
const utf8 = new TextDecoder('utf-8', { fatal: true });
const decodeUtf8 = (bytes: Uint8Array): string => {
  try {
    return utf8.decode(bytes);
  } catch {
    return '';
  }
};

/** Reads the body, stopping as soon as it passes `limit` bytes (the first-party handler's reader: one rule for both). */
export async function readBodyCapped(request: Request, limit = MAX_BODY_BYTES): Promise<BodyRead> {
  const bytes = await readBodyBytes(request, limit);
  return bytes ? { tooLarge: false, text: decodeUtf8(bytes), bytes } : { tooLarge: true };
}

/** A JSON object: not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * How deep a body's JSON may nest. Far deeper than any payload of the API (the SDK's nest three
 * levels, a merchant's `line_items` a few more), and far below the ~1,500 levels at which copying
 * a stored value (`structuredClone` for /_inspect) or answering it (`JSON.stringify`) runs out of
 * stack: a click carrying a deeper `additional_data` was taken and broke /_inspect for good.
 */
export const MAX_JSON_DEPTH = 128;

/** Whether `value` nests objects and arrays more than `limit` deep; walked with a stack of its own, not recursion. */
function nestsDeeperThan(value: unknown, limit: number): boolean {
  const values: unknown[] = [value];
  const depths: number[] = [1];
  while (values.length) {
    const next = values.pop();
    const depth = depths.pop()!;
    if (typeof next !== 'object' || next === null) continue;
    if (depth > limit) return true;
    for (const inner of Array.isArray(next) ? next : Object.values(next)) {
      if (typeof inner === 'object' && inner !== null) {
        values.push(inner);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

/** Parses a JSON object body; anything else (including arrays, null, and JSON nested deeper than MAX_JSON_DEPTH) is `undefined`. */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (!isRecord(value)) return undefined;
    // Each level takes two characters, its brackets: a shorter text (a click, a sale) cannot nest that deep, and is not walked.
    return text.length < 2 * (MAX_JSON_DEPTH + 1) || !nestsDeeperThan(value, MAX_JSON_DEPTH) ? value : undefined;
  } catch {
    return undefined;
  }
}

export const JSON_TYPE = 'application/json; charset=utf-8';

/** A JSON reply; `headers` are added to its Content-Type. */
export function jsonReply(answer: Answer, headers: Record<string, string> = {}): Reply {
  return { status: answer.status, headers: { 'Content-Type': JSON_TYPE, ...headers }, body: JSON.stringify(answer.body), answer };
}

/** The reply as a web `Response`. */
export function toResponse(reply: Reply): Response {
  return new Response(reply.body, { status: reply.status, headers: reply.headers });
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
export function preflightReply(origin: string | null, allowed: ReadonlySet<string>): Reply {
  const headers = corsHeaders(origin, allowed);
  if (headers['Access-Control-Allow-Origin'] !== undefined) {
    headers['Access-Control-Allow-Methods'] = CORS_ALLOW_METHODS;
    headers['Access-Control-Allow-Headers'] = CORS_ALLOW_HEADERS;
    headers['Access-Control-Max-Age'] = '600';
  }
  return { status: 204, headers, body: null };
}

/**
 * Why a browser withholds this answer from the page that sent the call, else null (the request
 * log shows it): `Origin` was sent and no `Access-Control-Allow-Origin` answered, or a preflight
 * asked for a header the answer does not allow (the browser then never sends the call). The
 * page's SDK reports a network error while the status alone would read as a plain 200 or 204.
 * `origin` is the request's `Origin` header, as the caller already read it.
 */
export function corsRefusal(request: Request, origin: string | null, answerHeaders: Record<string, string>, allowed: ReadonlySet<string>): string | null {
  if (origin === null) return null;
  if (answerHeaders['Access-Control-Allow-Origin'] === undefined) {
    return allowed.has(origin)
      ? 'Answered without CORS headers (a server route, or a call with an API key): a page cannot read it; send it from your backend'
      : "No CORS headers: this origin is in no program's allowed_origins, so the browser kept the answer from the page";
  }
  const allowHeaders = answerHeaders['Access-Control-Allow-Headers'];
  if (request.method !== 'OPTIONS' || allowHeaders === undefined) return null;
  const allowedNames = new Set(allowHeaders.toLowerCase().split(',').map((name) => name.trim()));
  const asked = (request.headers.get('access-control-request-headers') ?? '').toLowerCase().split(',').map((name) => name.trim());
  const refused = asked.filter((name) => name !== '' && !allowedNames.has(name));
  return refused.length === 0 ? null : `Preflight refused: header ${refused.join(', ')} is not allowed (${allowHeaders}), so the browser sent no call`;
}
