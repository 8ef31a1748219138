/**
 * A signup's lead: built from the attribution at hand and put in the outbox at once. It never
 * overtakes a click queued before it: a landing not yet answered holds the click id the lead must
 * carry, so the lead leaves once that click is delivered, with the attribution its answer made.
 */
import { newEventId, tooLargeToSend } from '../core/outbox';
import type { PendingEvent } from '../core/outbox';
import { buildLeadPayload } from '../core/payloads';
import { clickId, history } from './attribution';
import { catchUp, startClick } from './landing';
import { enqueue, outbox, storeOutbox, takeOthers, unsent } from './outbox';
import { log, mayPersist, programId } from './options';
import { sessionId } from './session';
import { send } from './send';
import type { Answer } from './send';

/**
 * Puts the lead for `customerKey` in the outbox, with the click id of the visitor's last
 * partner, and returns it to be sent; undefined, and nothing queued, when the customer key and
 * email are too long to send (tooLargeToSend). Their types and the program id are checked by signup.ts.
 */
export function queueLead(customerKey: string, email?: string): PendingEvent | undefined {
  // Another tab may have landed since this page read the jar (a partner link opened beside a shop
  // tab the visitor signs up in): the lead carries the attribution the jar holds now, or waits for
  // that landing's click, still in the outbox.
  catchUp();
  takeOthers();
  // Before the clicks a newer landing superseded already (kept through an outage, or still on their
  // way): the visitor signed up under the newer partner, and a lead waits for the click before it.
  let at = outbox.length;
  while (outbox[at - 1]?.stale) at--;
  const lead: PendingEvent = {
    route: 'lead',
    body: { ...buildLeadPayload(customerKey, email, clickId, history, location.href, sessionId(mayPersist()), programId!), event_id: newEventId() },
  };
  return tooLargeToSend(lead) ? undefined : enqueue(lead, at);
}

/**
 * Sends a lead (a signup's, or one an earlier page view left) once the clicks queued before it
 * are answered, with the attribution they made. While one is not delivered (the API is down),
 * the lead waits behind it in the outbox: sent without it, it would reach the server
 * unattributed, or attributed to the partner before. `lead` is in the outbox (queueLead put it
 * there, or an earlier page view left it): its place there says which clicks come before it. Never rejects.
 */
export async function sendLead(lead: PendingEvent): Promise<Answer> {
  // The newest click queued before it and not yet delivered (in flight, or kept through an outage)
  // names its partner, also when a landing since superseded it (the visitor followed another
  // partner's link after signing up, before this lead could leave). Older ones, superseded, are
  // only for the record: one that keeps failing must not hold the lead back. (A click superseded
  // before the signup is not before it: queueLead.) One refused for good (a mistyped link) is no
  // touch: the newest of those before it that count again (landing.ts) names the partner instead.
  const before = (counting?: boolean) =>
    outbox
      .slice(0, outbox.indexOf(lead))
      .filter((pending) => pending.route == 'click' && !(counting && pending.stale))
      .pop();
  let click: PendingEvent | false | undefined = before();
  if (click) {
    let answered;
    // Kept through an outage earlier in this page view, it is tried again now: the sale may be
    // reported before another page view sends it (a redirect to a checkout, a single-page app), and
    // would find neither the click nor the lead. One in flight is joined.
    for (let counting; click; click = !answered && before((counting = true))) {
      await startClick(click);
      const kept = outbox.includes(click);
      // Not delivered yet. (One answered stays while the landing that superseded it is kept: landing.ts.)
      if (!click.clickId && kept) return void (unsent.add(lead), log('info', 'lead waits for its click'));
      // One counting again is the attribution once applied, but not over a newer partner another tab
      // stored meanwhile (landing.ts): the attribution in force names the partner. Answered earlier and
      // not delivered now (kept: applied on a later page view), its own click id does.
      answered = counting && !kept ? clickId : click.clickId;
    }
    Object.assign(lead.body, { click_id: answered || clickId || undefined, click_ids: history });
    storeOutbox();
  }
  // Said here, not by signup: a lead answered after signup stopped waiting, or resent by a later page view, is recorded too.
  const answer = await send(lead);
  if (answer) log('info', 'lead recorded');
  return answer;
}
