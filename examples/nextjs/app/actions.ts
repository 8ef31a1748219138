'use server';
/**
 * The signup, as a server action: the shop creates the account, then reports the lead from the
 * server with the click id read from the request's cookies. No browser call can be blocked or
 * lost, and the API key never leaves the server.
 */
import { cookies } from 'next/headers';
import { CLICK_COOKIE, CUSTOMER_COOKIE, affitor } from '../lib/affitor';
import { signupLead } from '../lib/lead';

export interface SignupState {
  ok: boolean;
  message: string;
  /**
   * Set when the request carried no click id: the landing's click may still be on its way (a quick
   * signup) or waiting in the browser SDK's outbox (the API was down at the landing). The form then
   * reports the lead with the browser SDK's `signup()`, which sends it once that click is answered.
   * Set too when the server could not deliver the lead (no answer, a 5xx or a 429 after the server
   * client's retries, within lib/lead.ts's 3 s deadline): the browser SDK keeps it in its outbox and
   * retries it on later page views.
   */
  leadInBrowser?: { customerKey: string; email: string };
}

export async function signUp(_previous: SignupState | null, form: FormData): Promise<SignupState> {
  const email = String(form.get('email') ?? '').trim().toLowerCase();
  // 254: the longest address mail can carry. A longer one, kept as the customer key, would be refused
  // by stripeCheckoutParams at checkout (over 500 characters), failing the checkout itself.
  if (email.length > 254 || !/^[^@\s]+@[^@\s]+$/.test(email)) return { ok: false, message: 'Enter an email address.' };
  // This shop's customer id is the email; a real shop would use its user id.
  const customerKey = email;
  const jar = await cookies();
  jar.set(CUSTOMER_COOKIE, customerKey, { path: '/', httpOnly: true, sameSite: 'lax' });

  // The account exists either way: signupLead never throws, and logs why a lead was not recorded
  // (AFFITOR_API_KEY not set is an error in the log, not a failed signup).
  // A lead not delivered from here (no click id yet, or the API down: see SignupState) comes back as
  // leadInBrowser, for the form to hand to the browser SDK.
  const { recorded, leadInBrowser } = await signupLead({ customerKey, email, clickId: jar.get(CLICK_COOKIE)?.value }, affitor);
  return { ok: true, message: recorded ? `Welcome, ${email}. Referred signup recorded.` : `Welcome, ${email}.`, ...(leadInBrowser && { leadInBrowser }) };
}
