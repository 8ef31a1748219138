/**
 * Signs each attempt for a key with a signing secret: `X-Timestamp` (Unix seconds) and
 * `X-Signature`, the hex HMAC-SHA256 of `${timestamp}.${body}` over the exact bytes sent.
 * Web Crypto only (Node 19+, Bun, Deno, edge runtimes): no Node import in this entry.
 */
import { sleep } from './retry';

type Subtle = Pick<SubtleCrypto, 'importKey' | 'sign'>;

const encoder = new TextEncoder();

/** The runtime's Web Crypto, or `undefined` where it has none (Node 18 without the global). */
export function webCrypto(): Subtle | undefined {
  return (globalThis as { crypto?: { subtle?: Subtle } }).crypto?.subtle;
}

function hex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * How far ahead of the clock a repeat may be signed. The server takes a timestamp within ±300 s
 * of its own clock; a repeat signed further ahead waits for the clock instead.
 */
export const MAX_SECONDS_AHEAD = 60;

export class RequestSigner {
  readonly #key: Promise<CryptoKey>;
  readonly #subtle: Subtle;
  readonly #now: () => number;
  /** Bodies signed lately, with the seconds each was signed for (none before the clock's). */
  readonly #used = new Map<string, Set<number>>();

  constructor(secret: string, subtle: Subtle, now: () => number = Date.now) {
    this.#subtle = subtle;
    this.#now = now;
    this.#key = Promise.resolve(subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']));
    this.#key.catch(() => undefined); // surfaced by headers(), not as an unhandled rejection
  }

  /**
   * Fresh `X-Timestamp` and `X-Signature` headers for one attempt. The server accepts a signature
   * once, and the same body signed in the same second gives the same signature, so a retry (or an
   * identical call) that would repeat one is signed for the next second not used yet, a little ahead
   * of the clock. Waiting for the clock instead never ended where it stands still (a test suite's
   * fake `Date`): the retry hung. Only a repeat more than MAX_SECONDS_AHEAD ahead waits.
   * @returns `undefined` when `signal` aborts during that wait
   */
  async headers(body: string, signal?: AbortSignal): Promise<Record<string, string> | undefined> {
    for (;;) {
      const now = this.#now();
      const current = Math.floor(now / 1000);
      for (const [signed, seconds] of this.#used) {
        for (const at of seconds) if (at < current) seconds.delete(at);
        if (!seconds.size) this.#used.delete(signed);
      }
      // The first second from the clock's not used for this body: the clock's own after it moved
      // back (an NTP step, a test's fake Date set to an earlier day), not one after the last used.
      const used = this.#used.get(body) ?? new Set<number>();
      let second = current;
      while (used.has(second)) second++;
      if (second - current <= MAX_SECONDS_AHEAD) {
        // Taken before the signature is computed: an identical call meanwhile takes the next second.
        this.#used.set(body, used.add(second));
        const timestamp = String(second);
        const signature = hex(await this.#subtle.sign('HMAC', await this.#key, encoder.encode(`${timestamp}.${body}`)));
        return { 'X-Timestamp': timestamp, 'X-Signature': signature };
      }
      await sleep(1000 - (now % 1000), signal);
      if (signal?.aborted) return undefined;
    }
  }
}
