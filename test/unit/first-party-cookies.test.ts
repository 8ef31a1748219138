import { describe, expect, it } from 'vitest';
import * as names from '../../src/core/cookie-names';
import { readCookieValues, serializeCookie } from '../../src/core/cookie-codec';
import * as tracker from '../../src/browser/tracker';
import { chooseCookieDomain, clickCookies, storedLandingUrl } from '../../src/server/handler/cookies';
import { splitBody } from '../../src/server/handler/forward';
import { forwardedFor, hostLostByProxy, isHttps, requestHosts } from '../../src/server/handler/request';
import { SCRIPT_FILE_NAME } from '../../src/server/handler/scripts';

const base = { clickId: 'cust_1_1', affiliateUrl: 'https://www.shop.test/?aff=P1', windowDays: 30, cookieHeader: null, domain: undefined, secure: false };

/** name -> the whole Set-Cookie value, for the cookies that set a value (not the deletions). */
const DELETION = /;max-age=0(?:;|$)/;
const byName = (cookies: string[]) => new Map(cookies.filter((c) => !DELETION.test(c)).map((c) => [c.slice(0, c.indexOf('=')), c]));

describe('first-party cookies (pure)', () => {
  it('uses the cookie names the browser SDK uses', () => {
    expect(names.COOKIE_CLICK_ID).toBe(tracker.COOKIE_CLICK_ID);
    expect(names.COOKIE_LEGACY_CLICK_ID).toBe(tracker.COOKIE_LEGACY_CLICK_ID);
    expect(names.COOKIE_HISTORY).toBe(tracker.COOKIE_HISTORY);
    expect(names.COOKIE_AFFILIATE_URL).toBe(tracker.COOKIE_AFFILIATE_URL);
  });

  it("writes each cookie exactly as the SDK's codec does, Max-Age the window", () => {
    const cookies = byName(clickCookies(base));
    expect([...cookies.keys()]).toEqual(['affitor_click_id', 'customer_code', 'affitor_click_ids', 'affitor_aff_url', 'affitor_set_by']);
    expect(cookies.get('affitor_click_id')).toBe(serializeCookie('affitor_click_id', 'cust_1_1', 30, undefined, false));
    expect(cookies.get('affitor_click_id')).toBe('affitor_click_id=cust_1_1;path=/;max-age=2592000;samesite=lax');
    expect(cookies.get('affitor_aff_url')).toBe(serializeCookie('affitor_aff_url', 'https://www.shop.test/?aff=P1', 30, undefined, false));
    expect(cookies.get('affitor_set_by')).toMatch(/^affitor_set_by=server;/);
  });

  it('clamps the window as the SDK does: 1..365 whole days, 60 when absent or not a number', () => {
    const maxAge = (windowDays: unknown) => /max-age=(\d+)/.exec(clickCookies({ ...base, windowDays })[0]!)?.[1];
    expect(maxAge(1000)).toBe(String(365 * 86400));
    expect(maxAge(0)).toBe(String(86400));
    expect(maxAge('30')).toBe(String(60 * 86400));
    expect(maxAge(undefined)).toBe(String(60 * 86400));
    expect(maxAge(7.6)).toBe(String(8 * 86400));
  });

  it("appends the click id to the history the visitor's cookie holds, newest last, without repeats, at most 20", () => {
    const held = Array.from({ length: 20 }, (_, i) => `cust_${i}_1`).join('|');
    const cookies = byName(clickCookies({ ...base, clickId: 'cust_5_1', cookieHeader: `a=b; affitor_click_ids=${encodeURIComponent(held)}` }));
    const history = readCookieValues(cookies.get('affitor_click_ids')!.split(';')[0]!, 'affitor_click_ids')[0]!.split('|');
    expect(history).toHaveLength(20);
    expect(history.at(-1)).toBe('cust_5_1');
    expect(history.filter((id) => id == 'cust_5_1')).toHaveLength(1);
  });

  it('drops history entries that are not plausible ids (a tampered cookie cannot inject attributes)', () => {
    const cookies = byName(clickCookies({ ...base, cookieHeader: 'affitor_click_ids=cust_0_1%7Cx%3Bdomain%3Devil.test' }));
    expect(cookies.get('affitor_click_ids')).toMatch(/^affitor_click_ids=cust_0_1%7Ccust_1_1;/);
  });

  it('percent-encodes the landing URL, so no landing can add an attribute', () => {
    const url = 'https://www.shop.test/?aff=P1&x=a;domain=evil.test; secure';
    const cookie = byName(clickCookies({ ...base, affiliateUrl: url })).get('affitor_aff_url')!;
    // name=value, path, max-age, samesite: nothing from the URL became an attribute.
    expect(cookie.split(';').map((part) => part.split('=')[0])).toEqual(['affitor_aff_url', 'path', 'max-age', 'samesite']);
    expect(readCookieValues(cookie.split(';')[0]!, 'affitor_aff_url')).toEqual([url]);
  });

  it('keeps an overlong landing URL as its origin and aff, as the SDK does', () => {
    expect(storedLandingUrl(`https://www.shop.test/p?aff=P%201&q=${'x'.repeat(1100)}`)).toBe('https://www.shop.test/?aff=P%201');
    expect(storedLandingUrl('https://www.shop.test/?aff=P1')).toBe('https://www.shop.test/?aff=P1');
  });

  it('measures the landing URL as the cookie writes it: 700 characters of escapes are 1,160 written', () => {
    const escaped = `https://www.shop.test/p?aff=P1&q=${'%E3%83%96'.repeat(74)}`;
    expect(escaped.length).toBeLessThan(1024);
    expect(storedLandingUrl(escaped)).toBe('https://www.shop.test/?aff=P1');
    const plain = `https://www.shop.test/p?aff=P1&q=${'x'.repeat(900)}`;
    expect(storedLandingUrl(plain)).toBe(plain);
  });

  it('writes a lone surrogate in the landing URL as U+FFFD, where encodeURIComponent would throw', () => {
    expect(storedLandingUrl('https://www.shop.test/?aff=P1&q=\uD800x\uD83D\uDE00')).toBe('https://www.shop.test/?aff=P1&q=\uFFFDx\uD83D\uDE00');
  });

  it('adds Domain and Secure when asked, and deletes host-only twins before writing on the domain', () => {
    const cookies = clickCookies({ ...base, domain: 'shop.test', secure: true });
    expect(cookies).toHaveLength(10);
    expect(cookies[0]).toBe('affitor_click_id=;path=/;max-age=0');
    expect(cookies[1]).toBe('affitor_click_id=cust_1_1;path=/;max-age=2592000;samesite=lax;domain=.shop.test;secure');
  });

  it('deletes a cookie the visitor sent on every other domain its host could hold it on (an earlier, narrower cookieDomain), so the older cannot shadow the new', () => {
    const cookies = clickCookies({
      ...base,
      domain: 'shop.test',
      cookieHeader: 'affitor_click_id=cust_0_1; affitor_click_id=cust_1_1',
      twinDomains: ['shop.test', 'www.shop.test'],
    });
    const deletions = cookies.filter((cookie) => DELETION.test(cookie));
    expect(deletions).toContain('affitor_click_id=;path=/;max-age=0;domain=.www.shop.test');
    expect(deletions).not.toContain('affitor_click_id=;path=/;max-age=0;domain=.shop.test');
    // Only the names the visitor sent: no deletion on other domains for the rest.
    expect(deletions.filter((cookie) => cookie.includes('domain=.www.shop.test'))).toHaveLength(1);
    expect(byName(cookies).get('affitor_click_id')).toMatch(/;max-age=2592000;samesite=lax;domain=\.shop\.test$/);
  });

  it("chooses the merchant's cookieDomain, else the SDK's, each only for the request's host or a parent of it", () => {
    const hosts = ['www.shop.test'];
    expect(chooseCookieDomain(hosts, 'shop.test', 'www.shop.test')).toBe('shop.test');
    expect(chooseCookieDomain(hosts, undefined, '.Shop.Test')).toBe('shop.test');
    expect(chooseCookieDomain(hosts, undefined, 'www.shop.test')).toBe('www.shop.test');
    expect(chooseCookieDomain(hosts, 'other.test', 'shop.test')).toBe('shop.test');
    expect(chooseCookieDomain(hosts, undefined, 'evil.test')).toBeUndefined();
    expect(chooseCookieDomain(hosts, undefined, 'test')).toBeUndefined();
    expect(chooseCookieDomain(hosts, undefined, 'hop.test')).toBeUndefined();
    expect(chooseCookieDomain(hosts, undefined, 'shop.test;secure')).toBeUndefined();
    expect(chooseCookieDomain(hosts, undefined, 42)).toBeUndefined();
    expect(chooseCookieDomain(['localhost'], undefined, 'localhost')).toBeUndefined();
    expect(chooseCookieDomain(['127.0.0.1'], undefined, '0.0.1')).toBeUndefined();
    expect(chooseCookieDomain(['10.0.0.5', 'www.shop.test'], undefined, 'shop.test')).toBe('shop.test');
  });
});

describe('first-party requests (pure)', () => {
  it('takes the handler fields out of the body and forwards the rest as JSON', () => {
    const split = splitBody(JSON.stringify({ affiliate_url: 'u', cookie_domain: 'shop.test', consent: 'pending', stale: true, event_id: 'e1' }));
    expect(JSON.parse(split.forward)).toEqual({ affiliate_url: 'u', event_id: 'e1' });
    expect(split.fields).toEqual({ cookie_domain: 'shop.test', consent: 'pending', stale: true });
  });

  it('forwards a body that is not a JSON object as it came', () => {
    for (const text of ['not json', '[1,2]', 'null', '']) expect(splitBody(text)).toEqual({ forward: text, fields: {}, body: null });
  });

  it('tells https from the URL or from the proxy in front', () => {
    const secure = (url: string, headers: Record<string, string> = {}) => isHttps(new Request(url, { headers }), new URL(url));
    expect(secure('https://shop.test/')).toBe(true);
    expect(secure('http://shop.test/')).toBe(false);
    expect(secure('http://shop.test/', { 'X-Forwarded-Proto': 'https' })).toBe(true);
    expect(secure('http://shop.test/', { 'X-Forwarded-Proto': 'HTTPS, http' })).toBe(true);
    expect(secure('http://shop.test/', { 'X-Forwarded-Proto': 'http' })).toBe(false);
    expect(secure('http://shop.test/', { Forwarded: 'for=1.2.3.4;proto=https;host=shop.test' })).toBe(true);
    expect(secure('http://shop.test/', { Forwarded: 'for=1.2.3.4;proto=http' })).toBe(false);
    // A CDN that let the visitor in over http and reached the origin over https: the proxy's word is
    // the visitor's. Secure cookies on an http page are refused, and the handler's were all lost.
    expect(secure('https://shop.test/', { 'X-Forwarded-Proto': 'http' })).toBe(false);
    expect(secure('https://shop.test/', { 'X-Forwarded-Proto': 'http, https' })).toBe(false);
    expect(secure('https://shop.test/', { Forwarded: 'for=198.51.100.7;proto=http' })).toBe(false);
    expect(secure('https://shop.test/', { Forwarded: 'for=198.51.100.7' })).toBe(true);
  });

  it('adds the page host the browser vouches for (Sec-Fetch-Site: same-origin) to the hosts, as behind a proxy that rewrote Host', () => {
    const url = 'http://127.0.0.1:9203/relay';
    const hosts = (headers: Record<string, string>) => requestHosts(new Request(url, { headers }), new URL(url));
    expect(hosts({ Origin: 'https://www.shop.test', 'Sec-Fetch-Site': 'same-origin' })).toEqual(['127.0.0.1', 'www.shop.test']);
    expect(hosts({ Origin: 'https://evil.test', 'Sec-Fetch-Site': 'cross-site' })).toEqual(['127.0.0.1']);
    expect(hosts({ Origin: 'https://www.shop.test' })).toEqual(['127.0.0.1']);
  });

  it.each([
    ['an http page behind a proxy that rewrote Host to an address', 'http://127.0.0.1:9203/relay', { Origin: 'http://www.shop.test' }, 'www.shop.test'],
    ['... to a container name', 'http://app:3000/relay', { Origin: 'http://www.shop.test' }, 'www.shop.test'],
    ["another site's post to the shop itself", 'https://www.shop.test/relay', { Origin: 'https://evil.test' }, undefined],
    ['a browser that said where the page is from', 'http://127.0.0.1:9203/relay', { Origin: 'http://www.shop.test', 'Sec-Fetch-Site': 'cross-site' }, undefined],
    ['a server that sends no Origin', 'http://127.0.0.1:9203/relay', {}, undefined],
    ['a page on the same machine', 'http://127.0.0.1:9203/relay', { Origin: 'http://localhost:9203' }, undefined],
  ])('tells a Host a proxy rewrote (hostLostByProxy): %s', (_, url, headers, page) => {
    const request = new Request(url, { headers });
    expect(hostLostByProxy(request, requestHosts(request, new URL(url)))).toBe(page);
  });

  it("reads the request's hosts from the URL and X-Forwarded-Host", () => {
    const url = 'http://127.0.0.1:3000/relay';
    expect(requestHosts(new Request(url, { headers: { 'X-Forwarded-Host': 'WWW.Shop.test:443, proxy' } }), new URL(url))).toEqual([
      '127.0.0.1',
      'www.shop.test',
    ]);
    expect(requestHosts(new Request(url, { headers: { 'X-Forwarded-Host': 'a b/c' } }), new URL(url))).toEqual(['127.0.0.1']);
  });

  it("sends one address: the peer's, or past the merchant's own (private) proxies the entry they added, never one the visitor wrote", () => {
    const request = (xff?: string) => new Request('http://shop.test/', { headers: xff ? { 'X-Forwarded-For': xff } : {} });
    expect(forwardedFor(request(), '198.51.100.7')).toBe('198.51.100.7');
    // A visitor connected directly: what it wrote in the header is not its address.
    expect(forwardedFor(request('198.51.100.77'), '203.0.113.66')).toBe('203.0.113.66');
    // Behind the merchant's proxies (private or loopback peers), the entry the outermost of them added.
    expect(forwardedFor(request('203.0.113.9'), '::ffff:10.0.0.1')).toBe('203.0.113.9');
    expect(forwardedFor(request('198.51.100.77, 10.9.9.9, 203.0.113.9, 192.168.1.2, 172.20.0.3, fd00::2'), '127.0.0.1')).toBe('203.0.113.9');
    expect(forwardedFor(request('172.32.0.1, 10.0.0.2'), '::1')).toBe('172.32.0.1');
    expect(forwardedFor(request('100.128.0.1, 100.64.0.9'), '169.254.1.1')).toBe('100.128.0.1');
    expect(forwardedFor(request('2001:db8::1, fe80::1'), 'fd12:3456::1')).toBe('2001:db8::1');
    // Nothing but private addresses (development): the peer's.
    expect(forwardedFor(request('10.1.1.1'), '127.0.0.1')).toBe('127.0.0.1');
    // The nearest entry is no address: the ones before it are not believed either (the visitor may have written them).
    expect(forwardedFor(request('203.0.113.9, <script>'), undefined)).toBeUndefined();
    expect(forwardedFor(request(), { params: {} })).toBeUndefined();
  });

  it('reads a hostile Forwarded or host header in time linear in its length (one request froze the server for a minute)', () => {
    const spaces = ' '.repeat(8_000);
    const started = performance.now();
    const forwarded = (value: string) => new Request('http://shop.test/', { headers: { Forwarded: value } });
    expect(forwardedFor(forwarded(`for=${spaces}"`), '10.0.0.4')).toBe('10.0.0.4');
    expect(isHttps(forwarded(`proto=${spaces}"`), new URL('http://shop.test/'))).toBe(false);
    const manyLabels = `${'a.'.repeat(7_500)}com`;
    const url = new URL('http://shop.test/relay/api/v1/track/click');
    const hosts = requestHosts(new Request(url, { headers: { 'X-Forwarded-Host': manyLabels, 'Sec-Fetch-Site': 'same-origin', Origin: `http://${manyLabels}` } }), url);
    // No host name is longer than DNS allows (253 characters): such a name is none.
    expect(hosts).toEqual(['shop.test']);
    expect(chooseCookieDomain([manyLabels], undefined, 'com')).toBeUndefined();
    // Each of these took seconds to minutes before; all of them together take milliseconds now.
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('reads for= and proto= of Forwarded, quoted or not, with spaces around them', () => {
    const forwarded = (value: string) => new Request('http://shop.test/', { headers: { Forwarded: value } });
    expect(forwardedFor(forwarded('for=203.0.113.9;proto=https'), '10.0.0.4')).toBe('203.0.113.9');
    expect(forwardedFor(forwarded('proto=https; For = "[2001:db8::17]:4711" ; by=10.0.0.1'), '10.0.0.4')).toBe('2001:db8::17');
    expect(forwardedFor(forwarded('for=198.51.100.77, for="203.0.113.9:80"'), '10.0.0.4')).toBe('203.0.113.9');
    expect(isHttps(forwarded('for=203.0.113.9; proto="https"'), new URL('http://shop.test/'))).toBe(true);
    expect(isHttps(forwarded('Proto=http;for=203.0.113.9'), new URL('https://shop.test/'))).toBe(false);
  });

  it('reads the entry a proxy wrote with a port (Azure Application Gateway, IIS ARR) as its address, IPv6 in brackets too', () => {
    const request = (xff: string) => new Request('http://shop.test/', { headers: { 'X-Forwarded-For': xff } });
    // Sent with its port, each connection of the visitor would count under an address of its own.
    expect(forwardedFor(request('203.0.113.9:51234'), '10.0.0.4')).toBe('203.0.113.9');
    // Skipped as no address, it let the entry the visitor wrote before it through.
    expect(forwardedFor(request('198.51.100.77, [2001:db8::9]:51234'), '10.0.0.4')).toBe('2001:db8::9');
    expect(forwardedFor(request('198.51.100.77, [2001:db8::9]'), '10.0.0.4')).toBe('2001:db8::9');
    expect(forwardedFor(request('203.0.113.9, [fd00::2]:443, 10.0.0.9:80'), '127.0.0.1')).toBe('203.0.113.9');
  });

  it('serves only affitor.*.js names: no path, no dot-dot, no other file', () => {
    for (const name of ['affitor.global.js', 'affitor.tracker.js', 'affitor.tracker.3f9a_b-1.js']) expect(SCRIPT_FILE_NAME.test(name)).toBe(true);
    for (const name of ['affitor.js', 'affitor..js', 'affitor.../x.js', 'affitor.global.js.map', 'index.js', 'server.js', '../affitor.global.js', 'x/affitor.global.js', 'affitor.%2e%2e.js', 'affitor.global.js/']) {
      expect(SCRIPT_FILE_NAME.test(name), name).toBe(false);
    }
  });
});
