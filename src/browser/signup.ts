/** `signup`: the lead, with the click id of the visitor's last partner. */
import { CALL_WAIT_MS, bounded } from './bounded';
import { isBrowser } from './env';
import { queueLead, sendLead } from './lead';
import { NO_PROGRAM_ID, log, programId } from './options';

/** How long `signup` may take to resolve: its lead stays in the outbox until delivered (behind a landing's click still in flight, or retried). */
export const SIGNUP_WAIT_MS = CALL_WAIT_MS;

/** Reports a signup (lead) for `customerKey`. Never rejects: anything that goes wrong is logged. */
export async function signup(customerKey: string, email?: string): Promise<void> {
  try {
    if (!isBrowser()) return;
    if (typeof customerKey != 'string' || !customerKey.trim()) {
      return log('error', 'signup: customerKey must be a non-empty string, got', customerKey);
    }
    if (email != null && typeof email != 'string') return log('error', 'signup: email must be a string, got', email);
    if (!programId) return log('error', 'signup not sent. ' + NO_PROGRAM_ID);
    // In the outbox before anything is awaited: a page that leaves right after the call (a form
    // that redirects) cannot lose it, even while the landing's click is still in flight.
    const lead = queueLead(customerKey.trim(), email?.trim());
    if (!lead) return log('error', 'signup: customerKey and email too long to send');
    // One try from here, once the clicks before it are answered; a failed one goes on in the rest
    // of the SDK (delivery.ts). Bounded: the lead stays in the outbox, whatever the network does.
    await bounded(sendLead(lead));
  } catch (error) {
    log('error', 'signup failed:', error);
  }
}
