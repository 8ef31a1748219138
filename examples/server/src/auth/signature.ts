/**
 * Signed requests: `X-Signature` is the hex HMAC-SHA256 of `${X-Timestamp}.${raw body}` under
 * the key's signing secret, over the exact bytes received. A signature is accepted once, and
 * only while its timestamp is within ±300 s of the server's clock.
 */
import { createHmac } from 'node:crypto';
import { constantTimeEqual } from '../auth';
import { MESSAGES } from '../errors';

export const SIGNATURE_TOLERANCE_S = 300;

const UNIX_SECONDS = /^\d{1,12}$/;

/** The hex HMAC-SHA256 of `${timestamp}.` followed by the body's bytes. */
export function signatureFor(secret: string, timestamp: string, body: Uint8Array): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

export type SignatureCheck = { ok: true } | { ok: false; message: string };

/** Signatures seen inside the window, per key, until their timestamp leaves it. */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();
  private nextSweepAt = 0;

  /** True when `signature` was already used with this key; otherwise remembers it until `expiresAt`. */
  usedBefore(keyToken: string, signature: string, expiresAt: number, now: number): boolean {
    this.sweep(now);
    const id = `${keyToken}\n${signature}`;
    const until = this.seen.get(id);
    if (until !== undefined && until >= now) return true;
    this.seen.set(id, expiresAt);
    return false;
  }

  /** Forgets signatures whose window has passed, at most once a second. */
  private sweep(now: number): void {
    if (now < this.nextSweepAt) return;
    this.nextSweepAt = now + 1000;
    for (const [id, until] of this.seen) if (until < now) this.seen.delete(id);
  }
}

/**
 * Checks a signed call, in this order: both headers present, a timestamp in Unix seconds,
 * a matching signature (compared in constant time), a timestamp inside the window, a
 * signature not used before. A forged call learns nothing about the server's clock.
 */
export function checkSignature(
  request: { secret: string; keyToken: string; timestamp: string | null; signature: string | null; body: Uint8Array },
  now: number,
  replays: ReplayGuard,
): SignatureCheck {
  const { timestamp, signature } = request;
  if (timestamp === null || signature === null) return { ok: false, message: MESSAGES.signatureRequired };
  if (!UNIX_SECONDS.test(timestamp)) return { ok: false, message: MESSAGES.timestampInvalid };
  const expected = signatureFor(request.secret, timestamp, request.body);
  if (!constantTimeEqual(expected, signature.toLowerCase())) return { ok: false, message: MESSAGES.signatureInvalid };
  const signedAt = Number(timestamp) * 1000;
  if (Math.abs(now - signedAt) > SIGNATURE_TOLERANCE_S * 1000) return { ok: false, message: MESSAGES.timestampExpired };
  if (replays.usedBefore(request.keyToken, expected, signedAt + SIGNATURE_TOLERANCE_S * 1000, now)) {
    return { ok: false, message: MESSAGES.signatureReplayed };
  }
  return { ok: true };
}
