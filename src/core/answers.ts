/** Reading the tracking API's answers, which may be anything: HTML error pages, empty bodies, wrong types. */

export interface HttpOutcome {
  /** 0 when no HTTP answer arrived (network error, CORS refusal, timeout). */
  status: number;
  /** The parsed JSON object; undefined when the body was not a JSON object. */
  body?: Record<string, unknown> | undefined;
  /** Why no answer arrived. */
  failure?: string;
  /** The server's `X-Request-ID`. */
  requestId?: string | null;
  /** The first-party handler answered `X-Affitor-Cookies: set`: it wrote the attribution cookies with `Set-Cookie`. */
  setByServer?: boolean;
}

/**
 * The body of a successful answer (2xx, a JSON object, `success` not false), or a
 * one-line description of what went wrong, quoting the server's `error` or `message`; for no
 * answer, it asks whether the page's `origin` is allowed.
 */
export function readAnswer(outcome: HttpOutcome, origin: string): Record<string, unknown> | string {
  const { status, body, failure } = outcome;
  // No answer: offline, or the API refused this origin (CORS), which the page cannot tell apart.
  if (!status) return `no answer (${failure}): is ${origin} in the program's allowed origins (CORS)?`;
  if (!body) return `HTTP ${status}, answer is not JSON`;
  return isSuccess(outcome) ? body : `HTTP ${status}: ${String(body.error ?? body.message)}`;
}

/** A 2xx answer whose body is a JSON object with `success` not false. */
export const isSuccess = ({ status, body }: HttpOutcome): boolean => status > 199 && status < 300 && !!body && body.success !== false;
