/**
 * The Affitor server client: one method per Bearer route, each resolving to a result object.
 */
import { MAX_ANSWER_BYTES } from './answer-text';
import { AffitorInputError, codeForStatus, kindOf } from './errors';
import {
  checkClientOptionNames,
  checkIdempotencyKey,
  checkOptionNames,
  checkRequestId,
  checkSignal,
  checkSigningSecret,
  clickBody,
  isObject,
  leadBody,
  refundBody,
  resolveOptions,
  saleBody,
} from './input';
import type { ResolvedOptions } from './input';
import { createId } from './request-id';
import { isRetryable } from '../core/answers';
import { backoffDelay, retryAfterMs, sleep } from './retry';
import { RequestSigner, webCrypto } from './signing';
import { attempt } from './transport';
import type { AttemptRequest, Outcome } from './transport';
import type {
  AffitorDuplicate,
  AffitorErrorCode,
  AffitorFailure,
  AffitorOptions,
  AffitorResult,
  AffitorSaleResult,
  CallOptions,
  ClickData,
  CustomFetch,
  IdempotentCallOptions,
  LeadData,
  ReadinessData,
  RefundData,
  TrackClickInput,
  TrackLeadInput,
  TrackRefundInput,
  TrackSaleInput,
  TrackTestSaleInput,
} from './types';

type Route = 'click' | 'lead' | 'sale' | 'refund' | 'readiness';

/** The method of each route, as errors name it. */
const METHODS: Record<Route, string> = { click: 'trackClick', lead: 'trackLead', sale: 'trackSale', refund: 'trackRefund', readiness: 'readiness' };

/** Each route's path under the API URL; readiness is the one GET. */
const PATHS: Record<Route, string> = {
  click: '/api/v1/track/click',
  lead: '/api/v1/track/lead',
  sale: '/api/v1/track/sale',
  refund: '/api/v1/track/refund',
  readiness: '/api/v1/programs/me/readiness',
};

const methodOf = (route: Route) => (route === 'readiness' ? 'GET' : 'POST');

/** The routes whose calls carry an `Idempotency-Key`. */
const IDEMPOTENT_ROUTES: ReadonlySet<Route> = new Set(['sale', 'refund']);

/**
 * The tracking API's 409s about an idempotency key start so. Of those, only "still being processed"
 * is worth a retry; a key reused with another body stays refused.
 */
const IDEMPOTENCY_CONFLICT = 'Idempotency-Key ';
const KEY_STILL_IN_USE = 'Idempotency-Key is in use by a request still being processed; retry later';

/**
 * The 401 a signed call gets when its signature was already used. A call signs with the current
 * second, so another client with this key (another worker, another lambda) that sent the same
 * body in the same second (two equal partial refunds, two readiness polls) made it first. Nothing
 * was applied: a new attempt, signed in a later second, is the call the server asks for.
 */
const REPLAYED = /^Replay detected/i;

/** The shortest key or secret redacted from error texts (#redact): a shorter one is no secret worth its false matches. */
const REDACTED_MIN_LENGTH = 8;

/**
 * What an attempt of a signed client may end in besides a transport outcome: a request that could
 * not be signed, or the caller's abort while the signer waited for the clock (nothing sent).
 */
type Unsigned = { kind: 'unsigned'; message: string };
type SignedOutcome = Outcome | Unsigned | { kind: 'cancelled' };

/** What one attempt amounts to: a final result, or a failure worth another try (not before `waitAtLeastMs`). */
/** `apiFailure`: the result, when it is a 5xx in the API's own JSON (not a proxy's or gateway's page), for the 409 case in #judge. */
type Verdict = { result: AffitorResult<unknown> | AffitorDuplicate; retry: boolean; waitAtLeastMs?: number; apiFailure?: AffitorFailure };

/**
 * The result of a call whose retry the caller's signal cancelled (during the backoff, or while a
 * signed retry waited for the clock: signing.ts): the last answer's status, code and message, since
 * `status` is the last attempt's and that answer may matter (a 503 "Failed to create commission"
 * says the sale was written), with the abort noted after the message. Before, it was status 0,
 * code `network`, as if no answer had come.
 */
function cancelled(last: AffitorResult<unknown> | AffitorDuplicate): AffitorResult<unknown> | AffitorDuplicate {
  return last.ok ? last : { ...last, error: `${last.error} (retry cancelled: the request was aborted by the caller)` };
}

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
  readonly #signingSecret: string | undefined;
  readonly #signer: RequestSigner | undefined;
  readonly #fetch: CustomFetch;
  readonly #options: ResolvedOptions;

  constructor(options: AffitorOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new AffitorInputError('options', 'new Affitor() expects an options object with an apiKey');
    }
    checkClientOptionNames(options);
    const apiKey: unknown = options.apiKey;
    if (typeof apiKey !== 'string' || apiKey.trim() === '') {
      // Never echo the key itself, not even a malformed one: only its kind.
      const given = typeof apiKey === 'string' ? 'a blank string' : kindOf(apiKey);
      throw new AffitorInputError('apiKey', `apiKey is required: pass your program's API key (got ${given})`);
    }
    // Else fetch refuses the Authorization header on every call, which would read as a network
    // failure and be retried; the position, never the key, says where to look.
    const unsendable = apiKey.trim().search(/[^\x21-\x7e]/);
    if (unsendable !== -1) {
      throw new AffitorInputError(
        'apiKey',
        `apiKey must be printable ASCII with no spaces, as your program settings show it: character ${unsendable + 1} is not (a stray character copied with it?)`,
      );
    }
    const customFetch: unknown = options.fetch;
    if (customFetch !== undefined && typeof customFetch !== 'function') {
      throw new AffitorInputError('fetch', `fetch must be a function (got ${kindOf(customFetch)})`);
    }
    if (customFetch === undefined && typeof globalThis.fetch !== 'function') {
      throw new AffitorInputError('fetch', 'this runtime has no global fetch: pass the fetch option');
    }
    this.#options = resolveOptions(options as unknown as Record<string, unknown>);
    this.#apiKey = apiKey.trim();
    this.#signingSecret = checkSigningSecret(options.signingSecret);
    if (this.#signingSecret !== undefined) {
      const subtle = webCrypto();
      if (!subtle) {
        throw new AffitorInputError('signingSecret', 'signingSecret needs Web Crypto (globalThis.crypto.subtle): use Node 19+, Bun, Deno or an edge runtime');
      }
      this.#signer = new RequestSigner(this.#signingSecret, subtle);
    }
    // Looked up per call, so a fetch patched in after construction (tests, instrumentation) is used.
    this.#fetch = (customFetch as CustomFetch | undefined) ?? ((input, init) => globalThis.fetch(input, init));
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
    options?: IdempotentCallOptions,
  ): Promise<AffitorSaleResult> {
    const body = saleBody(input);
    return this.#send('sale', body, options) as Promise<AffitorSaleResult>;
  }

  /** Reverses (all or part of) the commission of a sale (`POST /api/v1/track/refund`). */
  trackRefund(input: TrackRefundInput, options?: IdempotentCallOptions): Promise<AffitorResult<RefundData>> {
    const body = refundBody(input);
    return this.#send('refund', body, options) as Promise<AffitorResult<RefundData>>;
  }

  /**
   * How far the program's integration is (`GET /api/v1/programs/me/readiness`): its state, the
   * first gate that blocks it, each gate, the test chain click -> lead -> sale, the last events,
   * the counts of the last 24 hours, and how long to wait before asking again. Resolves to a
   * result like every other method; it never rejects for an HTTP or network outcome.
   *
   * @example
   * const result = await affitor.readiness();
   * if (result.ok && !result.data.integration_verified) console.log(result.data.gates[result.data.blocker!]?.next_action);
   */
  readiness(options?: CallOptions): Promise<AffitorResult<ReadinessData>> {
    return this.#send('readiness', null, options) as Promise<AffitorResult<ReadinessData>>;
  }

  #send(route: Route, body: object | null, call: IdempotentCallOptions = {}): Promise<AffitorResult<unknown> | AffitorDuplicate> {
    // Checked before the promise exists, so bad call options throw like any other bad input.
    if (typeof call !== 'object' || call === null) {
      throw new AffitorInputError('options', `call options must be an object (got ${kindOf(call)})`);
    }
    const requestId = checkRequestId(call.requestId) ?? createId();
    const signal = checkSignal(call.signal);
    const headers: Record<string, string> = {
      Authorization: `Bearer ${this.#apiKey}`,
      ...(body === null ? {} : { 'Content-Type': 'application/json' }),
      Accept: 'application/json',
      'X-Request-ID': requestId,
    };
    // One key per call, the same on every retry: a sale or refund (partial ones included) that the
    // server applied but whose answer was lost is answered again on retry, not applied twice.
    const idempotencyKey = checkIdempotencyKey(call.idempotencyKey, route);
    // After the checks above, so that a lead's idempotencyKey is told to use an eventId.
    checkOptionNames(METHODS[route], call, IDEMPOTENT_ROUTES.has(route));
    if (IDEMPOTENT_ROUTES.has(route)) headers['Idempotency-Key'] = idempotencyKey ?? createId();
    return this.#run(route, body === null ? '' : JSON.stringify(body), headers, signal);
  }

  async #run(
    route: Route,
    payload: string,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<AffitorResult<unknown> | AffitorDuplicate> {
    const { apiUrl, timeoutMs, maxRetries, retryDelayMs, maxRetryDelayMs } = this.#options;
    const requestId = headers['X-Request-ID']!;
    const request = { fetch: this.#fetch, url: `${apiUrl}${PATHS[route]}`, method: methodOf(route), headers, body: payload, timeoutMs, signal } as const;
    // A 5xx the API itself answered earlier in this call (its JSON: the sale may be recorded, its
    // commission not); see the 409 case in #judge. Not a proxy's or gateway's page: counted, its 503
    // before the API's 409 to a redelivered sale read as a failure, and the webhook kept failing.
    let serverFailure: AffitorFailure | undefined;
    // The previous attempt's result, when this attempt is a retry.
    let previous: AffitorResult<unknown> | AffitorDuplicate | undefined;
    for (let attempts = 1; ; attempts++) {
      const signed = await this.#attemptSigned(request, signal);
      if (signed.kind === 'cancelled' && previous) return cancelled(previous);
      const outcome = signed.kind === 'cancelled' ? ({ kind: 'aborted' } as const) : signed;
      const verdict = this.#judge(route, outcome, { requestId, attempts, serverFailure, idempotencyKey: headers['Idempotency-Key'] });
      previous = verdict.result;
      serverFailure = verdict.apiFailure ?? serverFailure;
      const retriesLeft = attempts <= maxRetries;
      if (!verdict.retry || !retriesLeft) return verdict.result;
      const waitAtLeast = verdict.waitAtLeastMs ?? 0;
      if (waitAtLeast > maxRetryDelayMs) return verdict.result; // the server asks for more patience than allowed
      await sleep(Math.max(waitAtLeast, backoffDelay(attempts - 1, retryDelayMs, maxRetryDelayMs)), signal);
      if (signal?.aborted) return cancelled(verdict.result);
    }
  }

  /** One attempt; signed afresh each time, since a signature is accepted once and only for minutes. */
  async #attemptSigned(request: AttemptRequest, signal: AbortSignal | undefined): Promise<SignedOutcome> {
    if (!this.#signer) return attempt(request);
    let signed: Record<string, string> | undefined;
    try {
      signed = await this.#signer.headers(request.body, signal);
    } catch (error) {
      // Not a network failure: the runtime cannot sign (no HMAC in its Web Crypto), and the key is
      // imported once, so every retry would fail the same way. Reported at once, see #judge.
      return { kind: 'unsigned', message: error instanceof Error ? error.message || error.name : String(error) };
    }
    return signed ? attempt({ ...request, headers: { ...request.headers, ...signed } }) : { kind: 'cancelled' };
  }

  #judge(
    route: Route,
    outcome: Outcome | Unsigned,
    context: { requestId: string; attempts: number; serverFailure: AffitorFailure | undefined; idempotencyKey: string | undefined },
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

    // A refund sent whose answer never came, or came cut off, may have been applied: its key is what
    // makes sending it again safe. A fresh one per call (the default) the merchant never saw, and a
    // refund sent again under a new key, by hand or by a job queue, was applied twice.
    const mayBeApplied = (error: string) =>
      route === 'refund' ? `${error}. The refund may have been applied: send it again with idempotencyKey '${context.idempotencyKey}', which is answered, not applied twice` : error;

    switch (outcome.kind) {
      case 'aborted': {
        const error = 'The request was aborted by the caller';
        return { result: failure('network', outcome.sent ? mayBeApplied(error) : error), retry: false };
      }
      case 'unsigned':
        // `unauthorized`: a key with a signing secret takes no unsigned call, and what to fix is the
        // signing setup (the runtime), as for a refused signature. Not retried: no retry could sign.
        return {
          result: failure(
            'unauthorized',
            `Could not sign the request, so it was not sent: ${outcome.message}. signingSecret needs a Web Crypto (globalThis.crypto.subtle) that signs HMAC-SHA256: Node 19+, Bun, Deno or an edge runtime`,
          ),
          retry: false,
        };
      case 'timeout':
        return { result: failure('timeout', mayBeApplied(`No answer within ${this.#options.timeoutMs} ms`)), retry: true };
      case 'network':
        return { result: failure('network', mayBeApplied(outcome.message)), retry: true };
      case 'too_large': {
        // Not the API (another server's page, a proxy's): another attempt would get the same.
        const { apiUrl } = this.#options;
        const message = `The HTTP ${outcome.status} answer is over ${MAX_ANSWER_BYTES / 1024} KiB, where the API answers a few hundred bytes of JSON: is apiUrl ${apiUrl} the tracking API?`;
        return { result: failure('invalid_response', message, outcome.status), retry: false };
      }
      case 'not_a_response':
        // A fault of the fetch given, not of the network: another attempt would get the same.
        return {
          result: failure('invalid_response', `fetch resolved to ${outcome.got}, not a Response: a custom fetch must resolve to one (new Response(body, { status, headers }))`),
          retry: false,
        };
    }

    const { status, body } = outcome;
    if (status >= 200 && status <= 299) {
      if (!isObject(body) && outcome.brokenJson) {
        // The API answered, so it may have recorded the call: retried as a lost answer is (a sale's or
        // refund's key gets the kept answer, a click's or lead's event id is recorded once). Blaming
        // apiUrl, it read as if nothing was recorded, and a refund sent again without its key was applied twice.
        const message = `The HTTP ${status} answer's JSON is cut off (the connection closed early?): the API may have recorded the call`;
        return { result: failure('invalid_response', mayBeApplied(message), status), retry: true };
      }
      if (!isObject(body)) {
        // The API answers every success as a JSON object: a web page there is another site's.
        const message = `Expected a JSON object in the HTTP ${status} answer: is apiUrl ${this.#options.apiUrl} the tracking API? It is the API's base URL, without /api/v1`;
        return { result: failure('invalid_response', message, status), retry: false };
      }
      // The click route answers 200 with success:false when it refuses to track (inactive link).
      if (body.success === false) {
        const message = typeof body.message === 'string' ? body.message : 'The server did not track the event';
        return { result: failure('validation', message, status), retry: false };
      }
      return { result: { ok: true, status, data: body, error: null, code: null, requestId, attempts }, retry: false };
    }

    if (status >= 300 && status <= 399) {
      const where = outcome.location ? ` to ${outcome.location}` : '';
      const message = `The API answered HTTP ${status}, a redirect${where}, which is not followed (it would drop the API key): set apiUrl to the address it names`;
      return { result: failure('invalid_response', message, status), retry: false };
    }

    const fromApi = isObject(body) && typeof body.error === 'string';
    let message = fromApi ? (body.error as string) : `HTTP ${status}`;
    if ((status === 404 || status === 405) && (message === 'Not found' || !fromApi)) {
      // No route there (a route's own 404 names what it did not find): else a bare "Not found"
      // on every sale reads like a missing customer, not a wrong apiUrl.
      const { apiUrl } = this.#options;
      message = `${message}: nothing takes ${methodOf(route)} ${apiUrl}${PATHS[route]}: is apiUrl ${apiUrl} right? It is the API's base URL, without /api/v1`;
    } else if (!fromApi) {
      // The API answers every error as JSON: a bare "HTTP 502" sent the merchant to the API's
      // status page when their own load balancer or a firewall had answered.
      message += ", an answer that is not the API's JSON: from a proxy, gateway or firewall in front of apiUrl?";
    }
    // The API's words are for any client, which signs by hand: this one signs itself, given the option.
    if (status === 401 && fromApi && message.startsWith('This API key requires signed requests')) {
      message += this.#signer ? '' : ': pass the key\'s signingSecret to new Affitor()';
    } else if (status === 401 && fromApi && message.startsWith('Invalid signature') && this.#signer) {
      message += ': is signingSecret the one for this API key?';
    }
    if (status === 409 && message.startsWith(IDEMPOTENCY_CONFLICT)) {
      return { result: failure('conflict', message, status), retry: message === KEY_STILL_IN_USE };
    }

    if (status === 409 && route === 'sale' && fromApi) {
      // The API's 409 proves the transaction id is recorded (a proxy's or firewall's proves nothing,
      // and a webhook answering 200 on it would lose the sale). After a 5xx we saw, that means the earlier
      // attempt wrote the sale and then failed (e.g. "Failed to create commission"): report that
      // failure rather than hide it behind a duplicate.
      if (context.serverFailure) return { result: { ...context.serverFailure, attempts }, retry: false };
      const duplicate: AffitorDuplicate = { ok: true, status, data: null, error: null, code: null, requestId, attempts, duplicate: true };
      return { result: duplicate, retry: false };
    }

    if (status === 401 && this.#signer && REPLAYED.test(message)) {
      return { result: failure('unauthorized', message, status), retry: true };
    }

    // A refusal the API did not write (a proxy's or firewall's 400, 413, 421) says nothing of the
    // input: the API never saw it. Taken for `validation`, a webhook acknowledged the event and the sale was lost.
    const code = !fromApi && codeForStatus(status) === 'validation' ? 'invalid_response' : codeForStatus(status);
    // Not a 5xx the server kept under the call's idempotency key (a sale recorded whose commission
    // failed): every retry would be answered the same.
    const retry = isRetryable(status) && !outcome.replayed;
    // Honoured on every retryable answer, not only a 429: a proxy's 503 names when to come back, and
    // retrying sooner only spends the retries (the wait is capped by maxRetryDelayMs, as for a 429).
    const retryAfter = retry ? retryAfterMs(outcome.retryAfter) : undefined;
    const result = failure(code, message, status);
    return { result, retry, waitAtLeastMs: retryAfter, apiFailure: fromApi && code === 'server' ? result : undefined };
  }

  /**
   * Belt and braces: an error text that somehow quotes the key or the secret (a custom fetch, a
   * proxy) loses it. Not one shorter than REDACTED_MIN_LENGTH (a development key such as `API`, a
   * secret such as `secret`): found inside the server's own words, it would mangle them ("Invalid
   * [redacted] token") and give itself away by where it was cut out.
   */
  #redact(text: string): string {
    for (const secret of [this.#apiKey, this.#signingSecret]) {
      if (secret && secret.length >= REDACTED_MIN_LENGTH) text = text.split(secret).join('[redacted]');
    }
    return text;
  }
}
