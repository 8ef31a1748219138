/** Shared fixtures for the contract tests: a seed reaching every state, and a thin client. */
import { createTrackingServer } from '../../examples/server/src/app';
import type { Faults, SeedInput, TrackingServerOptions } from '../../examples/server/src/app';
import { PARTNER_A, PARTNER_B, seed } from '../support/seed';

export const API = 'https://api.affitor.test';
export const TOKEN_1 = 'tok_program_one';
export const TOKEN_2 = 'tok_program_two';
export const ADMIN = 'admin_contract';
export const SHOP_ORIGIN = 'http://www.shop.test:8080';
export const OTHER_SHOP_ORIGIN = 'http://app.other.test';
export const START = Date.parse('2026-03-01T00:00:00Z');
export const DAY = 86_400_000;

/** Two programs, and links and customers reaching every state of the error table. */
export function baseSeed(): SeedInput {
  return seed()
    .program(1, TOKEN_1, { cookie_window_days: 30, attribution_window_days: 60, commission_rate: 0.2, allowed_origins: [SHOP_ORIGIN] })
    .program(2, TOKEN_2, { commission_rate: 0.1, allowed_origins: [OTHER_SHOP_ORIGIN] })
    .partners(PARTNER_A, PARTNER_B)
    .link(PARTNER_A.link, 1, PARTNER_A.id, 'active')
    .link(PARTNER_B.link, 1, PARTNER_B.id)
    .link('PROGRAM2', 2, PARTNER_B.id)
    .link('SLEEPING', 1, PARTNER_A.id, 'inactive')
    .link('NOPARTNER', 1, null)
    .link('NOPROGRAM', null, PARTNER_A.id)
    .customer({ id: 900, click_id: 'cust_900_1', customer_key: 'u_900', program_id: 1, partner_id: 10, status: 'click' })
    .customer({ id: 901, click_id: 'cust_901_1', customer_key: 'u_901', program_id: 1, partner_id: 10, status: 'lead' })
    .customer({ id: 902, click_id: 'cust_902_1', customer_key: 'u_902', program_id: 1, partner_id: 10, partner_program: false })
    .customer({ id: 903, click_id: 'cust_903_1', customer_key: 'u_903', program_id: 1, partner_id: null, partner_program: true })
    .customer({ id: 904, click_id: 'cust_904_1', customer_key: 'u_904', program_id: 2, partner_id: 11 })
    .customer({ id: 905, click_id: 'cust_905_1', customer_key: 'u_905', program_id: 1, partner_id: 10, clicked_at: '2025-12-01T00:00:00Z' })
    // Reached in-process under API's name, as a server deployed under a name of its own.
    .admin(ADMIN, [new URL(API).hostname])
    .build();
}

export interface Reply {
  status: number;
  headers: Headers;
  /** the parsed JSON body, or `undefined` when the body is empty */
  body: Record<string, unknown> | undefined;
}

export interface CallOptions {
  token?: string;
  /** sent as-is when given; wins over `token` */
  authorization?: string;
  headers?: Record<string, string>;
  method?: string;
  /** a raw body; objects are JSON-encoded */
  raw?: string;
}

export async function toReply(response: Response): Promise<Reply> {
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) };
}

export type Call = (path: string, body?: unknown, options?: CallOptions) => Promise<Reply>;

export function buildRequest(base: string, path: string, body?: unknown, options: CallOptions = {}): Request {
  const headers = new Headers({ 'Content-Type': 'application/json', ...options.headers });
  if (options.authorization !== undefined) headers.set('Authorization', options.authorization);
  else if (options.token !== undefined) headers.set('Authorization', `Bearer ${options.token}`);
  const method = options.method ?? 'POST';
  const payload = options.raw ?? (body === undefined ? undefined : JSON.stringify(body));
  return new Request(`${base}${path}`, { method, headers, ...(payload !== undefined && method !== 'GET' && method !== 'HEAD' ? { body: payload } : {}) });
}

/** A fresh server on the base seed (or `seed`), a settable clock, and a client for it. */
export function setup(seed: SeedInput = baseSeed(), options: TrackingServerOptions = {}) {
  const clock = { now: START };
  const server = createTrackingServer(seed, { now: () => clock.now, ...options });
  const call: Call = async (path, body, callOptions) => toReply(await server.fetch(buildRequest(API, path, body, callOptions)));
  const click = (aff: string, extra: Record<string, unknown> = {}) =>
    call('/api/v1/track/click', { affiliate_url: `https://shop.test/landing?aff=${aff}`, ...extra });
  const sale = (body: Record<string, unknown>, token = TOKEN_1) => call('/api/v1/track/sale', body, { token });
  const refund = (body: Record<string, unknown>, token = TOKEN_1) => call('/api/v1/track/refund', body, { token });
  const lead = (body: Record<string, unknown>, options?: CallOptions) => call('/api/v1/track/lead', body, options);
  const faults = (partial: Partial<Faults>) => server.setFaults(partial);
  return { server, clock, call, click, sale, refund, lead, faults };
}

export function errorOf(reply: Reply): unknown {
  return reply.body?.error;
}
