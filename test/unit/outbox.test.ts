import { describe, expect, it } from 'vitest';
import { OUTBOX_LIMIT, OUTBOX_MAX_CHARS, formatOutbox, isRetryable, newEventId, parseOutbox } from '../../src/core/outbox';
import type { PendingEvent } from '../../src/core/outbox';

const click = (id: string, extra: Record<string, unknown> = {}): PendingEvent => ({
  route: 'click',
  body: { event_id: id, affiliate_url: 'https://shop.example/?aff=P1', ...extra },
});

describe('outbox', () => {
  it('round-trips its events through the stored form', () => {
    const events = [click('a'), { route: 'lead' as const, body: { event_id: 'b', customer_key: 'u' } }];
    expect(parseOutbox(formatOutbox(events))).toEqual(events);
  });

  it('keeps the newest events when there are too many', () => {
    const events = Array.from({ length: OUTBOX_LIMIT + 2 }, (_, i) => click(`e${i}`));
    expect(parseOutbox(formatOutbox(events)).map((e) => e.body.event_id)).toEqual(events.slice(-OUTBOX_LIMIT).map((e) => e.body.event_id));
  });

  it('slims an oversized event to what attribution needs and stays under its size limit', () => {
    const big = click('big', { affiliate_url: `https://shop.example/landing?utm=${'x'.repeat(3000)}&aff=P1`, user_agent: 'u'.repeat(500) });
    const stored = formatOutbox([click('a'), big]);
    expect(stored.length).toBeLessThanOrEqual(OUTBOX_MAX_CHARS);
    const kept = parseOutbox(stored).find((e) => e.body.event_id === 'big')!;
    expect(kept.body.affiliate_url).toBe('https://shop.example/?aff=P1');
  });

  it.each([['not json'], ['{"route":"click"}'], ['[{"route":"sale","body":{"event_id":"a"}}]'], ['[{"route":"click","body":{"event_id":"a b"}}]'], [null]])(
    'reads %j as an empty outbox',
    (stored) => {
      expect(parseOutbox(stored)).toEqual([]);
    },
  );

  it('makes distinct event ids of the accepted shape', () => {
    const ids = new Set(Array.from({ length: 1000 }, newEventId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[\w-]{1,64}$/);
  });

  it.each([
    [0, true],
    [429, true],
    [500, true],
    [503, true],
    [200, false],
    [400, false],
    [404, false],
  ])('treats status %i as retryable: %s', (status, retryable) => {
    expect(isRetryable(status)).toBe(retryable);
  });
});
