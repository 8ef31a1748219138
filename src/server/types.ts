/**
 * Public types of `@affitor/sdk/server`: options, method inputs, wire answers and results.
 */

/**
 * What the client and the handler read of an answer: a `Response` has it, and so have node-fetch's,
 * undici's and cross-fetch's, and a hand-written adapter's object.
 */
export interface ResponseLike {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
  /** When there is one (a web stream, or a Node stream), the answer is read from it in chunks, up to a bound on its size. */
  readonly body?: unknown;
}

/** What the client and the handler pass to `fetch`. */
export interface FetchInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  redirect: 'manual';
}

/**
 * What the `fetch` options take: `globalThis.fetch`, undici's, node-fetch's, cross-fetch's, or any
 * wrapper or adapter that takes a `FetchInit` and resolves to a `ResponseLike`. A `FetchLike` is one.
 */
export type CustomFetch = (input: string, init: FetchInit) => Promise<ResponseLike>;

/** A `fetch`-compatible function, typed as the runtime's `fetch` is (a `CustomFetch` too). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface AffitorOptions {
  /** The program's API key (Affitor dashboard, program settings). Required; kept private. */
  apiKey: string;
  /**
   * The key's signing secret, for keys that require signed requests. Every attempt then carries
   * `X-Timestamp` (Unix seconds) and `X-Signature`, the hex HMAC-SHA256 of `${timestamp}.${body}`,
   * made afresh for each retry. Needs Web Crypto (`globalThis.crypto.subtle`). Kept private.
   * @default undefined (requests are not signed)
   */
  signingSecret?: string | undefined;
  /**
   * Base URL of the tracking API. A path prefix is kept (`https://proxy.example/affitor`).
   * `https:` only, since every call carries the API key; `http:` is accepted for `localhost`,
   * `127.x.x.x` and `[::1]` (a server on this machine).
   * @default 'https://api.affitor.com'
   */
  apiUrl?: string | undefined;
  /**
   * The `fetch` to use: a test double, an instrumented wrapper, or an undici dispatcher-bound fetch.
   * @default globalThis.fetch (looked up at call time)
   */
  fetch?: CustomFetch | undefined;
  /**
   * Time limit of one attempt, in milliseconds, from sending the request to reading the whole answer.
   * At most 2147483647 (about 24.8 days, the longest timer); `Infinity` disables it.
   * @default 5000
   */
  timeoutMs?: number | undefined;
  /**
   * How many times a call is repeated after a network error, a timeout (or a 408), a 429, a 5xx, a 409
   * saying its idempotency key is still in use, or (signed calls) a 401 saying its signature was
   * already used by another client with this key, in the same second. Sales and refunds carry an `Idempotency-Key`, so a
   * retry of one the server already applied gets the first answer back instead of applying it twice.
   * `0` disables retries.
   * @default 2
   */
  maxRetries?: number | undefined;
  /**
   * Base of the exponential backoff: retry n (from 0) waits a random time in
   * `[0, min(maxRetryDelayMs, retryDelayMs * 2 ** n)]` ("full jitter").
   * @default 300
   */
  retryDelayMs?: number | undefined;
  /**
   * Upper bound of one backoff wait, and the longest `Retry-After` (of a 429, a 503...) the client
   * is willing to honour: asked for longer, it gives up at once.
   * @default 5000
   */
  maxRetryDelayMs?: number | undefined;
}

/** Per-call options, the optional second argument of every `track*` method. */
export interface CallOptions {
  /**
   * Cancels the call (and its retries). Aborted before an attempt's answer arrives, the result has
   * `code: 'network'`, status `0`; aborted while waiting to retry, it is the last answer's result
   * (its status, code and `error`, e.g. a 503 `Failed to create commission`), the `error` followed by
   * ` (retry cancelled: the request was aborted by the caller)`.
   */
  signal?: AbortSignal | undefined;
  /**
   * The `X-Request-ID` to send (1-128 chars of `[A-Za-z0-9._:-]`), e.g. your webhook event id.
   * @default a fresh UUID per call, reused by its retries
   */
  requestId?: string | undefined;
}

/** Per-call options of `trackSale` and `trackRefund`: those of every call, and an idempotency key. */
export interface IdempotentCallOptions extends CallOptions {
  /**
   * The `Idempotency-Key` to send (1-255 visible ASCII characters), e.g. your webhook event id,
   * so that a redelivered webhook is answered, not applied again. The reference server keeps a
   * key for 7 days, past Stripe's three days of redeliveries; reusing one with another body is a
   * `conflict`. (Clicks and leads have `eventId`.)
   * @default a fresh UUID per call, reused by its retries
   */
  idempotencyKey?: string | undefined;
}

/** Why a call failed. */
export type AffitorErrorCode =
  /**
   * 401/403: missing, empty, unknown, disabled or revoked API key; a refused signature or caller
   * address. Also (status `0`, not retried, nothing sent) a request the runtime could not sign: its
   * Web Crypto rejected HMAC-SHA256 for `signingSecret`.
   */
  | 'unauthorized'
  /** 400/413/422 and other 4xx the API answered: it refused the input (see `error`). */
  | 'validation'
  /** 404: e.g. a refund for a transaction id that has no sale in this program. */
  | 'not_found'
  /**
   * 409: an `Idempotency-Key` reused with another body, or still in use after the retries ran out;
   * other 409s off the sale route (a sale's duplicate transaction id is `duplicate: true`).
   */
  | 'conflict'
  /** 429 after the retries ran out. */
  | 'rate_limited'
  /** 5xx after the retries ran out. */
  | 'server'
  /** The request never got an answer (DNS, connection reset, aborted by your signal...). */
  | 'network'
  /** No complete answer within `timeoutMs` (status `0`), or a 408 (the request did not reach the server whole in time), after the retries ran out. */
  | 'timeout'
  /**
   * A 2xx answer whose body is not a JSON object, a redirect (not followed: it would drop the API
   * key; `error` names where it points), a 4xx refusal that is not the API's JSON (a proxy's or a
   * firewall's 400, 413, 421: the API never saw the request), a status the client does not
   * understand, or (status 0) a custom `fetch` that resolved to something other than a Response.
   */
  | 'invalid_response';

interface ResultBase {
  /** HTTP status of the last attempt; `0` when no answer arrived (network, timeout, aborted during it). */
  status: number;
  /** The server's `X-Request-ID` when it echoed one, else the id the client sent. */
  requestId: string;
  /** How many HTTP attempts the call made (1 + retries). */
  attempts: number;
}

export interface AffitorSuccess<T> extends ResultBase {
  ok: true;
  /** The parsed JSON body, as the API sent it (snake_case). */
  data: T;
  error: null;
  code: null;
  /** Absent on a plain success; see {@link AffitorDuplicate}. */
  duplicate?: false;
}

/** A sale whose `transaction_id` the server had already recorded (HTTP 409): nothing new was written. */
export interface AffitorDuplicate extends ResultBase {
  ok: true;
  status: 409;
  data: null;
  error: null;
  code: null;
  duplicate: true;
}

export interface AffitorFailure extends ResultBase {
  ok: false;
  data: null;
  /**
   * The server's `error` message (byte for byte) or a description of the network outcome; when your
   * `signal` cancelled a retry, followed by ` (retry cancelled: the request was aborted by the caller)`.
   * A refund that got no answer or one cut off (it may have been applied) ends with the
   * `idempotencyKey` to send it again with.
   */
  error: string;
  code: AffitorErrorCode;
  duplicate?: undefined;
}

/** What `trackClick`, `trackLead` and `trackRefund` resolve to. They never reject for an HTTP or network outcome. */
export type AffitorResult<T> = AffitorSuccess<T> | AffitorFailure;

/** What `trackSale` resolves to: `AffitorResult<SaleData>`, or a duplicate. */
export type AffitorSaleResult = AffitorSuccess<SaleData> | AffitorDuplicate | AffitorFailure;

export type JsonObject = { [key: string]: unknown };

/** Fields every input accepts. */
export interface CommonInput {
  /** Free-form data stored with the event (`additional_data`). Not `test_mode`: set `testMode` (an input error otherwise). */
  additionalData?: JsonObject | undefined;
  /** Records a test event (`additional_data.test_mode: true`): no commission, relaxed checks. */
  testMode?: boolean | undefined;
}

export interface TrackClickInput extends CommonInput {
  /** The landing URL holding `?aff=<partner code>`. Required. */
  affiliateUrl: string;
  /** A click id you already hold for this visitor: re-attributes that customer to the new partner. */
  existingClickId?: string | undefined;
  pageUrl?: string | undefined;
  pageTitle?: string | undefined;
  referrerUrl?: string | undefined;
  sessionId?: string | undefined;
  userAgent?: string | undefined;
  screenResolution?: string | undefined;
  viewportSize?: string | undefined;
  language?: string | undefined;
  timezone?: string | undefined;
  /** Sent as `additional_data.program_id` (needed by test-mode clicks). */
  programId?: number | undefined;
  /**
   * Client event id (1-64 chars of `[A-Za-z0-9_-]`): a repeat answers like the first and records nothing.
   * @default a fresh id per call, reused by its retries
   */
  eventId?: string | undefined;
}

export interface TrackLeadInput extends CommonInput {
  /** Your own id for the customer (`customer_key`). This or `clickId` is required. */
  customerExternalId?: string | undefined;
  /** The `affitor_click_id` cookie of the visitor (`click_id`). This or `customerExternalId` is required. */
  clickId?: string | undefined;
  /** Every click id seen for this visitor (`click_ids`). */
  clickIds?: string[] | undefined;
  email?: string | undefined;
  pageUrl?: string | undefined;
  sessionId?: string | undefined;
  programId?: number | undefined;
  /** See {@link TrackClickInput.eventId}. */
  eventId?: string | undefined;
}

export interface TrackSaleInput extends CommonInput {
  /** Your unique id of the payment (`transaction_id`), e.g. a Stripe charge or invoice id, sent without surrounding spaces. Required. */
  invoiceId: string;
  /** Amount in the smallest currency unit (`amount_cents`), a positive integer: 4900 for $49.00. Required. */
  amount: number;
  /** Your id of the customer (`customer_key`). This or `clickId` is required. */
  customerExternalId?: string | undefined;
  /** The visitor's click id (`click_id`). This or `customerExternalId` is required. */
  clickId?: string | undefined;
  /** ISO 4217 code, sent upper case (Stripe's `usd` as `USD`); the server defaults to `USD`. */
  currency?: string | undefined;
  saleType?: string | undefined;
  /** Sent as given (`line_items`). */
  lineItems?: unknown[] | undefined;
  isRecurring?: boolean | undefined;
  subscriptionId?: string | undefined;
  subscriptionInterval?: string | undefined;
  productId?: string | undefined;
}

/** A test sale (`testMode: true`): invoice id, amount and customer may be left out. */
export type TrackTestSaleInput = Partial<TrackSaleInput> & { testMode: true };

export interface TrackRefundInput extends Omit<CommonInput, 'testMode'> {
  /**
   * Not for refunds: the API has no test refund. A refund acts on the sale `invoiceId` names (a test
   * sale's touches no commission, a live sale's reverses it); `true` is refused with an input error.
   */
  testMode?: false | undefined;
  /** The `invoiceId` the sale was tracked with (`transaction_id`). Required. */
  invoiceId: string;
  /**
   * Refunded amount in the sale currency's smallest unit, as the sale's `amount` (cents; the yen
   * itself for JPY), a whole number; omitted or `0` means a full refund.
   */
  refundAmountCents?: number | undefined;
  refundReason?: string | undefined;
}

/** Fields of a test-mode answer. */
export interface TestEventData {
  success: true;
  message: string;
  data: { eventId: number; programId: number; test_mode: true };
}

export type ClickData =
  | { success: true; click_id: string; partner_code: string; cookie_window_days: number }
  | TestEventData;

export type LeadData = { success: true; message: string } | TestEventData;

export type SaleData =
  | { success: true; sale_id: number; commission_id: number | null; message: string }
  | TestEventData;

export type RefundData =
  | {
      success: true;
      status: 'reversed' | 'refunded';
      /** What was taken off the commission, in the currency's main unit (`0.2` for 20 cents), as the API answers it. */
      deductionAmount: number;
      commission_id: number;
    }
  | { success: true; status: 'skipped'; reason: string; commission_id: number }
  | { success: true; status: 'no_commission'; message: string };

/** The gates of readiness, in the order they are checked; the first one not passing is the blocker. */
export type ReadinessGateId = 'profile' | 'economics' | 'payout' | 'tracking' | 'live';

/** A step of the test chain: only `'attributed'` is a pass. */
export type TestChainStatus = 'attributed' | 'unattributed' | 'wrong_partner' | 'pending';

export interface ReadinessGate {
  status: 'pass' | 'fail' | 'unknown';
  /** What to do to make the gate pass; absent once it does. */
  next_action?: string;
  /** payout gate: how sales reach Affitor. */
  mode?: 'stripe' | 's2s' | 'manual';
  /** payout gate: the route sales are reported to. */
  endpoint?: string;
  /** tracking gate: what was seen. */
  detail?: string;
  /** ISO time of the verdict. */
  checked_at?: string;
  /** live gate: each step of the latest customer's chain. */
  test_chain?: { click: TestChainStatus; lead: TestChainStatus; sale: TestChainStatus };
}

/** The latest event of a kind, or null when none was recorded. */
export interface ReadinessEvent {
  /** ISO time. */
  at: string;
  test_mode: boolean;
  click_id: string | null;
  customer_key: string | null;
}

/** What `GET /api/v1/programs/me/readiness` answers. */
export interface ReadinessData {
  /** True once every gate passes. */
  integration_verified: boolean;
  state: 'not_started' | 'in_progress' | 'verified';
  /** The first gate that does not pass, or null. */
  blocker: ReadinessGateId | null;
  gates: Record<ReadinessGateId, ReadinessGate>;
  last_events: { click: ReadinessEvent | null; lead: ReadinessEvent | null; sale: ReadinessEvent | null };
  recent_events: { clicks_24h: number; leads_24h: number; sales_24h: number; refunds_24h: number };
  /** Wait this long before asking again. */
  poll: { retry_after_seconds: number };
}
