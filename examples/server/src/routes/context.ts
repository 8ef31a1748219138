/** What every route handler receives once the common checks passed, and small body readers. */
import type { Answer } from '../errors';
import { isRecord } from '../http';
import type { Program } from '../types';
import type { Store } from '../store';

export interface RouteContext {
  body: Record<string, unknown>;
  store: Store;
  /** The token's program for Bearer calls, `null` for browser calls. */
  program: Program | null;
  now: number;
  /** The call's X-Request-ID, recorded with what it writes. */
  requestId: string;
  /**
   * Set by the route when what it recorded is a test event: the dashboard's latest requests show
   * that, not what the body asked for (`test_mode` without a known program records a real click).
   */
  recordedTest?: boolean;
}

export type RouteHandler = (ctx: RouteContext) => Answer;

/** A non-empty string field, else `null`. */
export function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * A body's `customer_key`: a non-empty string, or an integer read as its decimal string. The
 * key is the merchant's own user id, often a number in a raw call (`customer_key: user.id`);
 * ignored, the lead answered success without binding it and the sale for `42` found nobody.
 */
export function customerKeyOf(body: Record<string, unknown>): string | null {
  const key = body.customer_key;
  return Number.isSafeInteger(key) ? String(key) : text(key);
}

export function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}

export function additionalData(body: Record<string, unknown>): Record<string, unknown> | null {
  return isRecord(body.additional_data) ? body.additional_data : null;
}

export function isTestMode(body: Record<string, unknown>): boolean {
  return additionalData(body)?.test_mode === true;
}

/**
 * `additional_data.program_id` (or a top-level `program_id`) when it names a seeded program: a
 * test event's program, and the program a browser lead comes from (the SDK sends it).
 */
export function namedProgram(ctx: RouteContext): Program | undefined {
  const raw = additionalData(ctx.body)?.program_id ?? ctx.body.program_id;
  const id = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  return typeof id === 'number' ? ctx.store.programs.get(id) : undefined;
}

/**
 * Rounds to whole cents, half up, after dropping float noise: 90 * 0.35 is
 * 31.499999999999996 in binary floating point but 31.5 in money, so 32.
 */
export function roundCents(value: number): number {
  return Math.round(Number(value.toFixed(9)));
}

const EVENT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Runs `decide` at most once per client `event_id` in a program: a repeat of an id whose first
 * call succeeded gets that first answer back and records nothing. A malformed `event_id` is
 * ignored, as a server that does not know the field would.
 *
 * Ids are kept per program, test events apart (`programId`: the token's for a Bearer call, the link's for a click,
 * `null` for a browser lead, whose program is not known before it is handled): a merchant may
 * pick them (`signup_42`), and another program's call, or an unauthenticated browser call that
 * guessed the id, must not have that merchant's event answered with their first answer and
 * never recorded.
 */
export function exactlyOnce(route: string, ctx: RouteContext, programId: number | null, decide: () => Answer): Answer {
  const eventId = eventIdOf(ctx.body);
  if (eventId === null) return decide();
  // Test and live events apart: a live click that reused a test click's id got the test answer
  // back, no click id, and was never recorded.
  const scope = `${programId === null ? route : `${route} ${programId}`}${isTestMode(ctx.body) ? ' test' : ''}`;
  const first = ctx.store.replay(scope, eventId);
  if (first) {
    // A resent test event is still one (the dashboard's latest requests flag it); only click and
    // lead keep event ids, and their test answers say so in `data.test_mode`.
    ctx.recordedTest = isRecord(first.body.data) && first.body.data.test_mode === true;
    return first;
  }
  const answer = decide();
  if (answer.status === 200 && answer.body.success === true) ctx.store.remember(scope, eventId, answer);
  return answer;
}

/** The client `event_id` when well formed, for storing with the event. */
export function eventIdOf(body: Record<string, unknown>): string | null {
  return typeof body.event_id === 'string' && EVENT_ID.test(body.event_id) ? body.event_id : null;
}
