/**
 * One seed builder for every suite (dom, contract, client, e2e) and the bench, instead of
 * a seed written out by hand in each. Starts from nothing; each call adds one thing and
 * `build()` answers a fresh `SeedInput` that the reference server checks as usual.
 *
 *   seed().program(1, 'aff_test_1', { cookie_window_days: 30 }).partners(PARTNER_A, PARTNER_B)
 *     .links(PARTNER_LINKS).admin('admin').build()
 */
import type { SeedInput } from '../../examples/server/src/app';

type ProgramInput = NonNullable<SeedInput['programs']>[number];
type PartnerInput = NonNullable<SeedInput['partners']>[number];
type LinkInput = NonNullable<SeedInput['referral_links']>[number];
type CustomerInput = NonNullable<SeedInput['customers']>[number];

/** The two partners most tests land from, with their links in program 1. */
export const PARTNER_A = { id: 10, name: 'Partner A', link: 'PARTNER123' } as const;
export const PARTNER_B = { id: 11, name: 'Partner B', link: 'PARTNER456' } as const;

export class SeedBuilder {
  private readonly seed: Required<Pick<SeedInput, 'programs' | 'partners' | 'referral_links' | 'customers'>> & SeedInput = {
    programs: [],
    partners: [],
    referral_links: [],
    customers: [],
  };

  /** A program; every option the seed knows (`cookie_window_days`, `allowed_origins`, …) may be given. */
  program(id: number, apiToken: string, options: Omit<ProgramInput, 'id' | 'api_token'> = {}): this {
    this.seed.programs.push({ id, api_token: apiToken, ...options });
    return this;
  }

  partners(...partners: { id: number; name?: string }[]): this {
    for (const { id, name } of partners) this.seed.partners.push(name === undefined ? { id } : { id, name } satisfies PartnerInput);
    return this;
  }

  /** A referral link: `program_id` and `partner_id` may be `null` to reach the misconfigured-link rows. */
  link(shortLink: string, programId: number | null, partnerId: number | null, status?: LinkInput['status']): this {
    this.seed.referral_links.push({ short_link: shortLink, program_id: programId, partner_id: partnerId, ...(status ? { status } : {}) });
    return this;
  }

  /** `partners` with their own links (`.link`) in `programId`, and the partners themselves. */
  partnersWithLinks(programId: number, ...partners: { id: number; name: string; link: string }[]): this {
    this.partners(...partners);
    for (const partner of partners) this.link(partner.link, programId, partner.id);
    return this;
  }

  customer(customer: CustomerInput): this {
    this.seed.customers.push(customer);
    return this;
  }

  faults(faults: SeedInput['faults']): this {
    this.seed.faults = faults;
    return this;
  }

  /** The admin token, and the names besides this machine's the admin routes answer under (`admin_hosts`). */
  admin(token: string, hosts?: string[]): this {
    this.seed.admin_token = token;
    if (hosts) this.seed.admin_hosts = hosts;
    return this;
  }

  /** A deep copy: a test may change what it gets without touching the builder. */
  build(): SeedInput {
    return structuredClone(this.seed);
  }
}

export const seed = (): SeedBuilder => new SeedBuilder();
