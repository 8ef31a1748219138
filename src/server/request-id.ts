/**
 * Ids for `X-Request-ID` and client event ids: a v4 UUID from the runtime's Web Crypto
 * (Node 19+, Bun, Deno, edge runtimes), or one built from `getRandomValues`/`Math.random`
 * where `randomUUID` is missing (Node 18 without a global `crypto`, old runtimes).
 */
type CryptoLike = { randomUUID?: () => string; getRandomValues?: <T extends Uint8Array>(array: T) => T };

/**
 * Marks the 16 bytes of `bytes` from `at` as a version 4 UUID with the RFC 9562 variant: the bits
 * that say "random", whatever the random bytes held.
 */
export function markVersion4(bytes: Uint8Array, at = 0): void {
  bytes[at + 6] = (bytes[at + 6]! & 0x0f) | 0x40;
  bytes[at + 8] = (bytes[at + 8]! & 0x3f) | 0x80;
}

export function createId(crypto: CryptoLike | undefined = (globalThis as { crypto?: CryptoLike }).crypto): string {
  if (typeof crypto?.randomUUID === 'function') return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  if (typeof crypto?.getRandomValues === 'function') crypto.getRandomValues(bytes);
  else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
  markVersion4(bytes);
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
