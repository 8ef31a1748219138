/**
 * The names the admin routes (`/_inspect`, `/_dashboard`) answer under. A page on any site whose
 * name its owner points at 127.0.0.1 (DNS rebinding) reaches this server under that name, and is
 * same-origin with it: it could read the demo seed's admin token off the token form, then every
 * record (customers' emails too). Such a name has a dot and is no address. This machine's names
 * are not: `localhost` and `*.localhost`, IP addresses, and names of one label (a container's,
 * `affitor-server`). Any other name the server is reached under is listed in the seed's `admin_hosts`.
 */
import { isIP } from 'node:net';

/** A name as the Host header's URL gives it: lower case, no trailing dot, IPv6 without its brackets. */
const bare = (hostname: string): string => hostname.toLowerCase().replace(/\.$/, '').replace(/^\[(.*)\]$/, '$1');

export function isAdminHost(hostname: string, adminHosts: ReadonlySet<string>): boolean {
  const name = bare(hostname);
  return name === 'localhost' || name.endsWith('.localhost') || isIP(name) !== 0 || !name.includes('.') || adminHosts.has(name);
}

/** A seed's `admin_hosts` entry as it is compared: a host name (`tracking.staging.example`), no scheme or port; `null` when it is none. */
export function adminHostName(value: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(`http://${value}/`);
  } catch {
    return null;
  }
  return parsed.host === value.toLowerCase() && !parsed.port ? bare(parsed.hostname) : null;
}
