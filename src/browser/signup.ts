/** `signup`: the lead, with the click id of the visitor's last partner. */
import { first } from './core';
import { isBrowser } from './env';
import { deliver } from './delivery';

/** How long `signup` waits for a click still in flight before sending the lead anyway. */
export const SIGNUP_WAIT_MS = 5_000;

/** Reports a signup (lead) for `customerKey`. Never rejects: anything that goes wrong is logged. */
export async function signup(customerKey: string, email?: string): Promise<void> {
  try {
    if (!isBrowser()) return;
    // The lead carries the click id of a landing still in flight; bounded, so a click that never answers does not hold it back.
    const { pendingClick } = first.now();
    if (pendingClick) await Promise.race([pendingClick, new Promise((resolve) => setTimeout(resolve, SIGNUP_WAIT_MS))]);
    const event = first.queueLead(customerKey, email);
    if (event && (await deliver(event))) first.log('info', 'lead recorded');
  } catch (error) {
    first.log('error', 'signup failed:', error);
  }
}
