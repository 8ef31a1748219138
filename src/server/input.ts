/**
 * Input checks and the camelCase -> wire mapping. Every function here is pure: it throws an
 * AffitorInputError for input the API would refuse, or returns the JSON body to send.
 */
import { isLoopback } from '../core/values';
import { closest } from './closest-name';
import { AffitorInputError, describe, kindOf } from './errors';
import { MAX_TIMER_MS } from './retry';
import type {
  AffitorOptions,
  CallOptions,
  CommonInput,
  IdempotentCallOptions,
  JsonObject,
  TrackClickInput,
  TrackLeadInput,
  TrackRefundInput,
  TrackSaleInput,
  TrackTestSaleInput,
} from './types';

const EVENT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function fail(field: string, expected: string, value: unknown): never {
  throw new AffitorInputError(field, `${field} must be ${expected} (got ${describe(value)})`);
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requiredString(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') fail(field, 'a non-empty string', value);
  return value;
}

function optionalString(field: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return requiredString(field, value);
}

function optionalBoolean(field: string, value: unknown): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') fail(field, 'a boolean', value);
  return value;
}

function optionalNumber(field: string, value: unknown): number | undefined {
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) fail(field, 'a finite number', value);
  return value;
}

function positiveCents(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    fail(field, 'a positive integer number of cents (4900 for 49.00)', value);
  }
  return value;
}

function eventId(value: unknown, fresh: () => string): string {
  if (value === undefined) return fresh();
  if (typeof value !== 'string' || !EVENT_ID.test(value)) fail('eventId', '1-64 characters of [A-Za-z0-9_-]', value);
  return value;
}

/**
 * Each input's and options object's names, each with the API's name for it where it has one (the
 * wire field, the header), which a wrong name is matched against too: `transaction_id` for
 * invoiceId. `satisfies` keeps every list to its type's keys, no more and no fewer.
 */
type Names<T> = { readonly [K in keyof Required<T>]: string };

const COMMON_FIELDS = { additionalData: 'additional_data', testMode: 'test_mode' } as const;
const CLICK_FIELDS = {
  affiliateUrl: 'affiliate_url',
  existingClickId: 'existing_click_id',
  pageUrl: 'page_url',
  pageTitle: 'page_title',
  referrerUrl: 'referrer_url',
  sessionId: 'session_id',
  userAgent: 'user_agent',
  screenResolution: 'screen_resolution',
  viewportSize: 'viewport_size',
  language: 'language',
  timezone: 'timezone',
  programId: 'program_id',
  eventId: 'event_id',
  ...COMMON_FIELDS,
} satisfies Names<TrackClickInput>;
const LEAD_FIELDS = {
  customerExternalId: 'customer_key',
  clickId: 'click_id',
  clickIds: 'click_ids',
  email: 'email',
  pageUrl: 'page_url',
  sessionId: 'session_id',
  programId: 'program_id',
  eventId: 'event_id',
  ...COMMON_FIELDS,
} satisfies Names<TrackLeadInput>;
const SALE_FIELDS = {
  invoiceId: 'transaction_id',
  amount: 'amount_cents',
  customerExternalId: 'customer_key',
  clickId: 'click_id',
  currency: 'currency',
  saleType: 'sale_type',
  lineItems: 'line_items',
  isRecurring: 'is_recurring',
  subscriptionId: 'subscription_id',
  subscriptionInterval: 'subscription_interval',
  productId: 'product_id',
  ...COMMON_FIELDS,
} satisfies Names<TrackSaleInput> & Names<TrackTestSaleInput>;
const REFUND_FIELDS = {
  invoiceId: 'transaction_id',
  refundAmountCents: 'refund_amount_cents',
  refundReason: 'refund_reason',
  ...COMMON_FIELDS,
} satisfies Names<TrackRefundInput>;
const CALL_OPTIONS = { signal: 'signal', requestId: 'X-Request-ID' } satisfies Names<CallOptions>;
const IDEMPOTENT_CALL_OPTIONS = { ...CALL_OPTIONS, idempotencyKey: 'Idempotency-Key' } satisfies Names<IdempotentCallOptions>;
const CLIENT_OPTIONS = {
  apiKey: 'apiKey',
  signingSecret: 'signingSecret',
  apiUrl: 'apiUrl',
  fetch: 'fetch',
  timeoutMs: 'timeoutMs',
  maxRetries: 'maxRetries',
  retryDelayMs: 'retryDelayMs',
  maxRetryDelayMs: 'maxRetryDelayMs',
} satisfies Names<AffitorOptions>;

/**
 * Throws for a key that `names` does not hold and whose value is not undefined: read nowhere, it was
 * left out without a word (a partial refund's `amount_refunded` sent as a full refund, a sale's
 * `currencyCode: 'JPY'` recorded in USD, an `idempotency_key` option ignored and a redelivered
 * refund applied twice). TypeScript refuses such a key in an object literal only, not in a
 * variable. One rule for every input and options object; the value is never quoted (an option
 * may hold the API key). A key set to undefined drops nothing and passes.
 */
function onlyKnown(what: string, kind: 'field' | 'option', given: object, names: Record<string, string>, more = ''): void {
  for (const key of Object.keys(given)) {
    if (Object.prototype.hasOwnProperty.call(names, key) || (given as Record<string, unknown>)[key] === undefined) continue;
    const guess = closest(key, names);
    const list = Object.keys(names).join(', ');
    throw new AffitorInputError(
      key,
      `${what} has no ${kind} ${key}${guess ? ` (did you mean ${guess}?)` : ''}: it would be ignored. ${kind === 'field' ? 'Fields' : 'Options'}: ${list}${more}`,
    );
  }
}

/** Throws for an options object key the client does not read, so a misspelt option is not ignored (see onlyKnown). */
export function checkOptionNames(what: string, options: object, idempotent: boolean): void {
  onlyKnown(what, 'option', options, idempotent ? IDEMPOTENT_CALL_OPTIONS : CALL_OPTIONS);
}

/** Throws for a `new Affitor()` option the client does not read (`apiURL`, `timeout`), which would leave the default in its place. */
export function checkClientOptionNames(options: object): void {
  onlyKnown('new Affitor()', 'option', options, CLIENT_OPTIONS);
}

function ensureInput<T extends object>(method: string, input: T, names: Record<string, string>): T {
  if (!isObject(input)) {
    throw new AffitorInputError('input', `${method} expects an object of fields (got ${describe(input)})`);
  }
  onlyKnown(method, 'field', input, names, '; anything else goes in additionalData');
  return input;
}

/**
 * Throws for what JSON.stringify would throw on later, with a plain TypeError naming no field: a
 * BigInt (a Prisma or bigint column id) or a circular reference, anywhere in a free-form value;
 * and for what it would lose without a word (a Map, NaN, a function: see below).
 * `field` is the input field, `path` where inside it (`additionalData.order.id`).
 */
function checkJson(field: string, path: string, given: unknown, parents: object[] = [], key = ''): void {
  const bad = (got: string) => {
    throw new AffitorInputError(field, `${path} must be a JSON value (got ${got})`);
  };
  // A value with toJSON (a Date, a Decimal) is sent as what that returns, so that is what is
  // checked: skipped, one returning a BigInt made JSON.stringify throw a TypeError naming nothing.
  // As in JSON.stringify, a BigInt's toJSON counts too (a `BigInt.prototype.toJSON` polyfill).
  // A function is an object to JSON.stringify too, whose toJSON it calls.
  const holder = (typeof given === 'object' && given !== null) || typeof given === 'bigint' || typeof given === 'function';
  // An invalid Date's toJSON answers null: a date computed from a bad input, sent as nothing.
  if (given instanceof Date && Number.isNaN(given.getTime())) bad('an invalid Date, which JSON sends as null');
  const toJSON: unknown = holder ? (given as { toJSON?: unknown }).toJSON : undefined;
  const value: unknown = typeof toJSON === 'function' ? (toJSON as (key: string) => unknown).call(given, key) : given;
  if (typeof value === 'bigint') bad('a bigint: send String(value) or Number(value)');
  // JSON.stringify writes NaN and ±Infinity as null (a total computed from a missing price), and
  // leaves out a function or a symbol (null in an array): the value lost without a word.
  if (typeof value === 'number' && !Number.isFinite(value)) bad(`${value}, which JSON sends as null`);
  if (typeof value === 'function' || typeof value === 'symbol') bad(`a ${typeof value}, which JSON leaves out`);
  if (typeof value !== 'object' || value === null) return;
  // JSON.stringify writes a Map or a Set as `{}`: its entries would be lost without a word.
  if (value instanceof Map) bad('a Map: send Object.fromEntries(value)');
  if (value instanceof Set) bad('a Set: send [...value]');
  if (parents.includes(value)) bad('a circular reference');
  parents.push(value);
  if (Array.isArray(value)) value.forEach((item, index) => checkJson(field, `${path}[${index}]`, item, parents, String(index)));
  else for (const [name, item] of Object.entries(value)) checkJson(field, `${path}.${name}`, item, parents, name);
  parents.pop();
}

/** `additional_data`, with `test_mode` (and the click's `program_id`) folded in. */
function additionalData(input: CommonInput, extra?: JsonObject): JsonObject | undefined {
  const raw: unknown = input.additionalData;
  checkJson('additionalData', 'additionalData', raw);
  // What JSON would send (a value with toJSON, as a Date or an ORM record has, is sent as what that
  // returns): spread as it is, a Date or a record's internals went as `{}` or as the wrong fields.
  const toJSON: unknown = isObject(raw) ? raw.toJSON : undefined;
  const given: unknown = typeof toJSON === 'function' ? (toJSON as (key: string) => unknown).call(raw, 'additional_data') : raw;
  if (given !== undefined && !isObject(given)) fail('additionalData', 'a plain object', raw);
  // The flag testMode sets. Given here, it won over `testMode: false` (a live sale recorded as a test,
  // with no commission, and `ok: true`), and slipped past trackRefund's refusal of test mode.
  if (given !== undefined && Object.keys(given).includes('test_mode') && given.test_mode !== undefined) {
    throw new AffitorInputError('additionalData', `additionalData.test_mode is for the testMode option to set: pass testMode instead (got ${describe(given.test_mode)})`);
  }
  const testMode = optionalBoolean('testMode', input.testMode);
  const merged: JsonObject = { ...given, ...extra };
  if (testMode) merged.test_mode = true;
  return Object.keys(merged).length > 0 ? merged : undefined;
}

/** A customer must be named by `customerExternalId` or `clickId`, unless the call is a test event. */
function customerIds(method: string, input: TrackLeadInput | Partial<TrackSaleInput>, required: boolean) {
  const customerKey = optionalString('customerExternalId', input.customerExternalId);
  const clickId = optionalString('clickId', input.clickId);
  if (required && customerKey === undefined && clickId === undefined) {
    throw new AffitorInputError(
      'customerExternalId',
      `${method} needs customerExternalId or clickId to find the customer ` +
        `(got customerExternalId: ${describe(input.customerExternalId)}, clickId: ${describe(input.clickId)})`,
    );
  }
  // Trimmed as the browser SDK trims a lead's: `'user_42 '` from a form or a template must find the lead `signup('user_42')` recorded.
  return { customer_key: customerKey?.trim(), click_id: clickId?.trim() };
}

/** Drops the keys whose value is undefined, so the body only holds what the caller gave. */
function compact(body: Record<string, unknown>): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(body)) if (value !== undefined) out[key] = value;
  return out;
}

export function clickBody(raw: TrackClickInput, freshEventId: () => string): JsonObject {
  const input = ensureInput('trackClick', raw, CLICK_FIELDS);
  const programId = optionalNumber('programId', input.programId);
  return compact({
    affiliate_url: requiredString('affiliateUrl', input.affiliateUrl),
    existing_click_id: optionalString('existingClickId', input.existingClickId),
    page_url: optionalString('pageUrl', input.pageUrl),
    page_title: optionalString('pageTitle', input.pageTitle),
    referrer_url: optionalString('referrerUrl', input.referrerUrl),
    session_id: optionalString('sessionId', input.sessionId),
    user_agent: optionalString('userAgent', input.userAgent),
    screen_resolution: optionalString('screenResolution', input.screenResolution),
    viewport_size: optionalString('viewportSize', input.viewportSize),
    language: optionalString('language', input.language),
    timezone: optionalString('timezone', input.timezone),
    event_id: eventId(input.eventId, freshEventId),
    additional_data: additionalData(input, programId === undefined ? undefined : { program_id: programId }),
  });
}

export function leadBody(raw: TrackLeadInput, freshEventId: () => string): JsonObject {
  const input = ensureInput('trackLead', raw, LEAD_FIELDS);
  const clickIds: unknown = input.clickIds;
  if (clickIds !== undefined && (!Array.isArray(clickIds) || !clickIds.every((id) => typeof id === 'string'))) {
    fail('clickIds', 'an array of strings', clickIds);
  }
  return compact({
    ...customerIds('trackLead', input, true),
    email: optionalString('email', input.email),
    click_ids: clickIds,
    page_url: optionalString('pageUrl', input.pageUrl),
    session_id: optionalString('sessionId', input.sessionId),
    program_id: optionalNumber('programId', input.programId),
    event_id: eventId(input.eventId, freshEventId),
    additional_data: additionalData(input),
  });
}

export function saleBody(raw: TrackSaleInput | TrackTestSaleInput): JsonObject {
  const input = ensureInput('trackSale', raw, SALE_FIELDS);
  // In test mode the server fills in the transaction id and needs neither amount nor customer.
  const test = input.testMode === true;
  const lineItems: unknown = input.lineItems;
  if (lineItems !== undefined && !Array.isArray(lineItems)) fail('lineItems', 'an array', lineItems);
  checkJson('lineItems', 'lineItems', lineItems);
  return compact({
    // Trimmed as the customer ids are: `'in_5 '` from a template was a second sale beside `'in_5'`,
    // and its refund found no sale.
    transaction_id: (test ? optionalString('invoiceId', input.invoiceId) : requiredString('invoiceId', input.invoiceId))?.trim(),
    amount_cents: test && input.amount === undefined ? undefined : positiveCents('amount', input.amount),
    ...customerIds('trackSale', input, !test),
    // ISO 4217 codes are upper case; Stripe writes them lower case ('usd'). One spelling per currency.
    currency: optionalString('currency', input.currency)?.trim().toUpperCase(),
    sale_type: optionalString('saleType', input.saleType),
    line_items: lineItems,
    is_recurring: optionalBoolean('isRecurring', input.isRecurring),
    subscription_id: optionalString('subscriptionId', input.subscriptionId),
    subscription_interval: optionalString('subscriptionInterval', input.subscriptionInterval),
    product_id: optionalString('productId', input.productId),
    additional_data: additionalData(input),
  });
}

export function refundBody(raw: TrackRefundInput): JsonObject {
  // A partial refund's amount under another name (trackSale's `amount`, the API's own field name,
  // Stripe's `amount_refunded`) was left out unread, and the call sent as a full refund: the
  // partner's whole commission reversed. Said before the rule for any unknown field, as what it costs.
  if (isObject(raw)) {
    for (const name of Object.keys(raw)) {
      const given: unknown = raw[name];
      if (/amount/i.test(name) && name !== 'refundAmountCents' && given !== undefined) {
        throw new AffitorInputError(name, `trackRefund takes a partial refund's cents as refundAmountCents, not ${name} (got ${describe(given)}); leave both out for a full refund`);
      }
    }
  }
  const input = ensureInput('trackRefund', raw, REFUND_FIELDS);
  // The API has no test refund: it acts on the sale `invoiceId` names, and one of a live sale reverses
  // the partner's commission whatever test_mode says. Sent as asked, a merchant trying the refund path
  // in test mode took real money back from a partner. A test sale's refund needs no flag (it has no commission).
  if (optionalBoolean('testMode', input.testMode)) {
    throw new AffitorInputError('testMode', "trackRefund has no test mode: a refund acts on the sale invoiceId names, and reverses a live sale's commission. Leave testMode out (a test sale's refund touches no commission)");
  }
  const cents: unknown = input.refundAmountCents;
  if (cents !== undefined && (typeof cents !== 'number' || !Number.isSafeInteger(cents) || cents < 0)) {
    fail('refundAmountCents', 'a non-negative integer number of cents (0 or omitted for a full refund)', cents);
  }
  return compact({
    transaction_id: requiredString('invoiceId', input.invoiceId).trim(),
    refund_amount_cents: cents,
    refund_reason: optionalString('refundReason', input.refundReason),
    additional_data: additionalData(input),
  });
}

/** A caller-chosen request id must be one the server echoes back (else it would replace it). */
export function checkRequestId(value: unknown): string | undefined {
  if (value !== undefined && (typeof value !== 'string' || !REQUEST_ID.test(value))) {
    fail('requestId', '1-128 characters of [A-Za-z0-9._:-]', value);
  }
  return value;
}

/**
 * The caller's `signal`, checked. Else a value that is no AbortSignal (most often the
 * AbortController itself) made the call reject with a TypeError from inside, the one way a call
 * rejected. Duck-typed: a signal from another realm or a polyfill is fine.
 */
export function checkSignal(value: unknown): AbortSignal | undefined {
  if (value === undefined || value === null) return undefined;
  const signal = value as Partial<AbortSignal>;
  if (typeof signal.aborted === 'boolean' && typeof signal.addEventListener === 'function' && typeof signal.removeEventListener === 'function') {
    return value as AbortSignal;
  }
  const isController = typeof value === 'object' && 'signal' in value && typeof (value as { abort?: unknown }).abort === 'function';
  throw new AffitorInputError('signal', `signal must be an AbortSignal (got ${isController ? 'an AbortController: pass its .signal' : describe(value)})`);
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** The caller's `Idempotency-Key`, checked; only sales and refunds take one. */
export function checkIdempotencyKey(value: unknown, route: string): string | undefined {
  if (value === undefined) return undefined;
  if (route !== 'sale' && route !== 'refund') {
    throw new AffitorInputError('idempotencyKey', 'idempotencyKey applies to trackSale and trackRefund; clicks and leads take an eventId');
  }
  if (typeof value !== 'string' || !IDEMPOTENCY_KEY.test(value)) fail('idempotencyKey', '1-255 visible ASCII characters', value);
  return value;
}

/**
 * The signing secret, checked without ever quoting it, and trimmed as the apiKey is: read from an
 * env file or a mounted secret it may end in a line break, which would make every signature wrong.
 */
export function checkSigningSecret(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    const given = typeof value === 'string' && value !== '' ? 'a blank string' : kindOf(value);
    throw new AffitorInputError('signingSecret', `signingSecret must be a non-empty string (got ${given})`);
  }
  return value.trim();
}

export interface ResolvedOptions {
  apiUrl: string;
  timeoutMs: number;
  maxRetries: number;
  retryDelayMs: number;
  maxRetryDelayMs: number;
}

function nonNegative(field: string, value: unknown, fallback: number, integer: boolean): number {
  if (value === undefined) return fallback;
  const valid = typeof value === 'number' && value >= 0 && (integer ? Number.isSafeInteger(value) : !Number.isNaN(value));
  if (!valid) fail(field, integer ? 'a non-negative integer' : 'a non-negative number', value);
  return value;
}

/**
 * A URL as an error may quote it: the `user:password@` of a proxy or gateway taken out, since the
 * message lands in logs (`URL` cannot do it: the URL refused may not parse). Everything up to the
 * last `@` goes: a password pasted unencoded may hold `/`, `?`, `#` or `@`, and the scheme may be
 * missing. A query holding an `@` loses more than it needs to; a password is never shown.
 */
export function withoutCredentials(url: string): string {
  return url.replace(/^([^@/?#]*\/\/)?[\s\S]*@/, '$1[credentials]@');
}

/**
 * `value` as an error may quote it: without credentials, and not a long token with no `.` (no host
 * name is one), which may be a secret (the API key in apiUrl's place, environment variables swapped):
 * its length only. `localhost`, or a template's `undefined`, is the clue and is quoted.
 */
function showUrl(value: unknown): string {
  if (typeof value === 'string' && /^[\w-]{20,}$/.test(value)) return `a ${value.length}-character token, not a URL: the API key in its place?`;
  return describe(typeof value === 'string' ? withoutCredentials(value) : value);
}

/** Checks the constructor options (all but apiKey and fetch) and applies the defaults. */
export function resolveOptions(options: Record<string, unknown>): ResolvedOptions {
  const given = options.apiUrl ?? 'https://api.affitor.com';
  if (given instanceof URL) throw new AffitorInputError('apiUrl', 'apiUrl must be a string (got a URL object: pass its href)');
  // Trimmed as the apiKey is: read from an env file or a mounted secret, it may end in a line
  // break. `new URL` would accept it, but `${apiUrl}/api/v1/...` would not parse on any call.
  const apiUrl = typeof given === 'string' ? given.trim() : given;
  let parsed: URL | undefined;
  try {
    parsed = typeof apiUrl === 'string' ? new URL(apiUrl) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
    throw new AffitorInputError('apiUrl', `apiUrl must be an absolute http(s) URL (got ${showUrl(apiUrl)})`);
  }
  // fetch refuses a URL with credentials on every call, quoting it whole in its error: they would
  // reach every result (and the merchant's logs). Refused here, and never quoted.
  if (parsed.username || parsed.password) {
    throw new AffitorInputError('apiUrl', 'apiUrl must not carry credentials (user:password@): fetch refuses such a URL');
  }
  // Else `${apiUrl}/api/v1/...` puts the route inside the query or the fragment: every call goes
  // to the wrong path. (Checked on the string: `new URL` drops an empty `?` or `#`.)
  if (/[?#]/.test(apiUrl as string)) {
    throw new AffitorInputError('apiUrl', `apiUrl must not carry a query (?) or a fragment (#): the client adds each route's path to it (got ${showUrl(apiUrl)})`);
  }
  // Every call carries the secret API key (and a sale's amounts): over http anyone on the path
  // reads it. Plain http stays for a server on this machine (the reference server, tests).
  if (parsed.protocol === 'http:' && !isLoopback(parsed.hostname)) {
    throw new AffitorInputError(
      'apiUrl',
      `apiUrl must use https: over http the API key and every sale would travel in clear text (got ${showUrl(apiUrl)}); http is kept for localhost (and *.localhost), 127.x.x.x and [::1]`,
    );
  }
  const timeoutMs = nonNegative('timeoutMs', options.timeoutMs, 5000, false);
  // setTimeout runs a longer delay after 1 ms: every attempt would time out at once.
  if (timeoutMs === 0 || (timeoutMs > MAX_TIMER_MS && timeoutMs !== Infinity)) {
    fail('timeoutMs', `a positive number of milliseconds up to ${MAX_TIMER_MS}, or Infinity for none`, timeoutMs);
  }
  return {
    apiUrl: (apiUrl as string).replace(/\/+$/, ''),
    timeoutMs,
    maxRetries: nonNegative('maxRetries', options.maxRetries, 2, true),
    retryDelayMs: nonNegative('retryDelayMs', options.retryDelayMs, 300, false),
    maxRetryDelayMs: nonNegative('maxRetryDelayMs', options.maxRetryDelayMs, 5000, false),
  };
}
