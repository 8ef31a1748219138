/**
 * Fixed-window rate limiter: one counter per key for the current minute and one
 * for the current hour. A refused call is not counted.
 */
import { rateLimitMessage } from './errors';
import type { RateLimits } from './seed';

interface Windows {
  minute: number;
  minuteCount: number;
  hour: number;
  hourCount: number;
}

export class RateLimiter {
  private readonly windows = new Map<string, Windows>();

  /** Counts one call for `key`; answers the 429 message when a limit is already reached. */
  hit(key: string, limits: RateLimits, now: number): string | null {
    const minute = Math.floor(now / 60_000);
    const hour = Math.floor(now / 3_600_000);
    let w = this.windows.get(key);
    if (!w) {
      w = { minute, minuteCount: 0, hour, hourCount: 0 };
      this.windows.set(key, w);
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
}
