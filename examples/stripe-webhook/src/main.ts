/**
 * Runs the webhook on a port:
 *   AFFITOR_API_KEY=aff_test_1 AFFITOR_API_URL=http://127.0.0.1:8787 npx tsx examples/stripe-webhook/src/main.ts
 * Environment: AFFITOR_API_KEY (required), AFFITOR_API_URL (default https://api.affitor.com),
 * STRIPE_WEBHOOK_SECRET (whsec_..., checks signatures when set), PORT (default 4242).
 */
import { Affitor } from '../../../src/server'; // in your app: '@affitor/sdk/server'
import { createWebhookServer } from './server';

const apiKey = process.env.AFFITOR_API_KEY;
if (!apiKey) {
  console.error('Set AFFITOR_API_KEY to your program API key (aff_test_1 for the reference server).');
  process.exit(1);
}
const signingSecret = process.env.STRIPE_WEBHOOK_SECRET;
if (!signingSecret) console.warn('STRIPE_WEBHOOK_SECRET is not set: Stripe signatures are NOT checked (fine for a local demo only).');

const affitor = new Affitor({ apiKey, apiUrl: process.env.AFFITOR_API_URL || undefined });
const port = Number(process.env.PORT ?? 4242);
createWebhookServer({ affitor, signingSecret }).listen(port, '127.0.0.1', () => {
  console.log(`stripe webhook listening on http://127.0.0.1:${port}/webhook`);
});
