import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Affitor, createAffitorHandler } from '../../src/server';
import { API_KEY, fakeFetch, hangingFetch, json, thrown } from './helpers';

function assertNoKey(value: unknown) {
  expect(JSON.stringify(value) ?? '').not.toContain(API_KEY);
  expect(inspect(value, { depth: 10, showHidden: true, getters: true })).not.toContain(API_KEY);
}

describe('the API key never leaks', () => {
  it('is invisible to JSON.stringify, util.inspect and property listings', () => {
    const affitor = new Affitor({ apiKey: API_KEY, fetch: fakeFetch(() => json(200, {})) });
    assertNoKey(affitor);
    expect(Object.keys(affitor)).toEqual([]);
    expect(Object.getOwnPropertyNames(affitor)).toEqual([]);
  });

  it('is absent from results of every kind', async () => {
    const answers = [
      () => json(200, { success: true }),
      () => json(401, { error: 'Invalid API key' }),
      () => json(409, { error: 'Duplicate' }),
      () => new Response('oops', { status: 500 }),
    ];
    for (const answer of answers) {
      const affitor = new Affitor({ apiKey: API_KEY, fetch: fakeFetch(answer), maxRetries: 0 });
      assertNoKey(await affitor.trackSale({ invoiceId: 'i', amount: 1, clickId: 'c' }));
    }
    const slow = new Affitor({ apiKey: API_KEY, fetch: hangingFetch(), timeoutMs: 5, maxRetries: 0 });
    assertNoKey(await slow.trackRefund({ invoiceId: 'i' }));
  });

  it('is redacted from an error text that quotes it (a custom fetch, a proxy echoing headers)', async () => {
    const leaky = fakeFetch((call) => {
      throw new Error(`could not send ${call.headers.get('authorization')}`);
    });
    const result = await new Affitor({ apiKey: API_KEY, fetch: leaky, maxRetries: 0 }).trackRefund({ invoiceId: 'i' });
    expect(result.error).toMatch(/^could not send Bearer \[redacted\]\. The refund may have been applied: send it again with idempotencyKey '[\w-]+', which is answered, not applied twice$/);
    const echo = fakeFetch((call) => json(400, { error: `bad header ${call.headers.get('authorization')}` }));
    const echoed = await new Affitor({ apiKey: API_KEY, fetch: echo }).trackRefund({ invoiceId: 'i' });
    expect(echoed.error).toBe('bad header Bearer [redacted]');
  });

  it('leaves the server\'s words whole where a short development key or secret occurs in them', async () => {
    const refusal = fakeFetch(() => json(401, { error: 'Invalid API token: check the signing secret' }));
    const result = await new Affitor({ apiKey: 'API', signingSecret: 'secret', fetch: refusal, maxRetries: 0 }).trackRefund({ invoiceId: 'i' });
    expect(result.error).toBe('Invalid API token: check the signing secret');
  });

  it('is absent from the error of a bad constructor call', () => {
    for (const options of [{ apiKey: API_KEY, apiUrl: 'nope' }, { apiKey: API_KEY, maxRetries: -1 }]) {
      try {
        new Affitor(options);
      } catch (error) {
        expect(String(error)).not.toContain(API_KEY);
        assertNoKey(error);
        continue;
      }
      expect.unreachable();
    }
  });

  it('refuses an apiUrl that carries credentials, at creation and without quoting them', () => {
    // fetch refuses such a URL on every call, quoting it whole in its error: the credentials
    // would reach every result's error (and the merchant's logs), after useless retries.
    const apiUrl = 'https://gateway:s3cr3t-pass@api.affitor.test';
    for (const create of [() => new Affitor({ apiKey: API_KEY, apiUrl }), () => createAffitorHandler({ apiUrl })]) {
      const { message } = thrown(create);
      expect(message).toMatch(/apiUrl must not carry credentials/);
      expect(message).not.toContain('s3cr3t');
    }
  });

  it('does not quote an apiUrl that is a long token, which may be the API key in its place (environment variables swapped); a short word it quotes', () => {
    const { message } = thrown(() => new Affitor({ apiKey: 'https://api.affitor.com', apiUrl: 'aff_live_1_abcdefgh_supersecretkeyvalue' }));
    expect(message).toBe('apiUrl must be an absolute http(s) URL (got a 39-character token, not a URL: the API key in its place?)');
    // The clue itself: a host with no scheme, or a template that printed nothing.
    for (const apiUrl of ['localhost', 'undefined']) expect(thrown(() => new Affitor({ apiKey: API_KEY, apiUrl })).message).toBe(`apiUrl must be an absolute http(s) URL (got "${apiUrl}")`);
  });

  it('does not quote the credentials of an apiUrl refused for another reason (not http(s), not a URL)', () => {
    for (const [apiUrl, shown] of [
      ['ftp://gateway:s3cr3t-pass@api.affitor.test', '"ftp://[credentials]@api.affitor.test"'],
      ['https//gateway:s3cr3t-pass@api.affitor.test', '"https//[credentials]@api.affitor.test"'],
    ] as const) {
      const { message } = thrown(() => new Affitor({ apiKey: API_KEY, apiUrl }));
      expect(message).toBe(`apiUrl must be an absolute http(s) URL (got ${shown})`);
    }
  });

  it('does not quote credentials whose password holds a / # ? or @, nor ones given without a scheme', () => {
    // A generated password pasted unencoded: the URL does not parse, and the error quoted it whole.
    for (const apiUrl of [
      'https://gateway:s3cr3t/pass@api.affitor.test',
      'https://gateway:s3cr3t#pass@api.affitor.test',
      'https://gateway:s3cr3t?pass@api.affitor.test',
      'https://gateway:s3cr3t@pass@api.affitor.test',
      'gateway:s3cr3t-pass@api.affitor.test',
    ]) {
      for (const create of [() => new Affitor({ apiKey: API_KEY, apiUrl }), () => createAffitorHandler({ apiUrl })]) {
        const { message } = thrown(create);
        expect(message).toMatch(/apiUrl must (not carry credentials|.*\[credentials\]@api\.affitor\.test)/);
        expect(message).not.toContain('s3cr3t');
      }
    }
  });
});
