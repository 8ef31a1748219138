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
  existing_click_id?: string;
  additional_data: { program_id: number };
}

export interface LeadPayload {
  customer_key: string;
  email?: string;
  click_id?: string;
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
  const payload: ClickPayload = {
    affiliate_url: affiliateUrl,
    ...context,
    session_id: sessionId,
    additional_data: { program_id: programId },
  };
  if (existingClickId) payload.existing_click_id = existingClickId;
  return payload;
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
  const payload: LeadPayload = {
    customer_key: customerKey,
    click_ids: [...history],
    page_url: pageUrl,
    session_id: sessionId,
    program_id: programId,
  };
  if (email) payload.email = email;
  if (clickId) payload.click_id = clickId;
  return payload;
}
