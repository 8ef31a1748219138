/**
 * `GET /api/v1/programs/me/readiness`: how far a program's integration is, computed from its
 * seed (origins, commission rate, links) and from what the server recorded for it. The shape
 * is the one the Affitor API answers and its CLI polls until `integration_verified`.
 */
import type { ReadinessData, ReadinessEvent, ReadinessGate, ReadinessGateId, TestChainStatus } from '../../../src/server';
import type { Store } from './store';
import type { Customer, Program } from './types';

export type { ReadinessData } from '../../../src/server';

const DAY_MS = 86_400_000;
/** The order the gates are checked in: the first one not passing is the blocker. */
export const GATE_ORDER: readonly ReadinessGateId[] = ['profile', 'economics', 'payout', 'tracking', 'live'];
/** Ask again soon while the merchant is setting up; rarely once verified. */
export const POLL_SECONDS = { pending: 5, verified: 300 } as const;

type Dated = { program_id: number; created_at: number; test_mode: boolean };

/** The latest record of the program matching `keep`, scanning from the newest. */
function latest<T extends Dated>(records: readonly T[], programId: number, keep: (record: T) => boolean = () => true): T | undefined {
  for (let i = records.length - 1; i >= 0; i--) {
    const record = records[i]!;
    if (record.program_id === programId && keep(record)) return record;
  }
  return undefined;
}

/** How many records of the program are at most a day old (records are kept in time order). */
function countSince<T extends Dated>(records: readonly T[], programId: number, since: number): number {
  let count = 0;
  for (let i = records.length - 1; i >= 0 && records[i]!.created_at >= since; i--) if (records[i]!.program_id === programId) count++;
  return count;
}

const iso = (ms: number) => new Date(ms).toISOString();

function event(at: number, testMode: boolean, customer: Customer | undefined, clickId: string | null, key: string | null): ReadinessEvent {
  return { at: iso(at), test_mode: testMode, click_id: clickId ?? customer?.click_id ?? null, customer_key: key ?? customer?.customer_key ?? null };
}

const real = (record: Dated) => !record.test_mode;

/** The chain of the customer who got furthest most recently: the latest real sale's, else lead's, else click's. */
function testChain(store: Store, program: Program): { click: TestChainStatus; lead: TestChainStatus; sale: TestChainStatus } {
  const sale = latest(store.sales, program.id, (s) => real(s) && s.customer_id !== null);
  const lead = latest(store.leads, program.id, (l) => real(l) && l.customer_id !== null);
  const click = latest(store.clicks, program.id, (c) => real(c) && c.customer_id !== null);
  const customerId = sale?.customer_id ?? lead?.customer_id ?? click?.customer_id ?? null;
  const customer = customerId === null ? undefined : store.customerById(customerId);
  if (!customer) return { click: 'pending', lead: 'pending', sale: 'pending' };
  const hasPartner = customer.partner_id !== null;
  const clicked = latest(store.clicks, program.id, (c) => real(c) && c.customer_id === customer.id);
  const led = latest(store.leads, program.id, (l) => real(l) && l.customer_id === customer.id);
  const sold = sale?.customer_id === customer.id ? sale : undefined;
  // A sale credited to another partner than the click it followed was attributed, but to the wrong
  // one. Not the customer's latest click: a later landing through another partner (last touch)
  // moves the customer on, and the earlier sale, rightly its partner's, read as wrong_partner.
  const clickBeforeSale = sold && latest(store.clicks, program.id, (c) => real(c) && c.customer_id === customer.id && c.created_at <= sold.created_at);
  const saleStatus: TestChainStatus = !sold
    ? 'pending'
    : sold.commission_id === null
      ? 'unattributed'
      : clickBeforeSale && clickBeforeSale.partner_id !== null && sold.partner_id !== clickBeforeSale.partner_id
        ? 'wrong_partner'
        : 'attributed';
  return {
    click: clicked ? (clicked.partner_id !== null ? 'attributed' : 'unattributed') : 'pending',
    lead: led ? (hasPartner ? 'attributed' : 'unattributed') : 'pending',
    sale: saleStatus,
  };
}

const CHAIN_ACTIONS: Record<'click' | 'lead' | 'sale', Record<Exclude<TestChainStatus, 'attributed'>, string>> = {
  click: {
    pending: 'Open your site through a partner link (?aff=<code>) with the SDK installed',
    unattributed: 'The latest click has no partner: use an active referral link that has a partner',
    wrong_partner: 'The latest click went to another partner than its link: check the referral link',
  },
  lead: {
    pending: 'Sign up on your site after landing through a partner link: call signup(user.id, user.email) or trackLead',
    unattributed: 'The latest signup reached no partner: send the click id (affitor_click_id cookie) with the lead',
    wrong_partner: 'The latest signup was credited to another partner: send the newest click id',
  },
  sale: {
    pending: 'Make a test purchase as that customer and report it with trackSale (or from your Stripe webhook)',
    unattributed: "The latest sale earned no commission: the customer's click is older than the attribution window",
    wrong_partner: "The latest sale was credited to another partner than the customer's click: send the newest click id",
  },
};

/** Readiness of `program` at `now`, from its seed and what the store recorded. */
export function readiness(store: Store, program: Program, now: number): ReadinessData {
  const checkedAt = iso(now);
  const since = now - DAY_MS;
  const id = program.id;

  const links = [...store.links.values()].filter((link) => link.program_id === id);
  const usableLink = links.some((link) => link.status === 'active' && link.partner_id !== null && store.partners.has(link.partner_id));

  const profile: ReadinessGate =
    program.allowed_origins.length > 0
      ? { status: 'pass', checked_at: checkedAt }
      : { status: 'fail', next_action: "Add your site's origin to the program's allowed_origins, so browsers there may call the tracking API", checked_at: checkedAt };

  const economics: ReadinessGate = !(program.commission_rate > 0)
    ? { status: 'fail', next_action: 'Set a commission rate above 0', checked_at: checkedAt }
    : !usableLink
      ? { status: 'fail', next_action: 'Create an active referral link with a partner', checked_at: checkedAt }
      : { status: 'pass', checked_at: checkedAt };

  const anySale = latest(store.sales, id);
  const payout: ReadinessGate = {
    status: anySale ? 'pass' : 'unknown',
    mode: 's2s',
    endpoint: '/api/v1/track/sale',
    ...(anySale ? {} : { next_action: 'Report a sale from your backend with trackSale (testMode: true for a test sale)' }),
    checked_at: checkedAt,
  };

  const lastClick = latest(store.clicks, id);
  const lastLead = latest(store.leads, id);
  const tracking: ReadinessGate = {
    status: lastClick && lastLead ? 'pass' : 'unknown',
    detail: `${lastClick ? 'clicks' : 'no click'} and ${lastLead ? 'leads' : 'no lead'} recorded`,
    ...(lastClick && lastLead
      ? {}
      : { next_action: lastClick ? 'Report a signup: signup(user.id, user.email) in the browser or trackLead on the server' : 'Install the SDK and open your site through a partner link (?aff=<code>)' }),
    checked_at: checkedAt,
  };

  const chain = testChain(store, program);
  const failingStep = (['click', 'lead', 'sale'] as const).find((step) => chain[step] !== 'attributed');
  const live: ReadinessGate = failingStep
    ? { status: 'fail', next_action: CHAIN_ACTIONS[failingStep][chain[failingStep] as Exclude<TestChainStatus, 'attributed'>], test_chain: chain, checked_at: checkedAt }
    : { status: 'pass', test_chain: chain, checked_at: checkedAt };

  const gates: Record<ReadinessGateId, ReadinessGate> = { profile, economics, payout, tracking, live };
  const blocker = GATE_ORDER.find((gate) => gates[gate].status !== 'pass') ?? null;
  const customerOf = (customerId: number | null) => (customerId === null ? undefined : store.customerById(customerId));
  const lastSale = anySale;
  return {
    integration_verified: blocker === null,
    state: blocker === null ? 'verified' : lastClick || lastLead || lastSale ? 'in_progress' : 'not_started',
    blocker,
    gates,
    last_events: {
      click: lastClick ? event(lastClick.created_at, lastClick.test_mode, customerOf(lastClick.customer_id), lastClick.click_id, null) : null,
      lead: lastLead ? event(lastLead.created_at, lastLead.test_mode, customerOf(lastLead.customer_id), lastLead.click_id, lastLead.customer_key) : null,
      sale: lastSale ? event(lastSale.created_at, lastSale.test_mode, customerOf(lastSale.customer_id), null, null) : null,
    },
    recent_events: {
      clicks_24h: countSince(store.clicks, id, since),
      leads_24h: countSince(store.leads, id, since),
      sales_24h: countSince(store.sales, id, since),
      refunds_24h: countSince(store.refunds, id, since),
    },
    poll: { retry_after_seconds: blocker === null ? POLL_SECONDS.verified : POLL_SECONDS.pending },
  };
}
