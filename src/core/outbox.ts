/**
 * The outbox: click and lead requests not yet answered for good, kept (in a cookie) so a
 * later page view can send them again. Each carries a client `event_id`, so the server
 * records a resent event once. Pure: storage is the tracker's business.
 */
import { toJson } from './json';
import { readAff, slimLanding } from './values';

export interface PendingEvent {
  route: 'click' | 'lead';
  body: Record<string, unknown> & { event_id: string };
  /**
   * A click superseded by a newer landing: still delivered, for the record, but it sets no
   * attribution. True for good; the newer landing's event id while that landing's click may still
   * be refused (an inactive or mistyped link is no touch), which makes this one count again (landing.ts).
   */
  stale?: boolean | string;
  /** Page views that have sent it. */
  tries?: number;
  /** A click's id from its answer, also when it set no attribution (stale): a lead queued behind it carries it (lead.ts). */
  clickId?: string;
  /** The newest landing a click stands for, as an id newEventId makes, when not its own: a landing on its partner's link again sent it again (landing.ts). */
  touch?: string;
}

/**
 * The outbox once the click `id` is answered and leaves it: the leads right behind it (signups made
 * while it was on its way) go before the clicks ahead of it, which its landing superseded before
 * those leads were made. Left behind one of them, a lead sent again later (a failed try, or the
 * script build's main file sending what the first file kept) waited for that click, the partner it
 * superseded, and left with that partner's click id (lead.ts).
 */
export function withoutAnswered(events: readonly PendingEvent[], id: string): PendingEvent[] {
  const at = events.findIndex((event) => event.body.event_id == id);
  let end = at + 1;
  while (events[end]?.route == 'lead') end++;
  const ahead = events.findIndex((event) => event.route == 'click');
  return at < 0 ? [...events] : [...events.slice(0, ahead), ...events.slice(at + 1, end), ...events.slice(ahead, at), ...events.slice(end)];
}

/** Page views that send an undelivered event before it is given up, once it is OUTBOX_MIN_AGE_MS old. */
export const OUTBOX_PAGE_VIEWS = 5;

/**
 * How long an undelivered event is kept whatever the page views: page views come quickly, and a
 * visitor who browsed through an API outage of a few minutes had the landing's click given up
 * within 20 seconds, and the lead waiting behind it sent without its click id, refused.
 */
export const OUTBOX_MIN_AGE_MS = 3_600_000;

/** When an event was made (epoch ms): its id begins with the time (newEventId). */
export const madeAt = (event: PendingEvent): number => parseInt(event.body.event_id.slice(0, 8), 36);

/**
 * At most this many events, and this many bytes as the cookie holds them (percent-encoded), so the
 * cookie stays under the 4 KB browsers keep: a write over it is dropped whole, the new event with it.
 * Percent-encoding makes JSON about 1.4 times longer, and text in other scripts (a Japanese page
 * title) up to 9 times.
 */
export const OUTBOX_LIMIT = 4;
export const OUTBOX_MAX_BYTES = 3600;

/**
 * The most an event's body may hold when it is sent, as stored (below: never fewer characters than
 * its UTF-8 bytes). Half the 64 KiB that browsers let `keepalive` requests in flight hold together
 * (Chromium refuses one over it as a network error, and a landing with a URL that long was never
 * recorded), leaving room for the page's other beacons; and under the 64 KiB the API takes.
 */
export const SEND_MAX_BYTES = 32_768;

const storedSize = (value: unknown): number => encodeURIComponent(toJson(value)).length;

/**
 * The event, or, when it is `max` or more as stored, a copy that keeps only what attribution needs.
 * The referrer goes too: a partner page sending its full URL would keep the landing out of the
 * cookie, and every event before it. A lead has no landing URL (undefined: left out of the JSON).
 * Its click ids stay: resent without them (no click queued before it to take them from, lead.ts),
 * it would be recorded without the touches that attribute it. The history holds at most 20
 * plausible ids: 2.8 KB at the worst.
 */
export const slimmed = (event: PendingEvent, max: number): PendingEvent => {
  const { body } = event;
  return storedSize(event) < max
    ? event
    : { ...event, body: { ...body, affiliate_url: body.affiliate_url && slimLanding(body.affiliate_url as string), page_url: '', page_title: '', referrer_url: '', user_agent: '' } };
};

/**
 * Whether an event is too large to send even slimmed: a customer key or email of tens of KB. Sent,
 * it failed as a network error once over the 64 KiB a browser lets keepalive requests carry (the
 * log then blamed CORS), and the API refuses a body over 64 KiB anyway.
 */
export const tooLargeToSend = (event: PendingEvent): boolean => storedSize(slimmed(event, SEND_MAX_BYTES)) >= SEND_MAX_BYTES;

const EVENT_ID = /^[\w-]{1,64}$/;

/**
 * The time in base 36, then ten random digits (padded: about one in 130 draws has fewer): unique, not
 * an order (mergeOutbox). A whole millisecond: a page's own Date.now (timeOrigin + performance.now())
 * may answer a fraction, whose base 36 has a '.' no outbox (EVENT_ID) or API takes.
 */
export const newEventId = (): string => Math.floor(Date.now()).toString(36) + Math.random().toString(36).slice(2, 12).padEnd(10, '0');

/**
 * The events the outbox cookie holds. A click for no landing (no http(s) URL with `aff`: junk, or
 * `javascript:…?aff=X` another subdomain wrote there) is not ours: resent, its answer would make
 * that URL the attribution's landing URL, which the merchant may render as a link.
 */
export function parseOutbox(value: string | null): PendingEvent[] {
  try {
    const events: unknown = JSON.parse(value!);
    return Array.isArray(events)
      ? events.filter(
          (event: Partial<PendingEvent> | null): event is PendingEvent =>
            // A string: String() of a missing id, `undefined`, has a valid id's shape.
            typeof event?.body?.event_id == 'string' &&
            EVENT_ID.test(event.body.event_id) &&
            (event.route == 'lead' || (event.route == 'click' && !!readAff(event.body.affiliate_url as string))),
        )
      : [];
  } catch {
    return [];
  }
}

/**
 * What a page writes to the outbox cookie, which every tab of the site shares: its own events, and
 * those another tab stored (`stored`, the cookie as it is now) whose ids it never `held` (an event
 * it held and no longer does was delivered or given up). Oldest first: a lead waits for the clicks
 * before it, and the newest are the ones kept. Every page writes its new events into the cookie as
 * it makes them, so the cookie's order is the order they were made in: what is there stays where it
 * is (this page's own copy of its events, which may carry a click id since), and an event of this
 * page not there yet is newer than all of it: it goes before the next of the page's own events
 * (a lead goes before the clicks a newer landing superseded, lead.ts), else last. The clock decides
 * nothing: ordered by the time in the ids, a lead made after the visitor's clock was corrected went
 * before another tab's click made while it was ahead, and the next page view sent it without the click id.
 */
export function mergeOutbox(own: readonly PendingEvent[], stored: readonly PendingEvent[], held: ReadonlySet<string>): PendingEvent[] {
  const merged: PendingEvent[] = [];
  for (const event of stored) {
    const id = event.body.event_id;
    const kept = own.find((mine) => mine.body.event_id == id) ?? (held.has(id) ? undefined : event);
    // This page's copy once, also where the cookie holds its event twice (written by hand).
    if (kept && !merged.includes(kept)) merged.push(kept);
  }
  // From the newest back: the page's event after each one is in place when it is placed.
  for (let at = own.length; at--; ) {
    if (!merged.includes(own[at]!)) {
      const next = merged.indexOf(own[at + 1]!);
      merged.splice(next < 0 ? merged.length : next, 0, own[at]!);
    }
  }
  return merged;
}

/**
 * The outbox as stored; an oversized body keeps only what attribution needs, and so does every
 * body over its share of the byte limit when together they are over it (landing URLs with an
 * ad's tracking parameters), before any event is given up. Still over its limits, a click a newer landing superseded goes
 * first (it is sent only for the record), then the oldest event: an undelivered lead is not given
 * up for the record of a partner who no longer counts. Not such a click with a lead right after it:
 * that lead waits for it and carries its click id (lead.ts); given up, both were lost.
 * An event too large to be stored even alone is left out, and only it: the page that made it still
 * sends it (the outbox in memory holds it), but the next page view cannot.
 */
export function formatOutbox(events: readonly PendingEvent[]): string {
  let kept = events
    .map((event) => slimmed(event, OUTBOX_MAX_BYTES / 2))
    // Still over the limit alone (a huge `aff`, customer key or email): the loop below, dropping the
    // oldest first, would drop every other event before it, and then it too.
    .filter((event) => storedSize([event]) <= OUTBOX_MAX_BYTES);
  // (Each over its share of the limit: a small body slimmed only gains the emptied fields.)
  if (storedSize(kept) > OUTBOX_MAX_BYTES) kept = kept.map((event) => slimmed(event, OUTBOX_MAX_BYTES / OUTBOX_LIMIT));
  while (kept.length > OUTBOX_LIMIT || storedSize(kept) > OUTBOX_MAX_BYTES) {
    kept.splice(Math.max(0, kept.findIndex((event, at) => event.stale && kept[at + 1]?.route != 'lead')), 1);
  }
  return toJson(kept);
}
