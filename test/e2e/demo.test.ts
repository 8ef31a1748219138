/**
 * `npm run demo` as a merchant uses it: start it, open the URLs it prints in Chromium,
 * and find the click and the lead in the state it serves. Free ports, so it never clashes
 * with a demo already running.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { REPO_ROOT } from '../../examples/demo/static-server';
import { affitorErrors, launchChromium, openPage, skipWithoutChromium, waitForCookie } from './harness';

interface DemoState {
  customers: { click_id: string; status: string; customer_key: string | null; partner_id: number }[];
  clicks: { click_id: string; affiliate_url: string }[];
  leads: { click_id: string | null; customer_key: string }[];
}

/** Starts the demo and resolves to its printed output once it says it is ready. */
async function startDemo(): Promise<{ child: ChildProcessWithoutNullStreams; output: string }> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'node_modules/tsx/dist/cli.mjs'), 'examples/demo/main.ts', '--web-port', '0', '--api-port', '0'], {
    cwd: REPO_ROOT,
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const deadline = Date.now() + 30_000;
  while (!output.includes('Ctrl+C stops the demo')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the demo did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // A getter: the demo keeps printing (its readiness report) after it said it is ready.
  return {
    child,
    get output() {
      return output;
    },
  };
}

/** The URL printed after `label`. */
function printed(output: string, label: string): string {
  const url = new RegExp(`${label}\\s+(http\\S+)`).exec(output)?.[1];
  if (!url) throw new Error(`no URL after "${label}" in:\n${output}`);
  return url;
}

describe.skipIf(skipWithoutChromium)('[chromium] npm run demo', () => {
  let browser: Browser;
  let demo: Awaited<ReturnType<typeof startDemo>>;

  beforeAll(async () => {
    [browser, demo] = await Promise.all([launchChromium(), startDemo()]);
  });
  afterAll(async () => {
    await browser?.close();
    if (demo && demo.child.exitCode === null) {
      demo.child.kill('SIGTERM');
      await once(demo.child, 'exit');
    }
  });

  it('prints URLs on *.shop.localhost where a landing records a click on .shop.localhost and the app records the lead', async () => {
    const landing = printed(demo.output, 'land from a partner link:');
    const signup = printed(demo.output, 'sign up in the app \\(SPA\\):');
    const inspect = printed(demo.output, 'server state:');
    expect(landing).toMatch(/^http:\/\/www\.shop\.localhost:\d+\/\?aff=PARTNER123$/);
    expect(signup).toMatch(/^http:\/\/app\.shop\.localhost:\d+\/signup$/);

    // The demo's first readiness report, before the walkthrough: a click it had not yet asked
    // about would make that report in_progress, and the not_started one checked below never come.
    await expect.poll(() => demo.output).toContain('readiness: not_started, waiting for payout');
    const context = await browser.newContext();
    try {
      const www = await openPage(context);
      await www.page.goto(landing);
      const clickId = await waitForCookie(context, 'affitor_click_id');
      expect(clickId).toMatchObject({ domain: '.shop.localhost' });
      await expect.poll(() => www.console.some((line) => line.text === `[Affitor] click saved ${clickId.value}`)).toBe(true);

      const app = await openPage(context);
      await app.page.goto(signup);
      await app.page.fill('input[name=email]', 'demo@example.com');
      await app.page.click('button[type=submit]');
      await expect.poll(() => app.page.textContent('#result')).toContain('Welcome');
      expect(affitorErrors([...www.console, ...app.console])).toEqual([]);

      const state = (await (await fetch(inspect)).json()) as DemoState;
      expect(state.clicks).toEqual([expect.objectContaining({ click_id: clickId.value, affiliate_url: landing })]);
      expect(state.leads).toEqual([expect.objectContaining({ click_id: clickId.value, customer_key: 'demo@example.com' })]);
      expect(state.customers).toEqual([expect.objectContaining({ click_id: clickId.value, status: 'lead', partner_id: 10 })]);

      // The readiness report after the walkthrough: first nothing, then the chain up to the lead.
      expect(demo.output).toContain('readiness: not_started, waiting for payout');
      await expect
        .poll(() => demo.output, { timeout: 15_000, interval: 200 })
        .toContain('test chain: click attributed -> lead attributed -> sale pending');
      expect(demo.output).toMatch(/last 24 h: 1 clicks, 1 leads, 0 sales, 0 refunds/);
    } finally {
      await context.close();
    }
  });
});
