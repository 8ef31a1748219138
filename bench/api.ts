/**
 * The reference tracking server on a loopback port for the bench, counting the requests
 * that reach it. Like examples/server/src/node.ts, but browser-call rate limits are keyed by
 * the server's default (`X-Forwarded-For`, else one shared key): the load test sends a
 * different visitor address per click, as many visitors would, instead of one socket address
 * hitting the 600-per-minute limit.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createTrackingServer } from '../examples/server/src/app';
import type { SeedInput, TrackingServer } from '../examples/server/src/app';

export interface BenchApi {
  url: string;
  app: TrackingServer;
  /** Requests that reached the server, by `METHOD /path`. */
  counts: Map<string, number>;
  close(): Promise<void>;
}

export const API_TOKEN = 'aff_test_1';
export const PARTNER_A = 'PARTNER123';
export const PARTNER_B = 'PARTNER456';

/** The load test's click body (a landing on PARTNER123) and the origin it comes from. */
export const CLICK_BODY = JSON.stringify({ affiliate_url: `http://localhost/?aff=${PARTNER_A}` });
export const LOAD_ORIGIN = 'http://www.shop.test:8080';
export const saleBody = (transactionId: string, clickId: string): string =>
  JSON.stringify({ transaction_id: transactionId, amount_cents: 4900, click_id: clickId });

/** Program 1 (allowing `origins`) with two partner links; program rate limits out of the way of a load test. */
export function benchSeed(origins: string[]): SeedInput {
  return {
    programs: [{ id: 1, api_token: API_TOKEN, allowed_origins: origins, rate_limits: { per_minute: 1e9, per_hour: 1e9 } }],
    partners: [{ id: 10, name: 'Partner A' }, { id: 11, name: 'Partner B' }],
    referral_links: [
      { short_link: PARTNER_A, program_id: 1, partner_id: 10 },
      { short_link: PARTNER_B, program_id: 1, partner_id: 11 },
    ],
  };
}

export function startApi(seed: SeedInput): Promise<BenchApi> {
  const app = createTrackingServer(seed);
  const counts = new Map<string, number>();
  return new Promise((resolve, reject) => {
    const server = serve(
      {
        hostname: '127.0.0.1',
        port: 0,
        overrideGlobalObjects: false,
        fetch: (request: Request) => {
          const key = `${request.method} ${new URL(request.url).pathname}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
          return app.fetch(request);
        },
      },
      (info: AddressInfo) =>
        resolve({
          url: `http://127.0.0.1:${info.port}`,
          app,
          counts,
          close: () =>
            new Promise<void>((done, fail) => {
              server.close((error) => (error ? fail(error) : done()));
              if ('closeAllConnections' in server) server.closeAllConnections();
            }),
        }),
    );
    server.once('error', reject);
  });
}
