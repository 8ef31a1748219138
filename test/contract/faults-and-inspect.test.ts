/** Fault switches and GET /_inspect. */
import { describe, expect, it } from 'vitest';
import { ADMIN, SHOP_ORIGIN, TOKEN_1, baseSeed, buildRequest, setup, toReply } from './helpers';
import { SeedError } from '../../examples/server/src/app';

describe('fault switches', () => {
  it('throws after the common checks: 401 still wins over a switched-on sale fault', async () => {
    const { call, faults } = setup();
    faults({ sale: true });
    expect((await call('/api/v1/track/sale', {})).status).toBe(401);
    expect((await call('/api/v1/track/sale', undefined, { raw: 'nope', token: TOKEN_1 })).status).toBe(400);
    expect((await call('/api/v1/track/sale', {}, { token: TOKEN_1 })).body).toStrictEqual({ error: 'Sale tracking failed' });
  });

  it('throws before any route check and records nothing', async () => {
    const { click, lead, server, faults } = setup();
    faults({ click: true, lead: true });
    expect((await click('NOSUCH')).body).toStrictEqual({ error: 'Click tracking failed' });
    expect((await lead({})).body).toStrictEqual({ error: 'Lead tracking failed' });
    expect(server.inspect().clicks).toHaveLength(0);
    expect(server.inspect().leads).toHaveLength(0);
  });

  it('keeps CORS headers on a 500 of a browser route', async () => {
    const { call, faults } = setup();
    faults({ click: true });
    const reply = await call('/api/v1/track/click', { affiliate_url: 'https://shop.test/?aff=PARTNER123' }, { headers: { Origin: SHOP_ORIGIN } });
    expect(reply.status).toBe(500);
    expect(reply.headers.get('access-control-allow-origin')).toBe(SHOP_ORIGIN);
  });

  it('starts with the faults the seed switches on and lets setFaults switch them off', async () => {
    const { refund, faults } = setup({ ...baseSeed(), faults: { refund: true } });
    expect((await refund({ transaction_id: 'x' })).body).toStrictEqual({ error: 'Refund tracking failed' });
    faults({ refund: false });
    expect((await refund({ transaction_id: 'x' })).status).toBe(404);
  });

  it('changes only the switches named in setFaults', async () => {
    const { click, lead, faults } = setup();
    faults({ click: true });
    faults({ lead: true });
    expect((await click('PARTNER123')).status).toBe(500);
    expect((await lead({ click_id: 'cust_900_1' })).status).toBe(500);
  });

  it('rejects a setFaults value that is not a boolean, naming the switch', () => {
    const { server } = setup();
    expect(() => server.setFaults({ sale: 'yes' as unknown as boolean })).toThrow(SeedError);
    expect(() => server.setFaults({ sale: 'yes' as unknown as boolean })).toThrow(/faults\.sale/);
  });
});

describe('GET /_inspect', () => {
  it.each([
    ['no Authorization header', {}],
    ['a wrong admin token', { token: 'nope' }],
    ['a program token', { token: TOKEN_1 }],
  ])('answers 401 with %s', async (_what, auth) => {
    const { call } = setup();
    const reply = await call('/_inspect', undefined, { method: 'GET', ...auth });
    expect(reply.status).toBe(401);
    expect(reply.body).toStrictEqual({ error: 'Unauthorized' });
  });

  it('answers the whole state with the admin token, test events flagged test_mode', async () => {
    const { call, click, sale, lead } = setup();
    await click('PARTNER123');
    await click('X', { additional_data: { test_mode: true, program_id: 1 } });
    await lead({ customer_key: 'k', additional_data: { test_mode: true, program_id: 1 } });
    await sale({ additional_data: { test_mode: true } });
    const reply = await call('/_inspect', undefined, { method: 'GET', token: ADMIN });
    expect(reply.status).toBe(200);
    expect(Object.keys(reply.body ?? {})).toStrictEqual(['customers', 'clicks', 'leads', 'sales', 'commissions', 'refunds']);
    const body = reply.body as Record<string, { test_mode?: boolean }[]>;
    expect(body.clicks?.map((c) => c.test_mode)).toStrictEqual([false, true]);
    expect(body.leads?.map((l) => l.test_mode)).toStrictEqual([true]);
    expect(body.sales?.map((s) => s.test_mode)).toStrictEqual([true]);
  });

  it('answers the same state as inspect()', async () => {
    const { call, click, server } = setup();
    await click('PARTNER123');
    const reply = await call('/_inspect', undefined, { method: 'GET', token: ADMIN });
    expect(reply.body).toStrictEqual(server.inspect());
  });

  it('hands out a copy that cannot change the store', async () => {
    const { server, sale } = setup();
    server.inspect().customers.length = 0;
    expect(server.inspect().customers).toHaveLength(baseSeed().customers!.length);
    expect((await sale({ transaction_id: 't', amount_cents: 1, customer_key: 'u_900' })).status).toBe(200);
  });

  it('answers an empty state for an empty seed', async () => {
    const { server } = setup({});
    const reply = await toReply(await server.fetch(buildRequest('http://localhost:8787', '/_inspect', undefined, { method: 'GET', token: 'admin_dev_token' })));
    expect(reply.body).toStrictEqual({ customers: [], clicks: [], leads: [], sales: [], commissions: [], refunds: [] });
  });
});

describe("the admin routes under another site's name (DNS rebinding)", () => {
  const DASHBOARD_CALLS = [
    ['GET', '/_inspect', undefined],
    ['GET', '/_dashboard', undefined],
    ['GET', '/_dashboard/fragment', undefined],
    ['POST', '/_dashboard', `token=${ADMIN}`],
  ] as const;
  const admin = (server: ReturnType<typeof setup>['server'], origin: string, [method, path, form]: (typeof DASHBOARD_CALLS)[number]) =>
    server.fetch(
      new Request(origin + path, {
        method,
        headers: form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : { Authorization: `Bearer ${ADMIN}` },
        body: form,
      }),
    );

  it("answers 403 with the admin token, saying which names it answers under: a page whose name its owner points at 127.0.0.1 is same-origin with the server", async () => {
    const { server } = setup();
    for (const origin of ['http://rebind.attacker.test:8787', 'http://127.0.0.1.nip.io:8787', 'http://localhost.attacker.test', 'http://api.affitor.test.attacker.test']) {
      for (const call of DASHBOARD_CALLS) {
        const answer = await admin(server, origin, call);
        expect(answer.status, `${call[0]} ${origin}${call[1]}`).toBe(403);
        const body = await answer.text();
        expect(JSON.parse(body)).toEqual({ error: `Forbidden: /_inspect and /_dashboard answer under this machine's names (localhost, an IP address, a name of one label) and the seed's admin_hosts, not ${new URL(origin).hostname}` });
        // Not the token form either: it names the demo seed's token.
        expect(body).not.toContain('admin_dev_token');
      }
    }
  });

  it("answers under this machine's names (localhost and *.localhost, an IP address, a container's name of one label) and the seed's admin_hosts", async () => {
    const { server } = setup();
    for (const origin of ['http://localhost:8787', 'http://www.shop.localhost', 'http://127.0.0.1:8787', 'http://10.0.0.7', 'http://[::1]:8787', 'http://affitor-server:8799', 'https://API.affitor.test', 'https://api.affitor.test.']) {
      for (const call of DASHBOARD_CALLS) expect((await admin(server, origin, call)).status, `${call[0]} ${origin}${call[1]}`).toBe(200);
    }
  });

  it('answers the API routes under any name, as before', async () => {
    const { server } = setup();
    const click = await server.fetch(new Request('http://rebind.attacker.test/api/v1/track/click', { method: 'POST', body: JSON.stringify({ affiliate_url: 'https://shop.test/?aff=PARTNER123' }) }));
    expect(click.status).toBe(200);
  });
});
