import { describe, expect, it } from 'vitest';
import { Affitor, AffitorInputError, isAffitorInputError } from '../../src/server';
import type { TrackSaleInput } from '../../src/server';
import { API_KEY, fakeFetch, json, thrown } from './helpers';

const fetch = fakeFetch(() => json(200, { success: true }));
const affitor = new Affitor({ apiKey: API_KEY, fetch });
const sale: TrackSaleInput = { invoiceId: 'in_1', amount: 4900, customerExternalId: 'u_1' };

/** Runs `fn`, expecting a synchronous AffitorInputError, and returns it. */
function thrownInputError(fn: () => unknown): AffitorInputError {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(AffitorInputError);
  expect(error).toBeInstanceOf(TypeError);
  return error as AffitorInputError;
}

describe('invalid input throws synchronously, naming the field and the value given', () => {
  it('refuses a client without an apiKey, without quoting what was given', () => {
    const missing = thrownInputError(() => new Affitor({} as never));
    expect(missing.field).toBe('apiKey');
    expect(missing.message).toBe("apiKey is required: pass your program's API key (got undefined)");
    expect(thrownInputError(() => new Affitor({ apiKey: '   ' })).message).toContain('(got a blank string)');
    expect(thrownInputError(() => new Affitor({ apiKey: 12345 as never })).message).toContain('(got a number)');
    expect(thrownInputError(() => new Affitor(undefined as never)).field).toBe('options');
  });

  it('refuses an apiKey holding a character no HTTP header can carry, without quoting it', () => {
    // A zero-width space or curly quote pasted with the key, a line break inside it: fetch would
    // refuse the Authorization header on every call, reported as a network failure and retried.
    for (const [apiKey, position] of [[`${API_KEY}\u200b`, API_KEY.length + 1], [`aff\u2019key`, 4], ['aff\nkey', 4], ['aff key', 4]] as const) {
      const error = thrownInputError(() => new Affitor({ apiKey, fetch }));
      expect(error.field).toBe('apiKey');
      expect(error.message).toBe(
        `apiKey must be printable ASCII with no spaces, as your program settings show it: character ${position} is not (a stray character copied with it?)`,
      );
    }
  });

  it('refuses bad constructor options', () => {
    expect(thrownInputError(() => new Affitor({ apiKey: API_KEY, apiUrl: 'api.affitor.com' })).message).toBe(
      'apiUrl must be an absolute http(s) URL (got "api.affitor.com")',
    );
    expect(thrownInputError(() => new Affitor({ apiKey: API_KEY, apiUrl: new URL('https://api.affitor.com') as never })).message).toBe(
      'apiUrl must be a string (got a URL object: pass its href)',
    );
    expect(thrownInputError(() => new Affitor({ apiKey: API_KEY, maxRetries: 1.5 })).field).toBe('maxRetries');
    expect(thrownInputError(() => new Affitor({ apiKey: API_KEY, maxRetries: -1 })).field).toBe('maxRetries');
    expect(thrownInputError(() => new Affitor({ apiKey: API_KEY, timeoutMs: 0 })).field).toBe('timeoutMs');
    expect(thrownInputError(() => new Affitor({ apiKey: API_KEY, retryDelayMs: Number.NaN })).field).toBe('retryDelayMs');
    expect(thrownInputError(() => new Affitor({ apiKey: API_KEY, fetch: 'fetch' as never })).field).toBe('fetch');
  });

  it('refuses an http apiUrl off this machine: the API key would travel in clear text', () => {
    for (const apiUrl of ['http://api.affitor.com', 'http://10.0.0.5:8787', 'HTTP://Tracking.Example/affitor']) {
      const error = thrownInputError(() => new Affitor({ apiKey: API_KEY, apiUrl, fetch }));
      expect(error.field).toBe('apiUrl');
      expect(error.message).toBe(
        `apiUrl must use https: over http the API key and every sale would travel in clear text (got ${JSON.stringify(apiUrl)}); http is kept for localhost (and *.localhost), 127.x.x.x and [::1]`,
      );
      expect(error.message).not.toContain(API_KEY);
    }
    // The reference server and local development stay on plain http.
    for (const apiUrl of ['http://localhost:8787', 'http://api.localhost', 'http://127.0.0.1:8787/', 'http://127.1.2.3', 'http://[::1]:8787']) {
      expect(() => new Affitor({ apiKey: API_KEY, apiUrl, fetch })).not.toThrow();
    }
  });

  it('refuses an apiUrl with a query or a fragment, which the route path would land after', () => {
    // `${apiUrl}/api/v1/track/sale` would be https://proxy.test/affitor?x=1/api/v1/track/sale: every call to the wrong path.
    for (const apiUrl of ['https://proxy.test/affitor?x=1', 'https://api.affitor.com/#top', 'https://api.affitor.com?']) {
      const error = thrownInputError(() => new Affitor({ apiKey: API_KEY, apiUrl, fetch }));
      expect(error.field).toBe('apiUrl');
      expect(error.message).toBe(`apiUrl must not carry a query (?) or a fragment (#): the client adds each route's path to it (got ${JSON.stringify(apiUrl)})`);
    }
  });

  it('refuses a sale or lead with neither customerExternalId nor clickId', () => {
    const error = thrownInputError(() => affitor.trackSale({ invoiceId: 'in_1', amount: 100 }));
    expect(error.field).toBe('customerExternalId');
    expect(error.message).toBe(
      'trackSale needs customerExternalId or clickId to find the customer (got customerExternalId: undefined, clickId: undefined)',
    );
    expect(thrownInputError(() => affitor.trackLead({ email: 'a@b.c' })).message).toMatch(/^trackLead needs customerExternalId or clickId/);
    expect(thrownInputError(() => affitor.trackLead({ customerExternalId: '' })).message).toBe(
      'customerExternalId must be a non-empty string (got an empty string)',
    );
  });

  it.each([
    [49.5, '49.5'],
    [0, '0'],
    [-100, '-100'],
    [Number.NaN, 'NaN'],
    ['4900', '"4900"'],
    [undefined, 'undefined'],
  ])('refuses amount %s', (amount, shown) => {
    const error = thrownInputError(() => affitor.trackSale({ ...sale, amount: amount as number }));
    expect(error.field).toBe('amount');
    expect(error.message).toBe(`amount must be a positive integer number of cents (4900 for 49.00) (got ${shown})`);
  });

  it('refuses a sale or refund without an invoiceId', () => {
    expect(thrownInputError(() => affitor.trackSale({ ...sale, invoiceId: undefined as never })).message).toBe(
      'invoiceId must be a non-empty string (got undefined)',
    );
    expect(thrownInputError(() => affitor.trackSale({ ...sale, invoiceId: 42 as never })).message).toBe(
      'invoiceId must be a non-empty string (got 42)',
    );
    expect(thrownInputError(() => affitor.trackRefund({} as never)).field).toBe('invoiceId');
  });

  it('refuses a refund amount that is not a non-negative integer', () => {
    expect(thrownInputError(() => affitor.trackRefund({ invoiceId: 'x', refundAmountCents: -1 })).message).toBe(
      'refundAmountCents must be a non-negative integer number of cents (0 or omitted for a full refund) (got -1)',
    );
    expect(thrownInputError(() => affitor.trackRefund({ invoiceId: 'x', refundAmountCents: 9.99 })).field).toBe('refundAmountCents');
  });

  it("refuses a partial refund's amount under another name, which would have been sent as a full refund", () => {
    // trackSale's field name, passed in a variable (TypeScript checks extra fields of object literals only).
    const refund = { invoiceId: 'in_77', amount: 1000 };
    const error = thrownInputError(() => affitor.trackRefund(refund));
    expect(error.field).toBe('amount');
    expect(error.message).toBe("trackRefund takes a partial refund's cents as refundAmountCents, not amount (got 1000); leave both out for a full refund");
    // Stripe's name on a charge among them: a partial refund reported as full reversed the whole commission.
    for (const name of ['amountCents', 'refundAmount', 'refund_amount_cents', 'amount_refunded']) {
      expect(thrownInputError(() => affitor.trackRefund({ invoiceId: 'in_77', [name]: 1000 })).message).toBe(
        `trackRefund takes a partial refund's cents as refundAmountCents, not ${name} (got 1000); leave both out for a full refund`,
      );
    }
  });

  it('refuses a field or an option it does not know, which was left out unsent, naming the one meant', async () => {
    // In a variable, as TypeScript checks extra fields of object literals only.
    const yen = { ...sale, currencyCode: 'JPY' };
    const currency = thrownInputError(() => affitor.trackSale(yen));
    expect(currency.field).toBe('currencyCode');
    expect(currency.message).toBe(
      'trackSale has no field currencyCode (did you mean currency?): it would be ignored. Fields: invoiceId, amount, customerExternalId, clickId, ' +
        'currency, saleType, lineItems, isRecurring, subscriptionId, subscriptionInterval, productId, additionalData, testMode; anything else goes in additionalData',
    );
    // A redelivered partial refund under an idempotency key the client never sent was applied twice.
    const redelivery = { requestId: 'evt_1', idempotency_key: 'evt_1' };
    const key = thrownInputError(() => affitor.trackRefund({ invoiceId: 'in_2', refundAmountCents: 1000 }, redelivery));
    expect(key.field).toBe('idempotency_key');
    expect(key.message).toBe('trackRefund has no option idempotency_key (did you mean idempotencyKey?): it would be ignored. Options: signal, requestId, idempotencyKey');
    // The one meant, written otherwise, by the API's name, with a typo, or longer or shorter.
    const meant = (fn: () => unknown) => /did you mean (\w+)\?/.exec(thrownInputError(fn).message)?.[1];
    expect(meant(() => affitor.trackSale({ ...sale, invoiceId: undefined, transaction_id: 'in_1' } as never))).toBe('invoiceId');
    expect(meant(() => affitor.trackSale({ ...sale, invoiceId: undefined, invoiceID: 'in_1' } as never))).toBe('invoiceId');
    expect(meant(() => affitor.trackSale({ ...sale, customerExternalId: undefined, customerId: 'u_1' } as never))).toBe('customerExternalId');
    expect(meant(() => affitor.trackLead({ clickId: 'c', emial: 'a@b.c' } as never))).toBe('email');
    expect(meant(() => affitor.trackClick({ affiliateUrl: 'https://s.test/?aff=P', referer: 'https://r.test' } as never))).toBe('referrerUrl');
    expect(meant(() => affitor.trackRefund({ invoiceId: 'x', reason: 'requested_by_customer' } as never))).toBe('refundReason');
    expect(meant(() => new Affitor({ apiKey: API_KEY, apiURL: 'http://localhost:8787' } as never))).toBe('apiUrl');
    expect(meant(() => new Affitor({ apiKey: API_KEY, timeout: 10_000 } as never))).toBe('timeoutMs');
    expect(thrownInputError(() => affitor.trackSale({ ...sale, orderId: 'o_1' } as never)).message).toMatch(/^trackSale has no field orderId: it would be ignored\. Fields: /);
    expect(thrownInputError(() => affitor.readiness({ timeout: 100 } as never)).message).toBe('readiness has no option timeout: it would be ignored. Options: signal, requestId');
    // An option's value is never quoted: it may be the API key itself.
    const named = thrownInputError(() => new Affitor({ api_key: API_KEY } as never));
    expect(named.message).toBe(
      'new Affitor() has no option api_key (did you mean apiKey?): it would be ignored. Options: apiKey, signingSecret, apiUrl, fetch, timeoutMs, maxRetries, retryDelayMs, maxRetryDelayMs',
    );
    // A lead's idempotencyKey keeps its own advice; a key set to undefined drops nothing and passes.
    expect(thrownInputError(() => affitor.trackLead({ clickId: 'c' }, { idempotencyKey: 'k' } as never)).message).toMatch(/take an eventId$/);
    const sent = fakeFetch(() => json(200, { success: true }));
    await new Affitor({ apiKey: API_KEY, fetch: sent, signingSecret: undefined }).trackSale({ ...sale, orderId: undefined } as never, { requestId: 'r', traceId: undefined } as never);
    expect(sent.calls).toHaveLength(1);
  });

  it('refuses test_mode in additionalData, which overrode testMode: false and slipped past the refund\'s refusal of test mode', () => {
    // Sent, a live sale was recorded as a test: no commission, and `ok: true`.
    const live = thrownInputError(() => affitor.trackSale({ ...sale, testMode: false, additionalData: { test_mode: true } }));
    expect(live.field).toBe('additionalData');
    expect(live.message).toBe('additionalData.test_mode is for the testMode option to set: pass testMode instead (got true)');
    // A live sale's refund "in test mode" reversed the partner's commission all the same.
    expect(thrownInputError(() => affitor.trackRefund({ invoiceId: 'in_1', additionalData: { test_mode: true } })).field).toBe('additionalData');
    expect(thrownInputError(() => affitor.trackLead({ clickId: 'c', additionalData: { test_mode: false } })).message).toMatch(/\(got false\)$/);
    expect(thrownInputError(() => affitor.trackClick({ affiliateUrl: 'https://s.test/?aff=P', additionalData: { toJSON: () => ({ test_mode: 1 }) } })).field).toBe('additionalData');
  });

  it('refuses a click without an affiliateUrl, bad event ids, request ids and field types', () => {
    expect(thrownInputError(() => affitor.trackClick({} as never)).message).toBe('affiliateUrl must be a non-empty string (got undefined)');
    expect(thrownInputError(() => affitor.trackClick({ affiliateUrl: 'https://s.test/?aff=P', eventId: 'has space' })).field).toBe('eventId');
    expect(thrownInputError(() => affitor.trackSale(sale, { requestId: 'bad id!' })).field).toBe('requestId');
    expect(thrownInputError(() => affitor.trackSale({ ...sale, lineItems: 'x' as never })).field).toBe('lineItems');
    expect(thrownInputError(() => affitor.trackSale({ ...sale, isRecurring: 'yes' as never })).field).toBe('isRecurring');
    expect(thrownInputError(() => affitor.trackSale({ ...sale, additionalData: [] as never })).message).toBe(
      'additionalData must be a plain object (got an array)',
    );
    expect(thrownInputError(() => affitor.trackLead({ clickId: 'c', clickIds: ['a', 1] as never })).field).toBe('clickIds');
    expect(thrownInputError(() => affitor.trackSale(null as never)).message).toBe('trackSale expects an object of fields (got null)');
  });

  it('names an object given in place of a value as "an object", with the article English takes', () => {
    expect(thrownInputError(() => affitor.trackSale({ ...sale, invoiceId: {} as never })).message).toBe(
      'invoiceId must be a non-empty string (got an object)',
    );
    expect(thrownInputError(() => affitor.trackClick([] as never)).message).toBe('trackClick expects an object of fields (got an array)');
    expect(thrownInputError(() => new Affitor({ apiKey: API_KEY, fetch: {} as never })).message).toBe('fetch must be a function (got an object)');
    expect(thrownInputError(() => new Affitor({ apiKey: { key: API_KEY } as never })).message).toBe(
      "apiKey is required: pass your program's API key (got an object)",
    );
    expect(thrownInputError(() => new Affitor({ apiKey: API_KEY, signingSecret: null as never })).message).toBe(
      'signingSecret must be a non-empty string (got null)',
    );
  });

  it('refuses a signal that is not an AbortSignal (an AbortController passed for its signal) instead of rejecting', () => {
    const sent = fakeFetch(() => json(200, { success: true }));
    const client = new Affitor({ apiKey: API_KEY, fetch: sent });
    const controller = thrownInputError(() => client.trackSale(sale, { signal: new AbortController() as never }));
    expect(controller.field).toBe('signal');
    expect(controller.message).toBe('signal must be an AbortSignal (got an AbortController: pass its .signal)');
    expect(thrownInputError(() => client.readiness({ signal: 'abort' as never })).message).toBe('signal must be an AbortSignal (got "abort")');
    expect(thrownInputError(() => client.trackLead({ clickId: 'c' }, { signal: {} as never })).field).toBe('signal');
    expect(sent.calls).toHaveLength(0);
  });

  it('refuses additionalData or lineItems that JSON cannot carry, naming where (a BigInt id, a circular object)', () => {
    const bigint = thrownInputError(() => affitor.trackSale({ ...sale, additionalData: { order: { id: 42n } } }));
    expect(bigint.field).toBe('additionalData');
    expect(bigint.message).toBe('additionalData.order.id must be a JSON value (got a bigint: send String(value) or Number(value))');
    const circular: Record<string, unknown> = { name: 'plan' };
    circular.self = circular;
    const loop = thrownInputError(() => affitor.trackSale({ ...sale, lineItems: [{ sku: 'a' }, circular] }));
    expect(loop.field).toBe('lineItems');
    expect(loop.message).toBe('lineItems[1].self must be a JSON value (got a circular reference)');
    expect(thrownInputError(() => affitor.trackRefund({ invoiceId: 'x', additionalData: { n: 1n } })).field).toBe('additionalData');
  });

  it('refuses a Map or a Set in additionalData or lineItems, which JSON would send as {} and lose', () => {
    const map = thrownInputError(() => affitor.trackSale({ ...sale, additionalData: { plan: new Map([['tier', 'pro']]) } }));
    expect(map.field).toBe('additionalData');
    expect(map.message).toBe('additionalData.plan must be a JSON value (got a Map: send Object.fromEntries(value))');
    expect(thrownInputError(() => affitor.trackSale({ ...sale, additionalData: new Map([['tier', 'pro']]) as never })).message).toBe(
      'additionalData must be a JSON value (got a Map: send Object.fromEntries(value))',
    );
    expect(thrownInputError(() => affitor.trackSale({ ...sale, lineItems: [{ tags: new Set(['a']) }] })).message).toBe(
      'lineItems[0].tags must be a JSON value (got a Set: send [...value])',
    );
  });

  it('refuses NaN, Infinity, an invalid Date, a function or a symbol in additionalData or lineItems, which JSON would send as null or leave out', () => {
    const nan = thrownInputError(() => affitor.trackSale({ ...sale, additionalData: { total: Number.NaN } }));
    expect(nan.field).toBe('additionalData');
    expect(nan.message).toBe('additionalData.total must be a JSON value (got NaN, which JSON sends as null)');
    expect(thrownInputError(() => affitor.trackSale({ ...sale, lineItems: [{ price: 1 / 0 }] })).message).toBe(
      'lineItems[0].price must be a JSON value (got Infinity, which JSON sends as null)',
    );
    expect(thrownInputError(() => affitor.trackLead({ clickId: 'c', additionalData: { at: [new Date('not a date')] } })).message).toBe(
      'additionalData.at[0] must be a JSON value (got an invalid Date, which JSON sends as null)',
    );
    expect(thrownInputError(() => affitor.trackRefund({ invoiceId: 'x', additionalData: { format: () => 'x' } })).message).toBe(
      'additionalData.format must be a JSON value (got a function, which JSON leaves out)',
    );
    expect(thrownInputError(() => affitor.trackClick({ affiliateUrl: 'https://s.test/?aff=P', additionalData: { tag: Symbol('t') } })).message).toBe(
      'additionalData.tag must be a JSON value (got a symbol, which JSON leaves out)',
    );
    // What a toJSON returns is what is checked, as elsewhere.
    expect(thrownInputError(() => affitor.trackSale({ ...sale, lineItems: [{ toJSON: () => -Infinity }] })).message).toBe(
      'lineItems[0] must be a JSON value (got -Infinity, which JSON sends as null)',
    );
  });

  it('sends additionalData with toJSON as JSON would (an ORM record), and refuses one whose JSON is no object (a Date)', async () => {
    const sent = fakeFetch(() => json(200, { success: true }));
    const record = { _internal: { dirty: true }, toJSON: () => ({ plan: 'pro' }) };
    await new Affitor({ apiKey: API_KEY, fetch: sent }).trackSale({ ...sale, additionalData: record });
    expect(sent.calls[0]?.body.additional_data).toEqual({ plan: 'pro' });
    const date = thrownInputError(() => affitor.trackSale({ ...sale, additionalData: new Date(0) as never }));
    expect(date.field).toBe('additionalData');
    expect(date.message).toBe('additionalData must be a plain object (got a Date)');
  });

  it('refuses a value whose toJSON returns a BigInt, naming where, as JSON.stringify would fail on it', () => {
    // Regression: values with toJSON were not looked into, and JSON.stringify threw a plain TypeError naming nothing.
    const id = { toJSON: () => 42n };
    const error = thrownInputError(() => affitor.trackSale({ ...sale, additionalData: { order: { id } } }));
    expect(error.field).toBe('additionalData');
    expect(error.message).toBe('additionalData.order.id must be a JSON value (got a bigint: send String(value) or Number(value))');
    expect(thrownInputError(() => affitor.trackSale({ ...sale, lineItems: [{ toJSON: () => ({ qty: 1n }) }] })).message).toBe(
      'lineItems[0].qty must be a JSON value (got a bigint: send String(value) or Number(value))',
    );
  });

  it('sends a BigInt when a BigInt.prototype.toJSON polyfill makes JSON.stringify accept it', async () => {
    const sent = fakeFetch(() => json(200, { success: true }));
    const proto = BigInt.prototype as { toJSON?: () => string };
    proto.toJSON = function (this: bigint) {
      return this.toString();
    };
    try {
      await new Affitor({ apiKey: API_KEY, fetch: sent }).trackSale({ ...sale, additionalData: { order: { id: 42n } } });
    } finally {
      delete proto.toJSON;
    }
    expect(sent.calls[0]?.body.additional_data).toEqual({ order: { id: '42' } });
  });

  it('sends the same object twice (no cycle) and a Date (its toJSON string) in additionalData', async () => {
    const sent = fakeFetch(() => json(200, { success: true }));
    const shared = { a: 1 };
    await new Affitor({ apiKey: API_KEY, fetch: sent }).trackSale({ ...sale, additionalData: { x: shared, y: [shared], at: new Date(0) } });
    expect(sent.calls[0]?.body.additional_data).toEqual({ x: { a: 1 }, y: [{ a: 1 }], at: '1970-01-01T00:00:00.000Z' });
  });

  it('sends nothing when the input is refused', () => {
    // A client of its own: the file's shared one would make this depend on the tests run before it.
    const refusedFetch = fakeFetch(() => json(200, { success: true }));
    const client = new Affitor({ apiKey: API_KEY, fetch: refusedFetch });
    thrownInputError(() => client.trackSale({ ...sale, amount: 49.5 }));
    thrownInputError(() => client.trackSale(sale, { requestId: 'bad id!' }));
    thrownInputError(() => client.trackSale(sale, { idempotencyKey: 'my key' }));
    thrownInputError(() => client.trackLead({ email: 'a@b.c' }));
    thrownInputError(() => client.trackRefund({ invoiceId: 'x', refundAmountCents: -1 }));
    thrownInputError(() => client.trackClick({ affiliateUrl: 'https://s.test/?aff=P', eventId: 'has space' }));
    expect(refusedFetch.calls).toHaveLength(0);
    expect(fetch.calls).toHaveLength(0);
  });

  it('recognises its errors by name too', () => {
    expect(isAffitorInputError(thrownInputError(() => new Affitor({} as never)))).toBe(true);
    expect(isAffitorInputError(new TypeError('x'))).toBe(false);
  });
});
