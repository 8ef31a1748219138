/**
 * The first file of the `<script>` build on single-page apps' History API navigations. Its own
 * file: history listeners are page-wide, and a first file run by another test would land too.
 */
import { expect, it, vi } from 'vitest';
import { cookieValue, setUrl, useScriptBuildPage, useTrackingApi } from '../support/dom';
import { run, scriptTag } from '../support/script-build';

const api = useTrackingApi();
useScriptBuildPage();

it("keeps the newer partner when Back returns to an earlier partner's route and the app moves on keeping its ?aff=", async () => {
  setUrl('https://www.shop.example.com/?aff=PARTNER123');
  await run('script-landing', scriptTag());
  await vi.waitFor(() => expect(cookieValue('affitor_click_id')).toBeDefined());
  history.pushState(null, '', '/pricing?aff=PARTNER123');
  history.pushState(null, '', '/deal?aff=PARTNER456');
  await vi.waitFor(() => expect(cookieValue('affitor_aff_url')).toBe('https://www.shop.example.com/deal?aff=PARTNER456'));
  const newest = cookieValue('affitor_click_id');
  history.back();
  await vi.waitFor(() => expect(location.pathname).toBe('/pricing'));
  history.pushState(null, '', '/features?aff=PARTNER123');
  // A click for it would be on its way now, or its answer written: the first file's fetch leaves a task later.
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(api.clicks().map((click) => click.body.affiliate_url)).toEqual(['https://www.shop.example.com/?aff=PARTNER123', 'https://www.shop.example.com/deal?aff=PARTNER456']);
  expect(cookieValue('affitor_click_id')).toBe(newest);
});
