import { describe, expect, it } from 'vitest';
import { normaliseCookieDomain, pageCookieDomain, readCookieValues, serializeCookie } from '../../src/core/cookie-codec';
import { cookieDomainCandidates } from '../../src/core/root-domain';

describe('serializeCookie', () => {
  it('writes path, the lifetime in seconds (Max-Age, no date), SameSite and, when given, domain and Secure', () => {
    expect(serializeCookie('a', 'b', 30, 'example.com', true)).toBe('a=b;path=/;max-age=2592000;samesite=lax;domain=.example.com;secure');
    expect(serializeCookie('a', 'b', 1, undefined, false)).toBe('a=b;path=/;max-age=86400;samesite=lax');
  });
  it('deletes with a negative Max-Age, and writes a session cookie without one', () => {
    expect(serializeCookie('a', '', 0, 'example.com', false)).toBe('a=;path=/;max-age=-1;samesite=lax;domain=.example.com');
    expect(serializeCookie('a', '', -5, undefined, false)).toBe('a=;path=/;max-age=-1;samesite=lax');
    expect(serializeCookie('a', 'b', undefined, undefined, false)).toBe('a=b;path=/;samesite=lax');
  });
  it('percent-encodes the value so it cannot end the cookie or add an attribute', () => {
    const cookie = serializeCookie('u', 'https://x/?aff=P1&x=a;domain=evil.com, "q"', 1, undefined, false);
    expect(cookie.split(';')[0]).toBe('u=https%3A%2F%2Fx%2F%3Faff%3DP1%26x%3Da%3Bdomain%3Devil.com%2C%20%22q%22');
    expect(cookie).not.toContain('domain=evil');
  });
});

describe('readCookieValues', () => {
  it('returns every decoded value of a name, in order', () => {
    expect(readCookieValues('a=1; b=x%3By; a=2', 'a')).toEqual(['1', '2']);
    expect(readCookieValues('a=1; b=x%3By', 'b')).toEqual(['x;y']);
  });
  it('keeps = inside a value and ignores names that only share a prefix', () => {
    expect(readCookieValues('ab=1; a=x=y', 'a')).toEqual(['x=y']);
  });
  it('skips a malformed escape instead of throwing', () => {
    expect(readCookieValues('a=%E0%A4%A; a=ok', 'a')).toEqual(['ok']);
  });
  it('ignores a bare token without =', () => {
    expect(readCookieValues('affitor_click_idX; x=1', 'affitor_click_id')).toEqual([]);
  });
});

describe('normaliseCookieDomain', () => {
  it.each([
    ['example.com', 'example.com'],
    ['.Example.COM', 'example.com'],
    [' shop.example.co.uk ', 'shop.example.co.uk'],
    ['example.com; secure', null],
    ['exa mple.com', null],
    ['', null],
    ['..example.com', null],
  ])('normalises %j to %j', (input, expected) => {
    expect(normaliseCookieDomain(input)).toBe(expected);
  });
});

describe('pageCookieDomain', () => {
  it.each([
    ['example.com', 'www.shop.example.com', 'example.com'],
    ['.Shop.Example.com', 'www.shop.example.com', 'shop.example.com'],
    ['www.shop.example.com', 'www.shop.example.com', 'www.shop.example.com'],
    ['localhost', 'localhost', 'localhost'],
    // Not the host or a parent of it: the browser would refuse every write.
    ['shop.example.com', 'www.shop-staging.example.net', null],
    ['ample.com', 'www.example.com', null],
    ['www.shop.example.com', 'shop.example.com', null],
    ['a;b', 'a', null],
  ])('%s on %s is %s', (configured, hostname, expected) => {
    expect(pageCookieDomain(configured, hostname)).toBe(expected);
  });
});

describe('cookieDomainCandidates', () => {
  it.each([
    ['a.b.example.com', ['example.com', 'b.example.com', 'a.b.example.com']],
    ['shop.example.co.uk', ['co.uk', 'example.co.uk', 'shop.example.co.uk']],
    ['www.shop.localhost', ['shop.localhost', 'www.shop.localhost']],
    ['example.com', ['example.com']],
    ['localhost', []],
    ['intranet', []],
    ['127.0.0.1', []],
    ['[::1]', []],
  ])('for %s tries %j, shortest first', (host, expected) => {
    expect(cookieDomainCandidates(host)).toEqual(expected);
  });
});
