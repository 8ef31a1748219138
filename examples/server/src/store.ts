/**
 * The in-memory store: the seeded configuration plus every record the routes write.
 * All methods are synchronous, so a route's check-then-write runs without interleaving.
 *
 * Every lookup a route makes goes through an index (a Map), never a scan of the records,
 * so a request costs the same whether the server holds ten records or a million.
 */
import { customerIdOf, formatClickId, readsBack } from './click-id';
import type { Answer } from './errors';
import type {
  ClickEvent,
  Commission,
  Customer,
  Faults,
  InspectState,
  LeadEvent,
  Partner,
  Program,
  ReferralLink,
  Refund,
  Sale,
  Seed,
} from './types';

export type { InspectState } from './types';

export class Store {
  readonly programs: ReadonlyMap<number, Program>;
  readonly partners: ReadonlyMap<number, Partner>;
  readonly links: ReadonlyMap<string, ReferralLink>;
  readonly adminToken: string;
  /** The seed's admin_hosts (auth/admin-hosts.ts). */
  readonly adminHosts: ReadonlySet<string>;
  faults: Faults;

  readonly customers: Customer[] = [];
  readonly clicks: ClickEvent[] = [];
  readonly leads: LeadEvent[] = [];
  readonly sales: Sale[] = [];
  /** Ids are positions plus one: `commissions[id - 1]`. */
  readonly commissions: Commission[] = [];
  readonly refunds: Refund[] = [];

  /**
   * Click ids the server did not make (seeded ones of another shape), and ones whose
   * customer id the seed lets differ from the customer's: every other click id names its
   * customer (`customerIdOf`), so most customers cost this map nothing.
   */
  private readonly byOtherClickId = new Map<string, Customer>();
  /**
   * Every click id, oldest first, of the customers that have had more than one (a later click
   * re-attributed them). Most never are, and a click that makes a customer keeps no list of its
   * own: one per click was two objects (an array and its elements) that each young-generation
   * collection copied, a fifth of what it copies per click under load.
   */
  private readonly everyClickId = new Map<number, string[]>();
  /** Seeded customers by id; created ones are found by position (their ids follow one another). */
  private readonly seededById = new Map<number, Customer>();
  /** Customers by their current key, in the order of `customers` (a key may repeat across programs). */
  private readonly byKey = new Map<string, Customer[]>();
  /** Positions in `customers` of the seeded ones; created customers follow them in id order. */
  private readonly seededPositions = new Map<number, number>();
  private readonly firstCreatedId: number;
  /** The seeded customers by their click time, oldest first: the seed may list them in any order. */
  readonly seededByTime: readonly Customer[];
  /** Every transaction_id ever accepted, across programs: the duplicate guard, and the sale it names. */
  private readonly byTransactionId = new Map<string, Sale>();
  /**
   * First answers to client `event_id`s: one map per scope (the route, and the program the
   * event is for: see exactlyOnce), keyed by the id itself, which is the string the stored event
   * already holds (a `route:id` key would be a new string per event).
   */
  private readonly replays = new Map<string, Map<string, Answer>>();
  private nextCustomerId: number;

  constructor(seed: Seed) {
    this.programs = new Map(seed.programs.map((p) => [p.id, p]));
    this.partners = new Map(seed.partners.map((p) => [p.id, p]));
    this.links = new Map(seed.referral_links.map((l) => [l.short_link, l]));
    this.adminToken = seed.admin_token;
    this.adminHosts = new Set(seed.admin_hosts);
    this.faults = { ...seed.faults };
    this.nextCustomerId = this.firstCreatedId = seed.customers.reduce((max, c) => Math.max(max, c.id), 0) + 1;
    seed.customers.forEach((c, i) => this.seededPositions.set(c.id, i));
    for (const c of seed.customers) {
      const customer: Customer = { ...c };
      this.seededById.set(customer.id, customer);
      this.addCustomer(customer);
    }
    // Sorted once: clicked_at of a seeded customer changes later only with a click, which the dashboard finds among the clicks.
    this.seededByTime = [...this.customers].sort((a, b) => a.clicked_at - b.clicked_at);
  }

  private position(customer: Customer): number {
    return this.seededPositions.get(customer.id) ?? this.seededPositions.size + customer.id - this.firstCreatedId;
  }

  /** `namesCustomer`: as indexClickId's, for a click id the store made. */
  private addCustomer(customer: Customer, namesCustomer?: boolean): void {
    this.customers.push(customer);
    this.indexClickId(customer, customer.click_id, namesCustomer);
    if (customer.customer_key !== null) this.indexKey(customer, customer.customer_key);
  }

  /** The customer with this id, without a scan. */
  customerById(id: number): Customer | undefined {
    if (id < this.firstCreatedId) return this.seededById.get(id);
    const customer = this.customers[this.seededPositions.size + id - this.firstCreatedId];
    return customer?.id === id ? customer : undefined;
  }

  /**
   * `namesCustomer`: whether `clickId` reads back as the customer's id. For a click id the store
   * made, its callers tell it from the numbers (`readsBack`): parsing it back was 0.7 µs of a
   * click's ~15 µs of work under load.
   */
  private indexClickId(customer: Customer, clickId: string, namesCustomer = customerIdOf(clickId) === customer.id): void {
    if (!namesCustomer || this.customerById(customer.id) !== customer) this.byOtherClickId.set(clickId, customer);
  }

  /**
   * Holders of a key are kept in the order the key was bound to them, the latest last: a returning
   * user who signed up again after a new partner's click on another device (a new customer, no
   * cookie to re-attribute) is that partner's customer now, as last touch has it.
   */
  private indexKey(customer: Customer, key: string): void {
    const holders = this.byKey.get(key);
    if (holders) holders.push(customer);
    else this.byKey.set(key, [customer]);
  }

  private unindexKey(customer: Customer, key: string): void {
    const holders = this.byKey.get(key);
    if (!holders) return;
    const rest = holders.filter((other) => other !== customer);
    if (rest.length === 0) this.byKey.delete(key);
    else this.byKey.set(key, rest);
  }

  /** Finds a customer by any click id it ever had. */
  customerByClickId(clickId: string): Customer | undefined {
    const other = this.byOtherClickId.get(clickId);
    if (other) return other;
    const id = customerIdOf(clickId);
    const customer = id === undefined ? undefined : this.customerById(id);
    return customer && this.hadClickId(customer, clickId) ? customer : undefined;
  }

  /** Every click id the customer ever had, oldest first (the latest is `click_id`). */
  clickIdsOf(customer: Customer): readonly string[] {
    return this.everyClickId.get(customer.id) ?? [customer.click_id];
  }

  private hadClickId(customer: Customer, clickId: string): boolean {
    return this.everyClickId.get(customer.id)?.includes(clickId) ?? customer.click_id === clickId;
  }

  /** Finds the customer a key was bound to last, preferring one in `programId` when keys repeat across programs. */
  customerByKey(key: string, programId?: number): Customer | undefined {
    const holders = this.byKey.get(key);
    if (!holders) return undefined;
    return this.customerByKeyIn(key, programId) ?? holders[holders.length - 1];
  }

  /** Finds the customer of `programId` a key was bound to last; one of another program with the same key is not it. */
  customerByKeyIn(key: string, programId: number | undefined): Customer | undefined {
    const holders = this.byKey.get(key) ?? [];
    for (let i = holders.length - 1; i >= 0; i--) if (holders[i]!.program_id === programId) return holders[i];
    return undefined;
  }

  /** Binds `key` to the customer (a lead names it), in place of any key it had. */
  bindCustomerKey(customer: Customer, key: string): void {
    if (customer.customer_key === key) return;
    if (customer.customer_key !== null) this.unindexKey(customer, customer.customer_key);
    customer.customer_key = key;
    this.indexKey(customer, key);
  }

  createCustomer(fields: Omit<Customer, 'id' | 'click_id'>, now: number): Customer {
    const id = this.nextCustomerId++;
    const clickId = formatClickId(id, now);
    // Every field written out (no spread): V8 then keeps them all inside the object, which
    // is about 30 B less per customer than a spread's extra property store.
    const customer: Customer = {
      id,
      click_id: clickId,
      customer_key: fields.customer_key,
      email: fields.email,
      program_id: fields.program_id,
      partner_id: fields.partner_id,
      partner_program: fields.partner_program,
      status: fields.status,
      clicked_at: fields.clicked_at,
    };
    this.addCustomer(customer, readsBack(id, now));
    return customer;
  }

  /** Gives the customer a fresh click id (keeping the old ones) and a new partner. */
  reattribute(customer: Customer, partnerId: number, now: number): void {
    const clickId = formatClickId(customer.id, now);
    const clickIds = this.everyClickId.get(customer.id);
    if (clickIds) {
      if (!clickIds.includes(clickId)) clickIds.push(clickId);
    } else if (clickId !== customer.click_id) this.everyClickId.set(customer.id, [customer.click_id, clickId]);
    customer.click_id = clickId;
    this.indexClickId(customer, clickId, readsBack(customer.id, now));
    customer.partner_id = partnerId;
    customer.partner_program = true;
    customer.clicked_at = now;
  }

  /**
   * Records a click that `make` writes out with the id it is given (as one object literal,
   * not a spread, so that all its fields live inside the object: the store holds one per click).
   */
  addClick(make: (id: number) => ClickEvent): ClickEvent {
    const click = make(this.clicks.length + 1);
    this.clicks.push(click);
    return click;
  }

  addLead(fields: Omit<LeadEvent, 'id'>): LeadEvent {
    const lead = { id: this.leads.length + 1, ...fields };
    this.leads.push(lead);
    return lead;
  }

  hasTransaction(transactionId: string): boolean {
    return this.byTransactionId.has(transactionId);
  }

  /** Writes a sale and consumes its transaction id, whatever happens next. */
  addSale(fields: Omit<Sale, 'id' | 'refunded_cents' | 'commission_id'>): Sale {
    if (this.byTransactionId.has(fields.transaction_id)) {
      throw new Error(`transaction_id already consumed: ${fields.transaction_id}`);
    }
    // Every field written out (no spread), as for customers and clicks: all inside the object,
    // about 30 B less per sale. In the order the records always had, which /_inspect shows.
    const sale: Sale = {
      id: this.sales.length + 1,
      refunded_cents: 0,
      commission_id: null,
      program_id: fields.program_id,
      currency: fields.currency,
      sale_type: fields.sale_type,
      line_items: fields.line_items,
      is_recurring: fields.is_recurring,
      subscription_id: fields.subscription_id,
      subscription_interval: fields.subscription_interval,
      product_id: fields.product_id,
      additional_data: fields.additional_data,
      request_id: fields.request_id,
      created_at: fields.created_at,
      transaction_id: fields.transaction_id,
      amount_cents: fields.amount_cents,
      customer_id: fields.customer_id,
      partner_id: fields.partner_id,
      test_mode: fields.test_mode,
    };
    this.byTransactionId.set(sale.transaction_id, sale);
    this.sales.push(sale);
    return sale;
  }

  addCommission(sale: Sale, fields: Omit<Commission, 'id' | 'sale_id' | 'deducted_cents' | 'status'>): Commission {
    const commission: Commission = {
      id: this.commissions.length + 1,
      sale_id: sale.id,
      program_id: fields.program_id,
      partner_id: fields.partner_id,
      customer_id: fields.customer_id,
      rate: fields.rate,
      amount_cents: fields.amount_cents,
      deducted_cents: 0,
      status: 'pending',
      test_mode: fields.test_mode,
      created_at: fields.created_at,
    };
    this.commissions.push(commission);
    sale.commission_id = commission.id;
    return commission;
  }

  saleInProgram(transactionId: string, programId: number): Sale | undefined {
    const sale = this.byTransactionId.get(transactionId);
    return sale?.program_id === programId ? sale : undefined;
  }

  /** The partner with this id; none for a record that names none. */
  partner(id: number | null): Partner | undefined {
    return id === null ? undefined : this.partners.get(id);
  }

  commission(id: number | null): Commission | undefined {
    return id === null ? undefined : this.commissions[id - 1];
  }

  /** Sale ids are positions plus one, as commission ids are. */
  sale(id: number): Sale | undefined {
    return this.sales[id - 1];
  }

  addRefund(fields: Omit<Refund, 'id'>): Refund {
    const refund = { id: this.refunds.length + 1, ...fields };
    this.refunds.push(refund);
    return refund;
  }

  replay(scope: string, eventId: string): Answer | undefined {
    return this.replays.get(scope)?.get(eventId);
  }

  remember(scope: string, eventId: string, answer: Answer): void {
    let answers = this.replays.get(scope);
    if (!answers) this.replays.set(scope, (answers = new Map<string, Answer>()));
    answers.set(eventId, answer);
  }

  /** A deep copy of every record, safe to hand out, with times as ISO strings. */
  snapshot(): InspectState {
    const iso = (ms: number) => new Date(ms).toISOString();
    const dated = <T extends { created_at: number }>(record: T) => ({ ...record, created_at: iso(record.created_at) });
    return structuredClone({
      customers: this.customers.map((c) => ({ ...c, click_ids: [...this.clickIdsOf(c)], clicked_at: iso(c.clicked_at) })),
      clicks: this.clicks.map(dated),
      leads: this.leads.map(dated),
      sales: this.sales.map(dated),
      commissions: this.commissions.map(dated),
      refunds: this.refunds.map(dated),
    });
  }
}
