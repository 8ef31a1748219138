/** What the handler reads from the visitor's request: the capped body, the scheme, the hosts, the address. */
import { MAX_HOSTNAME_LENGTH } from '../../core/root-domain';

/** The tracking API refuses bodies over 64 KiB; the handler stops reading there too. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * The body's bytes exactly as received (what a request signature covers), or null once it passes
 * `limit` bytes. A body whose length is declared within the limit is read whole, which Node's
 * adapters answer from the socket directly; one of unknown length (chunked) is counted chunk by
 * chunk and reading stops at the limit, so a huge body is never buffered. The reference server
 * (examples/server) reads its bodies with this too.
 */
export async function readBodyBytes(request: Request, limit = MAX_BODY_BYTES, signal?: AbortSignal): Promise<Uint8Array | null> {
  const length = request.headers.get('content-length');
  const declared = length === null ? NaN : Number(length);
  if (declared > limit) return null;
  if (declared >= 0) {
    // Node holds a body to its declared length; a Request built in-process (a test, a mock) need
    // not, so the length read is checked too.
    const bytes = new Uint8Array(await request.arrayBuffer());
    return bytes.byteLength > limit ? null : bytes;
  }
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  // Aborted (the caller stopped waiting): the stream is released rather than read on.
  const stop = () => void reader.cancel().catch(() => undefined);
  signal?.addEventListener('abort', stop);
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => undefined);
        return null;
      }
      chunks.push(value);
    }
  } finally {
    signal?.removeEventListener('abort', stop);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * The body as text; null once it passes `MAX_BODY_BYTES`; false when it has not all come within
 * `ms`. A client that trickles its body in, or never ends it, would otherwise hold the handler's
 * promise, and the merchant's request with it, for as long as the server lets the connection live
 * (forever in some runtimes). A streamed body is cancelled then; one of declared length is left to
 * the server, which drops it once the answer is sent.
 */
export async function readBodyWithin(request: Request, ms: number): Promise<string | null | false> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve(false);
    }, ms);
  });
  try {
    const bytes = await Promise.race([readBodyBytes(request, MAX_BODY_BYTES, controller.signal), late]);
    return bytes && new TextDecoder().decode(bytes);
  } finally {
    clearTimeout(timer);
  }
}

/** The first entry of a comma-separated header (proxies append theirs), trimmed and lower-cased. */
const firstEntry = (value: string | null): string | undefined => value?.split(',')[0]?.trim().toLowerCase() || undefined;

/**
 * Parameter `name` of one element of an RFC 7239 `Forwarded` header (`for=203.0.113.9;proto=https`),
 * unquoted; undefined when absent. Split, not matched by one pattern: the pattern it replaced let
 * its spaces be matched three ways, and one header of 4,000 spaces held the server for a minute.
 */
const forwardedParameter = (element: string, name: string): string | undefined => {
  for (const pair of element.split(';')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim().toLowerCase() == name) return pair.slice(at + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  return undefined;
};

/**
 * Whether the visitor's request was https. A proxy in front says so when there is one
 * (`X-Forwarded-Proto`, or `proto=` of `Forwarded`), as when TLS ends at a load balancer; its word
 * comes before the request URL's, which names the last hop: a CDN that let an http visitor in may
 * reach the origin over https. Only the first entry of either header is the visitor's own: proxies
 * further in append theirs. Read from a later hop, the cookies would be `Secure` on an http page,
 * which the browser refuses (and Safari would keep the page's own, for 7 days).
 */
export function isHttps(request: Request, url: URL): boolean {
  const proto =
    firstEntry(request.headers.get('x-forwarded-proto')) ?? forwardedParameter(firstEntry(request.headers.get('forwarded')) ?? '', 'proto');
  return proto ? proto == 'https' : url.protocol == 'https:';
}

/**
 * Whether a page of this origin made the request, as the SDK's calls are: not a form another site
 * posted here, whose answer's cookies the browser would keep too (a partner's page planting its
 * click id). The browser says so in `Sec-Fetch-Site`; one without it (Safari before 16.4) still
 * names the posting page's origin in `Origin`, whose host must then be one the visitor asked for
 * (`null`, from a sandboxed frame or a privacy redirect, is none). A client that sends neither (a
 * server) is taken at its word.
 */
export function isSameOrigin(request: Request, hosts: readonly string[]): boolean {
  const site = request.headers.get('sec-fetch-site');
  if (site) return site == 'same-origin';
  const origin = request.headers.get('origin');
  if (origin === null) return true;
  try {
    return hosts.includes(new URL(origin).hostname);
  } catch {
    return false;
  }
}

/** A host's name (`www.shop.test` of `WWW.Shop.test:443` or of `https://www.shop.test`), or undefined for no host. */
const hostnameOf = (host: string | null | undefined, scheme = 'http://'): string | undefined => {
  try {
    // Longer than DNS allows (253 characters), a name is none: each of its thousands of labels
    // would be tried as a cookie domain, in time that grows with their square.
    const hostname = host ? new URL(scheme + host).hostname : undefined;
    return hostname && hostname.length <= MAX_HOSTNAME_LENGTH ? hostname : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The page's host as the browser vouches for it: `Origin`'s, when `Sec-Fetch-Site` (which no page can
 * set) says the page is of the handler's own origin. It is the host the visitor asked for also where
 * a proxy in front rewrote `Host` (nginx's `proxy_pass` default) and names it nowhere else.
 */
export const vouchedPageHost = (request: Request): string | undefined =>
  request.headers.get('sec-fetch-site') == 'same-origin' ? hostnameOf(request.headers.get('origin'), '') : undefined;

/**
 * The page's host, where the request looks as if a proxy in front rewrote `Host` and the browser
 * vouched for nothing (an http page: Chromium sends no `Sec-Fetch-Site` to one): `Origin` names a
 * domain the request names nowhere, and the request's own hosts are all a machine's (an IP address,
 * `localhost`, a one-label name as a container's). Else undefined.
 */
export function hostLostByProxy(request: Request, hosts: readonly string[]): string | undefined {
  const page = request.headers.get('sec-fetch-site') ? undefined : hostnameOf(request.headers.get('origin'), '');
  const internal = hosts.every((host) => !host.includes('.') || host == 'localhost' || /^[\d.]+$|^\[/.test(host));
  return page?.includes('.') && !hosts.includes(page) && internal ? page : undefined;
}

/**
 * The hosts the visitor may have asked for: the request URL's, the one a proxy names in
 * `X-Forwarded-Host`, and the page's the browser vouches for (vouchedPageHost).
 */
export function requestHosts(request: Request, url: URL): string[] {
  const named = [hostnameOf(firstEntry(request.headers.get('x-forwarded-host'))), vouchedPageHost(request)];
  return [...new Set([url.hostname, ...named.filter((host): host is string => !!host)])];
}

/** An IPv4 address, or an IPv6 one (also IPv4-mapped): `unknown`, an obfuscated name (`_hidden`) or a word is none. */
const ADDRESS = /^(?=.{2,45}$)(?:\d{1,3}(?:\.\d{1,3}){3}|[\da-f:]*:[\da-f:]*(?:\d{1,3}(?:\.\d{1,3}){3})?)$/i;

/**
 * Loopback, private, link-local and shared (CGNAT) addresses, IPv4 (also IPv4-mapped) and IPv6: a
 * proxy of the merchant's own (a load balancer, a platform's router), never a visitor on the internet.
 */
const PRIVATE = /^(?:::ffff:)?(?:127|10|169\.254|192\.168|172\.(?:1[6-9]|2\d|3[01])|100\.(?:6[4-9]|[7-9]\d|1[01]\d|12[0-7]))\.|^(?:::1$|f[cd][\da-f]{2}:|fe[89ab][\da-f]:)/i;

/**
 * An entry's address without the port some proxies add (`203.0.113.9:51234`, `[2001:db8::9]:51234`:
 * Azure Application Gateway, IIS ARR). Sent with it, each connection would count as another visitor;
 * read as no address, it would stop the walk below short of the visitor's.
 */
const withoutPort = (entry: string): string => (/^(\d+(?:\.\d+){3}):\d+$|^\[([\da-f.:]+)\](?::\d+)?$/i.exec(entry)?.slice(1).find(Boolean) ?? entry);

/**
 * The visitor's address in a chain of hops, farthest first, the peer last: walked from the peer, the
 * nearest that is not private (the private ones are proxies of the merchant's, whose entry is taken
 * instead); all private, the nearest. The walk stops at an entry that is no address (a proxy that
 * writes `unknown`): the entries before it were written by the visitor, or proxies further out, and
 * prove nothing. Undefined when not even the nearest hop is an address.
 */
function nearestPublic(chain: readonly string[]): string | undefined {
  const fromPeer = [...chain].reverse();
  const end = fromPeer.findIndex((entry) => !ADDRESS.test(entry));
  const trusted = end < 0 ? fromPeer : fromPeer.slice(0, end);
  return trusted.find((address) => !PRIVATE.test(address)) ?? trusted[0];
}

/** The `for=` addresses of an RFC 7239 `Forwarded` header, one per hop (`for="[2001:db8::17]:4711"` unquoted and without port). */
const forwardedHops = (value: string): string[] =>
  value
    .split(',')
    .map((hop) => forwardedParameter(hop, 'for'))
    .filter((entry): entry is string => entry !== undefined)
    .map((entry) => withoutPort(entry.trim()));

/**
 * `X-Forwarded-For` for the tracking API: one address, the visitor's, read from the peer that
 * connected to this server and the chain the proxies in front wrote (see `nearestPublic`). Entries
 * the visitor wrote prove nothing: sent on, they would let a visitor choose the address the API
 * counts its rate limits under, its own to escape them or another visitor's to spend theirs (many
 * servers read the first entry). A proxy writes its hops in `X-Forwarded-For` or in `Forwarded`
 * (RFC 7239), and the other header, when present, is the visitor's own: so when both name an
 * address and they differ, neither is believed, and the peer's is sent. A browser sends neither.
 */
export function forwardedFor(request: Request, peer: unknown): string | undefined {
  const hops = (request.headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((entry) => withoutPort(entry.trim()))
    .filter(Boolean);
  const rfcHops = forwardedHops(request.headers.get('forwarded') ?? '');
  const peers = typeof peer == 'string' && peer ? [withoutPort(peer)] : [];
  const viaHops = nearestPublic([...hops, ...peers]);
  if (!rfcHops.length) return viaHops;
  const viaRfc = nearestPublic([...rfcHops, ...peers]);
  if (!hops.length) return viaRfc;
  return viaHops == viaRfc ? viaHops : nearestPublic(peers);
}
