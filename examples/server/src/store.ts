/**
 * The in-memory store: the seeded configuration plus every record the routes write.
 * All methods are synchronous, so a route's check-then-write runs without interleaving.
 */
import type { Answer } from './errors';
import type { Faults, Partner, Program, ReferralLink, Seed, SeedCustomer } from './seed';

/** A customer as the seed gives it, plus every click id it ever had (`click_id` is the latest). */
export interface Customer extends SeedCustomer {
  click_ids: string[];
}

export interface ClickEvent {
  id: number;
  program_id: number;
  customer_id: number | null;
  partner_id: number | null;
  short_link: string | null;
  click_id: string | null;
  affiliate_url: string;
  page_url: string | null;
  page_title: string | null;
  referrer_url: string | null;
  session_id: string | null;
  user_agent: string | null;
  screen_resolution: string | null;
  viewport_size: string | null;
  language: string | null;
  timezone: string | null;
  additional_data: Record<string, unknown> | null;
  event_id: string | null;
  test_mode: boolean;
  created_at: string;
}

export interface LeadEvent {
  id: number;
  program_id: number;
  customer_id: number | null;
  mode: 'browser' | 'server';
  click_id: string | null;
  customer_key: string | null;
  email: string | null;
  click_ids: string[];
  page_url: string | null;
  session_id: string | null;
  additional_data: Record<string, unknown> | null;
  event_id: string | null;
  test_mode: boolean;
  created_at: string;
}

export interface Sale {
  id: number;
  transaction_id: string;
  program_id: number;
  customer_id: number | null;
  partner_id: number | null;
  amount_cents: number;
  currency: string;
  sale_type: string | null;
  line_items: unknown;
  is_recurring: boolean;
  subscription_id: string | null;
  subscription_interval: string | null;
  product_id: string | null;
  additional_data: Record<string, unknown> | null;
  /** sum of the partial refunds so far */
  refunded_cents: number;
  commission_id: number | null;
  test_mode: boolean;
  created_at: string;
}

export type CommissionStatus = 'pending' | 'refunded' | 'reversed';

export interface Commission {
  id: number;
  sale_id: number;
  program_id: number;
  partner_id: number;
  customer_id: number;
  rate: number;
  /** the commission as created */
  amount_cents: number;
  /** how much refunds took back so far */
  deducted_cents: number;
  status: CommissionStatus;
  test_mode: boolean;
  created_at: string;
}

export type RefundStatus = 'reversed' | 'refunded' | 'skipped' | 'no_commission';

export interface Refund {
  id: number;
  sale_id: number;
  transaction_id: string;
  program_id: number;
  commission_id: number | null;
  /** null for a full refund */
  refund_amount_cents: number | null;
  deduction_cents: number;
  status: RefundStatus;
  test_mode: boolean;
  created_at: string;
}

/** What `GET /_inspect` and `inspect()` answer. Dates are ISO strings. */
export interface InspectState {
  customers: (Omit<Customer, 'clicked_at'> & { clicked_at: string })[];
  clicks: ClickEvent[];
  leads: LeadEvent[];
  sales: Sale[];
  commissions: Commission[];
  refunds: Refund[];
}

export class Store {
  readonly programs: ReadonlyMap<number, Program>;
  readonly partners: ReadonlyMap<number, Partner>;
  readonly links: ReadonlyMap<string, ReferralLink>;
  readonly adminToken: string;
  faults: Faults;

  readonly customers: Customer[] = [];
  readonly clicks: ClickEvent[] = [];
  readonly leads: LeadEvent[] = [];
  readonly sales: Sale[] = [];
  readonly commissions: Commission[] = [];
  readonly refunds: Refund[] = [];

  /** Every transaction_id ever accepted, across programs: the duplicate guard. */
  private readonly transactionIds = new Set<string>();
  /** First answers to client `event_id`s, keyed by route and id. */
  private readonly replays = new Map<string, Answer>();
  private nextCustomerId: number;

  constructor(seed: Seed) {
    this.programs = new Map(seed.programs.map((p) => [p.id, p]));
    this.partners = new Map(seed.partners.map((p) => [p.id, p]));
    this.links = new Map(seed.referral_links.map((l) => [l.short_link, l]));
    this.adminToken = seed.admin_token;
    this.faults = { ...seed.faults };
    for (const c of seed.customers) this.customers.push({ ...c, click_ids: [c.click_id] });
    this.nextCustomerId = Math.max(0, ...seed.customers.map((c) => c.id)) + 1;
  }

  /** Finds a customer by any click id it ever had. */
  customerByClickId(clickId: string): Customer | undefined {
    return this.customers.find((c) => c.click_ids.includes(clickId));
  }

  /** Finds a customer by key, preferring one in `programId` when keys repeat across programs. */
  customerByKey(key: string, programId?: number): Customer | undefined {
    const matches = this.customers.filter((c) => c.customer_key === key);
    return matches.find((c) => c.program_id === programId) ?? matches[0];
  }

  createCustomer(fields: Omit<Customer, 'id' | 'click_id' | 'click_ids'>, now: number): Customer {
    const id = this.nextCustomerId++;
    const clickId = `cust_${id}_${now}`;
    const customer: Customer = { id, click_id: clickId, click_ids: [clickId], ...fields };
    this.customers.push(customer);
    return customer;
  }

  /** Gives the customer a fresh click id (keeping the old ones) and a new partner. */
  reattribute(customer: Customer, partnerId: number, now: number): void {
    const clickId = `cust_${customer.id}_${now}`;
    customer.click_id = clickId;
    if (!customer.click_ids.includes(clickId)) customer.click_ids.push(clickId);
    customer.partner_id = partnerId;
    customer.partner_program = true;
    customer.clicked_at = now;
  }

  addClick(fields: Omit<ClickEvent, 'id'>): ClickEvent {
    const click = { id: this.clicks.length + 1, ...fields };
    this.clicks.push(click);
    return click;
  }

  addLead(fields: Omit<LeadEvent, 'id'>): LeadEvent {
    const lead = { id: this.leads.length + 1, ...fields };
    this.leads.push(lead);
    return lead;
  }

  hasTransaction(transactionId: string): boolean {
    return this.transactionIds.has(transactionId);
  }

  /** Writes a sale and consumes its transaction id, whatever happens next. */
  addSale(fields: Omit<Sale, 'id' | 'refunded_cents' | 'commission_id'>): Sale {
    if (this.transactionIds.has(fields.transaction_id)) {
      throw new Error(`transaction_id already consumed: ${fields.transaction_id}`);
    }
    this.transactionIds.add(fields.transaction_id);
    const sale: Sale = { id: this.sales.length + 1, refunded_cents: 0, commission_id: null, ...fields };
    this.sales.push(sale);
    return sale;
  }

  addCommission(sale: Sale, fields: Omit<Commission, 'id' | 'sale_id' | 'deducted_cents' | 'status'>): Commission {
    const commission: Commission = {
      id: this.commissions.length + 1,
      sale_id: sale.id,
      deducted_cents: 0,
      status: 'pending',
      ...fields,
    };
    this.commissions.push(commission);
    sale.commission_id = commission.id;
    return commission;
  }

  saleInProgram(transactionId: string, programId: number): Sale | undefined {
    return this.sales.find((s) => s.transaction_id === transactionId && s.program_id === programId);
  }

  commission(id: number | null): Commission | undefined {
    return id === null ? undefined : this.commissions.find((c) => c.id === id);
  }

  addRefund(fields: Omit<Refund, 'id'>): Refund {
    const refund = { id: this.refunds.length + 1, ...fields };
    this.refunds.push(refund);
    return refund;
  }

  replay(route: string, eventId: string): Answer | undefined {
    return this.replays.get(`${route}:${eventId}`);
  }

  remember(route: string, eventId: string, answer: Answer): void {
    this.replays.set(`${route}:${eventId}`, answer);
  }

  /** A deep copy of every record, safe to hand out. */
  snapshot(): InspectState {
    return structuredClone({
      customers: this.customers.map((c) => ({ ...c, clicked_at: new Date(c.clicked_at).toISOString() })),
      clicks: this.clicks,
      leads: this.leads,
      sales: this.sales,
      commissions: this.commissions,
      refunds: this.refunds,
    });
  }
}
