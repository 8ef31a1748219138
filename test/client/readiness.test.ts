/** Affitor#readiness(): a GET that resolves to a result like every other method. */
import { describe, expect, it } from 'vitest';
import { createTrackingServer } from '../../examples/server/src/app';
import { Affitor } from '../../src/server';
import type { FetchLike } from '../../src/server';
import { SEED, TOKEN, inProcessFetch, setup } from './reference-server';

/** The client tests' seed, with the shop's origin: the profile gate passes. */
const READY_SEED = structuredClone(SEED);
READY_SEED.programs![0]!.allowed_origins = ['https://shop.test'];

describe('Affitor#readiness', () => {
  it("reads the program's readiness with a Bearer GET and no body", async () => {
    const seen: Request[] = [];
    const app = createTrackingServer(READY_SEED);
    const fetch: FetchLike = async (input, init) => {
      const request = new Request(input, init);
      seen.push(request.clone());
      return app.fetch(request);
    };
    const affitor = new Affitor({ apiKey: TOKEN, apiUrl: 'https://tracking.test/', fetch });
    const result = await affitor.readiness({ requestId: 'poll-7' });
    expect(result).toMatchObject({ ok: true, status: 200, requestId: 'poll-7', attempts: 1, data: { state: 'not_started', blocker: 'payout', gates: { profile: { status: 'pass' } } } });
    expect(seen[0]!.method).toBe('GET');
    expect(seen[0]!.url).toBe('https://tracking.test/api/v1/programs/me/readiness');
    expect(seen[0]!.headers.get('authorization')).toBe(`Bearer ${TOKEN}`);
    expect(seen[0]!.headers.has('content-type')).toBe(false);
    expect(await seen[0]!.text()).toBe('');
  });

  it('follows what the client itself reported, up to verified', async () => {
    const app = createTrackingServer(READY_SEED);
    const affitor = new Affitor({ apiKey: TOKEN, apiUrl: 'https://tracking.test', fetch: inProcessFetch(app) });
    const click = await affitor.trackClick({ affiliateUrl: 'https://shop.test/?aff=PARTNER123' });
    const clickId = click.ok && 'click_id' in click.data ? click.data.click_id : '';
    await affitor.trackLead({ clickId, customerExternalId: 'u_ready' });
    await affitor.trackSale({ invoiceId: 'in_ready', amount: 2900, customerExternalId: 'u_ready' });
    const result = await affitor.readiness();
    expect(result.ok && result.data).toMatchObject({ integration_verified: true, state: 'verified', blocker: null, poll: { retry_after_seconds: 300 } });
  });

  it('resolves to a failure, never rejects: unknown key, network down, server errors after retries', async () => {
    const app = createTrackingServer(SEED);
    const wrongKey = new Affitor({ apiKey: 'nope', apiUrl: 'https://tracking.test', fetch: inProcessFetch(app) });
    expect(await wrongKey.readiness()).toMatchObject({ ok: false, status: 401, code: 'unauthorized', error: 'Invalid API token' });

    const down = new Affitor({ apiKey: TOKEN, fetch: () => Promise.reject(new TypeError('fetch failed')), retryDelayMs: 1 });
    expect(await down.readiness()).toMatchObject({ ok: false, status: 0, code: 'network', attempts: 3 });

    let calls = 0;
    const flaky = new Affitor({
      apiKey: TOKEN,
      retryDelayMs: 1,
      fetch: () => Promise.resolve(++calls < 3 ? new Response('{"error":"Service unavailable"}', { status: 503 }) : Response.json({ state: 'not_started' })),
    });
    expect(await flaky.readiness()).toMatchObject({ ok: true, attempts: 3, data: { state: 'not_started' } });

    const html = new Affitor({ apiKey: TOKEN, fetch: () => Promise.resolve(new Response('<html>', { status: 200 })) });
    expect(await html.readiness()).toMatchObject({ ok: false, code: 'invalid_response' });
  });

  it('signs the GET over the empty body for a key with a signing secret', async () => {
    const seed = structuredClone(SEED);
    seed.programs![0]!.api_keys = [{ token: 'tok_signed', signing_secret: 'sec_1' }];
    const app = createTrackingServer(seed);
    const signed = new Affitor({ apiKey: 'tok_signed', signingSecret: 'sec_1', apiUrl: 'https://tracking.test', fetch: inProcessFetch(app) });
    expect(await signed.readiness()).toMatchObject({ ok: true, data: { state: 'not_started' } });
  });

  it('throws for bad call options, like the other methods', () => {
    const { affitor } = setup();
    expect(() => affitor.readiness({ requestId: 'bad id' })).toThrow(/requestId must be 1-128 characters/);
  });
});
