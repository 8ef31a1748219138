/** The seed: defaults, the demo seed, and clear errors for bad seeds. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SeedError, createTrackingServer } from '../../examples/server/src/app';
import type { SeedInput } from '../../examples/server/src/app';
import { API, START, buildRequest, toReply } from './helpers';

const minimal: SeedInput = {
  programs: [{ id: 7, api_token: 'tok_7' }],
  partners: [{ id: 1 }],
  referral_links: [{ short_link: 'L', program_id: 7, partner_id: 1 }],
  customers: [{ customer_key: 'k' }],
};

describe('seed defaults', () => {
  it('fills cookie window 60, commission rate 0.2, status active and clicked_at the start', async () => {
    const server = createTrackingServer(minimal, { now: () => START });
    const click = await toReply(await server.fetch(buildRequest(API, '/api/v1/track/click', { affiliate_url: 'https://s.test/?aff=L' })));
    expect(click.body).toMatchObject({ success: true, cookie_window_days: 60 });
    const sale = await toReply(await server.fetch(buildRequest(API, '/api/v1/track/sale', { transaction_id: 't', amount_cents: 1000, click_id: click.body?.click_id }, { token: 'tok_7' })));
    expect(sale.body?.commission_id).toBe(1);
    const state = server.inspect();
    expect(state.commissions[0]?.amount_cents).toBe(200);
    expect(state.customers[0]).toMatchObject({ id: 1, click_id: `cust_1_${START}`, program_id: 7, partner_id: null, partner_program: false, status: 'click', clicked_at: new Date(START).toISOString() });
  });

  it('uses the attribution window default of 60 days', async () => {
    const server = createTrackingServer(
      { ...minimal, customers: [{ customer_key: 'k', partner_id: 1, clicked_at: new Date(START - 61 * 86_400_000).toISOString() }] },
      { now: () => START },
    );
    const sale = await toReply(await server.fetch(buildRequest(API, '/api/v1/track/sale', { transaction_id: 't', amount_cents: 1000, customer_key: 'k' }, { token: 'tok_7' })));
    expect(sale.body?.commission_id).toBeNull();
  });

  it('reads clicked_at with its offset, whatever the machine\'s time zone', () => {
    // A day alone is its start in UTC, as JavaScript reads it.
    const customers = ['2026-01-01T09:00:00+09:00', '2026-01-01T00:00Z', '2025-12-31T19:00:00.000-05:00', '2026-01-01'].map((clicked_at, at) => ({ id: at + 1, clicked_at }));
    const state = createTrackingServer({ programs: [{ id: 1, api_token: 't' }], customers }).inspect();
    expect(state.customers.map((customer) => customer.clicked_at)).toEqual(Array(4).fill('2026-01-01T00:00:00.000Z'));
  });

  it('accepts the example seed of the API contract', () => {
    const seed: SeedInput = {
      programs: [{ id: 1, api_token: 'aff_test_1', cookie_window_days: 30, attribution_window_days: 60, commission_rate: 0.2, allowed_origins: ['http://www.shop.test:8080'], rate_limits: { per_minute: 600, per_hour: 30000 } }],
      partners: [{ id: 10, name: 'Partner A' }],
      referral_links: [
        { short_link: 'PARTNER123', program_id: 1, partner_id: 10, status: 'active' },
        { short_link: 'NOPARTNER', program_id: 1, partner_id: null },
      ],
      customers: [{ id: 900, click_id: 'cust_900_1', customer_key: 'u_900', program_id: 1, partner_id: 10, partner_program: true, status: 'click', clicked_at: '2026-01-01T00:00:00Z' }],
      faults: { click: false, lead: false, sale: false, refund: false, commission: false },
      admin_token: 'admin_dev_token',
    };
    expect(createTrackingServer(seed).inspect().customers).toHaveLength(1);
  });
});

describe('demo seed', () => {
  const demo = JSON.parse(readFileSync(new URL('../../examples/server/seed.demo.json', import.meta.url), 'utf8')) as SeedInput;

  it('is what createTrackingServer uses without a seed', async () => {
    const server = createTrackingServer(undefined, { now: () => START });
    const click = await toReply(await server.fetch(buildRequest(API, '/api/v1/track/click', { affiliate_url: 'http://localhost:5173/?aff=PARTNER456' })));
    expect(click.body).toMatchObject({ success: true, partner_code: 'PARTNER456' });
    const refund = await toReply(await server.fetch(buildRequest(API, '/api/v1/track/refund', { transaction_id: 'none' }, { token: 'aff_test_1' })));
    expect(refund.status).toBe(404);
  });

  it('allows the demo shop origins and has active, inactive and partnerless links', () => {
    const origins = demo.programs?.[0]?.allowed_origins ?? [];
    expect(origins).toEqual(expect.arrayContaining(['http://www.shop.localhost:5173', 'http://app.shop.localhost:5173', 'http://localhost:5173']));
    const links = demo.referral_links ?? [];
    expect(links.filter((l) => (l.status ?? 'active') === 'active' && l.partner_id != null).map((l) => l.short_link)).toEqual(expect.arrayContaining(['PARTNER123', 'PARTNER456']));
    expect(links.some((l) => l.status === 'inactive')).toBe(true);
    expect(links.find((l) => l.short_link === 'NOPARTNER')?.partner_id ?? null).toBeNull();
    expect(demo.programs?.[0]).toMatchObject({ id: 1, api_token: 'aff_test_1' });
  });
});

describe('bad seeds', () => {
  const cases: [string, unknown, string][] = [
    ['a seed that is not an object', [], 'seed'],
    ['a program without api_token', { programs: [{ id: 1 }] }, 'programs[0].api_token'],
    ['a program without id', { programs: [{ api_token: 't' }] }, 'programs[0].id'],
    ['a misspelt program field', { programs: [{ id: 1, api_token: 't', comission_rate: 0.1 }] }, 'programs[0].comission_rate'],
    ['a commission rate above 1', { programs: [{ id: 1, api_token: 't', commission_rate: 20 }] }, 'programs[0].commission_rate'],
    ['an origin with a trailing slash', { programs: [{ id: 1, api_token: 't', allowed_origins: ['http://a.test/'] }] }, 'programs[0].allowed_origins[0]'],
    ['a zero rate limit', { programs: [{ id: 1, api_token: 't', rate_limits: { per_minute: 0 } }] }, 'programs[0].rate_limits.per_minute'],
    ['two programs with one token', { programs: [{ id: 1, api_token: 't' }, { id: 2, api_token: 't' }] }, 'programs[1].api_token'],
    ['a link to an undefined partner', { programs: [{ id: 1, api_token: 't' }], referral_links: [{ short_link: 'L', program_id: 1, partner_id: 3 }] }, 'referral_links[0].partner_id'],
    ['a link with an unknown status', { referral_links: [{ short_link: 'L', status: 'paused' }] }, 'referral_links[0].status'],
    ['a customer with an unparseable clicked_at', { programs: [{ id: 1, api_token: 't' }], customers: [{ clicked_at: 'yesterday' }] }, 'customers[0].clicked_at'],
    // Read by the machine's time zone, a fixture near the attribution window passed on a UTC CI machine and failed elsewhere.
    ['a customer with a clicked_at without its offset', { programs: [{ id: 1, api_token: 't' }], customers: [{ clicked_at: '2026-01-01T00:00:00' }] }, 'customers[0].clicked_at'],
    ['a customer with a clicked_at that JavaScript reads as a year', { programs: [{ id: 1, api_token: 't' }], customers: [{ clicked_at: '1' }] }, 'customers[0].clicked_at'],
    ['a customer with a clicked_at on a day no month has', { programs: [{ id: 1, api_token: 't' }], customers: [{ clicked_at: '2026-02-30T00:00:00Z' }] }, 'customers[0].clicked_at'],
    ['a customer with a clicked_at at 24:00', { programs: [{ id: 1, api_token: 't' }], customers: [{ clicked_at: '2026-01-01T24:00:00Z' }] }, 'customers[0].clicked_at'],
    ['a customer with an unknown status', { programs: [{ id: 1, api_token: 't' }], customers: [{ status: 'vip' }] }, 'customers[0].status'],
    ['a customer in a seed without programs', { customers: [{}] }, 'customers[0].program_id'],
    ['a fault that is not a boolean', { faults: { sale: 1 } }, 'faults.sale'],
    ['an empty admin token', { admin_token: '' }, 'admin_token'],
    // A Bearer header and the dashboard's form both lose it: /_inspect and /_dashboard could never be opened.
    ['an admin token ending in a newline', { admin_token: 'admin_secret\n' }, 'admin_token'],
    ['an admin token starting with a space', { admin_token: ' admin_secret' }, 'admin_token'],
    // An HTTP header carries no such character as the server reads it: the token was refused as a
    // Bearer header and by the dashboard's page, and taken only by its form with JavaScript off.
    ['an admin token that is not printable ASCII', { admin_token: 'mot-de-passe-café-€' }, 'admin_token'],
    ['an API token with a control character', { programs: [{ id: 1, api_token: 'aff\u0007test' }] }, 'programs[0].api_token'],
    ['admin_hosts that is not a list', { admin_hosts: 'tracking.staging.example' }, 'admin_hosts'],
    ['an admin host given as a URL', { admin_hosts: ['https://tracking.staging.example'] }, 'admin_hosts[0]'],
    ['an admin host with a port', { admin_hosts: ['tracking.staging.example:8787'] }, 'admin_hosts[0]'],
    ['an admin host with a path', { admin_hosts: ['tracking.staging.example/_inspect'] }, 'admin_hosts[0]'],
    ['an admin host that is no string', { admin_hosts: [8787] }, 'admin_hosts[0]'],
  ];

  it.each(cases)('rejects %s with a SeedError naming the field', (_what, seed, field) => {
    let error: unknown;
    try {
      createTrackingServer(seed as SeedInput);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SeedError);
    expect((error as SeedError).field).toBe(field);
    expect((error as SeedError).message).toContain(field);
  });
});
