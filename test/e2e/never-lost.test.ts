/**
 * Attribution that is never lost, the Chromium-only part (the rest runs in every engine:
 * cross-engine/never-lost.ts and cross-engine/leaving.ts): a lost answer on a reused
 * keep-alive connection, which Chromium resends by itself. Against the reference tracking
 * server on a port and its test switches; the test checks what the server recorded: the
 * event once, with the client's event id.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  PAGES_DIR,
  PARTNER_A,
  affitorErrors,
  openPage,
  settle,
  skipWithoutChromium,
  useChromiumSuite,
  waitForCookie,
} from './harness';
import type { TrackRequest } from './harness';
import { outboxIn } from './never-lost-helpers';

const SITE = join(PAGES_DIR, 'never-lost');
const WWW = 'www.shop.test';

describe.skipIf(skipWithoutChromium)('[chromium] attribution that is never lost: keep-alive resends', () => {
  const e2e = useChromiumSuite({ '*': SITE }, [WWW]);

  const state = () => e2e.stack.api.app.inspect();
  const url = (host: string, path: string) => `${e2e.stack.origin(host)}${path}`;
  const landingUrl = (path = '/shop.html', host = WWW) => url(host, `${path}?aff=${PARTNER_A.link}`);
  const eventIds = (requests: TrackRequest[], route: string) =>
    requests.filter((request) => request.route === route).map((request) => request.body.event_id as string);
  const affitor = <T>(page: Page, call: string): Promise<T> => page.evaluate<T>(`Promise.resolve(window.affitor.${call})`);
  /** What the outbox cookie holds, as [route, event id, click id] per event; null without the cookie. */
  const pending = async () =>
    (await outboxIn(e2e.context))?.map((event) => [event.route, event.body.event_id, event.body.click_id ?? null]) ?? null;

  it('a lead whose answer is lost on a reused keep-alive connection: Chromium itself resends the POST, and the event id keeps it one lead', async () => {
    const { page, requests, console: lines } = await openPage(e2e.context);
    await page.goto(landingUrl());
    const clickId = await waitForCookie(e2e.context, 'affitor_click_id');
    // The lead goes on the keep-alive connection the click used.
    e2e.stack.api.app.setChaos({ loseAnswerFirst: { lead: 1 } });
    await affitor(page, "signup('reused', 'reused@example.com')");
    await settle(page);
    // One request as the page sees it, no retry by the SDK, yet the first call's answer was
    // dropped: the answer the SDK got came from the browser's own second call.
    expect(eventIds(requests, 'lead')).toHaveLength(1);
    expect(lines.some((line) => line.text.startsWith('[Affitor] lead retry'))).toBe(false);
    expect(state().leads).toEqual([expect.objectContaining({ event_id: requests[1]!.body.event_id, click_id: clickId.value })]);
    expect(await pending()).toBeNull();
    expect(affitorErrors(lines)).toEqual([]);
  });
});
