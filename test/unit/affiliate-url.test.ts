/** How the reference server reads a click's `affiliate_url` (examples/server/src/affiliate-url.ts): as the URL parser does. */
import { describe, expect, it } from 'vitest';
import { affOfAffiliateUrl, plainLinkAff } from '../../examples/server/src/affiliate-url';

/** The URL parser's reading: `undefined` when it refuses the text. */
function parsersAff(text: string): string | null | undefined {
  try {
    return new URL(text).searchParams.get('aff');
  } catch {
    return undefined;
  }
}

/** A small seeded generator, so a failing case is the same on every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

const SCHEMES = ['https://', 'http://', 'https://', 'http://', 'HTTPS://', 'ftp://', 'https:/', 'https:', '', ' https://'];
const HOSTS = ['shop.example', 'www.shop.test', 'SHOP.example', 'a-b.c-d', '-', 'localhost', 'a..b', 'shop.example.', '1.2.3.4', '1.2.3.256', '999', '0x10', '0xzz', 'shop.0x1g', 'xn--bcher-kva.example', 'xn--a.example', 'b\u00fccher.example', 'sh op.example', 'shop_example', ''];
const PORTS = ['', ':8080', ':0', ':65535', ':65536', ':99999', ':', ':12a'];
const PATHS = ['', '/', '/pricing', '/(x)*,;=:@!$~', '/a/../b', '/%20', '/a b', '/\u00e9', '/a\\b', '/a#x', "/it's"];
const QUERIES = ['?aff=PARTNER123', '?x=1&aff=P1&aff=P2', '?&&aff=P&', '?aff==P', '', '?', '?aff=', '?aff', '?AFF=P', '?aff=P+Q', '?aff=P%20Q', '?aff=%zz', '?a%66f=P', '?aff=P#frag', '?aff=P?x', "?aff=it's", '?aff=\u00e9', '?aff=P Q', '?aff=P\tQ', '?x=%26aff%3DP'];

describe("a click's affiliate_url", () => {
  it.each([
    ['https://shop.example/pricing?aff=PARTNER123', 'PARTNER123'],
    ['http://localhost:8080/?utm_source=x&aff=P1&aff=P2', 'P1'],
    ['https://shop.example/pricing', null],
    ['https://shop.example/?aff', ''],
  ])('reads a plain link without the URL parser: %s', (text, aff) => {
    expect(plainLinkAff(text)).toBe(aff);
    expect(affOfAffiliateUrl(text)).toBe(aff);
  });

  it.each([
    ['not a url', undefined],
    ['https://1.2.3.256/?aff=P', undefined],
    ['https://shop.example:65536/?aff=P', undefined],
    ['https://xn--a.example/?aff=P', undefined],
    ['https://shop.example/?aff=P+Q', 'P Q'],
    ['https://shop.example/?aff=P%20Q', 'P Q'],
    ['https://shop.example/?a%66f=P', 'P'],
    ['https://shop.example?aff=P', 'P'],
    ['https://shop.example/?aff=P#x', 'P'],
    ['  https://shop.example/?aff=P  ', 'P'],
  ])('leaves anything else to the URL parser: %s', (text, aff) => {
    expect(plainLinkAff(text)).toBeUndefined();
    expect(affOfAffiliateUrl(text)).toBe(aff);
  });

  it('answers as the URL parser does for every URL made of these parts, whichever way it reads it', () => {
    const next = random(42);
    // Each list starts with parts a plain link may have: drawn from those most of the time.
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * (next() < 0.6 ? 4 : list.length))]!;
    let plain = 0;
    for (let i = 0; i < 20_000; i++) {
      const text = pick(SCHEMES) + pick(HOSTS) + pick(PORTS) + pick(PATHS) + pick(QUERIES);
      const expected = parsersAff(text);
      const fast = plainLinkAff(text);
      if (fast !== undefined) {
        plain++;
        expect(fast, text).toBe(expected);
      }
      expect(affOfAffiliateUrl(text), text).toBe(expected);
    }
    // Both ways were taken, many times each.
    expect(plain).toBeGreaterThan(2_000);
    expect(plain).toBeLessThan(18_000);
  });
});
