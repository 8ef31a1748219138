/**
 * Idempotency keys for sale and refund. The first call with a key is handled and its
 * answer kept for 7 days; a repeat with the same route and the same body bytes gets
 * that answer again, and nothing is recorded twice. A repeat with another body, or one
 * that arrives while the first is still being handled, is refused with 409.
 *
 * A key is claimed as soon as the caller's key is known from the headers, before the
 * body is read, so a call whose body is still arriving already holds it.
 */
import { createHash } from 'node:crypto';
import { MESSAGES, fail } from './errors';
import type { Answer } from './errors';

/**
 * Longer than a webhook is redelivered: Stripe retries an event for up to three days, and a
 * webhook passes its event id as the key, so a partial refund applied while the webhook still
 * answered 5xx must be answered, not applied again, by a redelivery on day two or three.
 */
export const IDEMPOTENCY_TTL_MS = 7 * 24 * 60 * 60 * 1000;
export const REPLAY_HEADER = 'Idempotent-Replayed';

/** 1-255 visible ASCII characters (what fits in a header unchanged). */
const WELL_FORMED = /^[\x21-\x7e]{1,255}$/;

type Entry =
  | { state: 'handling'; expiresAt: number }
  | { state: 'done'; fingerprint: string; answer: Answer; test: boolean; expiresAt: number };

/** What a claimed key says once the body is known. */
export type Settled =
  /** Handle the call, then `finish` the claim with its answer. */
  | { kind: 'handle' }
  /** Answer this without handling the call (a replay, a conflict, a bad key); `test`: it answers a test event. */
  | { kind: 'answer'; answer: Answer; replayed: boolean; test: boolean };

export interface Claim {
  /** Compares this call with what the key already holds. */
  settle(route: string, body: Uint8Array): Settled;
  /**
   * Keeps `answer`, the one the route decided, as the key's answer, a 5xx too: the route's own 5xx
   * comes after it recorded (a sale whose commission failed). Freed instead, a retry whose first
   * answer was lost got `409 Duplicate transaction_id`, which a client takes for "already recorded",
   * and the commission's failure went unseen. A call that failed before it recorded anything is
   * `release`d: its retry is handled anew. `test`: what the call recorded is a test event (a
   * refund's answer does not say so), for its replays.
   */
  finish(answer: Answer, test: boolean): void;
  /** Frees a key this call held but did not finish (refused, failed, or aborted). */
  release(): void;
}

export function fingerprintOf(route: string, body: Uint8Array): string {
  return createHash('sha256').update(route).update('\n').update(body).digest('hex');
}

export class IdempotencyKeys {
  private readonly entries = new Map<string, Entry>();
  private nextSweepAt = 0;

  /**
   * Claims `key` (the `Idempotency-Key` header, `null` when absent) for one call in `scope`
   * (the program). Answers `undefined` when the call carries no key.
   */
  claim(scope: number, key: string | null, now: number): Claim | undefined {
    if (key === null) return undefined;
    if (!WELL_FORMED.test(key)) return fixed(fail(400, MESSAGES.idempotencyKeyInvalid));
    this.sweep(now);
    const id = `${scope}\n${key}`;
    const stored = this.entries.get(id);
    const existing = stored && stored.expiresAt > now ? stored : undefined;
    if (existing?.state === 'handling') return fixed(fail(409, MESSAGES.idempotencyInProgress));
    if (existing?.state === 'done') {
      return {
        settle: (route, body) =>
          existing.fingerprint === fingerprintOf(route, body)
            ? { kind: 'answer', answer: existing.answer, replayed: true, test: existing.test }
            : { kind: 'answer', answer: fail(409, MESSAGES.idempotencyMismatch), replayed: false, test: false },
        finish: () => undefined,
        release: () => undefined,
      };
    }

    const mine: Entry = { state: 'handling', expiresAt: now + IDEMPOTENCY_TTL_MS };
    this.entries.set(id, mine);
    let fingerprint = '';
    let held = true;
    return {
      settle: (route, body) => {
        fingerprint = fingerprintOf(route, body);
        return { kind: 'handle' };
      },
      finish: (answer, test) => {
        if (!held) return;
        held = false;
        this.entries.set(id, { state: 'done', fingerprint, answer: structuredClone(answer), test, expiresAt: mine.expiresAt });
      },
      release: () => {
        if (!held) return;
        held = false;
        if (this.entries.get(id) === mine) this.entries.delete(id);
      },
    };
  }

  /** Forgets keys older than 7 days, at most once a minute. */
  private sweep(now: number): void {
    if (now < this.nextSweepAt) return;
    this.nextSweepAt = now + 60_000;
    for (const [id, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(id);
  }
}

/** A claim that answers the same thing whatever the body: a bad key, or a key still in use. */
function fixed(answer: Answer): Claim {
  return { settle: () => ({ kind: 'answer', answer, replayed: false, test: false }), finish: () => undefined, release: () => undefined };
}
