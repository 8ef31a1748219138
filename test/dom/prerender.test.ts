// A page the browser renders ahead of a visit (speculation rules, the address bar's guess) runs its
// scripts before the visitor sees it, and may never be shown.
import { afterEach, expect, it, vi } from 'vitest';
import { AffitorTracker } from '../../src/browser/tracker';
import { newPageView } from '../../src/browser/page-view';
import { API_BASE, HttpResponse, cookieValue, landed, recordCookieWrites, setUrl, stopRecordingCookies, storedOutbox, useTrackingApi } from '../support/dom';

const api = useTrackingApi();

/** Makes `document.prerendering` read `value`, as a browser rendering the page ahead does. */
const prerendering = (value: boolean) => Object.defineProperty(document, 'prerendering', { value, configurable: true });
/** The visitor opens the prerendered page: the browser turns `prerendering` off and tells the page. */
const activate = () => {
  prerendering(false);
  document.dispatchEvent(new Event('prerenderingchange'));
};

afterEach(() => {
  delete (document as { prerendering?: boolean }).prerendering;
  stopRecordingCookies();
});

const prerenderedLanding = async (url: string): Promise<AffitorTracker> => {
  setUrl(url);
  newPageView();
  prerendering(true);
  const tracker = new AffitorTracker({ programId: 1, apiBase: API_BASE }).init();
  await landed();
  return tracker;
};

it('sends no click and writes no cookie until the visitor opens the prerendered page, then lands once', async () => {
  const writes = recordCookieWrites();
  const tracker = await prerenderedLanding('https://shop.example.com/pricing?aff=PARTNER123');
  expect(api.clicks()).toHaveLength(0);
  // Not even the probe that finds the cookie domain: a page never opened leaves nothing behind, nor writes and deletes.
  expect([...writes]).toEqual([]);
  expect(cookieValue('affitor_click_id')).toBeUndefined();
  expect(tracker.getClickId()).toBeNull();

  activate();
  await landed();
  expect(api.clicks()).toHaveLength(1);
  expect(api.clicks()[0]!.body.affiliate_url).toBe('https://shop.example.com/pricing?aff=PARTNER123');
  expect(cookieValue('affitor_click_id')).toBe(tracker.getClickId());

  // The browser says it once; a second event (another script's) is no second landing.
  document.dispatchEvent(new Event('prerenderingchange'));
  await landed();
  expect(api.clicks()).toHaveLength(1);
});

it('keeps the stored partner when a prerendered landing on another partner is never opened', async () => {
  const stored = await prerenderedLanding('https://shop.example.com/?aff=PARTNER123');
  activate();
  await landed();
  const clickId = stored.getClickId();
  expect(clickId).toMatch(/^cust_/);

  // The shop prerenders a link to another partner's landing; the visitor never follows it.
  const ahead = await prerenderedLanding('https://shop.example.com/deal?aff=PARTNER456');
  // A router tidying the URL while the page is rendered ahead is no landing either.
  history.replaceState({}, '', '/deal?aff=PARTNER456&ref=nav');
  await landed();
  expect(api.clicks()).toHaveLength(1);
  expect(cookieValue('affitor_click_id')).toBe(clickId);
  expect(ahead.getClickId()).toBe(clickId);
});

it('sends a partner link the page reports while rendered ahead only once the visitor opens it', async () => {
  const stored = await prerenderedLanding('https://shop.example.com/?aff=PARTNER123');
  activate();
  await landed();
  const clickId = stored.getClickId();

  // The page rendered ahead reports another partner's link at once (a single-page app's own landing code).
  const ahead = await prerenderedLanding('https://shop.example.com/deal');
  // Its call settles while the page is rendered ahead, so code that awaits it goes on rendering.
  await ahead.trackClick('https://shop.example.com/deal?aff=PARTNER456');
  await landed();
  expect(api.clicks()).toHaveLength(1);
  expect(cookieValue('affitor_click_id')).toBe(clickId);

  activate();
  await landed();
  expect(api.clicks()).toHaveLength(2);
  expect(api.clicks()[1]!.body.affiliate_url).toBe('https://shop.example.com/deal?aff=PARTNER456');
  expect(ahead.getClickId()).not.toBe(clickId);
  expect(cookieValue('affitor_click_id')).toBe(ahead.getClickId());
});

it('sends nothing an earlier page view left, nor counts a page view against it, until the visitor opens the prerendered page', async () => {
  // A signup while the API is down for leads: its lead waits in the outbox.
  api.answer('lead', () => HttpResponse.error());
  setUrl('https://shop.example.com/signup');
  newPageView();
  vi.spyOn(console, 'error').mockImplementation(() => {});
  vi.useFakeTimers({ shouldAdvanceTime: true });
  const signedUp = new AffitorTracker({ programId: 1, apiBase: API_BASE }).init().signup('user_1', 'ada@example.com');
  // Its retries spent (they back off for seconds).
  await vi.advanceTimersByTimeAsync(30_000);
  await signedUp;
  vi.useRealTimers();
  const waiting = storedOutbox();
  expect(waiting.map((event) => event.route)).toEqual(['lead']);
  const tries = api.leads().length;
  // The shop's speculation rules render more page views ahead than the outbox gives an event, none opened.
  for (let view = 0; view < 6; view++) {
    setUrl(`https://shop.example.com/page${view}`);
    newPageView();
    prerendering(true);
    new AffitorTracker({ programId: 1, apiBase: API_BASE }).init();
    await landed();
  }
  expect(api.leads()).toHaveLength(tries);
  expect(storedOutbox()).toEqual(waiting);
  // The API is back, and the visitor opens the last one: the lead leaves, once.
  api.answer('lead', ({ request }) => api.app.fetch(request));
  activate();
  await vi.waitFor(() => expect(storedOutbox()).toEqual([]));
  expect(api.leads().slice(tries)).toEqual([expect.objectContaining({ body: expect.objectContaining({ customer_key: 'user_1' }) as unknown })]);
});

