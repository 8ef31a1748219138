/**
 * The reference server's data, in one place: the seed as written and as parsed, and the
 * records the routes write (what `GET /_inspect` answers).
 */

/** Each status as a list too (the seed checks against it), so its values are written once. */
export const CUSTOMER_STATUSES = ['click', 'lead', 'conversion'] as const;
export type CustomerStatus = (typeof CUSTOMER_STATUSES)[number];
export const LINK_STATUSES = ['active', 'inactive'] as const;
export type LinkStatus = (typeof LINK_STATUSES)[number];

export const API_KEY_STATUSES = ['active', 'disabled', 'revoked'] as const;
export type ApiKeyStatus = (typeof API_KEY_STATUSES)[number];
/** Live keys record real events; test keys work while the merchant's account awaits approval. */
export const API_KEY_MODES = ['live', 'test'] as const;
export type ApiKeyMode = (typeof API_KEY_MODES)[number];
/** The merchant's account: only an approved one may use live keys; a suspended or rejected one none. */
export const MERCHANT_STATUSES = ['approved', 'pending', 'suspended', 'rejected'] as const;
export type MerchantStatus = (typeof MERCHANT_STATUSES)[number];

/** A program's extra API key: a state, and the optional signing secret and IP allowlist it demands. */
export interface ApiKey {
  token: string;
  status: ApiKeyStatus;
  mode: ApiKeyMode;
  /** When set, every call with this key must be signed with it (X-Timestamp, X-Signature). */
  signing_secret: string | null;
  /** When set, addresses or CIDR ranges the calls with this key must come from. */
  ip_allowlist: string[] | null;
}

export interface RateLimits {
  per_minute: number;
  per_hour: number;
}

export interface Faults {
  click: boolean;
  lead: boolean;
  sale: boolean;
  refund: boolean;
  commission: boolean;
}

/** The seed as written in a file: everything but `programs[].id` and `programs[].api_token` is optional. */
export interface SeedInput {
  programs?: {
    id: number;
    api_token: string;
    /** @default 60 */
    cookie_window_days?: number;
    /** @default 60 */
    attribution_window_days?: number;
    /** @default 0.2 */
    commission_rate?: number;
    /** @default [] */
    allowed_origins?: string[];
    /** @default { per_minute: 600, per_hour: 30000 } */
    rate_limits?: Partial<RateLimits>;
    /** @default 'approved' */
    merchant_status?: MerchantStatus;
    /** More keys beside `api_token` (which stays an active live key with no secret and no allowlist). @default [] */
    api_keys?: {
      token: string;
      /** @default 'active' */
      status?: ApiKeyStatus;
      /** @default 'live' */
      mode?: ApiKeyMode;
      signing_secret?: string;
      ip_allowlist?: string[];
    }[];
  }[];
  partners?: { id: number; name?: string }[];
  referral_links?: {
    short_link: string;
    program_id?: number | null;
    partner_id?: number | null;
    /** @default 'active' */
    status?: LinkStatus;
  }[];
  customers?: {
    id?: number;
    click_id?: string;
    customer_key?: string | null;
    email?: string | null;
    program_id?: number;
    partner_id?: number | null;
    partner_program?: boolean;
    status?: CustomerStatus;
    /** ISO date; @default the server's start */
    clicked_at?: string;
  }[];
  faults?: Partial<Faults>;
  /** @default 'admin_dev_token' */
  admin_token?: string;
  /** Names the admin routes answer under besides this machine's (`localhost`, an IP address, a name of one label). @default [] */
  admin_hosts?: string[];
}

export interface Program {
  id: number;
  api_token: string;
  cookie_window_days: number;
  attribution_window_days: number;
  commission_rate: number;
  allowed_origins: string[];
  rate_limits: RateLimits;
  merchant_status: MerchantStatus;
  api_keys: ApiKey[];
}

export interface Partner {
  id: number;
  name: string;
}

export interface ReferralLink {
  short_link: string;
  program_id: number | null;
  partner_id: number | null;
  status: LinkStatus;
}

export interface SeedCustomer {
  id: number;
  click_id: string;
  customer_key: string | null;
  email: string | null;
  program_id: number;
  partner_id: number | null;
  partner_program: boolean;
  status: CustomerStatus;
  clicked_at: number;
}

export interface Seed {
  programs: Program[];
  partners: Partner[];
  referral_links: ReferralLink[];
  customers: SeedCustomer[];
  faults: Faults;
  admin_token: string;
  admin_hosts: string[];
}

/**
 * A customer as the store holds it: the seed's fields, `click_id` its latest click id. Every click
 * id it ever had is `Store.clickIdsOf(customer)`, and `/_inspect` shows them as `click_ids`.
 */
export type Customer = SeedCustomer;

/** A customer as `/_inspect` shows it: with every click id it ever had, oldest first. */
export interface CustomerWithClickIds extends Customer {
  click_ids: string[];
}

export interface ClickEvent {
  id: number;
  program_id: number;
  customer_id: number | null;
  partner_id: number | null;
  short_link: string | null;
  click_id: string | null;
  test_mode: boolean;
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
  /** the X-Request-ID of the call that recorded it */
  request_id: string;
  /** epoch ms; an ISO string in `/_inspect` */
  created_at: number;
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
  /** the X-Request-ID of the call that recorded it */
  request_id: string;
  test_mode: boolean;
  /** epoch ms; an ISO string in `/_inspect` */
  created_at: number;
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
  /** the X-Request-ID of the call that recorded it */
  request_id: string;
  test_mode: boolean;
  /** epoch ms; an ISO string in `/_inspect` */
  created_at: number;
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
  /** epoch ms; an ISO string in `/_inspect` */
  created_at: number;
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
  /** what the caller sent (the server client's `refundReason`), else null */
  refund_reason: string | null;
  additional_data: Record<string, unknown> | null;
  deduction_cents: number;
  status: RefundStatus;
  /** the X-Request-ID of the call that recorded it */
  request_id: string;
  test_mode: boolean;
  /** epoch ms; an ISO string in `/_inspect` */
  created_at: number;
}

/** A record as `GET /_inspect` answers it: its times (epoch ms in the store) as ISO strings. */
export type Inspected<T> = { [K in keyof T]: K extends 'created_at' | 'clicked_at' ? string : T[K] };

/** What `GET /_inspect` and `inspect()` answer. Dates are ISO strings. */
export interface InspectState {
  customers: Inspected<CustomerWithClickIds>[];
  clicks: Inspected<ClickEvent>[];
  leads: Inspected<LeadEvent>[];
  sales: Inspected<Sale>[];
  commissions: Inspected<Commission>[];
  refunds: Inspected<Refund>[];
}
