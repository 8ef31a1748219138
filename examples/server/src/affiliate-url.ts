/**
 * The `aff` parameter of a click's `affiliate_url`, as the WHATWG URL parser reads it.
 *
 * The URL parser is a native call, and under load it was the dearest step of a click: a click
 * route that skipped it answered 13 % more clicks a second (bench/load.ts' click load, 8 µs of CPU
 * per click). Most affiliate URLs are plain (`https://shop.example/pricing?aff=PARTNER123`), and
 * a plain one is read here without it; anything else goes to the URL parser, whose verdict stands.
 */

/**
 * A plain http(s) link: a lower-case scheme, a host of ASCII letters, digits and hyphens in
 * non-empty labels, an optional port, then a path and query of characters the URL parser keeps as
 * they are (none is percent-encoded, no `%` or `+` for the query parser to decode, no fragment).
 */
const PLAIN_LINK = /^https?:\/\/(?:[A-Za-z0-9-]+\.)*([A-Za-z0-9-]+)(?::(\d{1,5}))?(?:\/[A-Za-z0-9\-._~!$&()*,;=:@/?]*)?$/;

/**
 * A host whose last label reads as a number is parsed as an IPv4 address, which can fail
 * (`1.2.3.256`), and an `xn--` label must be valid Punycode: both are left to the URL parser.
 */
const NUMBER_LABEL = /^(?:\d+|0x[0-9a-f]*)$/i;
const ACE_PREFIX = /(?:^|[./])xn--/i;

/**
 * The `aff` of a plain link (`null` when it has none), or `undefined` when `text` is not one
 * (then only the URL parser can tell). Where it answers, it answers as `new URL(text)` and
 * `searchParams.get('aff')` would: the first `aff` pair of the query, its value as written.
 */
export function plainLinkAff(text: string): string | null | undefined {
  const match = PLAIN_LINK.exec(text);
  if (!match || NUMBER_LABEL.test(match[1]!) || ACE_PREFIX.test(text) || Number(match[2] ?? 0) > 65_535) return undefined;
  const query = text.indexOf('?');
  if (query === -1) return null;
  for (const pair of text.slice(query + 1).split('&')) {
    const equals = pair.indexOf('=');
    if ((equals === -1 ? pair : pair.slice(0, equals)) === 'aff') return equals === -1 ? '' : pair.slice(equals + 1);
  }
  return null;
}

/** The `aff` of `text` (`null` when it has none), or `undefined` when `text` is not a valid URL. */
export function affOfAffiliateUrl(text: string): string | null | undefined {
  const plain = plainLinkAff(text);
  if (plain !== undefined) return plain;
  try {
    return new URL(text).searchParams.get('aff');
  } catch {
    return undefined;
  }
}
