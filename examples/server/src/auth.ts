/**
 * Bearer authentication: reading the header, and the constant-time comparison that
 * token and signature checks share (auth/keys.ts finds the key a token names).
 */
import { MESSAGES } from './errors';

export type AuthResult = { ok: true; token: string } | { ok: false; message: string };

const encoder = new TextEncoder();

/** Compares two strings in time that depends only on their lengths, not their content. */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  const length = Math.max(x.length, y.length);
  let diff = x.length ^ y.length;
  for (let i = 0; i < length; i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** Reads `Authorization: Bearer <token>`; the three 401 cases of the contract. */
export function readBearer(header: string | null): AuthResult {
  // HTTP strips trailing whitespace from header values, so `Bearer ` arrives as `Bearer`:
  // that is the "prefix found but no token" case, not a missing header.
  if (header === null || (header !== 'Bearer' && !header.startsWith('Bearer '))) {
    return { ok: false, message: MESSAGES.authHeaderMissing };
  }
  const token = header.slice('Bearer'.length).trim();
  if (token === '') return { ok: false, message: MESSAGES.authTokenEmpty };
  return { ok: true, token };
}
