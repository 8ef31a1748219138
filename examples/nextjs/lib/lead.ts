/**
 * A signup's lead, reported from the server (app/actions.ts calls it). Apart from the action so
 * that the repository's tests can run it: they cannot load `next/headers`. Never throws: the
 * account exists whatever happens here, and a signup must not fail for want of tracking.
 */

/** What the server client's `trackLead` (`@affitor/sdk/server`) is used for here, and answers. */
export interface LeadClient {
  trackLead(input: { customerExternalId: string; email?: string; clickId?: string }): Promise<
    { ok: true } | { ok: false; code: string; error: string; requestId: string }
  >;
}

export interface Lead {
  customerKey: string;
  email?: string;
  /** From the `affitor_click_id` cookie the first-party handler set; absent for a visitor who came from no partner. */
  clickId?: string;
}

/**
 * Reports `lead`; resolves to whether it was recorded. `client` makes the server client (with the
 * secret key); it is called only when AFFITOR_API_KEY is set.
 *
 * Without a usable key (not set, malformed, or refused by the API) the server log says so as an
 * error, and the lead is still reported the way the browser SDK's `signup()` reports one: without
 * a key, found by its click id. Else every referred signup until the key is fixed would be lost,
 * and its partner never paid for the sale that follows.
 */
export async function reportLead(lead: Lead, client: () => LeadClient): Promise<boolean> {
  // No click id, nothing to report from here (the API would answer "Customer not found"). The action
  // does not call this then: it hands the lead to the browser SDK, whose signup() waits for the landing's click.
  const clickId = lead.clickId?.trim();
  if (!clickId) return false;
  const input = { customerExternalId: lead.customerKey, clickId, ...(lead.email ? { email: lead.email } : {}) };

  if (!process.env.AFFITOR_API_KEY?.trim()) {
    console.error(`[affitor] AFFITOR_API_KEY is not set: set it to your program's API key in the server's environment. This lead is reported without it, as the browser SDK would.`);
    return reportWithoutKey(input);
  }
  let result: Awaited<ReturnType<LeadClient['trackLead']>>;
  try {
    result = await client().trackLead(input);
  } catch (error) {
    // new Affitor() refusing the key or AFFITOR_API_URL, naming what is wrong (never the key itself).
    console.error(`[affitor] ${error instanceof Error ? error.message : String(error)} (check AFFITOR_API_KEY and AFFITOR_API_URL). This lead is reported without the key.`);
    return reportWithoutKey(input);
  }
  if (result.ok) return true;
  if (result.code === 'unauthorized') {
    console.error(`[affitor] AFFITOR_API_KEY was refused: ${result.error} (request ${result.requestId}). This lead is reported without it.`);
    return reportWithoutKey(input);
  }
  console.warn(`[affitor] lead not recorded: ${result.code} ${result.error} (request ${result.requestId})`);
  return false;
}

/** The API's address, as the server client and the first-party handler resolve it: an empty `AFFITOR_API_URL=` means the default. */
const apiUrl = (): string => (process.env.AFFITOR_API_URL || 'https://api.affitor.com').replace(/\/+$/, '');

/** `POST /api/v1/track/lead` in browser mode (no Authorization): what the first-party handler forwards for the browser SDK. */
async function reportWithoutKey(input: { customerExternalId: string; clickId: string; email?: string }): Promise<boolean> {
  const url = `${apiUrl()}/api/v1/track/lead`;
  try {
    const answer = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ click_id: input.clickId, customer_key: input.customerExternalId, email: input.email }),
      // The visitor waits for this answer: not longer than the server client would.
      signal: AbortSignal.timeout(5_000),
    });
    const body = (await answer.json().catch(() => null)) as { success?: boolean; error?: string; message?: string } | null;
    if (answer.ok && body?.success !== false) return true;
    console.warn(`[affitor] lead not recorded: HTTP ${answer.status} ${body?.error ?? body?.message ?? ''}`.trimEnd());
  } catch (error) {
    console.warn(`[affitor] lead not recorded: no answer from ${url} (${String(error)})`);
  }
  return false;
}
