/**
 * A tiny local stand-in for Stripe's API: `POST /v1/checkout/sessions` (form-encoded, as Stripe
 * takes it) records the session and answers like Stripe, with a `url` on this server; a GET of
 * that URL answers a page. It checks what Stripe checks about attribution: a `client_reference_id`
 * must be 1-200 of letters, digits, `-` and `_`, and `subscription_data` needs subscription mode.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandInSession {
  id: string;
  /** The form fields as sent, nested keys kept as Stripe writes them (`metadata[affitor_click_id]`). */
  fields: Record<string, string>;
}

export interface StripeStandIn {
  url: string;
  sessions: StandInSession[];
  close(): Promise<void>;
}

const stripeError = (message: string, param: string) => ({ error: { type: 'invalid_request_error', message, param } });

export async function startStripeStandIn(): Promise<StripeStandIn> {
  const sessions: StandInSession[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const send = (status: number, body: unknown, type = 'application/json') => {
        response.writeHead(status, { 'Content-Type': type });
        response.end(typeof body === 'string' ? body : JSON.stringify(body));
      };
      if (request.method === 'GET' && request.url?.startsWith('/pay/')) return send(200, '<h1>Stripe Checkout (stand-in)</h1>', 'text/html');
      if (request.method !== 'POST' || request.url !== '/v1/checkout/sessions') return send(404, stripeError('Unrecognized request URL', 'url'));
      if (!request.headers.authorization?.startsWith('Bearer ')) return send(401, stripeError('You did not provide an API key.', 'key'));
      const fields = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      const reference = fields.client_reference_id;
      if (reference !== undefined && !/^[\w-]{1,200}$/.test(reference)) {
        return send(400, stripeError('Invalid client_reference_id', 'client_reference_id'));
      }
      if (fields.mode !== 'subscription' && Object.keys(fields).some((key) => key.startsWith('subscription_data'))) {
        return send(400, stripeError('You can not pass `subscription_data` in `payment` mode.', 'subscription_data'));
      }
      const id = `cs_test_${sessions.length + 1}`;
      sessions.push({ id, fields });
      const { port } = server.address() as AddressInfo;
      send(200, { id, object: 'checkout.session', url: `http://127.0.0.1:${port}/pay/${id}`, client_reference_id: reference ?? null });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    sessions,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
