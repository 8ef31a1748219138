/**
 * A node:http server with one route, `POST /webhook`, that turns Stripe events into Affitor calls.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { Affitor } from '../../../src/server'; // in your app: '@affitor/sdk/server'
import { handleStripeEvent } from './events';
import type { StripeEvent, StripeEventOptions, WebhookAnswer } from './events';
import { stripeSignatureProblem } from './signature';

/** `invoiceOfPaymentIntent` (and its timeout): see StripeEventOptions. */
export interface WebhookServerOptions extends StripeEventOptions {
  affitor: Affitor;
  /** The endpoint's signing secret (`whsec_...`). Without it, signatures are not checked: local demos only. */
  signingSecret?: string | undefined;
}

const MAX_BODY_BYTES = 1024 * 1024;

function readBody(request: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function parseEvent(raw: string): StripeEvent | null {
  try {
    const event = JSON.parse(raw) as Partial<StripeEvent> | null;
    const valid = typeof event?.id === 'string' && typeof event.type === 'string' && typeof event.data?.object === 'object';
    return valid ? (event as StripeEvent) : null;
  } catch {
    return null;
  }
}

async function answer(request: IncomingMessage, options: WebhookServerOptions): Promise<WebhookAnswer> {
  // By path: Stripe's guide to a new API version has the new endpoint be the same URL with a query
  // (`/webhook?version=...`), and every event sent there was answered 404.
  if (request.method !== 'POST' || (request.url ?? '').split('?')[0] !== '/webhook') return { status: 404, body: { error: 'Not found' } };
  // The signature covers the raw bytes: verify before parsing.
  const raw = await readBody(request);
  if (raw === null) return { status: 413, body: { error: 'Body too large' } };
  const signature = request.headers['stripe-signature'];
  const problem = options.signingSecret ? stripeSignatureProblem(raw, typeof signature === 'string' ? signature : undefined, options.signingSecret) : null;
  if (problem) {
    // Said here too: Stripe only shows it in the endpoint's delivery log, and every event fails alike.
    console.warn(`[webhook] invalid Stripe-Signature: ${problem}`);
    return { status: 400, body: { error: 'Invalid Stripe signature' } };
  }
  const event = parseEvent(raw);
  if (!event) return { status: 400, body: { error: 'Not a Stripe event' } };
  return handleStripeEvent(options.affitor, event, options);
}

export function createWebhookServer(options: WebhookServerOptions): Server {
  return createServer((request, response) => {
    answer(request, options)
      .catch((error: unknown) => {
        // An unexpected bug: answer 500 so that Stripe redelivers once it is fixed.
        console.error('[webhook] failed:', error);
        return { status: 500, body: { error: 'Webhook handler failed' } };
      })
      .then(({ status, body }) => {
        response.writeHead(status, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify(body));
      })
      .catch(() => response.destroy());
  });
}
