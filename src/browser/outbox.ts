/**
 * The outbox: every click and lead is put in it (a cookie) before it is sent, and leaves it once
 * answered for good, so leaving the page, or an API outage, cannot lose it. Events that earlier
 * page views left are read at start, so a new event is stored beside them, and resent by resend.ts.
 */
import { formatOutbox, parseOutbox } from '../core/outbox';
import type { PendingEvent } from '../core/outbox';
import { readCookie } from './cookies';
import { COOKIE_OUTBOX } from '../core/cookie-names';
import { firstJar, setCookie } from './jar';
import { mayPersist } from './options';

/** Events not yet answered for good, oldest first. */
export let outbox: PendingEvent[] = [];
/** Whether the events earlier page views left were read on this page view. */
let taken = false;
/** The events earlier page views left, until resend.ts takes them to send again. */
export let earlier: PendingEvent[] = [];

export const storeOutbox = (): void => {
  if (mayPersist()) setCookie(COOKIE_OUTBOX, outbox.length ? formatOutbox(outbox) : null, 60);
};

/** Puts an event in the outbox (and its cookie) before it is sent. */
export const enqueue = (event: PendingEvent): PendingEvent => {
  outbox.push(event);
  storeOutbox();
  return event;
};

/** Takes an event answered for good out of the outbox. */
export const drop = (event: PendingEvent): void => {
  outbox = outbox.filter((pending) => pending != event);
  storeOutbox();
};

export const clearOutbox = (): void => void (outbox = []);

/** Reads the events earlier page views left into the outbox (and `earlier`); once per page view. */
export function readEarlier(): void {
  if (taken) return;
  taken = true;
  // What earlier page views left is in the jar as the page found it: no second read.
  earlier = parseOutbox(readCookie(COOKIE_OUTBOX, Boolean, firstJar()));
  outbox = [...earlier, ...outbox];
}

/** Hands the events earlier page views left to the one who resends them, once. */
export const takeEarlier = (): PendingEvent[] => earlier.splice(0);

/** A fresh page view (tests). */
export const resetOutbox = (): void => {
  outbox = [];
  earlier = [];
  taken = false;
};
