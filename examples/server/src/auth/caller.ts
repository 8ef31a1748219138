/**
 * Who a Bearer call comes from: its key (state and IP allowlist, read from the headers
 * alone) and, for a key with a signing secret, whether the signed body is authentic.
 */
import { readBearer } from '../auth';
import { KeyRing } from './keys';
import type { Identified, KeyEntry } from './keys';
import { ReplayGuard, checkSignature } from './signature';
import type { SignatureCheck } from './signature';
import type { Program } from '../seed';

export interface CallerOptions {
  /** The socket's address, when the host knows it. */
  socketAddress?: (request: Request) => string | undefined;
  /** Take the caller's address from `X-Forwarded-For` (the entry the proxy added) rather than the socket. */
  trustProxy: boolean;
}

/**
 * The last `X-Forwarded-For` entry: the address the proxy in front of the server saw. Entries
 * before it were written by the caller (or by proxies further out) and prove nothing.
 */
export function forwardedFor(request: Request): string | undefined {
  const last = request.headers.get('x-forwarded-for')?.split(',').at(-1)?.trim();
  return last ? last : undefined;
}

export class Callers {
  private readonly keys: KeyRing;
  private readonly replays = new ReplayGuard();

  constructor(programs: Iterable<Program>, private readonly options: CallerOptions) {
    this.keys = new KeyRing(programs);
  }

  /** The caller's address for allowlists: never `X-Forwarded-For` unless the server sits behind a proxy. */
  address(request: Request): string | null {
    const fromProxy = this.options.trustProxy ? forwardedFor(request) : undefined;
    return fromProxy ?? this.options.socketAddress?.(request) ?? null;
  }

  /** The header checks: the Authorization header, the key's state, its IP allowlist. */
  identify(request: Request): Identified {
    const auth = readBearer(request.headers.get('authorization'));
    if (!auth.ok) return auth;
    return this.keys.identify(auth.token, this.address(request));
  }

  /** The body check: a key with a signing secret demands a fresh, unused signature of these bytes. */
  verify(entry: KeyEntry, request: Request, body: Uint8Array, now: number): SignatureCheck {
    const secret = entry.key.signing_secret;
    if (secret === null) return { ok: true };
    const timestamp = request.headers.get('x-timestamp');
    const signature = request.headers.get('x-signature');
    return checkSignature({ secret, keyToken: entry.key.token, timestamp, signature, body }, now, this.replays);
  }
}
