/**
 * The latest calls to the API, newest last, for the dashboard: what a merchant looks for
 * when an integration fails (the status, the error message, the request id, the origin).
 * A fixed-size ring, so it costs the same memory after a million calls as after a hundred.
 * Calls in a row alike in all but their time and request id (a readiness poll every few
 * seconds, a retry that keeps failing the same way, a load test's sales answered 200) are one
 * entry with a count, so they cannot push the calls that tell a different story out of the ring.
 */

export interface LoggedRequest {
  /** The latest call's number: 1 for the first call the server logged, then 2, 3, … */
  seq: number;
  /** How many calls in a row this entry stands for (calls `seq - calls + 1` to `seq`), 1 for most. */
  calls: number;
  /** epoch ms, of the latest call */
  at: number;
  /** `?` when unknown: a request Node could not parse, whose request line could not be read */
  method: string;
  /** without the query; `?` when unknown, as `method` */
  path: string;
  /** `null` when a test switch dropped the connection without an answer */
  status: number | null;
  /** the answer's `error` (or an unsuccessful answer's `message`), else `null` */
  error: string | null;
  /** an authentication refusal's machine code (`API_KEY_REVOKED`, `SIG_REPLAY`…: `authLogCode`), else `null` */
  error_code: string | null;
  /** the latest call's */
  request_id: string;
  /**
   * The request ids of the earlier calls of the entry, newest last, the latest
   * `EARLIER_IDS_KEPT`: a merchant holding the id of one failed try (from the SDK's log or
   * their own) finds it here.
   */
  earlier_request_ids: string[];
  origin: string | null;
  /**
   * Why a browser kept the answer from the page that sent the call, else `null`: the call came
   * with an `Origin` and was answered without `Access-Control-Allow-Origin`, or its preflight asked
   * for a header the answer does not allow. The server still
   * answered (a click was even recorded), but the page saw a network error, which the status
   * alone would hide.
   */
  cors_refusal: string | null;
  test_mode: boolean;
}

export type CallRecord = Omit<LoggedRequest, 'seq' | 'calls' | 'earlier_request_ids'>;

export const REQUEST_LOG_SIZE = 50;
/** How many earlier request ids an entry keeps: its memory stays bounded however long the run. */
export const EARLIER_IDS_KEPT = 20;

/** Whether two calls are the same but for their time and request id. */
const sameCall = (a: CallRecord, b: CallRecord): boolean =>
  a.method === b.method && a.path === b.path && a.status === b.status && a.error === b.error && a.origin === b.origin && a.cors_refusal === b.cors_refusal && a.test_mode === b.test_mode;

export class RequestLog {
  private readonly entries: LoggedRequest[] = [];
  private next = 0;
  /** How many calls were ever logged; changes whenever the log does. */
  total = 0;

  constructor(private readonly size = REQUEST_LOG_SIZE) {}

  add(call: CallRecord): void {
    this.total++;
    const newest = this.entries[(this.next + this.size - 1) % this.size];
    if (newest && newest.seq === this.total - 1 && sameCall(newest, call)) {
      // In place: the entry is this log's own (`list` hands out copies), and a run of like calls
      // (a load test, a page resending) merges on every call.
      const earlier = newest.earlier_request_ids;
      earlier.push(newest.request_id);
      if (earlier.length > EARLIER_IDS_KEPT) earlier.shift();
      newest.seq = this.total;
      newest.calls++;
      newest.at = call.at;
      newest.request_id = call.request_id;
      return;
    }
    this.entries[this.next] = { seq: this.total, calls: 1, ...call, earlier_request_ids: [] };
    this.next = (this.next + 1) % this.size;
  }

  /** The logged calls, oldest first (copies). */
  list(): LoggedRequest[] {
    return [...this.entries.slice(this.next), ...this.entries.slice(0, this.next)].map((entry) => ({ ...entry, earlier_request_ids: [...entry.earlier_request_ids] }));
  }
}

/** The message a merchant needs from an answer body: its `error`, or the `message` of a `success: false`. */
export function errorMessageOf(body: Record<string, unknown>): string | null {
  if (typeof body.error === 'string') return body.error;
  if (body.success === false && typeof body.message === 'string') return body.message;
  return null;
}
