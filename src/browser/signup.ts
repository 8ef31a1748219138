/** `signup`: the lead, with the click id of the visitor's last partner. */
import { isBrowser } from './env';
import { pendingClick } from './landing';
import { queueLead } from './lead';
import { NO_PROGRAM_ID, log, programId } from './options';
import { send } from './send';

/** How long `signup` waits for a click still in flight before sending the lead anyway. */
export const SIGNUP_WAIT_MS = 5_000;

/** Reports a signup (lead) for `customerKey`. Never rejects: anything that goes wrong is logged. */
export async function signup(customerKey: string, email?: string): Promise<void> {
  try {
    if (!isBrowser()) return;
    if (typeof customerKey != 'string' || !customerKey.trim()) {
      return log('error', 'signup: customerKey must be a non-empty string, got', customerKey);
    }
    if (email != null && typeof email != 'string') return log('error', 'signup: email must be a string, got', email);
    if (!programId) return log('error', 'signup not sent. ' + NO_PROGRAM_ID);
    // The lead carries the click id of a landing still in flight; bounded, so a click that never answers does not hold it back.
    if (pendingClick) await Promise.race([pendingClick, new Promise((resolve) => setTimeout(resolve, SIGNUP_WAIT_MS))]);
    const event = queueLead(customerKey.trim(), email?.trim());
    // One try from here; a failed one goes on in the rest of the SDK (delivery.ts), the lead in the outbox meanwhile.
    if (event && (await send(event))) log('info', 'lead recorded');
  } catch (error) {
    log('error', 'signup failed:', error);
  }
}
