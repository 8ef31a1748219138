/** Helpers for the Chromium never-lost suite (never-lost.test.ts): the SDK's outbox cookie in the browser's jar. */
import type { BrowserContext } from 'playwright-core';
import { jarCookie } from './harness';

/** One event of the SDK's outbox (`affitor_outbox`), as stored. */
export interface StoredEvent {
  route: 'click' | 'lead';
  body: Record<string, unknown> & { event_id: string };
  stale?: boolean;
}

/** The events in the `affitor_outbox` cookie, or null when there is no such cookie. */
export async function outboxIn(context: BrowserContext): Promise<StoredEvent[] | null> {
  const cookie = await jarCookie(context, 'affitor_outbox');
  return cookie ? (JSON.parse(decodeURIComponent(cookie.value)) as StoredEvent[]) : null;
}
