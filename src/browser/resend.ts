/**
 * Resending what earlier page views could not deliver, from the first file of the script build
 * too: a lead kept because the rest could not be had must not wait for the rest. Each page view tries an event again,
 * up to OUTBOX_PAGE_VIEWS times and for OUTBOX_MIN_AGE_MS at least: a request that fails that often
 * for that long (an origin the program does not allow) is not worth sending forever.
 */
import { OUTBOX_MIN_AGE_MS, OUTBOX_PAGE_VIEWS, madeAt } from '../core/outbox';
import { renderedAhead, startClick, supersederKept } from './landing';
import { log } from './options';
import { drop, outbox, storeOutbox, takeEarlier, unsent } from './outbox';
import { sendLead } from './lead';

/**
 * Sends again, in the order they happened, the events earlier page views left; once per page view.
 * Not before a page rendered ahead is opened: one the visitor never opens is no page view, and a
 * shop's speculation rules rendering five ahead during an outage gave a signup's lead up unseen.
 */
export function resend(): void {
  if (renderedAhead()) return document.addEventListener('prerenderingchange', resend);
  // An event this page already delivered (a landing's click sent again by the landing) is done.
  const events = takeEarlier().filter((event) => outbox.includes(event));
  // A lead behind a click still to deliver waits for it (lead.ts): a page view that may not send it
  // is not counted against it, or it would be given up with its click alive (a landing of the same
  // partner gives the click new page views), never sent once.
  let clickAhead = false;
  for (const event of events) {
    // Nor one answered that waits on the landing that superseded it (landing.ts): older, it would
    // be given up first, and a refusal of that landing heard later would find nothing to count again.
    if (
      !(clickAhead && event.route == 'lead') &&
      !(event.clickId && supersederKept(event)) &&
      (event.tries = (event.tries ?? 0) + 1) > OUTBOX_PAGE_VIEWS &&
      // (An id that is no time, written by hand, is no younger.)
      !(Date.now() - madeAt(event) < OUTBOX_MIN_AGE_MS)
    ) {
      // Not a click already answered (kept while a landing that superseded it might be refused, landing.ts): it was recorded.
      // Named by its landing URL (a click) or its event id (a lead), not its body: a lead's holds the
      // visitor's email and customer key, which error monitoring that records console.error would keep.
      if (!event.clickId) log('error', `${event.route} given up after ${OUTBOX_PAGE_VIEWS} page views:`, event.body.affiliate_url ?? event.body.event_id);
      drop(event);
    } else if (event.route == 'click') {
      clickAhead = true;
      void startClick(event);
    } else void sendLead(event);
  }
  if (events.length) storeOutbox();
}

/** Rounds of resendUnsent made on this page view, and the time before which the next may not start. */
let rounds = 0;
let nextRound = 0;

/**
 * Sends again, in the order they happened, the events this page view could not deliver (outbox.ts:
 * `unsent`), when the page is used again: at a single-page app's navigation, at most once in 30 s,
 * then 1, 2, 4 minutes… (an origin the program does not allow fails every try); at once when the
 * browser says it is back online (`online`: any argument, as its event is). Not when the tab is
 * shown again: Firefox tells a page being left so, and it sent its events beside the next page
 * view's resend. Rounds are not counted as page views (resend() gives an event up after so many).
 */
export function resendUnsent(online?: unknown): void {
  if (!unsent.size || (!online && Date.now() < nextRound)) return;
  nextRound = Date.now() + 3e4 * 2 ** rounds++;
  // A lead after its click: the outbox's order. sendLead joins its click, sent just before.
  for (const event of outbox) if (unsent.delete(event)) void (event.route == 'click' ? startClick(event) : sendLead(event));
}

/** A fresh page view (tests). */
export const resetResend = (): void => void (rounds = nextRound = 0);
