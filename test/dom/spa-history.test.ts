// Its own file: history listeners are page-wide, so no tracker from another test may be listening.
import { expect, it, vi } from 'vitest';
import { land, landed, useTrackingApi } from '../support/dom';

const api = useTrackingApi();

it('captures ?aff= added with history.pushState after init, once', async () => {
  const tracker = await land('https://shop.example.com/');
  expect(api.clicks()).toHaveLength(0);
  history.pushState({}, '', '/pricing?aff=PARTNER123');
  await landed();
  expect(api.clicks()).toHaveLength(1);
  expect(api.clicks()[0]!.body.affiliate_url).toBe('https://shop.example.com/pricing?aff=PARTNER123');
  const first = tracker.getClickId();
  expect(first).toMatch(/^cust_/);
  // The router tidies the URL and the visitor moves on: no new landing.
  history.replaceState({}, '', '/pricing');
  history.pushState({}, '', '/other?aff=PARTNER123');
  await landed();
  expect(api.clicks()).toHaveLength(1);
  // Another partner's link opened inside the app is a new landing.
  history.pushState({}, '', '/x?aff=PARTNER456');
  await landed();
  expect(api.clicks()).toHaveLength(2);
  expect(api.clicks()[1]!.body.existing_click_id).toBe(first);
});

it('keeps a newer partner reached inside the app when the router moves on from the landing', async () => {
  const tracker = await land('https://shop.example.com/?aff=PARTNER123');
  history.pushState({}, '', '/deal?aff=PARTNER456');
  await landed();
  expect(api.clicks()).toHaveLength(2);
  const newest = tracker.getClickId();
  // No ?aff= now: the URL at load (PARTNER123) was landed already, and is not a new touch.
  history.pushState({}, '', '/pricing');
  await landed();
  expect(api.clicks()).toHaveLength(2);
  expect(tracker.getClickId()).toBe(newest);
  expect(tracker.getData()?.affiliateUrl).toBe('https://shop.example.com/deal?aff=PARTNER456');
});

it('keeps the newer partner when Back returns to a route the app kept ?aff= of the earlier one on', async () => {
  const tracker = await land('https://shop.example.com/?aff=PARTNER123');
  // The app keeps ?aff= as the visitor moves on; then a link to another partner inside the app.
  history.pushState({}, '', '/pricing?aff=PARTNER123');
  history.pushState({}, '', '/deal?aff=PARTNER456');
  await landed();
  expect(api.clicks()).toHaveLength(2);
  const newest = tracker.getClickId();
  // Back (popstate) to /pricing?aff=PARTNER123: a page seen before the newer partner, not a new touch.
  history.back();
  await vi.waitFor(() => expect(location.pathname).toBe('/pricing'));
  await landed();
  expect(api.clicks()).toHaveLength(2);
  expect(tracker.getClickId()).toBe(newest);
  // And on from there, the app keeping that ?aff=: the same earlier landing, still no touch.
  history.pushState({}, '', '/features?aff=PARTNER123');
  await landed();
  expect(api.clicks()).toHaveLength(2);
  expect(tracker.getClickId()).toBe(newest);
});

it('does not land the URL again when init runs again after trackClick for a newer partner', async () => {
  const tracker = await land('https://shop.example.com/?aff=PARTNER123');
  await tracker.trackClick('https://shop.example.com/deal?aff=PARTNER456');
  const newest = tracker.getClickId();
  expect(api.clicks()).toHaveLength(2);
  tracker.init({ debug: false });
  await landed();
  expect(api.clicks()).toHaveLength(2);
  expect(tracker.getClickId()).toBe(newest);
});

it('sends one click for a partner link the server refuses, though the app keeps ?aff= on every route', async () => {
  vi.spyOn(console, 'error').mockImplementation(() => {});
  await land('https://shop.example.com/?aff=NO_SUCH_LINK');
  expect(api.clicks()).toHaveLength(1);
  history.pushState({}, '', '/pricing?aff=NO_SUCH_LINK');
  history.pushState({}, '', '/plans?aff=NO_SUCH_LINK');
  await landed();
  expect(api.clicks()).toHaveLength(1);
});
