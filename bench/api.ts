/**
 * The reference tracking server on a loopback port for the bench (`startServer`, as
 * `npm run server` runs it), but with browser-call rate limits keyed by `X-Forwarded-For`:
 * the load test sends a different visitor address per click, as many visitors would,
 * instead of one socket address hitting the 600-per-minute limit.
 */
import type { SeedInput, TrackingServer } from '../examples/server/src/app';
import { startServer } from '../examples/server/src/node';
import { newEventId } from '../src/core/outbox';
import { newSessionId } from '../src/browser/session';
import { buildClickPayload } from '../src/core/payloads';
import type { PageContext } from '../src/core/payloads';
import { PARTNER_A as SEED_PARTNER_A, PARTNER_B as SEED_PARTNER_B, seed } from '../test/support/seed';

export interface BenchApi {
  url: string;
  app: TrackingServer;
  /** The sequence number of the latest call the server logged. */
  mark(): number;
  /** Calls that reached the server after `mark`, by `METHOD /path` (from its request log of the latest 50). */
  countsSince(mark: number): Record<string, number>;
  close(): Promise<void>;
}

export const API_TOKEN = 'aff_test_1';
const PROGRAM_ID = 1;
export const PARTNER_A = SEED_PARTNER_A.link;
export const PARTNER_B = SEED_PARTNER_B.link;

/** The load test's click body (a landing on PARTNER123) and the origin it comes from. */
export const CLICK_BODY = JSON.stringify({ affiliate_url: `http://localhost/?aff=${PARTNER_A}` });
export const LOAD_ORIGIN = 'http://www.shop.test:8080';

/** What a desktop Chromium visitor's landing page tells the SDK (the fields of every click it sends). */
const LANDING_PAGE: PageContext = {
  page_url: `${LOAD_ORIGIN}/pricing?aff=${PARTNER_A}`,
  page_title: 'Pricing',
  referrer_url: 'https://partner.example/best-tools',
  user_agent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36',
  screen_resolution: '1920x1080',
  viewport_size: '1280x720',
  language: 'en-US',
  timezone: 'Europe/Berlin',
};

/**
 * A new visitor's click as the browser SDK sends it, built by the SDK's own payload code: the page
 * context, a session id and an `event_id` (whose first answer the server keeps for replays).
 */
export const sdkClickBody = (): string =>
  JSON.stringify({
    ...buildClickPayload(LANDING_PAGE.page_url, LANDING_PAGE, newSessionId(), PROGRAM_ID, null),
    event_id: newEventId(),
  });

/** What the filled server of the load test holds before its runs. */
export const FILL_CLICKS = 100_000;
export const FILL_SALES = 10_000;

export const saleBody = (transactionId: string, clickId: string): string =>
  JSON.stringify({ transaction_id: transactionId, amount_cents: 4900, click_id: clickId });

/** Program 1 (allowing `origins`) with two partner links; program rate limits out of the way of a load test. */
export function benchSeed(origins: string[]): SeedInput {
  return seed()
    .program(PROGRAM_ID, API_TOKEN, { allowed_origins: origins, rate_limits: { per_minute: 1e9, per_hour: 1e9 } })
    .partnersWithLinks(1, SEED_PARTNER_A, SEED_PARTNER_B)
    .build();
}

/** The first `X-Forwarded-For` entry: the load test's visitor address. */
const forwardedFor = (request: Request): string => request.headers.get('x-forwarded-for')?.split(',')[0]?.trim() || 'local';

export async function startApi(seed: SeedInput): Promise<BenchApi> {
  const server = await startServer({ port: 0, seed, clientAddress: forwardedFor });
  return {
    url: server.url,
    app: server.app,
    close: () => server.close(),
    mark: () => server.app.requests().at(-1)?.seq ?? 0,
    countsSince(mark) {
      const counts: Record<string, number> = {};
      for (const entry of server.app.requests()) {
        if (entry.seq <= mark) continue;
        const key = `${entry.method} ${entry.path}`;
        // An entry stands for the calls up to its seq, `calls` of them in a row.
        counts[key] = (counts[key] ?? 0) + Math.min(entry.calls, entry.seq - mark);
      }
      return counts;
    },
  };
}
