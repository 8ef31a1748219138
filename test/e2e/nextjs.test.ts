/**
 * examples/nextjs as a merchant ships it: `next build`, `next start`, then in Chromium a visitor
 * lands with ?aff=, signs up (a server action reports the lead with the click id from the
 * request's cookies) and subscribes (a Checkout Session made with stripeCheckoutParams, against a
 * local stand-in for Stripe's API). The example has its own lock file: when its dependencies are
 * not installed yet, the test installs them first (`npm ci --prefix examples/nextjs`), so the
 * README's one test command runs this too. Needs the SDK's dist/ (`npm run build`, as `npm test` does).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../examples/demo/static-server';
import { startServer } from '../../examples/server/src/node';
import type { RunningServer } from '../../examples/server/src/node';
import { affitorErrors, launchChromium, openPage, routes, skipWithoutChromium, waitForCookie } from './harness';
import { seedFor } from './program';
import { startStripeStandIn } from './stripe-stand-in';
import type { StripeStandIn } from './stripe-stand-in';

const APP_DIR = join(REPO_ROOT, 'examples', 'nextjs');
const NEXT_CLI = join(APP_DIR, 'node_modules', 'next', 'dist', 'bin', 'next');

/** Runs `command` in the example; resolves with its output once it exits 0 (or, with `until`, once that appears). */
function run(command: string, args: string[], env: Record<string, string>, until?: RegExp): { child: ChildProcess; done: Promise<string> } {
  const child = spawn(command, args, {
    cwd: APP_DIR,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env },
  });
  let output = '';
  const done = new Promise<string>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (until?.test(output)) resolve(output);
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output}`))));
  });
  return { child, done };
}

const next = (args: string[], env: Record<string, string>, until?: RegExp) => run(process.execPath, [NEXT_CLI, ...args], env, until);

/** The example's own dependencies, from its lock file, unless they are there already. */
async function installExample(): Promise<void> {
  if (existsSync(NEXT_CLI)) return;
  const started = Date.now();
  await run(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['ci', '--no-audit', '--no-fund'], {}).done;
  console.log(`[e2e] examples/nextjs: npm ci took ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Inspected {
  customers: { click_id: string; customer_key: string | null; status: string; partner_id: number | null }[];
  clicks: { click_id: string | null }[];
  leads: { click_id: string | null; customer_key: string | null; mode: string }[];
}

describe.skipIf(skipWithoutChromium)('[chromium] examples/nextjs (next build, next start)', () => {
  let api: RunningServer;
  let stripe: StripeStandIn;
  let app: ChildProcess | undefined;
  let origin: string;
  let browser: Browser;

  beforeAll(async () => {
    [api, stripe, browser] = await Promise.all([startServer({ port: 0, seed: seedFor([]) }), startStripeStandIn(), launchChromium(), installExample()]);
    const started = Date.now();
    await next(['build'], {}).done;
    console.log(`[e2e] examples/nextjs: next build took ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const port = await freePort();
    origin = `http://localhost:${port}`;
    const running = next(
      ['start', '--port', String(port), '--hostname', '127.0.0.1'],
      { AFFITOR_API_URL: api.url, AFFITOR_API_KEY: 'aff_test_1', STRIPE_API_BASE: stripe.url, STRIPE_SECRET_KEY: 'sk_test_stand_in' },
      /Ready in/,
    );
    app = running.child;
    await running.done;
  }, 300_000);

  afterAll(async () => {
    app?.kill('SIGTERM');
    await Promise.all([browser?.close(), api?.close(), stripe?.close()]);
  });

  /** What the reference server holds now: the customer a click id made, and the leads of a customer key. */
  const inspected = () => api.app.inspect() as unknown as Inspected;
  const customerOf = (clickId: string) => inspected().customers.find((stored) => stored.click_id === clickId);
  const leadsOf = (customerKey: string) => inspected().leads.filter((lead) => lead.customer_key === customerKey);

  /** A partner link's landing on the shop, once its click id is in the jar and on the page (the provider re-rendered). */
  async function landOnShop(context: BrowserContext): Promise<{ shop: Awaited<ReturnType<typeof openPage>>; clickId: string }> {
    const shop = await openPage(context);
    await shop.page.goto(`${origin}/?aff=PARTNER123`);
    const clickId = (await waitForCookie(context, 'affitor_click_id')).value;
    await expect.poll(() => shop.page.textContent('#attribution')).toBe(`Referred: ${clickId}`);
    return { shop, clickId };
  }

  it('records the click and the server-reported lead on one customer, and puts the click id into the Checkout Session', async () => {
    const context = await browser.newContext();
    try {
      const { shop, clickId } = await landOnShop(context);
      // The provider's decorateStripe: the Payment Link carries the click id.
      await expect.poll(() => shop.page.getAttribute('#payment-link', 'href')).toContain(`client_reference_id=affitor_${clickId}`);

      await shop.page.fill('input[name=email]', 'Next@Example.com');
      await shop.page.click('#signup');
      await expect.poll(() => shop.page.textContent('#result')).toBe('Welcome, next@example.com. Referred signup recorded.');

      // Hydration matched (React reports a mismatch as an error, #418 in production) and nothing failed.
      expect(shop.console.filter((line) => line.type === 'error' || line.type === 'pageerror')).toEqual([]);

      const state = inspected();
      expect(state.clicks).toEqual([expect.objectContaining({ click_id: clickId })]);
      expect(state.leads).toEqual([expect.objectContaining({ click_id: clickId, customer_key: 'next@example.com', mode: 'server' })]);
      expect(state.customers).toEqual([expect.objectContaining({ click_id: clickId, customer_key: 'next@example.com', status: 'lead', partner_id: 10 })]);

      await Promise.all([shop.page.waitForURL(`${stripe.url}/pay/cs_test_1`), shop.page.click('#checkout')]);
      expect(stripe.sessions).toHaveLength(1);
      expect(stripe.sessions[0]!.fields).toMatchObject({
        mode: 'subscription',
        client_reference_id: `affitor_${clickId}`,
        'metadata[affitor_click_id]': clickId,
        'metadata[affitor_customer_key]': 'next@example.com',
        'subscription_data[metadata][affitor_click_id]': clickId,
        'subscription_data[metadata][affitor_customer_key]': 'next@example.com',
      });
      expect(affitorErrors(shop.console)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('records the lead of a signup sent while the landing\'s click is still on its way (the action sees no click cookie yet)', async () => {
    const context = await browser.newContext();
    try {
      const shop = await openPage(context);
      // A slow network: the click's answer, with its cookies, comes 2 s after the landing.
      await shop.page.route('**/relay/api/v1/track/click', async (route) => {
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        await route.continue();
      });
      await shop.page.goto(`${origin}/?aff=PARTNER123`);
      // The provider has started (the page is hydrated), the click not yet answered.
      await expect.poll(() => shop.page.textContent('#attribution')).toBe('No referral');
      await shop.page.fill('input[name=email]', 'quick@example.com');
      await shop.page.click('#signup');
      await expect.poll(() => shop.page.textContent('#result')).toBe('Welcome, quick@example.com.');

      const clickId = (await waitForCookie(context, 'affitor_click_id')).value;
      await expect.poll(() => customerOf(clickId)).toEqual(expect.objectContaining({ customer_key: 'quick@example.com', status: 'lead', partner_id: 10 }));
      expect(leadsOf('quick@example.com')).toEqual([expect.objectContaining({ click_id: clickId })]);
      expect(affitorErrors(shop.console)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('records the lead of a signup the server could not report (the API down), through the browser SDK once the API is back', async () => {
    const context = await browser.newContext();
    try {
      const { shop, clickId } = await landOnShop(context);
      // The API fails every lead (500) through the server client's retries, and the browser SDK's first try.
      api.app.setFaults({ lead: true });
      await shop.page.fill('input[name=email]', 'outage@example.com');
      await shop.page.click('#signup');
      await expect.poll(() => shop.page.textContent('#result')).toBe('Welcome, outage@example.com.');
      // Handed to the browser SDK, not dropped on the server: it tried it, and keeps it for a later try.
      await expect.poll(() => routes(shop.requests)).toContain('lead');
      expect(shop.requests.find((request) => request.route === 'lead')!.body).toMatchObject({ click_id: clickId, customer_key: 'outage@example.com' });
      expect(leadsOf('outage@example.com')).toEqual([]);

      // The API is back; the visitor's next page view (or the SDK's own retry) delivers it, once.
      api.app.setFaults({ lead: false });
      await shop.page.reload();
      await expect.poll(() => customerOf(clickId)).toEqual(expect.objectContaining({ customer_key: 'outage@example.com', status: 'lead', partner_id: 10 }));
      await shop.page.waitForLoadState('networkidle');
      expect(leadsOf('outage@example.com')).toEqual([expect.objectContaining({ click_id: clickId, mode: 'browser' })]);
    } finally {
      api.app.setFaults({ lead: false });
      await context.close();
    }
  });

  it('still checks out, without the click id, when the click id cookie was tampered with (over Stripe\'s 500 characters)', async () => {
    // Before, stripeCheckoutParams threw on it and the route answered a bare 500: the customer could not pay.
    const before = stripe.sessions.length;
    const answer = await fetch(`${origin}/api/checkout`, {
      method: 'POST',
      headers: { Cookie: `affitor_click_id=${'x'.repeat(600)}; shop_customer=tampered@example.com` },
      redirect: 'manual',
    });
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe(`${stripe.url}/pay/cs_test_${before + 1}`);
    const { fields } = stripe.sessions[before]!;
    expect(fields).toMatchObject({ mode: 'subscription', 'metadata[affitor_customer_key]': 'tampered@example.com' });
    expect(Object.keys(fields).filter((key) => key.includes('affitor_click_id') || key === 'client_reference_id')).toEqual([]);
  });
});
