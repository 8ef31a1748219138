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
  | { kind: 'refund'; event: Refund };

export interface DashboardData {
  chains: Chain[];
  /** How many customers the store holds (the page shows the latest `chains.length`). */
  customerCount: number;
  tests: TestEvent[];
}

export const SHOWN_CHAINS = 100;
export const SHOWN_TEST_EVENTS = 20;

/** The chains of the customers with the latest activity, newest first, and the latest test events. */
export function dashboardData(store: Store, shown = SHOWN_CHAINS): DashboardData {
  const chains = new Map<number, Chain>();
  const chainOf = (customerId: number | null): Chain | undefined => {
    if (customerId === null) return undefined;
    let chain = chains.get(customerId);
    if (!chain) {
      const customer = store.customerById(customerId);
      if (!customer) return undefined;
      chain = { customer, partner: undefined, clicks: [], leads: [], sales: [], lastAt: customer.clicked_at };
      chains.set(customerId, chain);
    }
    return chain;
  };
  const touch = (chain: Chain, at: number) => (chain.lastAt = Math.max(chain.lastAt, at));
  const tests: TestEvent[] = [];

  for (const customer of store.customers) chainOf(customer.id);
  for (const click of store.clicks) {
    if (click.test_mode) tests.push({ kind: 'click', event: click });
    const chain = chainOf(click.customer_id);
    if (chain) {
      chain.clicks.push(click);
      touch(chain, click.created_at);
    }
  }
  for (const lead of store.leads) {
    if (lead.test_mode) tests.push({ kind: 'lead', event: lead });
    const chain = chainOf(lead.customer_id);
    if (chain) {
      chain.leads.push(lead);
      touch(chain, lead.created_at);
    }
  }
  const bySale = new Map<number, SaleLink>();
  for (const sale of store.sales) {
    if (sale.test_mode) tests.push({ kind: 'sale', event: sale });
    const partner = sale.partner_id === null ? undefined : store.partners.get(sale.partner_id);
    const link: SaleLink = { sale, commission: store.commission(sale.commission_id), partner, refunds: [] };
    bySale.set(sale.id, link);
    const chain = chainOf(sale.customer_id);
    if (chain) {
      chain.sales.push(link);
      touch(chain, sale.created_at);
    }
  }
  for (const refund of store.refunds) {
    // A test sale's refund is a test event too (it belongs to no customer, as its sale).
    if (refund.test_mode) tests.push({ kind: 'refund', event: refund });
    const link = bySale.get(refund.sale_id);
    if (!link) continue;
    link.refunds.push(refund);
    const chain = chainOf(link.sale.customer_id);
    if (chain) touch(chain, refund.created_at);
  }
  for (const chain of chains.values()) {
    chain.partner = chain.customer.partner_id === null ? undefined : store.partners.get(chain.customer.partner_id);
  }
  const newestFirst = [...chains.values()].sort((a, b) => b.lastAt - a.lastAt || b.customer.id - a.customer.id);
  tests.sort((a, b) => b.event.created_at - a.event.created_at);
  return { chains: newestFirst.slice(0, shown), customerCount: store.customers.length, tests: tests.slice(0, SHOWN_TEST_EVENTS) };
}
