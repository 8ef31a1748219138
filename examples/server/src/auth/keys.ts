/**
 * Every program's API keys in one ring: `api_token` (active, unsigned, from any address)
 * and the seed's `api_keys`. A token is compared with every key in constant time, so the
 * timing tells nothing about which key (or which prefix of one) was close.
 */
import { constantTimeEqual } from '../auth';
import { MESSAGES, ipNotAllowedMessage } from '../errors';
import type { ApiKey, Program } from '../seed';
import { AddressAllowlist } from './allowlist';

export interface KeyEntry {
  program: Program;
  key: ApiKey;
  allowlist: AddressAllowlist | null;
}

export type Identified = { ok: true; entry: KeyEntry } | { ok: false; message: string };

export class KeyRing {
  private readonly entries: KeyEntry[];

  constructor(programs: Iterable<Program>) {
    this.entries = [...programs].flatMap((program) => [
      { program, key: { token: program.api_token, status: 'active' as const, mode: 'live' as const, signing_secret: null, ip_allowlist: null }, allowlist: null },
      ...program.api_keys.map((key) => ({ program, key, allowlist: key.ip_allowlist ? new AddressAllowlist(key.ip_allowlist) : null })),
    ]);
  }

  /**
   * What the headers alone say about a Bearer token: unknown, disabled, revoked, or used from an
   * address its allowlist refuses. `address` is the caller's, `null` when the server cannot tell.
   */
  identify(token: string, address: string | null): Identified {
    let found: KeyEntry | undefined;
    for (const entry of this.entries) {
      if (constantTimeEqual(entry.key.token, token) && found === undefined) found = entry;
    }
    if (!found) return { ok: false, message: MESSAGES.authTokenUnknown };
    if (found.key.status === 'disabled') return { ok: false, message: MESSAGES.keyDisabled };
    if (found.key.status === 'revoked') return { ok: false, message: MESSAGES.keyRevoked };
    // The merchant's account, after the key's own state: a suspended or rejected account may use no
    // key; one awaiting approval its test keys only.
    const merchant = found.program.merchant_status;
    if (merchant === 'suspended' || merchant === 'rejected') return { ok: false, message: MESSAGES.merchantInactive };
    if (merchant === 'pending' && found.key.mode === 'live') return { ok: false, message: MESSAGES.merchantNotApproved };
    if (found.allowlist && (address === null || !found.allowlist.allows(address))) {
      return { ok: false, message: ipNotAllowedMessage(address) };
    }
    return { ok: true, entry: found };
  }
}
