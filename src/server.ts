/**
 * `@affitor/sdk/server`: report leads, sales, refunds and clicks from a merchant's backend, read
 * the integration's readiness, turn Stripe events into sales and refunds, and serve the browser
 * SDK first-party with `createAffitorHandler`. Uses fetch only (Node 18+, Bun,
 * Deno, edge runtimes); never import it into browser code, it carries your secret API key.
 */
export { Affitor } from './server/client';
export { AffitorInputError, isAffitorInputError } from './server/errors';
export { createAffitorHandler } from './server/handler/handler';
export { STRIPE_METADATA, stripeCheckoutParams, trackingFromStripeEvent } from './server/stripe';
export type { StripeCheckoutInput, StripeCheckoutParams, StripeEventLike, StripeTracking } from './server/stripe';
export type {
  AffitorConnection,
  AffitorHandler,
  AffitorHandlerOptions,
  ScriptContent,
  ScriptSource,
} from './server/handler/handler';
export type {
  AffitorDuplicate,
  AffitorErrorCode,
  AffitorFailure,
  AffitorOptions,
  AffitorResult,
  AffitorSaleResult,
  AffitorSuccess,
  CallOptions,
  ClickData,
  CommonInput,
  CustomFetch,
  FetchInit,
  FetchLike,
  IdempotentCallOptions,
  JsonObject,
  LeadData,
  ReadinessData,
  ReadinessEvent,
  ReadinessGate,
  ReadinessGateId,
  RefundData,
  ResponseLike,
  SaleData,
  TestEventData,
  TrackClickInput,
  TrackLeadInput,
  TrackRefundInput,
  TrackSaleInput,
  TrackTestSaleInput,
  TestChainStatus,
} from './server/types';
