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
export function readAnswer({ status, body, failure }: HttpOutcome, origin: string): Record<string, unknown> | string {
  // No answer: offline, or the API refused this origin (CORS), which the page cannot tell apart.
  if (!status) return `no answer (${failure}): is ${origin} in the program's allowed origins (CORS)?`;
  if (!body) return `HTTP ${status}, answer is not JSON`;
  return status > 199 && status < 300 && body.success !== false ? body : `HTTP ${status}: ${String(body.error ?? body.message)}`;
}
