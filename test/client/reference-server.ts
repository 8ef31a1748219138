/** Wiring the client to the reference tracking server of examples/server, in-process. */
import { createTrackingServer } from '../../examples/server/src/app';
import type { SeedInput, TrackingServer } from '../../examples/server/src/app';
import { Affitor } from '../../src/server';
import type { AffitorOptions } from '../../src/server';
import { PARTNER_A, seed } from '../support/seed';

export const TOKEN = 'aff_test_1';

/** Program 1 with customers in the states the tests need; program 2 with a rate limit of 1 a minute. */
export const SEED: SeedInput = seed()
  .program(1, TOKEN, { commission_rate: 0.2 })
  .program(2, 'aff_slow_2', { rate_limits: { per_minute: 1 } })
  .partnersWithLinks(1, PARTNER_A)
  .link('INACTIVE1', 1, PARTNER_A.id, 'inactive')
  .customer({ id: 900, click_id: 'cust_900_1', customer_key: 'u_900', program_id: 1, partner_id: PARTNER_A.id, partner_program: true, status: 'click' })
  .customer({ id: 901, click_id: 'cust_901_1', customer_key: 'u_901', program_id: 1, partner_id: PARTNER_A.id, partner_program: true, status: 'lead' })
  .build();

/**
 * A fetch into `app` that lets a test step in: `before(n)` runs before attempt n (from 0) reaches
 * the server, `after(n, response)` may replace or drop (by throwing) its answer.
 */
export function inProcessFetch(
  app: TrackingServer,
  hooks: { before?: (n: number) => void; after?: (n: number, response: Response) => Response | Promise<Response> } = {},
): ((input: string, init: RequestInit) => Promise<Response>) & { count: () => number; requestIds: string[] } {
  let n = 0;
  const requestIds: string[] = [];
  const fetch = async (input: string, init: RequestInit) => {
    const attempt = n++;
    const request = new Request(input, init);
    requestIds.push(request.headers.get('x-request-id') ?? '');
    hooks.before?.(attempt);
    const response = await app.fetch(request);
    return hooks.after ? hooks.after(attempt, response) : response;
  };
  return Object.assign(fetch, { count: () => n, requestIds });
}

export function setup(options: Partial<AffitorOptions> & { hooks?: Parameters<typeof inProcessFetch>[1] } = {}) {
  const { hooks, ...clientOptions } = options;
  const app = createTrackingServer(SEED);
  const fetch = inProcessFetch(app, hooks);
  const affitor = new Affitor({ apiKey: TOKEN, apiUrl: 'https://tracking.test', fetch, retryDelayMs: 1, ...clientOptions });
  return { app, fetch, affitor };
}
