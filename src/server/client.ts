/**
 * The Affitor server client: one method per Bearer route, each resolving to a result object.
 */
import { AffitorInputError, codeForStatus } from './errors';
import { checkRequestId, clickBody, isObject, leadBody, refundBody, resolveOptions, saleBody } from './input';
import type { ResolvedOptions } from './input';
import { createId } from './request-id';
import { backoffDelay, isRetryableStatus, retryAfterMs, sleep } from './retry';
import { attempt } from './transport';
import type { Outcome } from './transport';
import type {
  AffitorDuplicate,
  AffitorErrorCode,
  AffitorFailure,
  AffitorOptions,
  AffitorResult,
  AffitorSaleResult,
  CallOptions,
  ClickData,
  FetchLike,
  LeadData,
  RefundData,
  TrackClickInput,
  TrackLeadInput,
  TrackRefundInput,
  TrackSaleInput,
  TrackTestSaleInput,
} from './types';

type Route = 'click' | 'lead' | 'sale' | 'refund';

/** What one attempt amounts to: a final result, or a failure worth another try (not before `waitAtLeastMs`). */
type Verdict = { result: AffitorResult<unknown> | AffitorDuplicate; retry: boolean; waitAtLeastMs?: number };

/**
 * Reports leads, sales, refunds and clicks to Affitor from your backend.
 *
 * @example
 * const affitor = new Affitor({ apiKey: process.env.AFFITOR_API_KEY! });
 * const result = await affitor.trackSale({ invoiceId: charge.id, amount: 4900, customerExternalId: user.id });
 * if (!result.ok) console.error(`affitor ${result.code}: ${result.error} (request ${result.requestId})`);
 */
export class Affitor {
  // Private fields: invisible to JSON.stringify, util.inspect and property enumeration.
  readonly #apiKey: string;
  readonly #fetch: FetchLike;
  readonly #options: ResolvedOptions;

  constructor(options: AffitorOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new AffitorInputError('options', 'new Affitor() expects an options object with an apiKey');
    }
    const apiKey: unknown = options.apiKey;
    if (typeof apiKey !== 'string' || apiKey.trim() === '') {
      // Never echo the key itself, not even a malformed one: only its kind.
      const given = apiKey === undefined ? 'undefined' : typeof apiKey === 'string' ? 'a blank string' : `a ${typeof apiKey}`;
      throw new AffitorInputError('apiKey', `apiKey is required: pass your program's API key (got ${given})`);
    }
    const customFetch: unknown = options.fetch;
    if (customFetch !== undefined && typeof customFetch !== 'function') {
      throw new AffitorInputError('fetch', `fetch must be a function (got a ${typeof customFetch})`);
    }
    if (customFetch === undefined && typeof globalThis.fetch !== 'function') {
      throw new AffitorInputError('fetch', 'this runtime has no global fetch: pass the fetch option');
    }
    this.#options = resolveOptions(options as unknown as Record<string, unknown>);
    this.#apiKey = apiKey.trim();
    // Looked up per call, so a fetch patched in after construction (tests, instrumentation) is used.
    this.#fetch = (customFetch as FetchLike | undefined) ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** Records a visit through a partner link (`POST /api/v1/track/click`). */
  trackClick(input: TrackClickInput, options?: CallOptions): Promise<AffitorResult<ClickData>> {
    const body = clickBody(input, createId);
    return this.#send('click', body, options) as Promise<AffitorResult<ClickData>>;
  }

  /** Records a signup (`POST /api/v1/track/lead`, server mode). */
  trackLead(input: TrackLeadInput, options?: CallOptions): Promise<AffitorResult<LeadData>> {
    const body = leadBody(input, createId);
    return this.#send('lead', body, options) as Promise<AffitorResult<LeadData>>;
  }

  /**
   * Records a payment (`POST /api/v1/track/sale`). A sale already recorded under the same
   * `invoiceId` resolves with `ok: true, duplicate: true`: webhook redeliveries are harmless.
   */
  trackSale(
    input: TrackSaleInput | TrackTestSaleInput,
    options?: CallOptions,
  ): Promise<AffitorSaleResult> {
    const body = saleBody(input);
    return this.#send('sale', body, options) as Promise<AffitorSaleResult>;
  }

  /** Reverses (all or part of) the commission of a sale (`POST /api/v1/track/refund`). */
  trackRefund(input: TrackRefundInput, options?: CallOptions): Promise<AffitorResult<RefundData>> {
    const body = refundBody(input);
    return this.#send('refund', body, options) as Promise<AffitorResult<RefundData>>;
  }

  #send(route: Route, body: object, call: CallOptions = {}): Promise<AffitorResult<unknown> | AffitorDuplicate> {
    // Checked before the promise exists, so a bad requestId throws like any other bad input.
    const requestId = checkRequestId(call.requestId) ?? createId();
    // The server deduplicates sales, clicks and leads (transaction or event id) and full refunds
    // ("skipped"), but not partial refunds: one whose answer was lost may have been applied, and
    // a retry would deduct it twice. Those are retried only after answers that prove nothing was done.
    const refundCents = route === 'refund' ? (body as { refund_amount_cents?: unknown }).refund_amount_cents : undefined;
    const partialRefund = typeof refundCents === 'number' && refundCents > 0;
    return this.#run(route, JSON.stringify(body), requestId, call.signal, partialRefund);
  }

  async #run(
    route: Route,
    payload: string,
    requestId: string,
    signal: AbortSignal | undefined,
    retryOnlyIfUnapplied = false,
  ): Promise<AffitorResult<unknown> | AffitorDuplicate> {
    const { apiUrl, timeoutMs, maxRetries, retryDelayMs, maxRetryDelayMs } = this.#options;
    const request = {
      fetch: this.#fetch,
      url: `${apiUrl}/api/v1/track/${route}`,
      headers: {
        Authorization: `Bearer ${this.#apiKey}`,
        'Content-Type': 'application/json',
        Accept: 'application/json',
        'X-Request-ID': requestId,
      },
      body: payload,
      timeoutMs,
      signal,
    };
    // A 5xx answer seen earlier in this call; see the 409 case in #judge.
    let serverFailure: AffitorFailure | undefined;
    for (let attempts = 1; ; attempts++) {
      const outcome = await attempt(request);
      const verdict = this.#judge(route, outcome, { requestId, attempts, serverFailure });
      if (!verdict.result.ok && verdict.result.code === 'server') serverFailure = verdict.result;
      const retriesLeft = attempts <= maxRetries;
      if (!verdict.retry || !retriesLeft) return verdict.result;
      // 429 is counted before anything is done; 503 is the reference server's "unavailable".
      const unapplied = outcome.kind === 'response' && (outcome.status === 429 || outcome.status === 503);
      if (retryOnlyIfUnapplied && !unapplied) return verdict.result;
      const waitAtLeast = verdict.waitAtLeastMs ?? 0;
      if (waitAtLeast > maxRetryDelayMs) return verdict.result; // the server asks for more patience than allowed
      await sleep(Math.max(waitAtLeast, backoffDelay(attempts - 1, retryDelayMs, maxRetryDelayMs)), signal);
      if (signal?.aborted) return this.#judge(route, { kind: 'aborted' }, { requestId, attempts, serverFailure }).result;
    }
  }

  #judge(
    route: Route,
    outcome: Outcome,
    context: { requestId: string; attempts: number; serverFailure: AffitorFailure | undefined },
  ): Verdict {
    const requestId = (outcome.kind === 'response' && outcome.requestId) || context.requestId;
    const { attempts } = context;
    const failure = (code: AffitorErrorCode, error: string, status = 0): AffitorFailure => ({
      ok: false,
      status,
      data: null,
      error: this.#redact(error),
      code,
      requestId,
      attempts,
    });

    switch (outcome.kind) {
      case 'aborted':
        return { result: failure('network', 'The request was aborted by the caller'), retry: false };
      case 'timeout':
        return { result: failure('timeout', `No answer within ${this.#options.timeoutMs} ms`), retry: true };
      case 'network':
        return { result: failure('network', outcome.message), retry: true };
    }

    const { status, body } = outcome;
    if (status >= 200 && status <= 299) {
      if (!isObject(body)) {
        return { result: failure('invalid_response', `Expected a JSON object in the HTTP ${status} answer`, status), retry: false };
      }
      // The click route answers 200 with success:false when it refuses to track (inactive link).
      if (body.success === false) {
        const message = typeof body.message === 'string' ? body.message : 'The server did not track the event';
        return { result: failure('validation', message, status), retry: false };
      }
      return { result: { ok: true, status, data: body, error: null, code: null, requestId, attempts }, retry: false };
    }

    if (status === 409 && route === 'sale') {
      // 409 proves the transaction id is recorded. After a 5xx we saw, that means the earlier
      // attempt wrote the sale and then failed (e.g. "Failed to create commission"): report that
      // failure rather than hide it behind a duplicate.
      if (context.serverFailure) return { result: { ...context.serverFailure, attempts }, retry: false };
      const duplicate: AffitorDuplicate = { ok: true, status, data: null, error: null, code: null, requestId, attempts, duplicate: true };
      return { result: duplicate, retry: false };
    }

    const message = isObject(body) && typeof body.error === 'string' ? body.error : `HTTP ${status}`;
    const code = codeForStatus(status);
    const retryAfter = status === 429 ? retryAfterMs(outcome.retryAfter) : undefined;
    return { result: failure(code, message, status), retry: isRetryableStatus(status), waitAtLeastMs: retryAfter };
  }

  /** Belt and braces: an error text that somehow quotes the key (a custom fetch, a proxy) loses it. */
  #redact(text: string): string {
    return text.split(this.#apiKey).join('[redacted]');
  }
}
