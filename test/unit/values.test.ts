import { describe, expect, it } from 'vitest';
import { clampWindowDays, clickUrl, isPlausibleId, largestPixels, offsetTimeZone, parseProgramId, readAff, slimLanding } from '../../src/core/values';

describe('readAff', () => {
  it.each([
    ['https://shop.example/pricing?aff=PARTNER123', 'PARTNER123'],
    ['https://shop.example/?aff=%20P1%20&x=1', 'P1'],
    ['https://shop.example/?x=1&aff=P%2B1', 'P+1'],
    ['https://shop.example/?aff=', null],
    ['https://shop.example/?aff=%20', null],
    ['https://shop.example/?affiliate=P1', null],
    ['/relative?aff=P1', null],
    ['http://shop.example/?aff=P1', 'P1'],
    // A hash-mode app's route: the query is in the hash; the page's own query comes first.
    ['https://shop.example/#/pricing?aff=P1', 'P1'],
    ['https://shop.example/#!/pricing?x=1&aff=%20P1', 'P1'],
    ['https://shop.example/?aff=P1#/pricing?aff=P2', 'P1'],
    ['https://shop.example/#aff=P1', null],
    ['javascript:alert(1)//?aff=P1', null],
    ['data:text/html,x?aff=P1', null],
    ['not a url', null],
    [null, null],
    [undefined, null],
  ])('reads %j as %j', (url, expected) => {
    expect(readAff(url)).toBe(expected);
  });
});

describe('slimLanding', () => {
  it('keeps a URL short as written in a cookie, and one 1,024 characters or longer as written as its origin and aff', () => {
    expect(slimLanding('https://shop.example/p?aff=P1&q=1')).toBe('https://shop.example/p?aff=P1&q=1');
    expect(slimLanding(`https://shop.example/p?aff=P1&q=${'x'.repeat(1100)}`)).toBe('https://shop.example/?aff=P1');
    // 300 characters as given, 2,500 as written (percent-encoded): a cookie of several of them is dropped whole.
    expect(slimLanding(`https://shop.example/p?aff=P1&utm_term=${'広告'.repeat(130)}`)).toBe('https://shop.example/?aff=P1');
    // A lone surrogate (a hand-made outbox), which no cookie can be written with as it is: no URIError.
    expect(slimLanding('https://shop.example/?aff=P1&q=\uD800')).toBe('https://shop.example/?aff=P1');
    expect(slimLanding(`https://shop.example/?q=${'x'.repeat(1100)}`)).toBe('');
  });
});

describe('clickUrl', () => {
  it.each([
    ['https://shop.example/pricing?aff=P1&q=a%20b', 'P1', 'https://shop.example/pricing?aff=P1&q=a%20b'],
    ['https://shop.example/pricing?aff=%20P1%20&x=1', 'P1', 'https://shop.example/pricing?aff=P1&x=1'],
    ['https://shop.example/#/pricing?aff=P1', 'P1', 'https://shop.example/?aff=P1#/pricing?aff=P1'],
  ])('sends %j as %j', (url, aff, expected) => {
    expect(clickUrl(url, aff)).toBe(expected);
    expect(readAff(clickUrl(url, aff))).toBe(aff);
  });
});

describe('isPlausibleId', () => {
  it.each(['cust_42_1712345678901', 'a', 'id.with:colons-and_dots', 'x'.repeat(128)])('accepts %s', (id) => {
    expect(isPlausibleId(id)).toBe(true);
  });
  it.each(['', 'x'.repeat(129), '<script>', 'a b', 'a;domain=x', 42, null, undefined])('rejects %j', (id) => {
    expect(isPlausibleId(id)).toBe(false);
  });
});

describe('clampWindowDays', () => {
  it.each([
    [30, 30],
    [0, 1],
    [-3, 1],
    [366, 365],
    [1e9, 365],
    [2.5, 3],
    [Number.NaN, 60],
    [Infinity, 60],
    ['30', 60],
    [null, 60],
    [undefined, 60],
  ])('turns %j into %j days', (raw, days) => {
    expect(clampWindowDays(raw)).toBe(days);
  });
});

describe('parseProgramId', () => {
  it.each([
    [1, 1],
    ['42', 42],
    [' 7 ', 7],
    [0, null],
    ['0', null],
    [-1, null],
    [1.5, null],
    ['1e3', null],
    ['0x10', null],
    ['abc', null],
    ['', null],
    [true, null],
    [[5], null],
    [null, null],
  ])('parses %j as %j', (raw, id) => {
    expect(parseProgramId(raw)).toBe(id);
  });
});

describe('offsetTimeZone', () => {
  it('writes getTimezoneOffset() as the offset from UTC, east positive, whole and half hours alike', () => {
    expect(offsetTimeZone(0)).toBe('+00:00');
    expect(offsetTimeZone(-120)).toBe('+02:00');
    expect(offsetTimeZone(-330)).toBe('+05:30');
    expect(offsetTimeZone(-345)).toBe('+05:45');
    expect(offsetTimeZone(300)).toBe('-05:00');
    expect(offsetTimeZone(570)).toBe('-09:30');
    expect(offsetTimeZone(-840)).toBe('+14:00');
  });
});

describe('largestPixels', () => {
  it.each([0, 1, 2, 390, 844, 1024, 1280, 16_384, 32_767])('finds %i as the largest size a min-width query matches', (size) => {
    const asked: number[] = [];
    expect(
      largestPixels((px) => {
        asked.push(px);
        return px <= size;
      }),
    ).toBe(size);
    expect(asked).toHaveLength(15);
  });

  it('stops at 32,767 for anything larger', () => {
    expect(largestPixels(() => true)).toBe(32_767);
  });
});
