/** Request bodies for the tracking API, from plain values. */

/** What the page tells about the visit, keyed as the click request names it. */
export interface PageContext {
  page_url: string;
  page_title: string;
  referrer_url: string;
  user_agent: string;
  screen_resolution: string;
  viewport_size: string;
  language: string;
  timezone: string;
}

export interface ClickPayload extends PageContext {
  affiliate_url: string;
  session_id: string;
  existing_click_id?: string | undefined;
  additional_data: { program_id: number };
}

export interface LeadPayload {
  customer_key: string;
  email?: string | undefined;
  click_id?: string | undefined;
  click_ids: string[];
  page_url: string;
  session_id: string;
  program_id: number;
}

export function buildClickPayload(
  affiliateUrl: string,
  context: PageContext,
  sessionId: string,
  programId: number,
  existingClickId: string | null,
): ClickPayload {
  // An undefined field is left out of the JSON that is sent and stored.
  return {
    affiliate_url: affiliateUrl,
    ...context,
    session_id: sessionId,
    existing_click_id: existingClickId || undefined,
    additional_data: { program_id: programId },
  };
}

export function buildLeadPayload(
  customerKey: string,
  email: string | undefined,
  clickId: string | null,
  history: readonly string[],
  pageUrl: string,
  sessionId: string,
  programId: number,
): LeadPayload {
  return {
    customer_key: customerKey,
    email: email || undefined,
    click_id: clickId || undefined,
    click_ids: [...history],
    page_url: pageUrl,
    session_id: sessionId,
    program_id: programId,
  };
}
