/** examples/nextjs's signup lead (lib/lead.ts, behind the server action), against the reference server: the key missing, refused, or there. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTrackingServer } from '../../examples/server/src/app';
import { reportLead } from '../../examples/nextjs/lib/lead';
import { Affitor } from '../../src/server';
import { SEED, TOKEN, inProcessFetch } from './reference-server';

const saved = { key: process.env.AFFITOR_API_KEY, url: process.env.AFFITOR_API_URL };
afterEach(() => {
  process.env.AFFITOR_API_KEY = saved.key;
  process.env.AFFITOR_API_URL = saved.url;
  vi.restoreAllMocks();
});

/** The reference server, reached both by the server client (lib/affitor.ts's, built from the environment) and by the global fetch. */
function shop(env: { AFFITOR_API_KEY: string }) {
  Object.assign(process.env, env, { AFFITOR_API_URL: 'https://tracking.test' });
  const app = createTrackingServer(SEED);
  const fetch = inProcessFetch(app);
  vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => fetch(input as string, init ?? {}));
  const client = () =>
    new Affitor({ apiKey: process.env.AFFITOR_API_KEY ?? '', apiUrl: process.env.AFFITOR_API_URL || undefined, fetch, maxRetries: 0 });
  const logged = { error: vi.spyOn(console, 'error').mockImplementation(() => {}), warn: vi.spyOn(console, 'warn').mockImplementation(() => {}) };
  return { app, fetch, client, logged };
}

const referred = { customerKey: 'next@example.com', email: 'next@example.com', clickId: 'cust_900_1' };

describe('examples/nextjs signup lead (lib/lead.ts)', () => {
  it('records the lead without the key when AFFITOR_API_KEY= is empty, saying so as an error, instead of failing the signup', async () => {
    const { app, client, logged } = shop({ AFFITOR_API_KEY: '' });
    await expect(reportLead(referred, client)).resolves.toBe(true);
    expect(app.inspect().leads).toEqual([expect.objectContaining({ click_id: 'cust_900_1', customer_key: 'next@example.com', mode: 'browser' })]);
    expect(logged.error).toHaveBeenCalledWith(expect.stringContaining('[affitor] AFFITOR_API_KEY is not set'));
  });

  it('records the lead without the key when the API refuses it, saying so as an error', async () => {
    const { app, client, logged } = shop({ AFFITOR_API_KEY: 'aff_revoked_9' });
    await expect(reportLead(referred, client)).resolves.toBe(true);
    expect(app.inspect().leads).toEqual([expect.objectContaining({ click_id: 'cust_900_1', mode: 'browser' })]);
    expect(logged.error).toHaveBeenCalledWith(expect.stringContaining('[affitor] AFFITOR_API_KEY was refused'));
  });

  it('records the lead with the key when there is one; a visitor from no partner costs no call and no warning', async () => {
    const { app, fetch, client, logged } = shop({ AFFITOR_API_KEY: TOKEN });
    await expect(reportLead(referred, client)).resolves.toBe(true);
    expect(app.inspect().leads).toEqual([expect.objectContaining({ click_id: 'cust_900_1', mode: 'server' })]);

    await expect(reportLead({ customerKey: 'organic@example.com', email: 'organic@example.com' }, client)).resolves.toBe(false);
    expect(fetch.count()).toBe(1);
    expect([...logged.error.mock.calls, ...logged.warn.mock.calls]).toEqual([]);
  });

  it('warns and resolves false when the API cannot be reached without the key, never throwing into the signup', async () => {
    const { logged } = shop({ AFFITOR_API_KEY: ' ' });
    vi.mocked(globalThis.fetch).mockRejectedValue(new TypeError('fetch failed'));
    await expect(reportLead(referred, () => { throw new Error('not called'); })).resolves.toBe(false);
    expect(logged.warn).toHaveBeenCalledWith('[affitor] lead not recorded: no answer from https://tracking.test/api/v1/track/lead (TypeError: fetch failed)');
  });
});
