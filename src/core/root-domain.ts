/** Which `Domain` values are worth probing for a hostname. Pure: the probing itself is browser I/O. */

/**
 * Suffixes of the hostname from the shortest registrable guess to the host itself:
 * `a.b.example.com` -> `example.com`, `b.example.com`, `a.b.example.com`. The browser
 * decides which it accepts (it refuses public suffixes such as `co.uk`), so the caller
 * probes them in order and keeps the first that sticks: no suffix list, and `www.` is
 * never stripped by rule. None for localhost, IP addresses and single-label hosts,
 * where a `Domain` attribute makes no sense.
 */
/** The longest host name DNS allows: a longer one is none (a hostile header's thousands of labels). */
export const MAX_HOSTNAME_LENGTH = 253;

export function cookieDomainCandidates(hostname: string): string[] {
  const labels = hostname.toLowerCase().split('.');
  const isIp = /^[\d.]+$|:/.test(hostname);
  // Longer than DNS allows, none: a hostile Host of thousands of labels made thousands of long candidates.
  return isIp || labels.length < 2 || hostname.length > MAX_HOSTNAME_LENGTH ? [] : labels.slice(0, -1).map((_, i) => labels.slice(i).join('.')).reverse();
}
