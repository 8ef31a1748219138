/** A signup's lead event, built from the attribution at hand and put in the outbox. */
import { newEventId } from '../core/outbox';
import type { PendingEvent } from '../core/outbox';
import { buildLeadPayload } from '../core/payloads';
import { clickId, history } from './attribution';
import { enqueue } from './outbox';
import { NO_PROGRAM_ID, log, mayPersist, programId } from './options';
import { sessionId } from './page';

/**
 * Puts the lead for `customerKey` in the outbox, with the click id of the visitor's last
 * partner, and returns it to be sent; bad arguments and a missing program id are logged, and
 * give none.
 */
export function queueLead(customerKey: unknown, email?: unknown): PendingEvent | undefined {
  if (typeof customerKey != 'string' || !customerKey.trim()) {
    log('error', 'signup: customerKey must be a non-empty string, got', customerKey);
  } else if (email != null && typeof email != 'string') {
    log('error', 'signup: email must be a string, got', email);
  } else if (!programId) {
    log('error', 'signup not sent. ' + NO_PROGRAM_ID);
  } else {
    const body = buildLeadPayload(customerKey.trim(), email?.trim(), clickId, history, location.href, sessionId(mayPersist()), programId);
    return enqueue({ route: 'lead', body: { ...body, event_id: newEventId() } });
  }
}
