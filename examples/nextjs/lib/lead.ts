/**
 * A signup's lead, reported from the server (app/actions.ts calls it). Apart from the action so
 * that the repository's tests can run it: they cannot load `next/headers`. Never throws: the
 * account exists whatever happens here, and a signup must not fail for want of tracking.
 */

/** What the server client's `trackLead` (`@affitor/sdk/server`) is used for here, and answers. */
export interface LeadClient {
  trackLead(input: { customerExternalId: string; email?: string; clickId?: string }, options?: { signal?: AbortSignal }): Promise<
    { ok: true } | { ok: false; code: string; error: string; requestId: string }
  >;
}

/**
 * What became of a lead reported from here:
 * - `recorded`: done. Handed to the browser SDK as well, it would be sent twice.
 * - `refused`: the API refused it for a reason a retry cannot fix (a 4xx such as a click id it does
 *   not know, or a customer that is a lead already; an answer that is no JSON object). Logged, not
 *   retried: the browser SDK would be refused the same way.
 * - `undelivered`: not reported from here: no click id yet, or no answer, a timeout, a 5xx or a 429
 *   (after the server client's retries, within {@link LEAD_DEADLINE_MS}). The action hands it to the
 *   browser SDK, which keeps it in its outbox and retries it on later page views; else the lead of an
 *   outage was lost.
 */
export type LeadOutcome = 'recorded' | 'refused' | 'undelivered';

/**
 * The longest the signup waits for its lead, every try included. The server client's defaults (5 s a
 * try, 2 retries: about 16 s when the API does not answer) suit a webhook, not a visitor waiting on
 * the form; and a lead not delivered in time is not lost: the action hands it to the browser SDK's
 * outbox (one the API still records after the deadline is refused when the SDK sends it again, as a
 * customer that is a lead already, which the SDK expects). A deadline on this call, not a client with
 * other options, because the same client (lib/affitor.ts) is the one to report sales and refunds from
 * webhooks, with its defaults.
 */
export const LEAD_DEADLINE_MS = 3_000;

/** The shape of a click id the API issues (`cust_<id>_<ms>`), as the browser SDK checks the cookie (src/core/values.ts isPlausibleId). */
const CLICK_ID_SHAPE = /^[\w.:-]{1,128}$/;

/** The server client's failures worth another try later: the API was not reached, or was down or busy. */
const UNDELIVERED: ReadonlySet<string> = new Set(['network', 'timeout', 'server', 'rate_limited']);

export interface Lead {
  customerKey: string;
  email?: string;
  /** From the `affitor_click_id` cookie the first-party handler set; absent for a visitor who came from no partner. */
  clickId?: string;
}

/**
 * Reports `lead`; resolves to what became of it (see {@link LeadOutcome}). `client` makes the server client (with the
 * secret key); it is called only when AFFITOR_API_KEY is set.
 *
 * Without a usable key (not set, malformed, or refused by the API) the server log says so as an
 * error, and the lead is still reported the way the browser SDK's `signup()` reports one: without
 * a key, found by its click id. Else every referred signup until the key is fixed would be lost,
 * and its partner never paid for the sale that follows.
 */
export async function reportLead(lead: Lead, client: () => LeadClient): Promise<LeadOutcome> {
  // No click id, nothing to report from here (the API would answer "Customer not found"): the lead is
  // for the browser SDK, whose signup() waits for the landing's click, in flight or kept in its outbox.
  // A cookie no click id can be (the visitor edited it) counts as none, as the browser SDK and the
  // checkout route's stripeCheckoutParams ignore it: sent, the API refused it ("Customer not found")
  // and the lead was never handed to the browser SDK, which would send it with the landing's click.
  const clickId = lead.clickId?.trim();
  if (!clickId || !CLICK_ID_SHAPE.test(clickId)) return 'undelivered';
  const input = { customerExternalId: lead.customerKey, clickId, ...(lead.email ? { email: lead.email } : {}) };
  const deadline = AbortSignal.timeout(LEAD_DEADLINE_MS);

  if (!process.env.AFFITOR_API_KEY?.trim()) {
    console.error(`[affitor] AFFITOR_API_KEY is not set: set it to your program's API key in the server's environment. This lead is reported without it, as the browser SDK would.`);
    return reportWithoutKey(input, deadline);
  }
  let result: Awaited<ReturnType<LeadClient['trackLead']>>;
  try {
    result = await client().trackLead(input, { signal: deadline });
  } catch (error) {
    // new Affitor() refusing the key or AFFITOR_API_URL, naming what is wrong (never the key itself).
    console.error(`[affitor] ${error instanceof Error ? error.message : String(error)} (check AFFITOR_API_KEY and AFFITOR_API_URL). This lead is reported without the key.`);
    return reportWithoutKey(input, deadline);
  }
  if (result.ok) return 'recorded';
  if (result.code === 'unauthorized') {
    console.error(`[affitor] AFFITOR_API_KEY was refused: ${result.error} (request ${result.requestId}). This lead is reported without it.`);
    return reportWithoutKey(input, deadline);
  }
  const outcome = UNDELIVERED.has(result.code) ? 'undelivered' : 'refused';
  // Cut short by the deadline, the client says "aborted by the caller": say what happened instead.
  const why = deadline.aborted && result.code === 'network' ? `timeout No answer within the signup's ${LEAD_DEADLINE_MS} ms` : `${result.code} ${result.error}`;
  console.warn(`[affitor] lead not recorded: ${why} (request ${result.requestId})${outcome === 'undelivered' ? '; the browser SDK retries it' : ''}`);
  return outcome;
}

/**
 * The signup action's lead (app/actions.ts): reported from here, and handed to the browser SDK's
 * signup() (`leadInBrowser`) when it was not delivered (see {@link LeadOutcome}). Never one that
 * was recorded (it would be sent twice) or refused (a 4xx: logged above, and no retry would pass).
 */
export async function signupLead(
  lead: Lead & { email: string },
  client: () => LeadClient,
): Promise<{ recorded: boolean; leadInBrowser?: { customerKey: string; email: string } }> {
  const outcome = await reportLead(lead, client);
  return outcome === 'undelivered' ? { recorded: false, leadInBrowser: { customerKey: lead.customerKey, email: lead.email } } : { recorded: outcome === 'recorded' };
}

/** The API's address, as the server client and the first-party handler resolve it: an empty `AFFITOR_API_URL=` means the default. */
const apiUrl = (): string => (process.env.AFFITOR_API_URL || 'https://api.affitor.com').replace(/\/+$/, '');

/** `POST /api/v1/track/lead` in browser mode (no Authorization): what the first-party handler forwards for the browser SDK. */
async function reportWithoutKey(input: { customerExternalId: string; clickId: string; email?: string }, deadline: AbortSignal): Promise<LeadOutcome> {
  const url = `${apiUrl()}/api/v1/track/lead`;
  try {
    const answer = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ click_id: input.clickId, customer_key: input.customerExternalId, email: input.email }),
      // The visitor waits for this answer: within the signup's deadline (LEAD_DEADLINE_MS), what the server client had of it included.
      signal: deadline,
    });
    const body = (await answer.json().catch(() => null)) as { success?: boolean; error?: string; message?: string } | null;
    if (answer.ok && body?.success !== false) return 'recorded';
    // As the server client sorts them (UNDELIVERED): a 408, a 429 or a 5xx may pass on a later try, another 4xx not.
    const outcome = answer.status === 408 || answer.status === 429 || answer.status >= 500 ? 'undelivered' : 'refused';
    console.warn(`[affitor] lead not recorded: HTTP ${answer.status} ${body?.error ?? body?.message ?? ''}`.trimEnd() + (outcome === 'undelivered' ? '; the browser SDK retries it' : ''));
    return outcome;
  } catch (error) {
    console.warn(`[affitor] lead not recorded: no answer from ${url} (${String(error)}); the browser SDK retries it`);
    return 'undelivered';
  }
}
