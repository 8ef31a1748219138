/**
 * Fixed-window rate limiter: one counter per key for the current minute and one
 * for the current hour. A refused call is not counted.
 *
 * Bearer calls are counted per API token (each of a program's keys has the program's limits
 * to itself), browser calls per client address.
 *
 * Tokens and client addresses are counted apart, so a client's own address string is the key
 * (no `client:` + address string made and kept per visitor). The windows are the clock's (every
 * key's minute is the same minute), so each window holds one map of counts, dropped whole when
 * the next window starts: every visitor (and every `X-Forwarded-For` a caller makes up) holds
 * two map entries at most, for an hour at most, and no object of its own, which the garbage
 * collector would copy for each new visitor.
 */
import { rateLimitMessage } from './errors';
import type { RateLimits } from './types';

/** The calls counted in the current window of one length, by key. */
class WindowCounts<K> {
  private window = NaN;
  private counts = new Map<K, number>();

  constructor(private readonly lengthMs: number) {}

  /** How many keys have a count in the current window. */
  get size(): number {
    return this.counts.size;
  }

  /** The calls of `key` counted in the window `now` falls in; a window starts with none. */
  countAt(key: K, now: number): number {
    const window = Math.floor(now / this.lengthMs);
    if (window !== this.window) {
      this.window = window;
      this.counts = new Map();
    }
    return this.counts.get(key) ?? 0;
  }

  /** Sets the count of `key` in the window the last `countAt` was in. */
  set(key: K, count: number): void {
    this.counts.set(key, count);
  }
}

/** Minute and hour counts of one kind of key. */
class Limiter<K> {
  private readonly minutes = new WindowCounts<K>(60_000);
  readonly hours = new WindowCounts<K>(3_600_000);

  hit(key: K, limits: RateLimits, now: number): string | null {
    const inMinute = this.minutes.countAt(key, now);
    const inHour = this.hours.countAt(key, now);
    if (inMinute >= limits.per_minute) return rateLimitMessage(limits.per_minute, 'min');
    if (inHour >= limits.per_hour) return rateLimitMessage(limits.per_hour, 'hour');
    this.minutes.set(key, inMinute + 1);
    this.hours.set(key, inHour + 1);
    return null;
  }
}

export class RateLimiter {
  private readonly tokens = new Limiter<string>();
  private readonly clients = new Limiter<string>();

  /** How many client addresses hold a counter (those counted this hour). */
  get clientCount(): number {
    return this.clients.hours.size;
  }

  /** Counts one call with an API token, under its program's limits; answers the 429 message when a limit is already reached. */
  hitToken(token: string, limits: RateLimits, now: number): string | null {
    return this.tokens.hit(token, limits, now);
  }

  /** Counts one browser call from a client address; answers the 429 message when a limit is already reached. */
  hitClient(address: string, limits: RateLimits, now: number): string | null {
    return this.clients.hit(address, limits, now);
  }
}
