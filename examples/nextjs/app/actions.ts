'use server';
/**
 * The signup, as a server action: the shop creates the account, then reports the lead from the
 * server with the click id read from the request's cookies. No browser call can be blocked or
 * lost, and the API key never leaves the server.
 */
import { cookies } from 'next/headers';
import { CLICK_COOKIE, CUSTOMER_COOKIE, affitor } from '../lib/affitor';

export interface SignupState {
  ok: boolean;
  message: string;
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

  const clickId = jar.get(CLICK_COOKIE)?.value;
  const result = await affitor().trackLead({ customerExternalId: customerKey, email, ...(clickId ? { clickId } : {}) });
  if (!result.ok) {
    // A visitor who came from no partner is no error for the shop: the account exists either way.
    console.warn(`[affitor] lead not recorded: ${result.code} ${result.error} (request ${result.requestId})`);
    return { ok: true, message: `Welcome, ${email}.` };
  }
  return { ok: true, message: `Welcome, ${email}. Referred signup recorded.` };
}
