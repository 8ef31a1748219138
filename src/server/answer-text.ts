/** Reading the text of an answer from the tracking API, within a bound on its size. */

/**
 * The API answers a few hundred bytes of JSON. An answer past this (an apiUrl pointing at the wrong
 * server, a CDN's page, a compressed body that inflates) is not read on: buffered whole, within the
 * timeout, it could take the merchant's server's memory. Counted as decoded, so Content-Length, the
 * compressed size, is not trusted.
 */
export const MAX_ANSWER_BYTES = 256 * 1024;

/** The answer's text, or null once it passes `MAX_ANSWER_BYTES` (the rest is cancelled, not read). */
export async function readAnswerText(response: Response): Promise<string | null> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    size += value.byteLength;
    if (size > MAX_ANSWER_BYTES) {
      void reader.cancel().catch(() => undefined);
      return null;
    }
    text += decoder.decode(value, { stream: true });
  }
}
