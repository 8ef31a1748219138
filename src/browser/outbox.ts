/**
 * The outbox: every click and lead is put in it (a cookie) before it is sent, and leaves it once
 * answered for good, so leaving the page, or an API outage, cannot lose it. Events that earlier
 * page views left are read at start, so a new event is stored beside them, and resent by resend.ts.
 */
import { SEND_MAX_BYTES, formatOutbox, mergeOutbox, parseOutbox, slimmed, withoutAnswered } from '../core/outbox';
import type { PendingEvent } from '../core/outbox';
import { readCookie } from './cookies';
import { standsAgainst } from '../core/attribution';
import { COOKIE_OUTBOX, COOKIE_TOUCH } from '../core/cookie-names';
import { firstJar, setCookie } from './jar';
import { clicks, touchOf } from './landing';
import { mayPersist } from './options';

/** Events not yet answered for good, oldest first. */
export let outbox: PendingEvent[] = [];
/** Whether the events earlier page views left were read on this page view. */
let taken = false;
/** The events earlier page views left, until resend.ts takes them to send again. */
export let earlier: PendingEvent[] = [];

/**
 * The leads the script build's first file put in the outbox cookie on this page view (MADE, in
 * script-handover.ts): read with those earlier page views left, also when another tab's write took
 * them out of the cookie since.
 */
export const madeHere: PendingEvent[] = [];

/**
 * Events of the outbox this page tried and could not deliver (the API down or unreachable past the
 * retries, the rest of the script build not to be had): a single-page app may see no next page view
 * for hours, so this one sends them again when it is used again (resend.ts).
 */
export const unsent = new Set<PendingEvent>();

/** Ids of every event this page's outbox held: only events another tab stored are not among them. */
const held = new Set<string>();
/**
 * Whether the task that read the events earlier page views left still runs: no other tab can have
 * written since, so a landing's first write needs no second read (a read after the page's own
 * writes stood 0.8 ms, up to 4 ms, before the click in Chromium).
 */
let fresh = false;

/**
 * Writes the outbox to its cookie. The cookie is read first: another tab of the site may have
 * stored events since this page read the jar, and writing this page's events alone would lose them.
 */
export const storeOutbox = (answered?: string): void => {
  if (mayPersist()) {
    let events = outbox;
    if (!fresh) {
      const stored = parseOutbox(readCookie(COOKIE_OUTBOX));
      // A click `answered` (drop) leaves the cookie as it left this page's outbox: the cookie's order is the one merging keeps.
      events = mergeOutbox(outbox, answered ? withoutAnswered(stored, answered) : stored, held);
    }
    setCookie(COOKIE_OUTBOX, events.length ? formatOutbox(events) : null, 60);
  }
};

/**
 * Puts an event in the outbox (and its cookie) before it is sent: last, or at index `at`. Returns it
 * as it is sent: slimmed when too large to be sent whole (a landing URL of tens of KB).
 */
export const enqueue = (event: PendingEvent, at = outbox.length): PendingEvent => {
  event = slimmed(event, SEND_MAX_BYTES);
  held.add(event.body.event_id);
  outbox.splice(at, 0, event);
  storeOutbox();
  return event;
};

/** Takes an event answered for good out of the outbox; a click `answered`, its leads behind it before the clicks ahead of it (withoutAnswered). */
export const drop = (event: PendingEvent, answered?: boolean): void => {
  const id = answered ? event.body.event_id : undefined;
  unsent.delete(event);
  outbox = id ? withoutAnswered(outbox, id) : outbox.filter((pending) => pending != event);
  storeOutbox(id);
};

/**
 * Consent withdrawn: the outbox is forgotten, but for the clicks still on their way (`clicks`, by
 * event id, landing.ts) and the leads. A click's answer is held in memory for the page, and a signup
 * made meanwhile waits behind it (lead.ts) for the click id, as a signup while consent is pending
 * does; taken out, it left unattributed. A lead is the merchant's signup, sent after a withdrawal
 * too: taken out, one still waiting or failing was lost, also when consent was given again.
 * Nothing is written meanwhile (storeOutbox): a grant writes them.
 */
export const clearOutbox = (): void => {
  // A click a kept lead waits behind (lead.ts) stays too, for that lead's click id only: marked
  // superseded, its answer is never the page's attribution, and it carries no existing_click_id.
  let leadAfter = false;
  outbox = [...outbox]
    .reverse()
    .filter((event) => (event.route == 'lead' ? (leadAfter = true) : clicks.has(event.body.event_id) || (leadAfter && (event.stale = true))))
    .reverse();
};

/**
 * Takes in, in their place, the clicks other tabs stored since this page read the jar that stand
 * against the newest landing stored (landing.ts tells it the same way): a partner's link opened in
 * another tab, its click not delivered yet (the API was down). A signup made now waits for it
 * (lead.ts): sent at once, the lead reached the server without a click id, was refused, and the
 * partner went unpaid once that click got through. An older one, or one that tab superseded, is not
 * the visitor's last touch: no lead waits for it.
 */
export function takeOthers(): void {
  if (mayPersist()) {
    const newest = readCookie(COOKIE_TOUCH)?.slice(0, 8) ?? '';
    const stored = parseOutbox(readCookie(COOKIE_OUTBOX)).filter(
      (event) => held.has(event.body.event_id) || (event.route == 'click' && !event.stale && standsAgainst(newest, touchOf(event))),
    );
    outbox = mergeOutbox(outbox, stored, held);
    for (const event of stored) held.add(event.body.event_id);
  }
}

/** Reads the events earlier page views left into the outbox (and `earlier`); once per page view. */
export function readEarlier(): void {
  if (taken) return;
  taken = true;
  // What earlier page views left is in the jar as the page found it: no second read.
  earlier = parseOutbox(readCookie(COOKIE_OUTBOX, Boolean, firstJar()));
  for (const lead of madeHere) if (!earlier.some((event) => event.body.event_id == lead.body.event_id)) earlier.push(lead);
  for (const event of earlier) held.add(event.body.event_id);
  fresh = true;
  queueMicrotask(() => (fresh = false));
  outbox = [...earlier, ...outbox];
}

/** Hands the events earlier page views left to the one who resends them, once. */
export const takeEarlier = (): PendingEvent[] => earlier.splice(0);

/** A fresh page view (tests). */
export const resetOutbox = (): void => {
  outbox = [];
  unsent.clear();
  held.clear();
  fresh = false;
  earlier = [];
  taken = false;
};
