/**
 * A key's IP allowlist: addresses and CIDR ranges, IPv4 and IPv6, matched with Node's
 * `BlockList`. An IPv4 address seen through an IPv6 socket (`::ffff:203.0.113.7`) is
 * matched as the IPv4 address it is.
 */
import { BlockList, isIP } from 'node:net';

const MAPPED_IPV4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/** The address as its own family: `::ffff:1.2.3.4` is `1.2.3.4`; brackets and zone ids dropped. */
export function normalizeAddress(address: string): string {
  const bare = address.trim().replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  return MAPPED_IPV4.exec(bare)?.[1] ?? bare;
}

export class AddressAllowlist {
  private readonly list = new BlockList();

  /** @param entries addresses or CIDR ranges, already checked by the seed parser */
  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const [address = '', prefix] = entry.split('/');
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (prefix === undefined) this.list.addAddress(address, family);
      else this.list.addSubnet(address, Number(prefix), family);
    }
  }

  allows(address: string): boolean {
    const normalized = normalizeAddress(address);
    const family = isIP(normalized);
    if (family === 0) return false;
    return this.list.check(normalized, family === 6 ? 'ipv6' : 'ipv4');
  }
}
