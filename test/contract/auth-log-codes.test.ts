/**
 * The machine code each authentication refusal is logged with (the first seed's error reference,
 * "Where: log"): in the request log and on the dashboard, never in the answer itself.
 */
import { describe, expect, it } from 'vitest';
import { createTrackingServer } from '../../examples/server/src/app';
import { ADMIN, START, TOKEN_1, toReply } from './helpers';
import { DISABLED, NOW_S, OFFICE, REVOKED, SECRET, SIGNED, hmacHex, keyedSeed, signedRequest } from './signing';

const REFUND = JSON.stringify({ transaction_id: 'no_such_sale' });
const unsigned = (headers: Record<string, string>) =>
  new Request('http://api.test/api/v1/track/refund', { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: REFUND });

describe('authentication refusals in the request log', () => {
  it.each([
    ['no Authorization header', 'INVALID_API_KEY', unsigned({})],
    ['an empty token', 'INVALID_API_KEY', unsigned({ Authorization: 'Bearer  ' })],
    ['an unknown token', 'INVALID_API_KEY', unsigned({ Authorization: 'Bearer tok_nobody' })],
    ['a disabled key', 'API_KEY_DISABLED', unsigned({ Authorization: `Bearer ${DISABLED}` })],
    ['a revoked key', 'API_KEY_REVOKED', unsigned({ Authorization: `Bearer ${REVOKED}` })],
    ['an address outside the allowlist', 'IP_NOT_ALLOWED', unsigned({ Authorization: `Bearer ${OFFICE}` })],
    ['an unsigned call with a signing key', 'SIG_BAD_SIGNATURE', unsigned({ Authorization: `Bearer ${SIGNED}` })],
    ['a signature under another secret', 'SIG_BAD_SIGNATURE', signedRequest({ body: REFUND, secret: 'not_the_secret' })],
    ['a timestamp in milliseconds', 'SIG_BAD_SIGNATURE', signedRequest({ body: REFUND, timestamp: NOW_S * 1000 })],
    ['a stale timestamp', 'SIG_STALE_TIMESTAMP', signedRequest({ body: REFUND, timestamp: NOW_S - 301, signature: hmacHex(SECRET, String(NOW_S - 301), REFUND) })],
  ])('logs %s as %s, the answer carrying only its message', async (_, code, request) => {
    const server = createTrackingServer(keyedSeed(), { now: () => START, clientAddress: () => '192.0.2.1' });
    const reply = await toReply(await server.fetch(request));
    expect(reply.status).toBe(401);
    expect(Object.keys(reply.body as object)).toEqual(['error']);
    expect(server.requests().at(-1)).toMatchObject({ status: 401, error: (reply.body as { error: string }).error, error_code: code });
  });

  it('logs a replayed signature as SIG_REPLAY, shown on the dashboard beside the message', async () => {
    const server = createTrackingServer(keyedSeed(), { now: () => START });
    expect((await server.fetch(signedRequest({ body: REFUND }))).status).toBe(404);
    expect((await server.fetch(signedRequest({ body: REFUND }))).status).toBe(401);
    expect(server.requests().map((entry) => entry.error_code)).toEqual([null, 'SIG_REPLAY']);
    const page = await server.fetch(new Request('http://localhost/_dashboard', { headers: { Authorization: `Bearer ${ADMIN}` } }));
    expect(await page.text()).toContain('<code>SIG_REPLAY</code>');
  });

  it('logs no code for other failures', async () => {
    const server = createTrackingServer(keyedSeed(), { now: () => START });
    await server.fetch(unsigned({ Authorization: `Bearer ${TOKEN_1}` }));
    expect(server.requests().at(-1)).toMatchObject({ status: 404, error_code: null });
  });
});
