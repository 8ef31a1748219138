/** What the handler reads from the visitor's request: the capped body, the scheme, the hosts, the address. */

/** The tracking API refuses bodies over 64 KiB; the handler stops reading there too. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * The body's bytes exactly as received (what a request signature covers), or null once it passes
 * `limit` bytes. A body whose length is declared within the limit is read whole, which Node's
 * adapters answer from the socket directly; one of unknown length (chunked) is counted chunk by
 * chunk and reading stops at the limit, so a huge body is never buffered. The reference server
 * (examples/server) reads its bodies with this too.
 */
export async function readBodyBytes(request: Request, limit = MAX_BODY_BYTES): Promise<Uint8Array | null> {
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
  const chunks: Uint8Array[] = [];
  let size = 0;
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
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** The body as text, or null once it passes `limit` bytes. */
export async function readBodyCapped(request: Request, limit = MAX_BODY_BYTES): Promise<string | null> {
  const bytes = await readBodyBytes(request, limit);
  return bytes && new TextDecoder().decode(bytes);
}

/** The first entry of a comma-separated header (proxies append theirs), trimmed and lower-cased. */
const firstEntry = (value: string | null): string | undefined => value?.split(',')[0]?.trim().toLowerCase() || undefined;

/**
 * Whether the visitor's request was https: the request URL says so, or the proxy in front
 * does (`X-Forwarded-Proto`, or `proto=` of `Forwarded`), as when TLS ends at a load balancer.
 */
export function isHttps(request: Request, url: URL): boolean {
  const forwarded = /(?:^|[;,\s])proto="?https"?(?:$|[;,\s])/i.test(request.headers.get('forwarded') ?? '');
  return url.protocol == 'https:' || firstEntry(request.headers.get('x-forwarded-proto')) == 'https' || forwarded;
}

/**
 * Whether the browser says a page of this origin made the request (`Sec-Fetch-Site`), as it does for
 * the SDK's calls: not a form another site posted here, whose answer's cookies the browser would
 * keep too. A client that sends no such header (an older browser, a server) is taken at its word.
 */
export const isSameOrigin = (request: Request): boolean => (request.headers.get('sec-fetch-site') ?? 'same-origin') == 'same-origin';

/** The hosts the visitor may have asked for: the request URL's, and the one a proxy names in `X-Forwarded-Host`. */
export function requestHosts(request: Request, url: URL): string[] {
  const forwarded = firstEntry(request.headers.get('x-forwarded-host'));
  const hosts = [url.hostname];
  if (forwarded) {
    try {
      hosts.push(new URL(`http://${forwarded}`).hostname);
    } catch {
      /* not a host: ignored */
    }
  }
  return hosts;
}

/** An IPv4 or IPv6 address as a connection or a trusted proxy reports it. */
const ADDRESS = /^[\da-f.:]{2,45}$/i;

/**
 * Loopback, private, link-local and shared (CGNAT) addresses, IPv4 (also IPv4-mapped) and IPv6: a
 * proxy of the merchant's own (a load balancer, a platform's router), never a visitor on the internet.
 */
const PRIVATE = /^(?:::ffff:)?(?:127|10|169\.254|192\.168|172\.(?:1[6-9]|2\d|3[01])|100\.(?:6[4-9]|[7-9]\d|1[01]\d|12[0-7]))\.|^(?:::1$|f[cd][\da-f]{2}:|fe[89ab][\da-f]:)/i;

/**
 * An entry's address without the port some proxies add (`203.0.113.9:51234`, `[2001:db8::9]:51234`:
 * Azure Application Gateway, IIS ARR). Sent with it, each connection would count as another visitor;
 * skipped as no address, the entries before it, the visitor's own, would be read instead.
 */
const withoutPort = (entry: string): string => (/^(\d+(?:\.\d+){3}):\d+$|^\[([\da-f.:]+)\](?::\d+)?$/i.exec(entry)?.slice(1).find(Boolean) ?? entry);

/**
 * `X-Forwarded-For` for the tracking API: one address, the visitor's. Of the chain the proxies in
 * front sent and the peer that connected to this server, the nearest that is not private or
 * loopback (a proxy of the merchant's own, whose entry is taken instead); all private, the peer's.
 * The entries before it were written by the visitor (or by proxies further out) and prove nothing:
 * sent on, they would let a visitor choose the address the API counts its rate limits under, its
 * own to escape them or another visitor's to spend theirs (many servers read the first entry).
 */
export function forwardedFor(request: Request, peer: unknown): string | undefined {
  const chain = (request.headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((entry) => withoutPort(entry.trim()))
    .filter((entry) => ADDRESS.test(entry));
  if (typeof peer == 'string' && ADDRESS.test(peer)) chain.push(peer);
  return [...chain].reverse().find((address) => !PRIVATE.test(address)) ?? chain.at(-1);
}
