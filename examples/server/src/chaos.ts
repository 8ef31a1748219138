/**
 * Test switches that imitate a flaky API (latency, failed calls, dropped connections, lost
 * answers), for testing that a client never loses an attribution. They act before and after
 * a browser route's handling; the request pipeline only asks them what to do.
 */
import { MESSAGES, fail } from './errors';
import type { Answer } from './errors';

/** The browser routes a test switch can act on. */
export type ChaosRoute = 'click' | 'lead';

/**
 * Test switches that imitate a flaky API, for testing that attribution is never lost.
 * Counters run down per call of the route; a call they do not catch is answered normally.
 */
export interface Chaos {
  /** Wait this long before answering each call of the tracking routes. */
  latencyMs?: number;
  /** Answer the next N calls of a route `503 {"error":"Service unavailable"}` without recording anything. */
  failFirst?: Partial<Record<ChaosRoute, number>>;
  /** Record nothing and give the next N calls of a route no answer: the connection is dropped. */
  dropFirst?: Partial<Record<ChaosRoute, number>>;
  /** Handle the next N calls of a route as usual (record them), then drop the connection instead of answering. */
  loseAnswerFirst?: Partial<Record<ChaosRoute, number>>;
}

/** What the switches decided for a call before it is handled. */
export type BeforeHandling = { kind: 'handle' } | { kind: 'drop' } | { kind: 'answer'; answer: Answer };

const HANDLE: BeforeHandling = { kind: 'handle' };
const DROP: BeforeHandling = { kind: 'drop' };

export class ChaosSwitches {
  private latencyMs = 0;
  private failFirst: Partial<Record<string, number>> = {};
  private dropFirst: Partial<Record<string, number>> = {};
  private loseAnswerFirst: Partial<Record<string, number>> = {};

  /** Replaces every switch; `set({})` turns them all off. */
  set(chaos: Chaos): void {
    this.latencyMs = chaos.latencyMs ?? 0;
    this.failFirst = { ...chaos.failFirst };
    this.dropFirst = { ...chaos.dropFirst };
    this.loseAnswerFirst = { ...chaos.loseAnswerFirst };
  }

  /** A wait before each tracking call, or `undefined` when there is none (most calls: no timer, no promise). */
  delay(): Promise<void> | undefined {
    const ms = this.latencyMs;
    return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : undefined;
  }

  /** Whether the call is dropped, failed, or handled; counts it against the route's switches. */
  before(route: string): BeforeHandling {
    if (take(this.dropFirst, route)) return DROP;
    if (take(this.failFirst, route)) return { kind: 'answer', answer: fail(503, MESSAGES.unavailable) };
    return HANDLE;
  }

  /** True when the answer to a call that was handled is to be lost (the connection dropped). */
  losesAnswer(route: string): boolean {
    return take(this.loseAnswerFirst, route);
  }
}

/** Consumes one count of a counter for the route; true when it caught this call. */
function take(counters: Partial<Record<string, number>>, route: string): boolean {
  const left = counters[route];
  if (!left) return false;
  counters[route] = left - 1;
  return true;
}
