import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { isRetryable } from '../../src/core/answers';
import { createAffitorHandler } from '../../src/server';
import type { AffitorHandlerOptions } from '../../src/server';
import { createTrackingServer } from '../../examples/server/src/app';
import { useRunning } from '../support/running';
import { SEED, clickBody, cookiesSet, send, startHandler, startRecordingApi, useRecordingApi } from './first-party-helpers';
import { endlessAnswer } from './helpers';

const CLICK = '/relay/api/v1/track/click';
const LEAD = '/relay/api/v1/track/lead';
const SHOP = { Host: 'www.shop.test', 'Content-Type': 'text/plain;charset=UTF-8' };

describe('createAffitorHandler against the reference server on a real port', () => {
  const api = useRecordingApi();
  const handler = useRunning('the handler', () => startHandler({ apiUrl: api.url }));

  describe('forwarding', () => {
    it("forwards a click and answers the API's answer, with the attribution cookies set by the server", async () => {
      const answer = await send(handler().url, CLICK, { headers: SHOP, body: clickBody('PARTNER123', { cookie_domain: 'shop.test' }) });
      expect(answer.status).toBe(200);
      expect(answer.json()).toMatchObject({ success: true, partner_code: 'PARTNER123', cookie_window_days: 30 });
      expect(answer.json().click_id).toMatch(/^cust_\d+_\d+$/);
      expect(answer.headers['x-affitor-cookies']).toBe('set');
      expect(answer.headers['cache-control']).toBe('no-store');
      const clickId = answer.json().click_id;
      expect(cookiesSet(answer).get('affitor_click_id')?.value).toBe(clickId);
      const recorded = api.app.inspect().clicks.at(-1)!;
      expect(recorded).toMatchObject({ click_id: clickId, page_title: 'Pricing', session_id: 'sess_1', short_link: 'PARTNER123' });
    });

    it("takes the handler's own fields out of the body before forwarding it as JSON", async () => {
      await send(handler().url, CLICK, { headers: SHOP, body: clickBody('PARTNER123', { cookie_domain: 'shop.test', consent: 'granted', stale: false }) });
      const [call] = api.calls;
      expect(call!.path).toBe('/api/v1/track/click');
      expect(call!.headers.get('content-type')).toBe('application/json');
      const forwarded = JSON.parse(call!.body) as Record<string, unknown>;
      expect(forwarded).toMatchObject({ affiliate_url: 'http://www.shop.test/pricing?aff=PARTNER123', page_title: 'Pricing' });
      for (const field of ['cookie_domain', 'consent', 'stale']) expect(forwarded).not.toHaveProperty(field);
    });

    it("never forwards the visitor's cookies or Authorization, nor any header not named; the User-Agent goes along", async () => {
      await send(handler().url, CLICK, {
        headers: {
          ...SHOP,
          Cookie: 'session=secret-session; affitor_click_id=cust_900_1',
          Authorization: 'Bearer visitor-token',
          'X-Custom': 'x',
          Origin: 'http://www.shop.test',
          'User-Agent': 'Mozilla/5.0 (Macintosh) Safari/605.1.15',
        },
        body: clickBody('PARTNER123'),
      });
      const { headers } = api.calls[0]!;
      for (const name of ['cookie', 'authorization', 'x-custom', 'origin']) expect(headers.has(name), name).toBe(false);
      expect(headers.get('user-agent')).toBe('Mozilla/5.0 (Macintosh) Safari/605.1.15');
      expect(api.calls[0]!.body).not.toContain('secret-session');
    });

    it('forwards a lead in browser mode: an Authorization header sent by the visitor stays behind', async () => {
      const answer = await send(handler().url, LEAD, {
        headers: { ...SHOP, Authorization: 'Bearer not-a-token' },
        body: JSON.stringify({ click_id: 'cust_900_1', customer_key: 'u_lead_1', email: 'a@shop.test', click_ids: ['cust_900_1'], program_id: 1 }),
      });
      // With the header the API would answer 401 (server mode, unknown token).
      expect(answer.status).toBe(200);
      expect(answer.json()).toEqual({ success: true, message: 'Lead tracked successfully' });
      expect(answer.headers['x-affitor-cookies']).toBeUndefined();
      expect(answer.setCookies).toEqual([]);
      expect(api.app.inspect().leads.at(-1)).toMatchObject({ customer_key: 'u_lead_1' });
    });

    it("sends the visitor's address as X-Forwarded-For: the peer's, or behind a proxy of the merchant's (a loopback peer here) the one it added", async () => {
      await send(handler().url, CLICK, { headers: SHOP, body: clickBody('PARTNER123') });
      await send(handler().url, CLICK, { headers: { ...SHOP, 'X-Forwarded-For': '198.51.100.77, 203.0.113.9' }, body: clickBody('PARTNER123') });
      expect(api.calls.map((call) => call.headers.get('x-forwarded-for'))).toEqual(['127.0.0.1', '203.0.113.9']);
    });

    it('passes X-Request-ID both ways, and makes one when the visitor sent none or a bad one', async () => {
      const given = await send(handler().url, CLICK, { headers: { ...SHOP, 'X-Request-ID': 'landing-42' }, body: clickBody('PARTNER123') });
      expect(api.calls[0]!.headers.get('x-request-id')).toBe('landing-42');
      expect(given.headers['x-request-id']).toBe('landing-42');
      const bad = await send(handler().url, CLICK, { headers: { ...SHOP, 'X-Request-ID': 'a b<>' }, body: clickBody('PARTNER123') });
      expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(api.calls[1]!.headers.get('x-request-id')).toBe(bad.headers['x-request-id']);
    });

    it("answers the API's refusals as they are, and sets no cookie for them", async () => {
      const notFound = await send(handler().url, CLICK, { headers: SHOP, body: clickBody('NOSUCHLINK') });
      expect(notFound.status).toBe(400);
      expect(notFound.json()).toEqual({ error: 'Referral link not found' });
      const inactive = await send(handler().url, CLICK, { headers: SHOP, body: clickBody('INACTIVE1') });
      expect(inactive.json()).toEqual({ success: false, message: 'Referral link is inactive' });
      const invalid = await send(handler().url, CLICK, { headers: SHOP, body: '{not json' });
      expect(invalid.status).toBe(400);
      expect(invalid.json()).toEqual({ error: 'Invalid JSON body' });
      for (const answer of [notFound, inactive, invalid]) {
        expect(answer.setCookies).toEqual([]);
        expect(answer.headers['x-affitor-cookies']).toBe('none');
      }
    });

    it('answers a repeated event id as the first time, and sets the same cookies again', async () => {
      const body = clickBody('PARTNER123', { event_id: 'ev_repeat_1' });
      const first = await send(handler().url, CLICK, { headers: SHOP, body });
      const again = await send(handler().url, CLICK, { headers: SHOP, body });
      expect(again.json()).toEqual(first.json());
      // Same value and lifetime (`expires` may differ by the second between the two answers).
      const withoutExpires = (answer: typeof first) =>
        [...cookiesSet(answer)].map(([name, { value, attributes }]) => [name, value, attributes.filter((a) => !a.startsWith('expires='))]);
      expect(withoutExpires(again)).toEqual(withoutExpires(first));
      expect(api.app.inspect().clicks.filter((click) => click.event_id == 'ev_repeat_1')).toHaveLength(1);
    });

    it('forwards a click and a lead sent with a slash after the route, as a framework redirects them (Next.js trailingSlash: true)', async () => {
      const click = await send(handler().url, CLICK + '/', { headers: SHOP, body: clickBody('PARTNER123', { cookie_domain: 'shop.test' }) });
      expect(click.status).toBe(200);
      expect(click.headers['x-affitor-cookies']).toBe('set');
      const clickId = click.json().click_id;
      expect(cookiesSet(click).get('affitor_click_id')?.value).toBe(clickId);
      const lead = await send(handler().url, '/relay/api/v1/track/lead/', {
        headers: SHOP,
        body: JSON.stringify({ click_id: clickId, customer_key: 'user_slash', email: 'slash@example.com', program_id: 1 }),
      });
      expect(lead.json()).toEqual({ success: true, message: 'Lead tracked successfully' });
      expect(api.calls.map((call) => call.path)).toEqual(['/api/v1/track/click', '/api/v1/track/lead']);
    });
  });

  describe('not an open proxy', () => {
    it('forwards nothing but click and lead: other API routes, the inspect route and paths outside basePath are 404', async () => {
      for (const path of ['/relay/api/v1/track/sale', '/relay/api/v1/track/refund', '/relay/_inspect', '/relay/api/v1/track/click/x', '/api/v1/track/click', '/relayx/api/v1/track/click', '/relay/https://evil.test/']) {
        const answer = await send(handler().url, path, { headers: { ...SHOP, Authorization: 'Bearer aff_test_1' }, body: '{}' });
        expect(answer.status, path).toBe(404);
        expect(answer.json()).toEqual({ error: 'Not found' });
      }
      expect(api.calls).toEqual([]);
    });

    it('answers 405 to other methods on the forwarded routes, without forwarding', async () => {
      for (const method of ['GET', 'PUT', 'DELETE', 'OPTIONS']) {
        const answer = await send(handler().url, CLICK, { method, headers: SHOP });
        expect(answer.status, method).toBe(405);
        expect(answer.headers.allow).toBe('POST');
      }
      expect(api.calls).toEqual([]);
    });

    it('refuses a body over 64 KiB with 413, declared or streamed, without forwarding it', async () => {
      const big = clickBody('PARTNER123', { page_title: 'x'.repeat(70 * 1024) });
      const declared = await send(handler().url, CLICK, { headers: SHOP, body: big });
      expect(declared.status).toBe(413);
      expect(declared.json()).toEqual({ error: 'Request body too large' });
      expect(declared.headers['x-affitor-cookies']).toBe('none');
      const streamed = await send(handler().url, CLICK, { headers: { ...SHOP, 'Transfer-Encoding': 'chunked' }, body: big });
      expect(streamed.status).toBe(413);
      expect(api.calls).toEqual([]);
    });

    it('accepts a body of exactly 64 KiB', async () => {
      const body = clickBody('PARTNER123');
      const padded = body.slice(0, -1) + `,"pad":"${'x'.repeat(64 * 1024 - body.length - 9)}"}`;
      expect(Buffer.byteLength(padded)).toBe(64 * 1024);
      expect((await send(handler().url, CLICK, { headers: SHOP, body: padded })).status).toBe(200);
    });
  });

  describe('cookie attributes', () => {
    const land = (headers: Record<string, string>, extra: Record<string, unknown> = {}, aff = 'PARTNER123') =>
      send(handler().url, CLICK, { headers: { 'Content-Type': 'text/plain', ...headers }, body: clickBody(aff, extra) });

    it("sets Path=/, SameSite=Lax and Max-Age from the program's window on every attribution cookie", async () => {
      const cookies = cookiesSet(await land({ Host: 'www.shop.test' }));
      expect([...cookies.keys()]).toEqual(['affitor_click_id', 'customer_code', 'affitor_click_ids', 'affitor_aff_url', 'affitor_set_by']);
      for (const [name, { attributes }] of cookies) {
        expect(attributes, name).toEqual(expect.arrayContaining(['path=/', 'samesite=lax', `max-age=${30 * 86400}`]));
        expect(attributes.some((attribute) => attribute.startsWith('domain=')), name).toBe(false);
        expect(attributes, name).not.toContain('secure');
      }
      expect(cookies.get('customer_code')!.value).toBe(cookies.get('affitor_click_id')!.value);
      expect(cookies.get('affitor_aff_url')!.value).toBe('http://www.shop.test/pricing?aff=PARTNER123');
    });

    it('clamps a window over 365 days to 365, as the SDK does', async () => {
      const cookies = cookiesSet(await land({ Host: 'www.shop.test' }, { additional_data: { program_id: 2 } }, 'LONGWINDOW'));
      expect(cookies.get('affitor_click_id')!.attributes).toContain(`max-age=${365 * 86400}`);
    });

    it('sets Domain to the one the SDK found when it is a parent of the host, and deletes the host-only twin', async () => {
      const answer = await land({ Host: 'www.shop.test:8080' }, { cookie_domain: 'shop.test' });
      expect(cookiesSet(answer).get('affitor_click_id')!.attributes).toContain('domain=.shop.test');
      expect(answer.setCookies).toContainEqual('affitor_click_id=;path=/;max-age=0');
    });

    it("keeps a returning visitor's answer within nginx's default 4 KB header buffer, twins deleted on every parent domain and a long landing URL", async () => {
      // Behind nginx (proxy_buffer_size: one 4 KB page), a longer head is a 502 for the visitor; the
      // click was recorded, but its cookies never arrive, and each retry gets the same 502.
      const history = Array.from({ length: 20 }, (_, i) => `cust_1_${1_796_288_680_700 + i}`);
      const returning = ['affitor_click_id', 'customer_code', 'affitor_aff_url', 'affitor_set_by'].map((name) => `${name}=${history[19]}`);
      const landing = `https://www.eu.shop.test/pricing?aff=PARTNER123&utm_campaign=${'black-friday/2026 & more;'.repeat(40)}`.slice(0, 1_023);
      const answer = await send(handler().url, CLICK, {
        headers: { 'Content-Type': 'text/plain', Host: 'www.eu.shop.test', 'X-Forwarded-Proto': 'https', Cookie: [...returning, `affitor_click_ids=${history.join('|')}`].join('; ') },
        body: clickBody('PARTNER123', { cookie_domain: 'shop.test' }, landing),
      });
      const cookies = cookiesSet(answer);
      expect(cookies.get('affitor_click_id')!.attributes).toContain('domain=.shop.test');
      expect(answer.setCookies.filter((line) => line.startsWith('affitor_click_id=;'))).toEqual([
        'affitor_click_id=;path=/;max-age=0',
        'affitor_click_id=;path=/;max-age=0;domain=.eu.shop.test',
        'affitor_click_id=;path=/;max-age=0;domain=.www.eu.shop.test',
      ]);
      expect(answer.headBytes).toBeLessThanOrEqual(4_096);
    });

    it('keeps it within 4 KB with a landing URL of percent-escapes (a query in Japanese) on a host under a two-label public suffix', async () => {
      // A URL's escapes are escaped again in the cookie (`%E3` as `%25E3`): 1,000 characters of
      // them made a 1.7 KB cookie. And `co.uk` is one of the domains an older cookie could be on,
      // as far as the handler can tell (the browser refused it, but no suffix list says so).
      const history = Array.from({ length: 20 }, (_, i) => `cust_1_${1_796_288_680_700 + i}`);
      const returning = ['affitor_click_id', 'customer_code', 'affitor_aff_url', 'affitor_set_by'].map((name) => `${name}=${history[19]}`);
      const landing = new URL(`https://www.eu.shop.co.uk/pricing?aff=PARTNER123&utm_content=${'ブラックフライデー'.repeat(40)}`).href.slice(0, 1_023);
      const answer = await send(handler().url, CLICK, {
        headers: { 'Content-Type': 'text/plain', Host: 'www.eu.shop.co.uk', 'X-Forwarded-Proto': 'https', Cookie: [...returning, `affitor_click_ids=${history.join('|')}`].join('; ') },
        body: clickBody('PARTNER123', { cookie_domain: 'shop.co.uk' }, landing),
      });
      expect(cookiesSet(answer).get('affitor_click_id')!.attributes).toContain('domain=.shop.co.uk');
      expect(cookiesSet(answer).get('affitor_aff_url')!.value).toBe('https://www.eu.shop.co.uk/?aff=PARTNER123');
      expect(answer.headBytes).toBeLessThanOrEqual(4_096);
    });

    it('accepts the host itself as Domain', async () => {
      const cookies = cookiesSet(await land({ Host: 'app.shop.test' }, { cookie_domain: 'app.shop.test' }));
      expect(cookies.get('affitor_click_id')!.attributes).toContain('domain=.app.shop.test');
    });

    it('sets host-only cookies when the domain sent is another site, a public suffix, a sibling or malformed', async () => {
      for (const cookieDomain of ['evil.test', 'test', 'app.shop.test', 'shop.test; secure', '.', 42]) {
        const cookies = cookiesSet(await land({ Host: 'www.shop.test' }, { cookie_domain: cookieDomain }));
        expect(cookies.get('affitor_click_id')!.attributes.filter((a) => a.startsWith('domain=')), String(cookieDomain)).toEqual([]);
      }
    });

    it("uses the domain of X-Forwarded-Host when a proxy in front rewrote Host", async () => {
      const cookies = cookiesSet(await land({ Host: '10.0.0.5:3000', 'X-Forwarded-Host': 'www.shop.test' }, { cookie_domain: 'shop.test' }));
      expect(cookies.get('affitor_click_id')!.attributes).toContain('domain=.shop.test');
    });

    it('adds Secure when the visitor came over https through a proxy (X-Forwarded-Proto or Forwarded)', async () => {
      const proxied: Array<Record<string, string>> = [{ 'X-Forwarded-Proto': 'https' }, { Forwarded: 'for=203.0.113.9;proto=https' }];
      for (const headers of proxied) {
        const cookies = cookiesSet(await land({ Host: 'www.shop.test', ...headers }));
        expect([...cookies.keys()]).toEqual(['affitor_click_id', 'customer_code', 'affitor_click_ids', 'affitor_aff_url', 'affitor_set_by']);
        for (const [name, { attributes }] of cookies) expect(attributes, name).toContain('secure');
      }
    });

    it("leaves Secure off when the visitor's own hop was http, though a proxy further in reached the next over https", async () => {
      // A CDN took the visitor over http and reached the load balancer over https: each appended its hop.
      // Secure cookies on an http page are refused by the browser, and the partner would be left to document.cookie.
      const chained: Array<Record<string, string>> = [
        { 'X-Forwarded-Proto': 'http, https' },
        { Forwarded: 'for=203.0.113.9;proto=http, for=198.51.100.7;proto=https' },
      ];
      for (const headers of chained) {
        const cookies = cookiesSet(await land({ Host: 'www.shop.test', ...headers }));
        expect(cookies.get('affitor_click_id')!.attributes, JSON.stringify(headers)).not.toContain('secure');
      }
    });

    it("grows the history from the visitor's own affitor_click_ids cookie, newest last", async () => {
      const cookies = cookiesSet(await land({ Host: 'www.shop.test', Cookie: 'affitor_click_ids=cust_900_1; other=1' }, { existing_click_id: 'cust_900_1' }));
      expect(cookies.get('affitor_click_ids')!.value).toBe(`cust_900_1|${cookies.get('affitor_click_id')!.value}`);
    });

    it('sets nothing while consent is pending (or revoked), yet the click is recorded', async () => {
      for (const consent of ['pending', 'revoked']) {
        const answer = await land({ Host: 'www.shop.test' }, { consent, cookie_domain: 'shop.test' });
        expect(answer.status).toBe(200);
        expect(answer.json().click_id).toEqual(expect.any(String));
        expect(answer.setCookies).toEqual([]);
        expect(answer.headers['x-affitor-cookies']).toBe('none');
      }
      expect(api.calls).toHaveLength(2);
    });

    it('sets nothing for a click that does not say consent was given (an absolute apiBase: the SDK then writes them itself)', async () => {
      for (const consent of [undefined, 'denied', ['granted'], true]) {
        const answer = await land({ Host: 'www.shop.test' }, { consent, cookie_domain: 'shop.test' });
        expect(answer.status).toBe(200);
        expect(answer.setCookies, JSON.stringify(consent)).toEqual([]);
        expect(answer.headers['x-affitor-cookies']).toBe('none');
      }
    });

    it("sets nothing for a click another site's page made the browser send (a form posted to the handler): the SDK's are same-origin", async () => {
      // A top-level form post from another site: the browser stores SameSite=Lax cookies from its answer, with a landing URL of that site's choosing.
      const landing = 'javascript:alert(document.domain)//?aff=PARTNER123';
      const forged = { Host: 'www.shop.test', 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'navigate', Origin: 'https://evil.test' };
      for (const site of ['cross-site', 'same-site']) {
        const answer = await send(handler().url, CLICK, { headers: { ...forged, 'Sec-Fetch-Site': site }, body: clickBody('PARTNER123', {}, landing) });
        expect(answer.status).toBe(200);
        expect(answer.setCookies, site).toEqual([]);
        expect(answer.headers['x-affitor-cookies']).toBe('none');
      }
      expect(cookiesSet(await land({ Host: 'www.shop.test', 'Sec-Fetch-Site': 'same-origin' })).get('affitor_click_id')).toBeDefined();
    });

    it("sets nothing for another site's form post from a browser that sends no Sec-Fetch-Site (Safari before 16.4): its Origin names that site", async () => {
      for (const origin of ['https://evil.test', 'https://shop.test.evil.test', 'null', 'not a url']) {
        const answer = await send(handler().url, CLICK, { headers: { Host: 'www.shop.test', Origin: origin }, body: clickBody('PARTNER123', { consent: 'granted' }) });
        expect(answer.status).toBe(200);
        expect(answer.setCookies, origin).toEqual([]);
        expect(answer.headers['x-affitor-cookies']).toBe('none');
      }
      // The shop's own page, behind a proxy that names the host the visitor asked for, and a server that sends no Origin.
      expect(cookiesSet(await land({ Host: 'www.shop.test', Origin: 'https://www.shop.test' })).get('affitor_click_id')).toBeDefined();
      expect(cookiesSet(await land({ Host: 'internal:8080', 'X-Forwarded-Host': 'www.shop.test', Origin: 'https://www.shop.test' })).get('affitor_click_id')).toBeDefined();
      expect(cookiesSet(await land({ Host: 'www.shop.test' })).get('affitor_click_id')).toBeDefined();
    });

    it("behind a proxy that rewrote Host (nginx's proxy_pass default): the browser's same-origin word names the page's host, and where it has none, one error says what to fix", async () => {
      const rewritten = { Host: '127.0.0.1:9203', Origin: 'https://www.shop.test', 'Sec-Fetch-Site': 'same-origin' };
      // The browser vouches that the shop's own page sent it: the cookies go on the domain the SDK's probe found, not host-only on 127.0.0.1.
      const secure = cookiesSet(await land(rewritten, { cookie_domain: 'shop.test' }));
      expect(secure.get('affitor_click_id')!.attributes).toContain('domain=.shop.test');
      // An http page: Chromium sends no Sec-Fetch-Site to it, and the Origin alone cannot tell the shop from another site.
      const errors: unknown[][] = [];
      const original = console.error;
      console.error = (...args: unknown[]) => void errors.push(args);
      try {
        for (let visit = 0; visit < 2; visit++) {
          const answer = await land({ Host: '127.0.0.1:9203', Origin: 'http://www.shop.test' }, { cookie_domain: 'shop.test' });
          expect(answer.headers['x-affitor-cookies']).toBe('none');
        }
      } finally {
        console.error = original;
      }
      expect(errors.map((args) => args.join(' '))).toEqual([
        '[Affitor] a click from a page on www.shop.test reached the handler for 127.0.0.1: the proxy in front rewrote Host, so the handler cannot tell the page is yours and writes no cookie (the SDK writes them, which Safari keeps 7 days). Pass the Host on (nginx: proxy_set_header Host $host) or set X-Forwarded-Host.',
      ]);
    });

    it('sets nothing for a click a newer landing superseded (stale), nor for one whose stale field is anything but false', async () => {
      const answer = await land({ Host: 'www.shop.test' }, { stale: true });
      expect(answer.status).toBe(200);
      expect(answer.setCookies).toEqual([]);
      // The SDK sends true or false; a hand-made body's string or number cannot say "not stale".
      for (const stale of ['true', 'false', 1, 0, null]) expect((await land({ Host: 'www.shop.test' }, { stale })).setCookies, String(stale)).toEqual([]);
      expect((await land({ Host: 'www.shop.test' }, { stale: false })).headers['x-affitor-cookies']).toBe('set');
    });

    it('sets the cookies when consent is granted', async () => {
      const answer = await land({ Host: 'www.shop.test' }, { consent: 'granted' });
      expect(answer.headers['x-affitor-cookies']).toBe('set');
    });
  });

  describe('an API that is down or slow', () => {
    it('answers 504 within the timeout when the API is slow: retryable, so the SDK keeps the event in its outbox', async () => {
      const impatient = await startHandler({ apiUrl: api.url, timeoutMs: 200 });
      try {
        api.app.setChaos({ latencyMs: 2000 });
        const started = Date.now();
        const answer = await send(impatient.url, CLICK, { headers: SHOP, body: clickBody('PARTNER123') });
        expect(Date.now() - started).toBeLessThan(1500);
        expect(answer.status).toBe(504);
        expect(answer.json()).toEqual({ error: 'Tracking API timed out' });
        expect(answer.headers['x-affitor-cookies']).toBe('none');
        expect(answer.setCookies).toEqual([]);
        expect(isRetryable(answer.status)).toBe(true);
      } finally {
        await impatient.close();
      }
    });

    it('answers 502 at once when nothing listens at apiUrl: retryable', async () => {
      const probe = createServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      const { port } = probe.address() as AddressInfo;
      await new Promise((resolve) => probe.close(resolve));
      const orphan = await startHandler({ apiUrl: `http://127.0.0.1:${port}` });
      try {
        const errors = await loggedErrors(async () => {
          for (let call = 0; call < 2; call++) {
            const answer = await send(orphan.url, LEAD, { headers: SHOP, body: JSON.stringify({ customer_key: 'u_1' }) });
            expect(answer.status).toBe(502);
            expect(answer.json()).toEqual({ error: 'Tracking API unreachable' });
            expect(answer.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
            expect(isRetryable(answer.status)).toBe(true);
          }
        });
        // Once, with the cause the browser is not told (a refused connection, a DNS typo, a certificate).
        expect(errors).toEqual([expect.stringMatching(new RegExp(`^\\[Affitor\\] the tracking API at http://127\\.0\\.0\\.1:${port} cannot be reached \\(.*ECONNREFUSED.*\\): is createAffitorHandler's apiUrl right\\?$`))]);
      } finally {
        await orphan.close();
      }
    });

    it('answers a body that trickles in or never ends with a retryable 504 within timeoutMs, forwarding nothing', async () => {
      const impatient = await startHandler({ apiUrl: api.url, timeoutMs: 200 });
      // A client that sends the headers and a first byte, then nothing more: declared length, or chunked.
      const stalled = (headers: Record<string, string>) =>
        new Promise<{ status: number; body: string; ms: number }>((resolve, reject) => {
          const started = Date.now();
          const req = httpRequest(new URL(CLICK, impatient.url), { method: 'POST', headers: { ...SHOP, ...headers } }, (res) => {
            let body = '';
            res.on('data', (chunk: Buffer) => (body += chunk.toString()));
            res.on('end', () => {
              resolve({ status: res.statusCode ?? 0, body, ms: Date.now() - started });
              req.destroy();
            });
          });
          req.on('error', reject);
          req.write('{');
        });
      try {
        for (const headers of [{ 'Content-Length': '1000' }, { 'Transfer-Encoding': 'chunked' }] as Record<string, string>[]) {
          const answer = await stalled(headers);
          expect(answer.ms, JSON.stringify(headers)).toBeLessThan(1500);
          expect(answer.status).toBe(504);
          expect(JSON.parse(answer.body)).toEqual({ error: 'Request body not received in time' });
          expect(isRetryable(answer.status)).toBe(true);
        }
        expect(api.calls).toEqual([]);
      } finally {
        await impatient.close();
      }
    });

    it('stops reading a body that never ends once it answers', async () => {
      let cancelled = false;
      let fetched = 0;
      const handle = createAffitorHandler({ timeoutMs: 100, fetch: () => (fetched++, Promise.resolve(new Response('{}'))) });
      const body = new ReadableStream<Uint8Array>({ pull: () => new Promise(() => undefined), cancel: () => void (cancelled = true) });
      const answer = await handle(new Request('https://www.shop.test/relay/api/v1/track/click', { method: 'POST', body, duplex: 'half' } as RequestInit));
      expect([answer.status, answer.headers.get('x-affitor-cookies'), cancelled, fetched]).toEqual([504, 'none', true, 0]);
    });

    it('keeps its time budget when the machine\'s clock is stepped (NTP, a resumed VM): neither early nor late', async () => {
      const wallClock = Date.now.bind(Date);
      let step = 0;
      // Each look at the wall clock after the first finds it stepped: forward 9 s, or back 1 hour.
      const stepped = (by: number) => vi.spyOn(Date, 'now').mockImplementation(() => wallClock() + (step++ ? by : 0));
      try {
        stepped(9_000);
        const answering = createAffitorHandler({ fetch: () => Promise.resolve(Response.json({ success: true, click_id: 'cust_1_1', cookie_window_days: 30 })) });
        const answer = await answering(new Request('https://www.shop.test/relay/api/v1/track/click', { method: 'POST', body: clickBody('PARTNER123') }));
        expect(answer.status).toBe(200);

        vi.restoreAllMocks();
        step = 0;
        stepped(-3_600_000);
        const silent = createAffitorHandler({ timeoutMs: 200, fetch: () => new Promise<Response>(() => undefined) });
        const started = performance.now();
        const timedOut = await silent(new Request('https://www.shop.test/relay/api/v1/track/click', { method: 'POST', body: clickBody('PARTNER123') }));
        expect(timedOut.status).toBe(504);
        expect(performance.now() - started).toBeLessThan(2_000);
      } finally {
        vi.restoreAllMocks();
      }
    });

    it("passes the API's own 503 and a dropped connection on as retryable answers", async () => {
      api.app.setChaos({ failFirst: { click: 1 }, dropFirst: { lead: 1 } });
      const unavailable = await send(handler().url, CLICK, { headers: SHOP, body: clickBody('PARTNER123') });
      expect(unavailable.status).toBe(503);
      expect(unavailable.setCookies).toEqual([]);
      expect(unavailable.headers['x-affitor-cookies']).toBe('none');
      const dropped = await send(handler().url, LEAD, { headers: SHOP, body: JSON.stringify({ customer_key: 'u_1' }) });
      expect(isRetryable(unavailable.status) && isRetryable(dropped.status)).toBe(true);
    });
  });
});

describe('the visitor address the API keys its browser rate limits on', () => {
  // The reference API, as the tests mount it, keys them on the first X-Forwarded-For entry, as many servers do.
  const app = createTrackingServer(SEED, { now: () => Date.UTC(2026, 0, 1) });
  const handle = createAffitorHandler({ fetch: (url, init) => app.fetch(new Request(url, init)) });
  const lead = (clientAddress: string, forwardedFor?: string) =>
    handle(
      new Request('https://www.shop.test/relay/api/v1/track/lead', { method: 'POST', headers: forwardedFor ? { 'X-Forwarded-For': forwardedFor } : {}, body: '{}' }),
      { clientAddress },
    );

  it("is the one the handler saw, never one the visitor wrote: no visitor spends another's limit or escapes its own", async () => {
    // A visitor connected from 203.0.113.66 claims to be 198.51.100.77 for the default 600 calls a minute.
    for (let i = 0; i < 600; i++) await lead('203.0.113.66', '198.51.100.77');
    expect((await lead('198.51.100.77')).status).toBe(400);
    expect((await lead('203.0.113.66', '192.0.2.1')).status).toBe(429);
  });

  /** The X-Forwarded-For the API gets for one call, from the peer and the headers a proxy (or the visitor) wrote. */
  const sentFor = async (clientAddress: string | undefined, headers: Record<string, string>) => {
    let sent: string | null = null;
    const record = createAffitorHandler({
      fetch: (_url, init) => ((sent = new Headers(init.headers).get('x-forwarded-for')), Promise.resolve(new Response('{}'))),
    });
    await record(new Request('https://www.shop.test/relay/api/v1/track/lead', { method: 'POST', headers, body: '{}' }), { clientAddress });
    return sent;
  };

  it('stops at an entry that is no address (a proxy of yours writing `unknown`): the ones before it were the visitor\'s to write', async () => {
    expect(await sentFor('10.0.0.2', { 'X-Forwarded-For': '198.51.100.77, 203.0.113.9' })).toBe('203.0.113.9');
    for (const junk of ['unknown', '_hidden', 'cafe']) {
      expect(await sentFor('10.0.0.2', { 'X-Forwarded-For': `198.51.100.77, ${junk}` }), junk).toBe('10.0.0.2');
    }
    // A peer given that is no address: who connected is unknown, so no entry is believed.
    expect(await sentFor('unknown', { 'X-Forwarded-For': '198.51.100.77' })).toBeNull();
  });

  it('reads the address a proxy of yours wrote in Forwarded (RFC 7239), and none when the two headers disagree', async () => {
    // A proxy that writes only Forwarded: the X-Forwarded-For that came with it is the visitor's own.
    expect(await sentFor('10.0.0.2', { Forwarded: 'for=203.0.113.9;proto=https' })).toBe('203.0.113.9');
    expect(await sentFor('10.0.0.2', { Forwarded: 'for=192.0.2.1, for="[2001:db8:cafe::17]:4711";proto=https' })).toBe('2001:db8:cafe::17');
    expect(await sentFor(undefined, { Forwarded: 'for=203.0.113.9' })).toBe('203.0.113.9');
    expect(await sentFor('10.0.0.2', { Forwarded: 'for=203.0.113.9', 'X-Forwarded-For': '198.51.100.77' })).toBe('10.0.0.2');
    expect(await sentFor('10.0.0.2', { Forwarded: 'for=unknown', 'X-Forwarded-For': '198.51.100.77' })).toBe('10.0.0.2');
    // A proxy that writes both agrees with itself; one that writes only proto= says nothing of the address.
    expect(await sentFor('10.0.0.2', { Forwarded: 'for=203.0.113.9', 'X-Forwarded-For': '198.51.100.77, 203.0.113.9' })).toBe('203.0.113.9');
    expect(await sentFor('10.0.0.2', { Forwarded: 'proto=https', 'X-Forwarded-For': '203.0.113.9' })).toBe('203.0.113.9');
    // A public peer is the visitor, whatever either header says.
    expect(await sentFor('203.0.113.66', { Forwarded: 'for=198.51.100.77', 'X-Forwarded-For': '192.0.2.1' })).toBe('203.0.113.66');
  });
});

describe('createAffitorHandler options', () => {
  it('refuses invalid options at creation, naming the option', () => {
    expect(() => createAffitorHandler({ basePath: 'relay' })).toThrow(/basePath/);
    expect(() => createAffitorHandler({ basePath: '/relay/' })).toThrow(/basePath/);
    expect(() => createAffitorHandler({ basePath: '/a/../b' })).toThrow(/basePath/);
    expect(() => createAffitorHandler({ apiUrl: 'ftp://api.test' })).toThrow(/apiUrl/);
    expect(() => createAffitorHandler({ apiUrl: 'https://api.test/?x=1' })).toThrow(/apiUrl/);
    expect(() => createAffitorHandler({ cookieDomain: 'shop.test;secure' })).toThrow(/cookieDomain/);
    expect(() => createAffitorHandler({ timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => createAffitorHandler({ timeoutMs: Number.NaN })).toThrow(/timeoutMs/);
  });

  it('refuses options of the wrong type at creation with a message naming them, rather than failing each request', () => {
    // Each of these used to be accepted, then fail every call (502, 404) or throw an unrelated TypeError.
    const wrong: [unknown, RegExp][] = [
      [{ apiUrl: 8787 }, /apiUrl must be a string such as 'https:\/\/api\.affitor\.com', got a number/],
      [{ apiUrl: new URL('https://api.affitor.test') }, /apiUrl must be a string .*got a URL/],
      [{ cookieDomain: 12 }, /cookieDomain must be a domain such as 'example\.com', got a number/],
      [{ fetch: 'fetch' }, /fetch must be a function, got a string/],
      [{ scripts: true }, /scripts must be a directory path, an object of file name to content, a function or false, got a boolean/],
      [{ scripts: null }, /scripts must be .* got null/],
      [null, /options must be an object, got null/],
    ];
    for (const [options, message] of wrong) {
      expect(() => createAffitorHandler(options as AffitorHandlerOptions), JSON.stringify(options)).toThrow(message);
    }
    // Left out (undefined or null): the defaults.
    expect(() => createAffitorHandler({ apiUrl: undefined, cookieDomain: null as unknown as string, fetch: undefined, scripts: undefined })).not.toThrow();
  });

  it('refuses an apiUrl with a query or a fragment, saying so (each route\'s path is added to it)', () => {
    for (const apiUrl of ['https://api.affitor.test/?x=1', 'https://api.affitor.test#top', 'https://api.affitor.test/base?']) {
      expect(() => createAffitorHandler({ apiUrl }), apiUrl).toThrow(
        `createAffitorHandler: apiUrl must not carry a query (?) or a fragment (#): the handler adds each route's path to it (got ${JSON.stringify(apiUrl)})`,
      );
    }
  });

  it('refuses an http apiUrl off this machine (a lead carries the visitor email), and keeps http for loopback', () => {
    for (const apiUrl of ['http://api.affitor.com', 'http://tracking.internal:8787', 'HTTP://10.0.0.5/']) {
      expect(() => createAffitorHandler({ apiUrl }), apiUrl).toThrow(/apiUrl must use https/);
    }
    expect(() => createAffitorHandler({ apiUrl: 'https://api affitor.test' })).toThrow(/apiUrl must be an http\(s\) URL/);
    for (const apiUrl of ['http://localhost:8787', 'http://127.0.0.1:8787/', 'http://[::1]:8787', 'http://api.localhost', 'HTTPS://API.AFFITOR.TEST']) {
      expect(() => createAffitorHandler({ apiUrl }), apiUrl).not.toThrow();
    }
  });

  it('takes an apiUrl read with spaces or a line break around it (an env file)', async () => {
    const api = await startRecordingApi();
    const handler = await startHandler({ apiUrl: ` ${api.url}/\n` });
    try {
      expect((await send(handler.url, CLICK, { headers: SHOP, body: clickBody('PARTNER123') })).status).toBe(200);
      expect(api.calls.map((call) => call.path)).toEqual(['/api/v1/track/click']);
    } finally {
      await handler.close();
      await api.close();
    }
  });

  it('takes a timeoutMs read from an env var as a string, and refuses one that is no number', async () => {
    const api = await startRecordingApi();
    const handler = await startHandler({ apiUrl: api.url, timeoutMs: '5000' });
    try {
      expect((await send(handler.url, CLICK, { headers: SHOP, body: clickBody('PARTNER123') })).status).toBe(200);
    } finally {
      await handler.close();
      await api.close();
    }
    for (const timeoutMs of [true, 'soon', '', {}]) {
      expect(() => createAffitorHandler({ timeoutMs: timeoutMs as unknown as number }), JSON.stringify(timeoutMs)).toThrow(/timeoutMs must be a positive number of milliseconds/);
    }
  });

  it('mounts under another basePath, and a cookieDomain option wins over the domain the SDK sent', async () => {
    const api = await startRecordingApi();
    const handler = await startHandler({ apiUrl: `${api.url}/`, basePath: '/t/a', cookieDomain: 'shop.test' });
    try {
      const answer = await send(handler.url, '/t/a/api/v1/track/click', { headers: SHOP, body: clickBody('PARTNER123', { cookie_domain: 'www.shop.test' }) });
      expect(answer.status).toBe(200);
      expect(cookiesSet(answer).get('affitor_click_id')!.attributes).toContain('domain=.shop.test');
      expect((await send(handler.url, CLICK, { headers: SHOP, body: clickBody('PARTNER123') })).status).toBe(404);
    } finally {
      await handler.close();
      await api.close();
    }
  });

  it("says once in the server's log, with the fix, when it is mounted elsewhere than basePath (every call and file was a silent 404)", async () => {
    const at = (affitor: ReturnType<typeof createAffitorHandler>, path: string) => affitor(new Request(`https://www.shop.test${path}`));
    // A route on /t/* with basePath left at /relay: the fix is basePath '/t'.
    const elsewhere = createAffitorHandler({ apiUrl: 'https://api.affitor.test', scripts: {} });
    const saidElsewhere = await loggedErrors(async () => {
      expect((await at(elsewhere, '/t/affitor.global.js')).status).toBe(404);
      expect((await at(elsewhere, '/t/api/v1/track/click')).status).toBe(404);
    });
    expect(saidElsewhere).toEqual([
      "[Affitor] createAffitorHandler answered 404 to /t/affitor.global.js, outside its basePath /relay: pass basePath: '/t', where it is mounted",
    ]);
    // Express's app.use('/relay', …) takes the mount path off the URL.
    const stripped = createAffitorHandler({ apiUrl: 'https://api.affitor.test', scripts: {} });
    const saidStripped = await loggedErrors(async () => {
      expect((await at(stripped, '/api/v1/track/click')).status).toBe(404);
    });
    expect(saidStripped).toEqual([
      "[Affitor] createAffitorHandler answered 404 to /api/v1/track/click, outside its basePath /relay: its mount path was taken off the URL (Express's app.use('/relay', …) does): mount it with app.all('/relay/*path')",
    ]);
    // basePath itself, and paths under it it does not serve, are no sign of a wrong mount.
    const mounted = createAffitorHandler({ apiUrl: 'https://api.affitor.test', scripts: false });
    const saidMounted = await loggedErrors(async () => {
      for (const path of ['/relay', '/relay/', '/relay/x', '/relay/api/v1/track/sale']) expect((await at(mounted, path)).status, path).toBe(404);
    });
    expect(saidMounted).toEqual([]);
  });

  it('takes a cookieDomain written in Unicode in its ASCII form, as the request names the host (Firefox and WebKit refuse the Unicode form)', async () => {
    const api = await startRecordingApi();
    const handler = await startHandler({ apiUrl: api.url, cookieDomain: 'Bücher.test' });
    try {
      const answer = await send(handler.url, CLICK, { headers: { ...SHOP, Host: 'www.xn--bcher-kva.test' }, body: clickBody('PARTNER123') });
      expect(answer.status).toBe(200);
      expect(cookiesSet(answer).get('affitor_click_id')!.attributes).toContain('domain=.xn--bcher-kva.test');
    } finally {
      await handler.close();
      await api.close();
    }
    // Still refused: what is no domain in any script, or would carry more than a domain.
    for (const cookieDomain of ['bücher.test;secure', 'bü cher.test', 'x@bücher.test', 'bücher.test/x']) {
      expect(() => createAffitorHandler({ cookieDomain }), cookieDomain).toThrow(/cookieDomain must be a domain/);
    }
  });

  it("passes on the API's other answers, even one without a body or not JSON, asking fetch to follow no redirect", async () => {
    const inits: RequestInit[] = [];
    const answers = [new Response(null, { status: 400 }), new Response('<h1>Bad gateway</h1>', { status: 502, headers: { 'Content-Type': 'text/html' } })];
    const handle = createAffitorHandler({
      fetch: (_url, init) => {
        inits.push(init);
        return Promise.resolve(answers.shift()!);
      },
    });
    const click = () => handle(new Request('https://www.shop.test/relay/api/v1/track/click', { method: 'POST', body: clickBody('PARTNER123') }));
    const empty = await click();
    expect(empty.status).toBe(400);
    expect(empty.headers.get('x-affitor-cookies')).toBe('none');
    const html = await click();
    expect([html.status, html.headers.get('content-type'), await html.text()]).toEqual([502, 'text/html', '<h1>Bad gateway</h1>']);
    // Served from the merchant's own origin: the browser may neither sniff nor run what the API (or a CDN in front) answered.
    expect(html.headers.get('x-content-type-options')).toBe('nosniff');
    expect(html.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(inits.map((init) => init.redirect)).toEqual(['manual', 'manual']);
  });

  it.each([
    ['404 Not found (its /api/v1 path written into apiUrl)', () => new Response('{"error":"Not found"}', { status: 404 }), 404, 'Not found'],
    ['405', () => new Response(null, { status: 405 }), 405, 'Method not allowed'],
    ['200 with a web page (another site)', () => new Response('<!doctype html><p>Shop</p>', { status: 200, headers: { 'Content-Type': 'text/html' } }), 200, 'that is no JSON object'],
    ['200 with a JSON list', () => new Response('[1]', { status: 200 }), 200, 'that is no JSON object'],
    ['204', () => new Response(null, { status: 204 }), 204, 'that is no JSON object'],
  ])("answers an apiUrl that is not the API (%s) with a retryable 502 naming apiUrl, and logs it once", async (_, answer, status, what) => {
    const errors = await loggedErrors(async () => {
      const handle = createAffitorHandler({ apiUrl: 'https://affitor.test/api/v1', fetch: () => Promise.resolve(answer()) });
      for (const route of ['click', 'lead']) {
        const relayed = await handle(new Request(`https://www.shop.test/relay/api/v1/track/${route}`, { method: 'POST', body: clickBody('PARTNER123') }));
        // Passed on, the SDK dropped the event for good (not retryable) and blamed its own apiBase.
        expect(relayed.status, route).toBe(502);
        expect(isRetryable(relayed.status)).toBe(true);
        expect(await relayed.json()).toEqual({ error: `Tracking API answered HTTP ${status} for ${route}: check the handler's apiUrl` });
        expect(relayed.headers.get('set-cookie')).toBeNull();
      }
    });
    expect(errors).toEqual([
      `[Affitor] the tracking API at https://affitor.test/api/v1 answered HTTP ${status} ${what} for /api/v1/track/click: is createAffitorHandler's apiUrl right? (the API's origin, without /api/v1)`,
    ]);
  });

  it('logs once that the API did not answer in time, beside the 504 it answers', async () => {
    const errors = await loggedErrors(async () => {
      const handle = createAffitorHandler({ apiUrl: 'https://affitor.test', timeoutMs: 20, fetch: (_url, init) => new Promise<Response>((_, reject) => init.signal?.addEventListener('abort', () => reject(new Error('aborted')))) });
      for (let call = 0; call < 2; call++) {
        const relayed = await handle(new Request('https://www.shop.test/relay/api/v1/track/click', { method: 'POST', body: clickBody('PARTNER123') }));
        expect(relayed.status).toBe(504);
      }
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^\[Affitor\] the tracking API at https:\/\/affitor\.test did not answer within (19|20) ms: is it down, or is createAffitorHandler's apiUrl a host that answers nothing\?$/);
  });

  it('says an outage again once the API answered in between: once per outage, not once for the process', async () => {
    let down = true;
    const errors = await loggedErrors(async () => {
      const handle = createAffitorHandler({
        apiUrl: 'https://affitor.test',
        fetch: () => (down ? Promise.reject(new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') })) : Promise.resolve(Response.json({ success: true }))),
      });
      const lead = () => handle(new Request('https://www.shop.test/relay/api/v1/track/lead', { method: 'POST', body: JSON.stringify({ customer_key: 'u_1' }) }));
      for (const state of [true, true, false, true, true]) {
        down = state;
        expect((await lead()).status).toBe(down ? 502 : 200);
      }
    });
    expect(errors).toHaveLength(2);
    for (const error of errors) expect(error).toMatch(/^\[Affitor\] the tracking API at https:\/\/affitor\.test cannot be reached \(.*ECONNREFUSED.*\)/);
  });

  it("does not blame the API for a timeout the visitor's slow body used up: no log, still a 504", async () => {
    const errors = await loggedErrors(async () => {
      const handle = createAffitorHandler({
        apiUrl: 'https://affitor.test',
        timeoutMs: 300,
        fetch: (_url, init) => new Promise<Response>((_, reject) => init.signal?.addEventListener('abort', () => reject(new Error('aborted')))),
      });
      // The body arrives after 250 of the 300 ms: the API is left 50.
      const body = new ReadableStream({
        start: (controller) =>
          void setTimeout(() => {
            controller.enqueue(new TextEncoder().encode(clickBody('PARTNER123')));
            controller.close();
          }, 250),
      });
      const relayed = await handle(new Request('https://www.shop.test/relay/api/v1/track/click', { method: 'POST', body, duplex: 'half' } as RequestInit));
      expect(relayed.status).toBe(504);
    });
    expect(errors).toEqual([]);
  });

  it('answers a redirect of the API (an apiUrl moved) with a retryable 502 naming where it points, and logs it once', async () => {
    const errors: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void errors.push(args);
    const handle = createAffitorHandler({
      apiUrl: 'https://affitor.test',
      fetch: () => Promise.resolve(new Response(null, { status: 308, headers: { Location: 'https://api.affitor.test/api/v1/track/lead' } })),
    });
    const call = (route: string) => handle(new Request(`https://www.shop.test/relay/api/v1/track/${route}`, { method: 'POST', body: clickBody('PARTNER123') }));
    try {
      for (const route of ['click', 'lead']) {
        const answer = await call(route);
        // Passed on, a 3xx without its Location is final for the browser, and not retryable: the SDK would drop the lead.
        expect(answer.status, route).toBe(502);
        expect(isRetryable(answer.status)).toBe(true);
        expect(await answer.json()).toEqual({ error: 'Tracking API redirected to https://api.affitor.test/api/v1/track/lead: set the handler\'s apiUrl to where it points' });
        expect(answer.headers.get('set-cookie')).toBeNull();
      }
    } finally {
      console.error = original;
    }
    expect(errors).toHaveLength(1);
    expect(String(errors[0]!.join(' '))).toMatch(/\[Affitor\] .*https:\/\/affitor\.test.* redirects to https:\/\/api\.affitor\.test/);
  });

  it('answers 500, never throws, when the request body cannot be read', async () => {
    const handle = createAffitorHandler({ apiUrl: 'http://127.0.0.1:9' });
    const body = new ReadableStream({ pull: (controller) => controller.error(new Error('socket reset')) });
    const answer = await handle(new Request('http://www.shop.test/relay/api/v1/track/click', { method: 'POST', body, duplex: 'half' } as RequestInit));
    expect(answer.status).toBe(500);
    expect(await answer.json()).toEqual({ error: 'Internal server error' });
  });

  it('says once in the server log why it answered 500 to a body it could not read, as when a body parser mounted before it read the body first', async () => {
    const errors = await loggedErrors(async () => {
      const handle = createAffitorHandler({ apiUrl: 'http://127.0.0.1:9', scripts: false });
      for (let call = 0; call < 2; call++) {
        // What express.json() or express.text() leaves the handler: a body already read.
        const request = new Request('http://www.shop.test/relay/api/v1/track/click', { method: 'POST', body: '{}' });
        await request.text();
        expect((await handle(request)).status).toBe(500);
      }
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^\[Affitor\] a request's body could not be read \(.+\): mount the handler before any body parser \(express\.json\(\), express\.text\(\)\)$/);
  });

  it("answers 500 on Node's response, never throws, and says once how to mount it, when mounted as Node's own handler", async () => {
    const errors = await loggedErrors(async () => {
      const handle = createAffitorHandler({ scripts: false });
      // `http.createServer(affitor)`, as Express's `app.all(path, affitor)` calls it too: Node's request and response.
      const server = createHttpServer((request, response) => void handle(request as never, response as never));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${CLICK}`;
        for (let call = 0; call < 2; call++) {
          const answer = await fetch(url, { method: 'POST', body: '{}' });
          expect(answer.status).toBe(500);
          expect(await answer.json()).toEqual({ error: 'Internal server error' });
        }
      } finally {
        server.close();
      }
    });
    expect(errors).toEqual([
      `[Affitor] createAffitorHandler's handler takes a web Request, not Node's request: mount it through @hono/node-server (its serve, or getRequestListener inside Express), as the README shows`,
    ]);
  });

  it("says nothing of body parsers when the visitor left mid-upload, and still says it for a body a parser read first", async () => {
    const errors = await loggedErrors(async () => {
      const handle = createAffitorHandler({ apiUrl: 'http://127.0.0.1:9', scripts: false });
      // What Node's server gives the handler when the visitor's connection closes mid-body.
      const aborted = Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
      const body = new ReadableStream({ pull: (controller) => controller.error(aborted) });
      const left = await handle(new Request('http://www.shop.test/relay/api/v1/track/click', { method: 'POST', body, duplex: 'half' } as RequestInit));
      expect(left.status).toBe(400);
      const parsed = new Request('http://www.shop.test/relay/api/v1/track/click', { method: 'POST', body: '{}' });
      await parsed.text();
      expect((await handle(parsed)).status).toBe(500);
    });
    expect(errors).toEqual([expect.stringMatching(/mount the handler before any body parser/)]);
  });

  it.each([
    ['workerd (Cloudflare Workers)', new Error('Network connection lost.')],
    ['Bun', new DOMException('The connection was closed.', 'AbortError')],
    ['Deno', Object.assign(new Error('Cannot read body as underlying resource unavailable'), { name: 'BadResource' })],
  ])('a visitor who left mid-upload, as %s says it (each seen there): answered 400, no body-parser advice', async (_runtime, error) => {
    const errors = await loggedErrors(async () => {
      const handle = createAffitorHandler({ apiUrl: 'http://127.0.0.1:9', scripts: false });
      const body = new ReadableStream({ pull: (controller) => controller.error(error) });
      const left = await handle(new Request('http://www.shop.test/relay/api/v1/track/click', { method: 'POST', body, duplex: 'half' } as RequestInit));
      expect(left.status).toBe(400);
    });
    expect(errors).toEqual([]);
  });
});

describe('createAffitorHandler called from a page of the same site on another origin (apiBase as a whole URL)', () => {
  const clickFrom = (headers: Record<string, string>) =>
    createAffitorHandler({
      apiUrl: 'https://api.affitor.test',
      scripts: false,
      fetch: () => Promise.resolve(Response.json({ success: true, click_id: 'cust_1_1796288680700', cookie_window_days: 30 })),
    })(
      new Request('https://t.shop.test/relay/api/v1/track/click', {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain', ...headers },
        body: JSON.stringify({ affiliate_url: 'https://www.shop.test/?aff=PARTNER123' }),
      }),
    );

  it('lets it read the answer, and writes no cookie (the SDK writes them, as with the API)', async () => {
    const answer = await clickFrom({ Origin: 'https://www.shop.test', 'Sec-Fetch-Site': 'same-site' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBe('https://www.shop.test');
    expect(answer.headers.get('access-control-expose-headers')).toBe('X-Request-ID');
    expect(answer.headers.get('vary')).toContain('Origin');
    expect(answer.headers.get('set-cookie')).toBeNull();
    expect(answer.headers.get('x-affitor-cookies')).toBe('none');
  });

  it('gives a page of another site, or a request no browser vouches for, no CORS header', async () => {
    const refused: Array<Record<string, string>> = [{ Origin: 'https://evil.test', 'Sec-Fetch-Site': 'cross-site' }, { Origin: 'https://www.shop.test' }];
    for (const headers of refused) {
      expect((await clickFrom(headers)).headers.get('access-control-allow-origin'), JSON.stringify(headers)).toBeNull();
    }
  });
});

/** What `run` writes with console.error, each call's arguments joined. */
async function loggedErrors(run: () => Promise<void>): Promise<string[]> {
  const errors: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void errors.push(args.join(' '));
  try {
    await run();
  } finally {
    console.error = original;
  }
  return errors;
}

describe('createAffitorHandler with hostile input and answers', () => {
  const clickAt = (body: string) => new Request('https://www.shop.test/relay/api/v1/track/click', { method: 'POST', body });

  it("forwards a body nested too deep to re-serialise as it came, rather than answering a retryable 500", async () => {
    const sent: unknown[] = [];
    const handle = createAffitorHandler({
      scripts: false,
      fetch: (_url, init) => {
        sent.push(init?.body);
        return Promise.resolve(new Response('{"error":"Invalid JSON body"}', { status: 400 }));
      },
    });
    // Valid JSON, under 64 KiB: JSON.parse takes it, JSON.stringify overflows the stack on it.
    const deep = `{"affiliate_url":"https://www.shop.test/?aff=PARTNER123","consent":"granted","a":${'['.repeat(30_000)}${']'.repeat(30_000)}}`;
    const answer = await handle(clickAt(deep));
    expect(answer.status).toBe(400);
    expect(isRetryable(answer.status)).toBe(false);
    expect(sent).toEqual([deep]);
    expect(answer.headers.get('x-affitor-cookies')).toBe('none');
  });

  it('stops reading an API answer past its cap and answers a retryable 502, never buffering it whole', async () => {
    const endless = endlessAnswer('application/json');
    const handle = createAffitorHandler({ scripts: false, fetch: () => Promise.resolve(endless.response()) });
    const answer = await handle(clickAt(clickBody('PARTNER123')));
    expect(answer.status).toBe(502);
    expect(isRetryable(answer.status)).toBe(true);
    expect(await answer.json()).toEqual({ error: 'Tracking API answer too large' });
    expect(answer.headers.get('x-affitor-cookies')).toBe('none');
    expect(endless.pulled()).toBeLessThan(8 << 20);
  });

  it('says X-Affitor-Cookies: none on a click it answers 500 because the body could not be read', async () => {
    const handle = createAffitorHandler({ apiUrl: 'http://127.0.0.1:9', scripts: false });
    const body = new ReadableStream({ pull: (controller) => controller.error(new Error('socket reset')) });
    const answer = await handle(new Request('http://www.shop.test/relay/api/v1/track/click', { method: 'POST', body, duplex: 'half' } as RequestInit));
    expect(answer.status).toBe(500);
    expect(answer.headers.get('x-affitor-cookies')).toBe('none');
  });
});

describe('createAffitorHandler serving script files from a source that never answers', () => {
  it('answers within timeoutMs rather than holding the request, and asks the source again next time', async () => {
    let asked = 0;
    const errors: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void errors.push(args);
    // A Worker's ASSETS binding or a network file system that never settles.
    const handle = createAffitorHandler({ timeoutMs: 200, scripts: () => (asked++, new Promise<never>(() => undefined)) });
    const get = () =>
      Promise.race([
        handle(new Request('https://www.shop.test/relay/affitor.global.js')).then((answer) => answer.status),
        new Promise<string>((resolve) => setTimeout(() => resolve('still waiting'), 3_000)),
      ]);
    try {
      expect(await get()).toBe(404);
      expect(await get()).toBe(404);
    } finally {
      console.error = original;
    }
    expect(asked).toBe(2);
    expect(String(errors[0]?.join(' '))).toMatch(/\[Affitor\] cannot serve affitor\.global\.js: .*200 ms/);
  });
});

describe('the Worker example (examples/first-party/worker.ts) with an AFFITOR_API_URL the handler refuses', () => {
  it("still passes the shop's own pages to its origin: only /relay/* depends on the handler", async () => {
    const { default: worker } = await import('../../examples/first-party/worker');
    const origin: string[] = [];
    const saved = globalThis.fetch;
    globalThis.fetch = ((input: Request) => (origin.push(input.url), Promise.resolve(new Response('shop page')))) as typeof fetch;
    const env = { AFFITOR_API_URL: 'http://api.affitor.test', ASSETS: { fetch: () => Promise.resolve(new Response(null, { status: 404 })) } };
    try {
      const page = await worker.fetch(new Request('https://www.shop.test/pricing'), env);
      expect(await page.text()).toBe('shop page');
      expect(origin).toEqual(['https://www.shop.test/pricing']);
      // The relay itself still fails loudly, naming the option.
      await expect(worker.fetch(new Request('https://www.shop.test/relay/affitor.global.js'), env)).rejects.toThrow(/apiUrl must use https/);
    } finally {
      globalThis.fetch = saved;
    }
  });
});
