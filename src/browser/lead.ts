/** A signup's lead event, built from the attribution at hand and put in the outbox. */
import { newEventId } from '../core/outbox';
import type { PendingEvent } from '../core/outbox';
import { buildLeadPayload } from '../core/payloads';
import { clickId, history } from './attribution';
import { enqueue } from './outbox';
import { mayPersist, programId } from './options';
import { sessionId } from './session';

/**
 * Puts the lead for `customerKey` in the outbox, with the click id of the visitor's last
 * partner, and returns it to be sent; none without a program id. The arguments are checked by
 * signup.ts.
 */
export const queueLead = (customerKey: string, email?: string): PendingEvent | undefined =>
  programId
    ? enqueue({
        route: 'lead',
        body: { ...buildLeadPayload(customerKey, email, clickId, history, location.href, sessionId(mayPersist()), programId), event_id: newEventId() },
      })
    : undefined;
