/**
 * Property: with no fault switched on, no body on any route gives a 5xx, and
 * every 4xx carries a JSON body with a string `error` and nothing else.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { API, TOKEN_1, TOKEN_2, baseSeed, buildRequest, setup } from './helpers';
import type { CallOptions } from './helpers';

const seed = baseSeed();
for (const program of seed.programs!) program.rate_limits = { per_minute: 1_000_000, per_hour: 1_000_000 };

const identifiers = fc.constantFrom('cust_900_1', 'cust_901_1', 'cust_902_1', 'cust_903_1', 'cust_904_1', 'cust_905_1', 'u_900', 'u_903', 'u_904', 'txn_a', '');
const affiliateUrls = fc.oneof(
  fc.constantFrom('PARTNER123', 'PARTNER456', 'PROGRAM2', 'SLEEPING', 'NOPARTNER', 'NOPROGRAM', 'NOSUCH', '').map((aff) => `https://shop.test/?aff=${aff}`),
  fc.webUrl({ withQueryParameters: true }),
  fc.string(),
);
/** A value that is sometimes right for a field, sometimes of any JSON type. */
const loose = <T>(good: fc.Arbitrary<T>) => fc.oneof(good, fc.jsonValue(), fc.constant(undefined));
const numbers = fc.oneof(fc.integer({ min: -10, max: 1_000_000 }), fc.double(), fc.constantFrom(0, 1, Number.MAX_SAFE_INTEGER, -0));
const additionalData = loose(
  fc.record({ test_mode: loose(fc.boolean()), program_id: loose(fc.constantFrom(1, 2, 3, '1')) }, { requiredKeys: [] }),
);

const bodies = fc.record(
  {
    affiliate_url: loose(affiliateUrls),
    existing_click_id: loose(identifiers),
    click_id: loose(identifiers),
    customer_key: loose(identifiers),
    click_ids: loose(fc.array(identifiers)),
    email: loose(fc.emailAddress()),
    event_id: loose(fc.constantFrom('e1', 'e2', 'bad id')),
    transaction_id: loose(identifiers),
    amount_cents: loose(numbers),
    refund_amount_cents: loose(numbers),
    currency: loose(fc.constantFrom('USD', 'EUR')),
    line_items: fc.jsonValue(),
    additional_data: additionalData,
    program_id: loose(fc.constantFrom(1, 2)),
  },
  { requiredKeys: [] },
);

/** Raw payloads: well-formed objects above, plus arbitrary JSON and arbitrary text. */
const payloads = fc.oneof(
  { weight: 6, arbitrary: bodies.map((b) => JSON.stringify(b)) },
  { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.string() },
);

const calls: [string, CallOptions][] = [
  ['/api/v1/track/click', {}],
  ['/api/v1/track/lead', {}],
  ['/api/v1/track/lead', { token: TOKEN_1 }],
  ['/api/v1/track/sale', { token: TOKEN_1 }],
  ['/api/v1/track/sale', { token: TOKEN_2 }],
  ['/api/v1/track/refund', { token: TOKEN_1 }],
];

describe('random bodies', () => {
  it.each(calls)('never give a 5xx on %s (auth %o), and 4xx answers carry a string error', async (path, auth) => {
    const { server } = setup(seed);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(payloads, { minLength: 1, maxLength: 6 }), async (raws) => {
        for (const raw of raws) {
          const request = buildRequest(API, path, undefined, { ...auth, raw, headers: { 'X-Forwarded-For': `prop-${n++}` } });
          const response = await server.fetch(request);
          expect(response.status).toBeLessThan(500);
          const text = await response.text();
          const body = JSON.parse(text) as Record<string, unknown>;
          if (response.status >= 400) {
            expect(Object.keys(body)).toStrictEqual(['error']);
            expect(typeof body.error).toBe('string');
          } else {
            expect(response.status).toBe(200);
            expect(typeof body.success).toBe('boolean');
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
