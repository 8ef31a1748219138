import { describe, expect, it } from 'vitest';
import { DROP_HEADER, createTrackingServer } from '../../examples/server/src/app';
import { startServer } from '../../examples/server/src/node';
import { seed as seedBuilder } from '../support/seed';

const seed = seedBuilder().program(1, 'aff_test_1').partners({ id: 10, name: 'A' }).link('P1', 1, 10).admin('admin').build();
const click = (eventId = 'ev1') =>
  new Request('http://api.test/api/v1/track/click', {
    method: 'POST',
    body: JSON.stringify({ affiliate_url: 'https://shop.test/?aff=P1', event_id: eventId }),
  });

describe('flaky-network switches', () => {
  it('failFirst answers 503 without recording, then answers normally', async () => {
    const app = createTrackingServer(seed);
    app.setChaos({ failFirst: { click: 2 } });
    expect((await app.fetch(click())).status).toBe(503);
    const second = await app.fetch(click());
    expect(second.status).toBe(503);
    expect(await second.json()).toEqual({ error: 'Service unavailable' });
    expect(app.inspect().clicks).toHaveLength(0);
    expect((await app.fetch(click())).status).toBe(200);
    expect(app.inspect().clicks).toHaveLength(1);
  });

  it('dropFirst records nothing and marks the answer to be dropped', async () => {
    const app = createTrackingServer(seed);
    app.setChaos({ dropFirst: { click: 1 } });
    expect((await app.fetch(click())).headers.has(DROP_HEADER)).toBe(true);
    expect(app.inspect().clicks).toHaveLength(0);
  });

  it('loseAnswerFirst records the click, drops the answer, and a resend with the event id gets the same click id', async () => {
    const app = createTrackingServer(seed);
    app.setChaos({ loseAnswerFirst: { click: 1 } });
    expect((await app.fetch(click('same'))).headers.has(DROP_HEADER)).toBe(true);
    expect(app.inspect().clicks).toHaveLength(1);
    const resent = (await (await app.fetch(click('same'))).json()) as { click_id: string };
    expect(app.inspect().clicks).toHaveLength(1);
    expect(resent.click_id).toBe((app.inspect().customers[0] as { click_id: string }).click_id);
  });

  it('latencyMs delays the answer', async () => {
    const app = createTrackingServer(seed);
    app.setChaos({ latencyMs: 120 });
    const started = performance.now();
    await app.fetch(click());
    expect(performance.now() - started).toBeGreaterThanOrEqual(100);
  });

  it('on a real port, a dropped call closes the connection with no answer', async () => {
    const server = await startServer({ port: 0, seed });
    try {
      server.app.setChaos({ dropFirst: { click: 1 } });
      await expect(
        fetch(`${server.url}/api/v1/track/click`, { method: 'POST', body: JSON.stringify({ affiliate_url: 'https://shop.test/?aff=P1' }) }),
      ).rejects.toThrow();
      const answered = await fetch(`${server.url}/api/v1/track/click`, {
        method: 'POST',
        body: JSON.stringify({ affiliate_url: 'https://shop.test/?aff=P1' }),
      });
      expect(answered.status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
