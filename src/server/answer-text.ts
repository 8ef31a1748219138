/** Reading the text of an answer from the tracking API, within a bound on its size. */
import type { ResponseLike } from './types';

/**
 * The API answers a few hundred bytes of JSON. An answer past this (an apiUrl pointing at the wrong
 * server, a CDN's page, a compressed body that inflates) is not read on: buffered whole, within the
 * timeout, it could take the merchant's server's memory. Counted as decoded, so Content-Length, the
 * compressed size, is not trusted.
 */
export const MAX_ANSWER_BYTES = 256 * 1024;

/** A body as `fetch` implementations give it: a web stream, or node-fetch's and cross-fetch's Node stream. */
type AnswerBody = Partial<ReadableStream<Uint8Array>> & Partial<AsyncIterable<Uint8Array | string>>;

/** A source of chunks, and how to stop it early. */
interface Chunks {
  next(): Promise<{ done?: boolean; value?: Uint8Array | string }>;
  stop(): void;
}

/**
 * The answer's text, or null once it passes `MAX_ANSWER_BYTES` (the rest is cancelled, not read).
 * Read from a web stream (`fetch`, undici), a Node stream (node-fetch, cross-fetch: a merchant's
 * `fetch` option, or an older app's `global.fetch`), else with `text()` (a Response-like object of
 * a hand-written adapter). Read as a web stream only, every call through node-fetch failed as a
 * network error after the API had recorded it, and was sent again.
 */
export async function readAnswerText(response: ResponseLike): Promise<string | null> {
  const body = response.body as AnswerBody | null;
  if (typeof body?.getReader == 'function') {
    const reader = body.getReader();
    return readChunks({ next: () => reader.read(), stop: () => void reader.cancel().catch(() => undefined) });
  }
  const iterate = body?.[Symbol.asyncIterator];
  if (typeof iterate == 'function') {
    const iterator = iterate.call(body);
    // A Node stream's iterator destroys the stream when returned early.
    return readChunks({ next: () => iterator.next(), stop: () => void iterator.return?.()?.catch(() => undefined) });
  }
  const text = typeof response.text == 'function' ? await response.text() : '';
  return new TextEncoder().encode(text).byteLength > MAX_ANSWER_BYTES ? null : text;
}

async function readChunks(chunks: Chunks): Promise<string | null> {
  const decoder = new TextDecoder();
  let size = 0;
  let text = '';
  for (;;) {
    const { done, value } = await chunks.next();
    if (done || value === undefined) return text + decoder.decode();
    const bytes = typeof value == 'string' ? new TextEncoder().encode(value) : value;
    size += bytes.byteLength;
    if (size > MAX_ANSWER_BYTES) {
      chunks.stop();
      return null;
    }
    text += decoder.decode(bytes, { stream: true });
  }
}
