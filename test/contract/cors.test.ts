/** CORS: browser routes answer origins some program allows; server routes send none. */
import { describe, expect, it } from 'vitest';
import { OTHER_SHOP_ORIGIN, SHOP_ORIGIN, TOKEN_1, setup } from './helpers';

const preflight = (origin: string, requestHeaders = 'content-type') => ({
  method: 'OPTIONS',
  headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': requestHeaders },
});

describe('CORS preflight', () => {
  it.each(['/api/v1/track/click', '/api/v1/track/lead'])('allows a listed origin on %s', async (path) => {
    const { call } = setup();
    const reply = await call(path, undefined, preflight(SHOP_ORIGIN, 'content-type,x-request-id,authorization'));
    expect(reply.status).toBe(204);
    expect(reply.headers.get('access-control-allow-origin')).toBe(SHOP_ORIGIN);
    expect(reply.headers.get('access-control-allow-methods')).toContain('POST');
    const allowed = reply.headers.get('access-control-allow-headers')?.toLowerCase().split(/,\s*/);
    expect(allowed).toEqual(expect.arrayContaining(['content-type', 'authorization', 'x-request-id']));
    expect(reply.headers.get('vary')).toContain('Origin');
  });

  it('allows an origin listed by any program (the union)', async () => {
    const { call } = setup();
    const reply = await call('/api/v1/track/click', undefined, preflight(OTHER_SHOP_ORIGIN));
    expect(reply.headers.get('access-control-allow-origin')).toBe(OTHER_SHOP_ORIGIN);
  });

  it.each(['http://evil.test', 'http://www.shop.test:8081', 'https://www.shop.test:8080', 'null'])('refuses origin %s with no CORS headers', async (origin) => {
    const { call } = setup();
    const reply = await call('/api/v1/track/click', undefined, preflight(origin));
    expect(reply.headers.get('access-control-allow-origin')).toBeNull();
    expect(reply.headers.get('access-control-allow-methods')).toBeNull();
    expect(reply.headers.get('access-control-allow-headers')).toBeNull();
  });

  it.each(['/api/v1/track/sale', '/api/v1/track/refund'])('does not answer a preflight on server route %s', async (path) => {
    const { call } = setup();
    const reply = await call(path, undefined, preflight(SHOP_ORIGIN));
    expect(reply.status).toBe(405);
    expect(reply.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('CORS on requests', () => {
  it('sends no Access-Control-Allow-Origin to a call without Origin', async () => {
    const { click } = setup();
    expect((await click('PARTNER123')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('gives an allowed origin the click answer and exposes X-Request-ID', async () => {
    const { call } = setup();
    const allowed = await call('/api/v1/track/click', { affiliate_url: 'https://shop.test/?aff=PARTNER123' }, { headers: { Origin: SHOP_ORIGIN } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(SHOP_ORIGIN);
    expect(allowed.headers.get('access-control-expose-headers')).toContain('X-Request-ID');
  });

  it('sends no CORS headers to an origin not listed, while still answering', async () => {
    const { call } = setup();
    const reply = await call('/api/v1/track/click', { affiliate_url: 'https://shop.test/?aff=PARTNER123' }, { headers: { Origin: 'http://evil.test' } });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets a browser read error answers of a browser route', async () => {
    const { call } = setup();
    const reply = await call('/api/v1/track/lead', {}, { headers: { Origin: SHOP_ORIGIN } });
    expect(reply.status).toBe(400);
    expect(reply.headers.get('access-control-allow-origin')).toBe(SHOP_ORIGIN);
  });

  it('gives a browser-mode lead CORS headers but a Bearer lead none', async () => {
    const { call } = setup();
    const browser = await call('/api/v1/track/lead', { click_id: 'cust_900_1' }, { headers: { Origin: SHOP_ORIGIN } });
    expect(browser.headers.get('access-control-allow-origin')).toBe(SHOP_ORIGIN);
    const server = await call('/api/v1/track/lead', { customer_key: 'u_901' }, { token: TOKEN_1, headers: { Origin: SHOP_ORIGIN } });
    expect(server.status).toBe(400);
    expect(server.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets an allowed origin read a 404 and a 405 of a browser route, but not a 405 of a server route', async () => {
    // A wrong API base (…/api/v1/api/v1/track/click) must read as 404, not as a CORS refusal: the
    // SDK would then blame allowed_origins and keep resending the event on every page view.
    const { call } = setup();
    const headers = { Origin: SHOP_ORIGIN };
    const missing = await call('/api/v1/api/v1/track/click', { affiliate_url: 'https://shop.test/?aff=PARTNER123' }, { headers });
    expect(missing).toMatchObject({ status: 404, body: { error: 'Not found' } });
    expect(missing.headers.get('access-control-allow-origin')).toBe(SHOP_ORIGIN);
    expect(missing.headers.get('access-control-expose-headers')).toContain('X-Request-ID');
    const wrongMethod = await call('/api/v1/track/lead', undefined, { method: 'PUT', raw: '{}', headers });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('access-control-allow-origin')).toBe(SHOP_ORIGIN);
    const refused = await call('/api/v1/track/nowhere', {}, { headers: { Origin: 'http://evil.test' } });
    expect(refused.status).toBe(404);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    const server = await call('/api/v1/track/sale', undefined, { method: 'GET', headers });
    expect(server.status).toBe(405);
    expect(server.headers.get('access-control-allow-origin')).toBeNull();
  });

  it.each(['/api/v1/track/sale', '/api/v1/track/refund'])('sends no CORS headers on server route %s', async (path) => {
    const { call } = setup();
    const reply = await call(path, { transaction_id: 'x', amount_cents: 1 }, { token: TOKEN_1, headers: { Origin: SHOP_ORIGIN } });
    expect(reply.headers.get('access-control-allow-origin')).toBeNull();
    expect(reply.headers.get('access-control-expose-headers')).toBeNull();
  });
});
