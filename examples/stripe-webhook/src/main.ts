/**
 * Runs the webhook on a port:
 *   AFFITOR_API_KEY=aff_test_1 AFFITOR_API_URL=http://127.0.0.1:8787 npx tsx examples/stripe-webhook/src/main.ts
 * Environment: AFFITOR_API_KEY (required), AFFITOR_SIGNING_SECRET (the key's signing secret, for a key
 * that requires signed requests), AFFITOR_API_URL (default https://api.affitor.com),
 * STRIPE_WEBHOOK_SECRET (whsec_..., checks signatures when set), PORT (default 4242, also when empty; 0: any free port).
 */
import type { AddressInfo } from 'node:net';
import { Affitor } from '../../../src/server'; // in your app: '@affitor/sdk/server'
import { createWebhookServer } from './server';

const apiKey = process.env.AFFITOR_API_KEY;
if (!apiKey) {
  console.error('Set AFFITOR_API_KEY to your program API key (aff_test_1 for the reference server).');
  process.exit(1);
}
// Trimmed: a secret mounted from a file (Docker, Kubernetes) ends with a newline, and no signature matched.
const signingSecret = process.env.STRIPE_WEBHOOK_SECRET?.trim();
// Set but blank (an empty secret file): a mistake, not a local demo. Checking nothing would take forged events.
if (process.env.STRIPE_WEBHOOK_SECRET && !signingSecret) {
  console.error('STRIPE_WEBHOOK_SECRET is set but blank: give the endpoint\'s signing secret (whsec_...), or unset it for a local demo.');
  process.exit(1);
}
if (!signingSecret) console.warn('STRIPE_WEBHOOK_SECRET is not set: Stripe signatures are NOT checked (fine for a local demo only).');

// A key that requires signed requests refused every unsigned call (401): each delivery answered 500,
// retried by Stripe for days, then the endpoint disabled. Trimmed, as the Stripe secret above.
const affitor = new Affitor({ apiKey, signingSecret: process.env.AFFITOR_SIGNING_SECRET?.trim() || undefined, apiUrl: process.env.AFFITOR_API_URL || undefined });
// Digits only, as `npm run server -- --port`: Number() reads an empty PORT (a `.env` line `PORT=`) as 0, a
// random port, and the line below then named one nobody listened on.
const { PORT } = process.env;
const port = PORT ? (/^\d{1,5}$/.test(PORT) ? Number(PORT) : NaN) : 4242;
if (!(port <= 65535)) {
  console.error(`PORT must be an integer from 0 to 65535 (got ${JSON.stringify(PORT)})`);
  process.exit(1);
}
const server = createWebhookServer({ affitor, signingSecret }).listen(port, '127.0.0.1', () => {
  // The port it got: PORT=0 asks for any free one.
  console.log(`stripe webhook listening on http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`);
});
// A port already taken (the webhook started twice): one line, not Node's unhandled 'error' event and its stack.
server.on('error', (error) => {
  console.error(`${error.message}: set PORT to a free port`);
  process.exit(1);
});
