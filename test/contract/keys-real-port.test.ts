/** IP allowlists on a real port: the socket's address, and X-Forwarded-For only behind a proxy. */
import { afterEach, describe, expect, it } from 'vitest';
import { startServer } from '../../examples/server/src/node';
import type { RunningServer } from '../../examples/server/src/node';
import { baseSeed, buildRequest, toReply } from './helpers';

const servers: RunningServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serverAllowing(allowlist: string[], trustProxy = false) {
  const seed = baseSeed();
  seed.programs![0]!.api_keys = [{ token: 'tok_office', ip_allowlist: allowlist }];
  const running = await startServer({ port: 0, seed, trustProxy });
  servers.push(running);
  return (headers: Record<string, string> = {}) =>
    fetch(buildRequest(running.url, '/api/v1/track/refund', { transaction_id: 'none' }, { token: 'tok_office', headers })).then(toReply);
}

describe('IP allowlists on a real port', () => {
  it('lets a caller from an allowed socket address through', async () => {
    const refund = await serverAllowing(['127.0.0.0/8']);
    expect(await refund()).toMatchObject({ status: 404, body: { error: 'Sale not found for transaction_id' } });
  });

  it('refuses a caller whose socket address is not listed, whatever X-Forwarded-For says', async () => {
    const refund = await serverAllowing(['203.0.113.7']);
    expect(await refund({ 'X-Forwarded-For': '203.0.113.7' })).toMatchObject({ status: 401, body: { error: "IP address 127.0.0.1 is not in this API key's allowlist" } });
  });

  it('reads the address the proxy added when started with trustProxy', async () => {
    const refund = await serverAllowing(['203.0.113.7'], true);
    expect((await refund({ 'X-Forwarded-For': '192.0.2.9, 203.0.113.7' })).status).toBe(404);
    expect(await refund({ 'X-Forwarded-For': '203.0.113.7, 192.0.2.9' })).toMatchObject({ status: 401, body: { error: "IP address 192.0.2.9 is not in this API key's allowlist" } });
  });
});
