/**
 * Every message the tracking API answers, in one place. The texts quoted by the
 * error table of the API contract are used byte for byte; SDKs and merchants match on them.
 */
export const MESSAGES = {
  notFound: 'Not found',
  methodNotAllowed: 'Method not allowed',
  bodyTooLarge: 'Request body too large',
  invalidJson: 'Invalid JSON body',
  bodyIncomplete: 'Request body incomplete',
  badRequest: 'Bad request',
  headersTooLarge: 'Request header fields too large',
  requestTimeout: 'Request timeout',
  expectationFailed: 'Expectation failed: only Expect: 100-continue is supported',
  internalError: 'Internal server error',
  unavailable: 'Service unavailable',

  authHeaderMissing: 'Missing or invalid Authorization header',
  authTokenEmpty: 'Missing API token',
  authTokenUnknown: 'Invalid API token',
  adminUnauthorized: 'Unauthorized',
  keyDisabled: 'API key is disabled',
  keyRevoked: 'API key has been revoked',
  merchantInactive: 'Merchant account is suspended or rejected: contact support',
  merchantNotApproved: 'Merchant account is not approved yet: live keys need an approved account, use a test key while pending',
  signatureRequired: 'This API key requires signed requests: send X-Timestamp and X-Signature headers',
  timestampInvalid: 'X-Timestamp must be a Unix time in whole seconds',
  signatureInvalid: 'Invalid signature: X-Signature must be the hex HMAC-SHA256 of "<X-Timestamp>.<raw body>" under the key\'s signing secret',
  timestampExpired: 'X-Timestamp is outside ±300 seconds of server time: sync your clock and sign each request afresh',
  signatureReplayed: 'Replay detected: this signature was already used. Sign every request with a fresh X-Timestamp',

  idempotencyKeyInvalid: 'Idempotency-Key must be 1 to 255 visible ASCII characters',
  idempotencyMismatch: 'Idempotency-Key was already used with a different request body',
  idempotencyInProgress: 'Idempotency-Key is in use by a request still being processed; retry later',

  clickAffiliateUrlRequired: 'affiliate_url is required',
  clickAffiliateUrlInvalid: 'Invalid affiliate_url',
  clickNoAffParameter: 'No aff parameter found in affiliate_url',
  clickLinkNotFound: 'Referral link not found',
  clickLinkMisconfigured: 'Invalid referral link configuration',
  clickLinkInactive: 'Referral link is inactive',
  clickFailed: 'Click tracking failed',

  leadIdentifierRequired: 'click_id or customer_key is required',
  leadCustomerNotFound: 'Customer not found. Provide a valid click_id or customer_key.',
  leadWrongProgram: 'Customer does not belong to this program',
  leadFailed: 'Lead tracking failed',

  saleTransactionIdRequired: 'transaction_id is required and must be a string',
  saleAmountInvalid: 'amount_cents is required and must be a positive integer',
  saleDuplicate: 'Duplicate transaction_id. This sale has already been recorded.',
  saleCustomerNotFound: 'Customer not found. Provide customer_key or click_id.',
  saleNoAttribution: 'No affiliate attribution found for this customer in this program',
  saleNoPartnerProgram: 'No partner-program relationship found for this customer',
  salePartnerRequired: 'partnerId required to create commission',
  saleCommissionFailed: 'Failed to create commission',
  saleFailed: 'Sale tracking failed',

  refundTransactionIdRequired: 'transaction_id is required',
  refundAmountInvalid: 'refund_amount_cents must be a positive integer',
  refundSaleNotFound: 'Sale not found for transaction_id',
  refundFailed: 'Refund tracking failed',
} as const;

/** `Customer status cannot be updated to lead. Current status: <status>` */
export function leadStatusMessage(status: string): string {
  return `Customer status cannot be updated to lead. Current status: ${status}`;
}

/** `Rate limit exceeded (600/min)` or `Rate limit exceeded (30000/hour)` */
export function rateLimitMessage(limit: number, unit: 'min' | 'hour'): string {
  return `Rate limit exceeded (${limit}/${unit})`;
}

/** Why an admin route refused a request made under another name than this machine's (auth/admin-hosts.ts). */
export function adminHostMessage(hostname: string): string {
  return `Forbidden: /_inspect and /_dashboard answer under this machine's names (localhost, an IP address, a name of one label) and the seed's admin_hosts, not ${hostname}`;
}

/**
 * The machine code an authentication refusal is logged with, as the first seed's error
 * reference has it ("Where: log"): the answer carries the message only (the contract's error
 * shape), and the request log adds the code, so a merchant can tell a revoked key from a
 * replayed signature at a glance. Null for any other message.
 */
export function authLogCode(message: string | null): string | null {
  if (message === null) return null;
  return AUTH_LOG_CODES.get(message) ?? (message.startsWith(IP_NOT_ALLOWED_PREFIX) ? 'IP_NOT_ALLOWED' : null);
}

/** Each fixed refusal message and its log code (the allowlist's message names the address: by its prefix, above). */
const AUTH_LOG_CODES = new Map<string, string>([
  [MESSAGES.authHeaderMissing, 'INVALID_API_KEY'],
  [MESSAGES.authTokenEmpty, 'INVALID_API_KEY'],
  [MESSAGES.authTokenUnknown, 'INVALID_API_KEY'],
  [MESSAGES.keyDisabled, 'API_KEY_DISABLED'],
  [MESSAGES.keyRevoked, 'API_KEY_REVOKED'],
  [MESSAGES.merchantInactive, 'MERCHANT_INACTIVE'],
  [MESSAGES.merchantNotApproved, 'MERCHANT_NOT_APPROVED'],
  // Unsigned, or signed with a timestamp that is no Unix time: no signature the server can accept.
  [MESSAGES.signatureRequired, 'SIG_BAD_SIGNATURE'],
  [MESSAGES.timestampInvalid, 'SIG_BAD_SIGNATURE'],
  [MESSAGES.signatureInvalid, 'SIG_BAD_SIGNATURE'],
  [MESSAGES.timestampExpired, 'SIG_STALE_TIMESTAMP'],
  [MESSAGES.signatureReplayed, 'SIG_REPLAY'],
]);

/** An answer a route decided on: a status and a JSON body. */
export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

export function ok(body: Record<string, unknown>): Answer {
  return { status: 200, body };
}

export function fail(status: number, message: string): Answer {
  return { status, body: { error: message } };
}

/** Thrown by a switched-on fault; the route's catch turns it into its 500 message. */
export class InjectedFault extends Error {
  constructor(what: string) {
    super(`injected fault: ${what}`);
    this.name = 'InjectedFault';
  }
}

/** `IP address 203.0.113.9 is not in this API key's allowlist` */
const IP_NOT_ALLOWED_PREFIX = 'IP address ';

export function ipNotAllowedMessage(address: string | null): string {
  return `${IP_NOT_ALLOWED_PREFIX}${address ?? '(unknown)'} is not in this API key's allowlist`;
}
