/**
 * The seed: what the server knows at start. `parseSeed` fills every default and
 * rejects a bad seed with a `SeedError` that names the offending field.
 */
import { isIP } from 'node:net';
import { adminHostName } from './auth/admin-hosts';
import { formatClickId } from './click-id';
import { isRecord } from './http';
import { API_KEY_MODES, API_KEY_STATUSES, CUSTOMER_STATUSES, LINK_STATUSES, MERCHANT_STATUSES } from './types';
import type { ApiKey, Faults, Partner, Program, RateLimits, ReferralLink, Seed, SeedCustomer } from './types';

export type { ApiKey, ApiKeyStatus, Faults, Program, SeedInput } from './types';

export const DEFAULT_RATE_LIMITS: Readonly<RateLimits> = { per_minute: 600, per_hour: 30000 };
export const DEFAULT_ADMIN_TOKEN = 'admin_dev_token';
export const NO_FAULTS: Readonly<Faults> = { click: false, lead: false, sale: false, refund: false, commission: false };

export class SeedError extends Error {
  /** The path of the field at fault, e.g. `programs[0].api_token`. */
  readonly field: string;
  constructor(field: string, problem: string) {
    super(`Invalid seed: ${field} ${problem}`);
    this.name = 'SeedError';
    this.field = field;
  }
}

type Obj = Record<string, unknown>;

function object(value: unknown, path: string, allowed: readonly string[]): Obj {
  if (!isRecord(value)) throw new SeedError(path || 'seed', 'must be a JSON object');
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new SeedError(path ? `${path}.${key}` : key, `is not a known field (expected one of: ${allowed.join(', ')})`);
    }
  }
  return value;
}

/** An ISO 8601 day, or a day and time with its offset (`Z`, `+09:00`): hours 00 to 23, and minutes, seconds and fractions optional. */
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:T(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d))?$/;

/**
 * The epoch ms of an ISO instant. `Date.parse` alone takes a time without its offset in the machine's
 * time zone (a fixture then passes on a UTC machine and fails on a laptop), rolls `02-30` over into
 * March, and reads text such as `1` as a year.
 */
function isoInstant(text: string, path: string): number {
  const [, year, month, day] = ISO_INSTANT.exec(text) ?? [];
  const ms = Date.parse(text);
  if (!year || Number.isNaN(ms) || new Date(Date.UTC(+year, +month! - 1, +day!)).getUTCDate() !== +day!) {
    throw new SeedError(path, `must be an ISO date such as 2026-01-01T00:00:00Z, with its offset (got ${JSON.stringify(text)})`);
  }
  return ms;
}

function list(value: unknown, path: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new SeedError(path, 'must be an array');
  return value;
}

function positiveInt(value: unknown, path: string, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new SeedError(path, 'must be a positive integer');
  }
  return value;
}

function nonEmptyString(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new SeedError(path, 'must be a non-empty string');
  return value;
}

function optionalString(value: unknown, path: string): string | null {
  if (value === undefined || value === null) return null;
  return nonEmptyString(value, path);
}

function bool(value: unknown, path: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new SeedError(path, 'must be true or false');
  return value;
}

function oneOf<T extends string>(value: unknown, path: string, options: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(options as readonly string[]).includes(value)) {
    throw new SeedError(path, `must be one of: ${options.join(', ')}`);
  }
  return value as T;
}

function reference(value: unknown, path: string, known: ReadonlySet<number>, what: string): number | null {
  if (value === undefined || value === null) return null;
  const id = positiveInt(value, path);
  if (!known.has(id)) throw new SeedError(path, `names ${what} ${id}, which the seed does not define`);
  return id;
}

function origin(value: unknown, path: string): string {
  const text = nonEmptyString(value, path);
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new SeedError(path, `must be an origin such as http://www.shop.test:8080 (got ${JSON.stringify(text)})`);
  }
  if (parsed.origin !== text) {
    throw new SeedError(path, `must be an origin such as http://www.shop.test:8080, without path or trailing slash (got ${JSON.stringify(text)})`);
  }
  return text;
}

/** A name the admin routes answer under besides this machine's (auth/admin-hosts.ts). */
function adminHost(value: unknown, path: string): string {
  const text = nonEmptyString(value, path);
  const name = adminHostName(text);
  if (name === null) throw new SeedError(path, `must be a host name such as tracking.staging.example, without scheme, port or path (got ${JSON.stringify(text)})`);
  return name;
}

/** An IPv4 or IPv6 address, or a CIDR range of one (`203.0.113.0/24`, `2001:db8::/32`). */
function addressOrRange(value: unknown, path: string): string {
  const text = nonEmptyString(value, path);
  const [address = '', prefix, ...rest] = text.split('/');
  const family = isIP(address);
  const bits = family === 4 ? 32 : 128;
  const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
  if (family === 0 || !prefixOk || rest.length > 0) {
    throw new SeedError(path, `must be an IP address or CIDR range such as 203.0.113.7 or 203.0.113.0/24 (got ${JSON.stringify(text)})`);
  }
  return text;
}

/** A token without surrounding whitespace: a Bearer header (and the dashboard's form) loses it, and the token would never match. */
function bareToken(value: unknown, path: string): string {
  const text = nonEmptyString(value, path);
  if (text !== text.trim()) throw new SeedError(path, 'must not start or end with whitespace');
  // A token travels in an Authorization header, which carries bytes: `é` sent by curl as UTF-8
  // reads as two other characters here, and a browser refuses to send it at all.
  if (!/^[\x20-\x7e]+$/.test(text)) throw new SeedError(path, 'must be printable ASCII (it is sent in an Authorization header)');
  return text;
}

/** A token no other key of the seed has. */
function uniqueToken(value: unknown, path: string, tokens: Set<string>, clash: string): string {
  const token = bareToken(value, path);
  if (tokens.has(token)) throw new SeedError(path, clash);
  tokens.add(token);
  return token;
}

function parseApiKeys(raw: unknown, path: string, tokens: Set<string>): ApiKey[] {
  return list(raw, path).map((entry, i) => {
    const at = `${path}[${i}]`;
    const k = object(entry, at, ['token', 'status', 'mode', 'signing_secret', 'ip_allowlist']);
    const token = uniqueToken(k.token, `${at}.token`, tokens, 'is already the token of another key');
    return {
      token,
      status: oneOf(k.status, `${at}.status`, API_KEY_STATUSES, 'active'),
      mode: oneOf(k.mode, `${at}.mode`, API_KEY_MODES, 'live'),
      signing_secret: optionalString(k.signing_secret, `${at}.signing_secret`),
      ip_allowlist:
        k.ip_allowlist === undefined ? null : list(k.ip_allowlist, `${at}.ip_allowlist`).map((a, j) => addressOrRange(a, `${at}.ip_allowlist[${j}]`)),
    };
  });
}

function parsePrograms(raw: unknown): Program[] {
  const programs: Program[] = [];
  const tokens = new Set<string>();
  list(raw, 'programs').forEach((entry, i) => {
    const path = `programs[${i}]`;
    const p = object(entry, path, [
      'id', 'api_token', 'cookie_window_days', 'attribution_window_days', 'commission_rate', 'allowed_origins', 'rate_limits', 'merchant_status', 'api_keys',
    ]);
    const id = positiveInt(p.id, `${path}.id`);
    if (programs.some((other) => other.id === id)) throw new SeedError(`${path}.id`, `repeats program id ${id}`);
    const token = uniqueToken(p.api_token, `${path}.api_token`, tokens, 'is already the token of another program');
    let rate = 0.2;
    if (p.commission_rate !== undefined) {
      if (typeof p.commission_rate !== 'number' || !(p.commission_rate >= 0 && p.commission_rate <= 1)) {
        throw new SeedError(`${path}.commission_rate`, 'must be a number from 0 to 1');
      }
      rate = p.commission_rate;
    }
    const limitsRaw = p.rate_limits === undefined ? {} : object(p.rate_limits, `${path}.rate_limits`, ['per_minute', 'per_hour']);
    programs.push({
      id,
      api_token: token,
      cookie_window_days: positiveInt(p.cookie_window_days, `${path}.cookie_window_days`, 60),
      attribution_window_days: positiveInt(p.attribution_window_days, `${path}.attribution_window_days`, 60),
      commission_rate: rate,
      allowed_origins: list(p.allowed_origins, `${path}.allowed_origins`).map((o, j) => origin(o, `${path}.allowed_origins[${j}]`)),
      rate_limits: {
        per_minute: positiveInt(limitsRaw.per_minute, `${path}.rate_limits.per_minute`, DEFAULT_RATE_LIMITS.per_minute),
        per_hour: positiveInt(limitsRaw.per_hour, `${path}.rate_limits.per_hour`, DEFAULT_RATE_LIMITS.per_hour),
      },
      merchant_status: oneOf(p.merchant_status, `${path}.merchant_status`, MERCHANT_STATUSES, 'approved'),
      api_keys: parseApiKeys(p.api_keys, `${path}.api_keys`, tokens),
    });
  });
  return programs;
}

function parsePartners(raw: unknown): Partner[] {
  const partners: Partner[] = [];
  list(raw, 'partners').forEach((entry, i) => {
    const path = `partners[${i}]`;
    const p = object(entry, path, ['id', 'name']);
    const id = positiveInt(p.id, `${path}.id`);
    if (partners.some((other) => other.id === id)) throw new SeedError(`${path}.id`, `repeats partner id ${id}`);
    partners.push({ id, name: optionalString(p.name, `${path}.name`) ?? `Partner ${id}` });
  });
  return partners;
}

function parseLinks(raw: unknown, programIds: Set<number>, partnerIds: Set<number>): ReferralLink[] {
  const links: ReferralLink[] = [];
  list(raw, 'referral_links').forEach((entry, i) => {
    const path = `referral_links[${i}]`;
    const l = object(entry, path, ['short_link', 'program_id', 'partner_id', 'status']);
    const shortLink = nonEmptyString(l.short_link, `${path}.short_link`);
    if (links.some((other) => other.short_link === shortLink)) {
      throw new SeedError(`${path}.short_link`, `repeats short_link ${JSON.stringify(shortLink)}`);
    }
    links.push({
      short_link: shortLink,
      program_id: reference(l.program_id, `${path}.program_id`, programIds, 'program'),
      partner_id: reference(l.partner_id, `${path}.partner_id`, partnerIds, 'partner'),
      status: oneOf(l.status, `${path}.status`, LINK_STATUSES, 'active'),
    });
  });
  return links;
}

function parseCustomers(raw: unknown, programs: Program[], partnerIds: Set<number>, startedAt: number): SeedCustomer[] {
  const programIds = new Set(programs.map((p) => p.id));
  const entries = list(raw, 'customers');
  const explicitIds = entries.map((e) => (isRecord(e) && typeof e.id === 'number' ? e.id : 0));
  let nextId = Math.max(0, ...explicitIds) + 1;
  const customers: SeedCustomer[] = [];
  entries.forEach((entry, i) => {
    const path = `customers[${i}]`;
    const c = object(entry, path, [
      'id', 'click_id', 'customer_key', 'email', 'program_id', 'partner_id', 'partner_program', 'status', 'clicked_at',
    ]);
    const id = c.id === undefined ? nextId++ : positiveInt(c.id, `${path}.id`);
    if (customers.some((other) => other.id === id)) throw new SeedError(`${path}.id`, `repeats customer id ${id}`);
    let programId: number;
    if (c.program_id === undefined) {
      const first = programs[0];
      if (!first) throw new SeedError(`${path}.program_id`, 'is required when the seed defines no program');
      programId = first.id;
    } else {
      programId = reference(c.program_id, `${path}.program_id`, programIds, 'program') ?? 0;
      if (programId === 0) throw new SeedError(`${path}.program_id`, 'must be a program id');
    }
    let clickedAt = startedAt;
    if (c.clicked_at !== undefined) {
      clickedAt = isoInstant(nonEmptyString(c.clicked_at, `${path}.clicked_at`), `${path}.clicked_at`);
    }
    const clickId = c.click_id === undefined ? formatClickId(id, clickedAt) : nonEmptyString(c.click_id, `${path}.click_id`);
    if (customers.some((other) => other.click_id === clickId)) {
      throw new SeedError(`${path}.click_id`, `repeats click_id ${JSON.stringify(clickId)}`);
    }
    const partnerId = reference(c.partner_id, `${path}.partner_id`, partnerIds, 'partner');
    customers.push({
      id,
      click_id: clickId,
      customer_key: optionalString(c.customer_key, `${path}.customer_key`),
      email: optionalString(c.email, `${path}.email`),
      program_id: programId,
      partner_id: partnerId,
      partner_program: bool(c.partner_program, `${path}.partner_program`, partnerId !== null),
      status: oneOf(c.status, `${path}.status`, CUSTOMER_STATUSES, 'click'),
      clicked_at: clickedAt,
    });
  });
  return customers;
}

export function parseFaults(raw: unknown, path = 'faults', base: Faults = { ...NO_FAULTS }): Faults {
  if (raw === undefined) return { ...base };
  const f = object(raw, path, Object.keys(NO_FAULTS));
  return {
    click: bool(f.click, `${path}.click`, base.click),
    lead: bool(f.lead, `${path}.lead`, base.lead),
    sale: bool(f.sale, `${path}.sale`, base.sale),
    refund: bool(f.refund, `${path}.refund`, base.refund),
    commission: bool(f.commission, `${path}.commission`, base.commission),
  };
}

/**
 * Validates a seed and fills its defaults.
 * @param startedAt epoch ms used for customers' default `clicked_at`
 * @throws SeedError naming the first bad field
 */
export function parseSeed(raw: unknown, startedAt: number): Seed {
  const top = object(raw, '', ['programs', 'partners', 'referral_links', 'customers', 'faults', 'admin_token', 'admin_hosts']);
  const programs = parsePrograms(top.programs);
  const partners = parsePartners(top.partners);
  const programIds = new Set(programs.map((p) => p.id));
  const partnerIds = new Set(partners.map((p) => p.id));
  return {
    programs,
    partners,
    referral_links: parseLinks(top.referral_links, programIds, partnerIds),
    customers: parseCustomers(top.customers, programs, partnerIds, startedAt),
    faults: parseFaults(top.faults),
    admin_token: top.admin_token === undefined ? DEFAULT_ADMIN_TOKEN : bareToken(top.admin_token, 'admin_token'),
    admin_hosts: list(top.admin_hosts, 'admin_hosts').map((host, i) => adminHost(host, `admin_hosts[${i}]`)),
  };
}
