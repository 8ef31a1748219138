/**
 * examples/nextjs's signup lead (lib/lead.ts, behind the server action), against the reference server:
 * the key missing, refused, or there; and which leads the action hands to the browser SDK.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTrackingServer } from '../../examples/server/src/app';
import { LEAD_DEADLINE_MS, reportLead, signupLead } from '../../examples/nextjs/lib/lead';
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
    await expect(reportLead(referred, client)).resolves.toBe('recorded');
    expect(app.inspect().leads).toEqual([expect.objectContaining({ click_id: 'cust_900_1', customer_key: 'next@example.com', mode: 'browser' })]);
    expect(logged.error).toHaveBeenCalledWith(expect.stringContaining('[affitor] AFFITOR_API_KEY is not set'));
  });

  it('records the lead without the key when the API refuses it, saying so as an error', async () => {
    const { app, client, logged } = shop({ AFFITOR_API_KEY: 'aff_revoked_9' });
    await expect(reportLead(referred, client)).resolves.toBe('recorded');
    expect(app.inspect().leads).toEqual([expect.objectContaining({ click_id: 'cust_900_1', mode: 'browser' })]);
    expect(logged.error).toHaveBeenCalledWith(expect.stringContaining('[affitor] AFFITOR_API_KEY was refused'));
  });

  it('records the lead with the key when there is one; a visitor from no partner costs no call and no warning', async () => {
    const { app, fetch, client, logged } = shop({ AFFITOR_API_KEY: TOKEN });
    await expect(reportLead(referred, client)).resolves.toBe('recorded');
    expect(app.inspect().leads).toEqual([expect.objectContaining({ click_id: 'cust_900_1', mode: 'server' })]);

    // For the browser SDK, whose signup() waits for the landing's click.
    await expect(reportLead({ customerKey: 'organic@example.com', email: 'organic@example.com' }, client)).resolves.toBe('undelivered');
    expect(fetch.count()).toBe(1);
    expect([...logged.error.mock.calls, ...logged.warn.mock.calls]).toEqual([]);
  });

  it('warns and resolves undelivered when the API cannot be reached without the key, never throwing into the signup', async () => {
    const { logged } = shop({ AFFITOR_API_KEY: ' ' });
    vi.mocked(globalThis.fetch).mockRejectedValue(new TypeError('fetch failed'));
    await expect(reportLead(referred, () => { throw new Error('not called'); })).resolves.toBe('undelivered');
    expect(logged.warn).toHaveBeenCalledWith(
      '[affitor] lead not recorded: no answer from https://tracking.test/api/v1/track/lead (TypeError: fetch failed); the browser SDK retries it',
    );
  });

  it.each([
    ['with the key', TOKEN],
    ['without the key', ''],
  ])('resolves undelivered (for a retry) when the API is down or not reached, refused when it refuses the lead (a 4xx): %s', async (_, key) => {
    const { app, client, logged } = shop({ AFFITOR_API_KEY: key });
    app.setFaults({ lead: true });
    await expect(reportLead(referred, client)).resolves.toBe('undelivered');
    app.setFaults({ lead: false });
    // No answer: the server client (built on the global fetch here) or the call without the key.
    vi.mocked(globalThis.fetch).mockRejectedValueOnce(new TypeError('fetch failed'));
    await expect(reportLead(referred, () => new Affitor({ apiKey: TOKEN, apiUrl: 'https://tracking.test', maxRetries: 0 }))).resolves.toBe('undelivered');
    expect(app.inspect().leads).toEqual([]);

    // A click id the API does not know, and a customer that is a lead already: no retry would be taken.
    await expect(reportLead({ ...referred, clickId: 'cust_999_1' }, client)).resolves.toBe('refused');
    await expect(reportLead({ ...referred, customerKey: 'u_901', clickId: 'cust_901_1' }, client)).resolves.toBe('refused');
    expect(logged.warn).toHaveBeenLastCalledWith(expect.stringContaining('Customer status cannot be updated to lead'));
    expect(logged.warn).not.toHaveBeenLastCalledWith(expect.stringContaining('retries'));
  });
});

describe('examples/nextjs signup action: the lead it hands to the browser SDK (lib/lead.ts signupLead)', () => {
  const signup = (email: string, clickId?: string) => signupLead({ customerKey: email, email, clickId }, () => new Affitor({ apiKey: TOKEN, apiUrl: 'https://tracking.test' }));

  it("hands the browser SDK a lead the server could not deliver (the API down, after the server client's retries): else it was lost", async () => {
    const { app, logged } = shop({ AFFITOR_API_KEY: TOKEN });
    app.setFaults({ lead: true });
    await expect(signup('next@example.com', 'cust_900_1')).resolves.toEqual({
      recorded: false,
      leadInBrowser: { customerKey: 'next@example.com', email: 'next@example.com' },
    });
    expect(logged.warn).toHaveBeenCalledWith(expect.stringMatching(/^\[affitor\] lead not recorded: server Lead tracking failed .*; the browser SDK retries it$/));
    expect(app.inspect().leads).toEqual([]);
  });

  it('hands over neither a recorded lead (it would be sent twice) nor one the API refused (a 4xx: no retry would pass)', async () => {
    const { app } = shop({ AFFITOR_API_KEY: TOKEN });
    await expect(signup('next@example.com', 'cust_900_1')).resolves.toEqual({ recorded: true });
    // The same customer again (a lead already), and a click id the API does not know.
    await expect(signup('again@example.com', 'cust_900_1')).resolves.toEqual({ recorded: false });
    await expect(signup('unknown@example.com', 'cust_999_1')).resolves.toEqual({ recorded: false });
    expect(app.inspect().leads).toHaveLength(1);
  });

  it('hands the browser SDK the lead of a request whose click cookie was tampered with (no click id can be it), with no call: the API refused it, and the lead was lost', async () => {
    const { app, fetch, logged } = shop({ AFFITOR_API_KEY: TOKEN });
    for (const clickId of ['x'.repeat(600), 'cust_1"><script>', 'cust_1;evil']) {
      await expect(signup('tampered@example.com', clickId)).resolves.toEqual({
        recorded: false,
        leadInBrowser: { customerKey: 'tampered@example.com', email: 'tampered@example.com' },
      });
    }
    expect(fetch.count()).toBe(0);
    expect(vi.mocked(globalThis.fetch)).not.toHaveBeenCalled();
    expect(app.inspect().leads).toEqual([]);
    expect(logged.warn).not.toHaveBeenCalled();
  });

  it('hands the browser SDK the lead of a request without a click cookie, as before, with no call', async () => {
    const { fetch } = shop({ AFFITOR_API_KEY: TOKEN });
    await expect(signup('quick@example.com', undefined)).resolves.toEqual({ recorded: false, leadInBrowser: { customerKey: 'quick@example.com', email: 'quick@example.com' } });
    await expect(signup('quick@example.com', ' ')).resolves.toMatchObject({ leadInBrowser: { customerKey: 'quick@example.com' } });
    expect(fetch.count()).toBe(0);
    expect(vi.mocked(globalThis.fetch)).not.toHaveBeenCalled();
  });
});

describe('examples/nextjs signup action: how long the visitor waits for the lead (lib/lead.ts)', () => {
  /** An API that takes the request and never answers: the fetch settles only when its signal aborts. */
  const silent = (_input: unknown, init?: RequestInit) =>
    new Promise<Response>((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason as Error)));

  it.each([
    ['with the key (the server client with its defaults: 5 s a try, 2 retries)', TOKEN],
    ['without the key', ''],
  ])('hands the lead to the browser SDK within the deadline when the API does not answer, not after about 16 s: %s', async (_, key) => {
    const { logged } = shop({ AFFITOR_API_KEY: key });
    vi.mocked(globalThis.fetch).mockImplementation(silent);
    // The client lib/affitor.ts makes, defaults and all: the one webhooks share.
    const client = () => new Affitor({ apiKey: TOKEN, apiUrl: 'https://tracking.test', fetch: silent });
    const started = Date.now();
    await expect(signupLead({ customerKey: 'slow@example.com', email: 'slow@example.com', clickId: 'cust_900_1' }, client)).resolves.toEqual({
      recorded: false,
      leadInBrowser: { customerKey: 'slow@example.com', email: 'slow@example.com' },
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(LEAD_DEADLINE_MS - 50);
    expect(Date.now() - started).toBeLessThan(LEAD_DEADLINE_MS + 1_000);
    expect(logged.warn).toHaveBeenCalledWith(expect.stringMatching(key ? /^\[affitor\] lead not recorded: timeout No answer within the signup's 3000 ms \(request .+\); the browser SDK retries it$/ : /^\[affitor\] lead not recorded: no answer from .*TimeoutError.*; the browser SDK retries it$/));
  }, 10_000);
});
