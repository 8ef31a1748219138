/**
 * Seeds and requests for keys with states, signing secrets and allowlists. The HMAC is
 * written out here rather than taken from the server, so the tests check the server
 * against the contract, not against itself.
 */
import { createHmac } from 'node:crypto';
import type { SeedInput } from '../../examples/server/src/app';
import { API, START, TOKEN_1, baseSeed } from './helpers';

export const SIGNED = 'tok_signed_key_1f9e';
export const SECRET = 'whsec_signing_secret_5c2a';
export const DISABLED = 'tok_disabled_key';
export const REVOKED = 'tok_revoked_key';
export const OFFICE = 'tok_office_key';
export const NOW_S = START / 1000;

/** The base seed, with program 1 holding one key of each kind beside its api_token. */
export function keyedSeed(): SeedInput {
  const seed = baseSeed();
  seed.programs![0]!.api_keys = [
    { token: SIGNED, status: 'active', signing_secret: SECRET },
    { token: DISABLED, status: 'disabled' },
    { token: REVOKED, status: 'revoked', signing_secret: 'old_secret' },
    { token: OFFICE, ip_allowlist: ['203.0.113.7', '198.51.100.0/24', '2001:db8::/32'] },
  ];
  return seed;
}

export function hmacHex(secret: string, timestamp: string, body: string | Uint8Array): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

export interface SignedCall {
  path?: string;
  body: string | Uint8Array;
  token?: string;
  secret?: string;
  /** Unix seconds; @default the tests' start */
  timestamp?: number | string;
  /** Replaces the computed signature. */
  signature?: string;
  headers?: Record<string, string>;
}

/** A POST signed as the contract says: X-Signature = hex HMAC-SHA256 of `${X-Timestamp}.${raw body}`. */
export function signedRequest(call: SignedCall): Request {
  const timestamp = String(call.timestamp ?? NOW_S);
  const signature = call.signature ?? hmacHex(call.secret ?? SECRET, timestamp, call.body);
  return new Request(`${API}${call.path ?? '/api/v1/track/refund'}`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Authorization: `Bearer ${call.token ?? SIGNED}`,
      'X-Timestamp': timestamp,
      'X-Signature': signature,
      ...call.headers,
    },
    body: call.body as BodyInit,
  });
}

export { TOKEN_1 };
