/**
 * The dashboard's data: for each customer the chain partner → clicks → lead → sales →
 * commissions → refunds, and the test-mode events, which belong to no customer. Pure: reads
 * the store's records, writes nothing.
 */
import type { Store } from '../store';
import type { ClickEvent, Commission, Customer, LeadEvent, Partner, Refund, Sale } from '../types';

export interface SaleLink {
  sale: Sale;
  commission: Commission | undefined;
  /** The partner the sale was credited to: a later click may have moved the customer to another one. */
  partner: Partner | undefined;
  refunds: Refund[];
}

export interface Chain {
  customer: Customer;
  /** The customer's first click id: a seeded customer's has no click event. */
  firstClickId: string;
  partner: Partner | undefined;
  clicks: ClickEvent[];
  leads: LeadEvent[];
  sales: SaleLink[];
  /** The latest time anything in the chain happened (epoch ms): chains are listed newest first. */
  lastAt: number;
}

export type TestEvent =
  | { kind: 'click'; event: ClickEvent }
  | { kind: 'lead'; event: LeadEvent }
  | { kind: 'sale'; event: Sale }
  /** `sale`: the refunded one, for its currency. */
  | { kind: 'refund'; event: Refund; sale: Sale | undefined };

export interface DashboardData {
  chains: Chain[];
  /** How many customers the store holds (the page shows the latest `chains.length`). */
  customerCount: number;
  tests: TestEvent[];
}

export const SHOWN_CHAINS = 100;
export const SHOWN_TEST_EVENTS = 20;

/** A list walked back from its end: the position reached, and the customer and time of a record. */
interface Head {
  at: number;
  customerOf: (i: number) => number | null;
  timeOf: (i: number) => number;
}

/**
 * The ids of the `shown` customers with the latest activity. Records are appended as they happen,
 * so walking each list back from its end, always taking the newest of their heads, meets the
 * latest activity first, and the walk stops once `shown` customers are met: finding them does not
 * grow with what the server holds (a customer with many recent records is walked through them).
 * Building every customer's chain to show 100 of them stood 0.4 s of the event loop per refresh at
 * 200,000. Collecting the records of the customers found (dashboardData) still reads every record
 * once: about 9 ms per refresh at 100,000 clicks, 58 ms at a million, on a refresh that has news.
 */
/** Customers `from` on of a list in time order, their click time as their activity. */
const customersHead = (list: readonly Customer[], from: number): Head => ({
  at: list.length - 1 - from,
  customerOf: (i) => list[from + i]!.id,
  timeOf: (i) => list[from + i]!.clicked_at,
});

function latestCustomerIds(store: Store, shown: number): Set<number> {
  const head = <T extends { created_at: number }>(list: readonly T[], customerOf: (record: T) => number | null): Head => ({
    at: list.length - 1,
    customerOf: (i) => customerOf(list[i]!),
    timeOf: (i) => list[i]!.created_at,
  });
  const heads = [
    head(store.clicks, (click) => click.customer_id),
    head(store.leads, (lead) => lead.customer_id),
    head(store.sales, (sale) => sale.customer_id),
    head(store.refunds, (refund) => store.sale(refund.sale_id)?.customer_id ?? null),
    // Customers too: a seeded one may have no record at all (its time is its click's). The seed may
    // list them in any order (walked by position, its newest could be left out): by time. Created
    // ones follow, in the order they were made.
    customersHead(store.seededByTime, 0),
    customersHead(store.customers, store.seededByTime.length),
  ];
  const ids = new Set<number>();
  while (ids.size < shown) {
    let newest: Head | undefined;
    for (const head of heads) if (head.at >= 0 && (!newest || head.timeOf(head.at) > newest.timeOf(newest.at))) newest = head;
    if (!newest) break;
    const customerId = newest.customerOf(newest.at--);
    if (customerId !== null) ids.add(customerId);
  }
  return ids;
}

/**
 * The latest SHOWN_TEST_EVENTS test-mode records of `list`, oldest first: walked back from its end
 * (records are appended as they happen), so a refresh does not collect and sort every test event the
 * server holds. Test calls need no token: 300,000 of them made each refresh 0.1 s of the event loop.
 */
function latestTests<T extends { test_mode: boolean }>(list: readonly T[], toEvent: (record: T) => TestEvent): TestEvent[] {
  const found: TestEvent[] = [];
  for (let i = list.length - 1; i >= 0 && found.length < SHOWN_TEST_EVENTS; i--) if (list[i]!.test_mode) found.push(toEvent(list[i]!));
  return found.reverse();
}

/** The chains of the customers with the latest activity, newest first, and the latest test events. */
export function dashboardData(store: Store, shown = SHOWN_CHAINS): DashboardData {
  const chains = new Map<number, Chain>();
  for (const id of latestCustomerIds(store, shown)) {
    const customer = store.customerById(id)!;
    chains.set(customer.id, {
      customer,
      firstClickId: store.clickIdsOf(customer)[0]!,
      partner: store.partner(customer.partner_id),
      clicks: [],
      leads: [],
      sales: [],
      lastAt: customer.clicked_at,
    });
  }
  const chainOf = (customerId: number | null): Chain | undefined => (customerId === null ? undefined : chains.get(customerId));
  const touch = (chain: Chain, at: number) => (chain.lastAt = Math.max(chain.lastAt, at));
  const tests: TestEvent[] = [
    ...latestTests(store.clicks, (event) => ({ kind: 'click', event })),
    ...latestTests(store.leads, (event) => ({ kind: 'lead', event })),
    ...latestTests(store.sales, (event) => ({ kind: 'sale', event })),
    // A test sale's refund is a test event too (it belongs to no customer, as its sale).
    ...latestTests(store.refunds, (event) => ({ kind: 'refund', event, sale: store.sale(event.sale_id) })),
  ];

  for (const click of store.clicks) {
    const chain = chainOf(click.customer_id);
    if (chain) {
      chain.clicks.push(click);
      touch(chain, click.created_at);
    }
  }
  for (const lead of store.leads) {
    const chain = chainOf(lead.customer_id);
    if (chain) {
      chain.leads.push(lead);
      touch(chain, lead.created_at);
    }
  }
  const bySale = new Map<number, SaleLink>();
  for (const sale of store.sales) {
    const chain = chainOf(sale.customer_id);
    if (chain) {
      const link: SaleLink = { sale, commission: store.commission(sale.commission_id), partner: store.partner(sale.partner_id), refunds: [] };
      bySale.set(sale.id, link);
      chain.sales.push(link);
      touch(chain, sale.created_at);
    }
  }
  for (const refund of store.refunds) {
    const link = bySale.get(refund.sale_id);
    if (!link) continue;
    link.refunds.push(refund);
    touch(chainOf(link.sale.customer_id)!, refund.created_at);
  }
  tests.sort((a, b) => b.event.created_at - a.event.created_at);
  const newestFirst = [...chains.values()].sort((a, b) => b.lastAt - a.lastAt || b.customer.id - a.customer.id);
  return { chains: newestFirst, customerCount: store.customers.length, tests: tests.slice(0, SHOWN_TEST_EVENTS) };
}
