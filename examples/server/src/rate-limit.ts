/**
 * Fixed-window rate limiter: one counter per key for the current minute and one
 * for the current hour. A refused call is not counted.
 *
 * Bearer calls are counted per API token (each of a program's keys has the program's limits
 * to itself), browser calls per client address.
 *
 * Tokens and client addresses are counted in separate maps, so a client's own address
 * string is the key (no `client:` + address string made and kept per visitor). An address's
 * counter goes once its hour is over: every visitor (and every `X-Forwarded-For` a caller makes
 * up) would otherwise hold one for the server's life.
 */
import { rateLimitMessage } from './errors';
import type { RateLimits } from './types';

interface Windows {
  minute: number;
  minuteCount: number;
  hour: number;
  hourCount: number;
}

export class RateLimiter {
  /** By token: the seed's, so as many as it has keys. */
  private readonly tokens = new Map<string, Windows>();
  private readonly clients = new Map<string, Windows>();
  private nextSweepAt = 0;

  /** How many client addresses hold a counter. */
  get clientCount(): number {
    return this.clients.size;
  }

  /** Counts one call with an API token, under its program's limits; answers the 429 message when a limit is already reached. */
  hitToken(token: string, limits: RateLimits, now: number): string | null {
    return hit(this.tokens, token, limits, now);
  }

  /** Counts one browser call from a client address; answers the 429 message when a limit is already reached. */
  hitClient(address: string, limits: RateLimits, now: number): string | null {
    this.sweep(now);
    return hit(this.clients, address, limits, now);
  }

  /** Drops the counters of addresses not counted this hour (their minute is over too), at most once a minute. */
  private sweep(now: number): void {
    if (now < this.nextSweepAt) return;
    this.nextSweepAt = now + 60_000;
    const hour = Math.floor(now / 3_600_000);
    for (const [address, w] of this.clients) if (w.hour !== hour) this.clients.delete(address);
  }
}

function hit<K>(windows: Map<K, Windows>, key: K, limits: RateLimits, now: number): string | null {
  const minute = Math.floor(now / 60_000);
  const hour = Math.floor(now / 3_600_000);
  let w = windows.get(key);
  if (!w) {
    w = { minute, minuteCount: 0, hour, hourCount: 0 };
    windows.set(key, w);
  }
  if (w.minute !== minute) {
    w.minute = minute;
    w.minuteCount = 0;
  }
  if (w.hour !== hour) {
    w.hour = hour;
    w.hourCount = 0;
  }
  if (w.minuteCount >= limits.per_minute) return rateLimitMessage(limits.per_minute, 'min');
  if (w.hourCount >= limits.per_hour) return rateLimitMessage(limits.per_hour, 'hour');
  w.minuteCount++;
  w.hourCount++;
  return null;
}
