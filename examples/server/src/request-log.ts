/**
 * The latest calls to the API, newest last, for the dashboard: what a merchant looks for
 * when an integration fails (the status, the error message, the request id, the origin).
 * A fixed-size ring, so it costs the same memory after a million calls as after a hundred.
 */

export interface LoggedRequest {
  /** 1 for the first call the server logged, then 2, 3, … */
  seq: number;
  /** epoch ms */
  at: number;
  method: string;
  path: string;
  /** `null` when a test switch dropped the connection without an answer */
  status: number | null;
  /** the answer's `error` (or an unsuccessful answer's `message`), else `null` */
  error: string | null;
  request_id: string;
  origin: string | null;
  test_mode: boolean;
}

export const REQUEST_LOG_SIZE = 50;

export class RequestLog {
  private readonly entries: LoggedRequest[] = [];
  private next = 0;
  /** How many calls were ever logged; changes whenever the log does. */
  total = 0;

  constructor(private readonly size = REQUEST_LOG_SIZE) {}

  add(entry: Omit<LoggedRequest, 'seq'>): void {
    this.total++;
    this.entries[this.next] = { seq: this.total, ...entry };
    this.next = (this.next + 1) % this.size;
  }

  /** The logged calls, oldest first (copies). */
  list(): LoggedRequest[] {
    return [...this.entries.slice(this.next), ...this.entries.slice(0, this.next)].map((entry) => ({ ...entry }));
  }
}

/** The message a merchant needs from an answer body: its `error`, or the `message` of a `success: false`. */
export function errorMessageOf(body: Record<string, unknown>): string | null {
  if (typeof body.error === 'string') return body.error;
  if (body.success === false && typeof body.message === 'string') return body.message;
  return null;
}
