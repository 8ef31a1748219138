// Its own file: history listeners are page-wide, so no tracker from another test may be listening.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { newPageView } from '../../src/browser/page-view';
import { AffitorTracker } from '../../src/index';
import { API_BASE, setUrl, settle, useTrackingApi } from '../support/dom';

const api = useTrackingApi();

beforeAll(() => api.server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => api.server.close());

it('captures ?aff= added with history.pushState after init, once', async () => {
  setUrl('https://shop.example.com/');
  newPageView();
  const tracker = new AffitorTracker({ programId: 1, apiBase: API_BASE }).init();
  await settle();
  expect(api.clicks()).toHaveLength(0);
  history.pushState({}, '', '/pricing?aff=PARTNER123');
  await settle(50);
  expect(api.clicks()).toHaveLength(1);
  expect(api.clicks()[0]!.body.affiliate_url).toBe('https://shop.example.com/pricing?aff=PARTNER123');
  const first = tracker.getClickId();
  expect(first).toMatch(/^cust_/);
  // The router tidies the URL and the visitor moves on: no new landing.
  history.replaceState({}, '', '/pricing');
  history.pushState({}, '', '/other?aff=PARTNER123');
  await settle(50);
  expect(api.clicks()).toHaveLength(1);
  // Another partner's link opened inside the app is a new landing.
  history.pushState({}, '', '/x?aff=PARTNER456');
  await settle(50);
  expect(api.clicks()).toHaveLength(2);
  expect(api.clicks()[1]!.body.existing_click_id).toBe(first);
});
