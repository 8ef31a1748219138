/**
 * Merchant pages that are not clean: Trusted Types enforced with no default policy, a page's
 * wrapper of fetch that throws for a call without init, answers a thenable, or answers an object
 * without headers. The first file lands alone there; a signup needs the main file, which it must
 * still load, so that the lead is recorded, with nothing in the page's error monitoring but the
 * SDK's own `[Affitor]` lines.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { PAGES_DIR, PARTNER_A, openPage, settle, skipWithoutChromium, useChromiumSuite, waitForCookie } from './harness';

const SITE = join(PAGES_DIR, '..', 'pages-hostile');
const WWW = 'www.shop.test';

/** What a page's error monitoring sees: uncaught errors, unhandled rejections, console.error (the SDK's `[Affitor]` lines apart). */
const MONITOR = `window.__seen = [];
  (function () {
    var error = console.error;
    console.error = function () {
      var text = Array.prototype.map.call(arguments, String).join(' ');
      window.__seen.push((/^\\[Affitor\\]/.test(text) ? 'affitor: ' : 'console.error: ') + text);
      return error.apply(console, arguments);
    };
    window.addEventListener('error', function (event) { window.__seen.push('error: ' + event.message); });
    window.addEventListener('unhandledrejection', function (event) { window.__seen.push('unhandledrejection: ' + event.reason); });
  })();`;

describe.skipIf(skipWithoutChromium)('[chromium] pages that are not clean: a landing\'s click and a signup\'s lead are recorded', () => {
  const e2e = useChromiumSuite({ '*': SITE }, [WWW], async (context) => void (await context.addInitScript(MONITOR)));

  const state = () => e2e.stack.api.app.inspect();
  const seen = (page: Page) => page.evaluate<string[]>('window.__seen');

  for (const [file, what] of [
    ['trusted-types', "Trusted Types enforced (require-trusted-types-for 'script'), no default policy"],
    ['trusted-types-names', 'Trusted Types enforced, the policy names allowed listed (trusted-types affitor.main.js affitor.more.js), no default policy'],
    ['fetch-throws-without-init', 'a fetch wrapper that throws for a call without init'],
    ['fetch-thenable', 'a fetch wrapper that answers a thenable'],
    ['fetch-no-headers', 'a fetch wrapper that answers an object without headers'],
  ] as const) {
    it(`${what}: the main file (and the rest) load, and the signup's lead is recorded with the landing's click id`, async () => {
      const { page } = await openPage(e2e.context);
      await page.goto(`${e2e.stack.origin(WWW)}/${file}.html?aff=${PARTNER_A.link}`);
      const clickId = await waitForCookie(e2e.context, 'affitor_click_id');
      await page.evaluate("window.affitor.signup('hostile', 'hostile@example.com')");
      await settle(page);
      expect(state().leads).toEqual([expect.objectContaining({ click_id: clickId.value })]);
      // diagnose() loads the rest, through the main file: it answers once that is here.
      await expect.poll(() => page.evaluate('window.affitor.diagnose() !== null')).toBe(true);
      expect(await seen(page)).toEqual([]);
    });
  }
});
