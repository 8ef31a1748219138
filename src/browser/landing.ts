/**
 * Landings: the last-touch table applied to `?aff=` on the URL (at load, or added by the
 * History API), the click request it calls for, and its answer made the attribution.
 */
import { isNewLanding, standsAgainst } from '../core/attribution';
import { COOKIE_TOUCH } from '../core/cookie-names';
import { newEventId } from '../core/outbox';
import type { PendingEvent } from '../core/outbox';
import { buildClickPayload } from '../core/payloads';
import { clampWindowDays, clickUrl, isPlausibleId, readAff, slimLanding } from '../core/values';
import { affiliateUrl, applyClick, clickId, data, persist, readAt, reread, windowDays } from './attribution';
import type { AffitorData } from './attribution';
import { readCookie } from './cookies';
import { drop, enqueue, outbox, storeOutbox } from './outbox';
import { erase } from './erase';
import { revisited, urlAtLoad } from './history';
import { cookieDomain, setCookie } from './jar';
import { consent, log, mayPersist, programId, viaHandler } from './options';
import { readPageContext } from './page';
import { sessionId } from './session';
import { post, send } from './send';
import type { Answer, Extra } from './send';

/** The `aff` value whose landing this page has already handled. */
export let handledAff: string | null = null;
/** The click of the landing last handled, until it settles: trackClick joins it for the same landing. */
export let pendingClick: Promise<void> | null = null;
/** Clicks under way, by event id: a lead waits for those queued before it (lead.ts). */
export const clicks = new Map<string, Promise<void>>();
/**
 * The first answers of this page view's clicks, by event id: a click superseded by one of them
 * waits for it (sendClick), until it settles. Not the whole click, which may wait in turn: two that waited on each
 * other never settled.
 */
const firstAnswers = new Map<string, Promise<Answer>>();
let started = 0;
/**
 * The landing URLs this page view handled (land). landHere lands each once: a router's later
 * navigation falls back to the URL at load (landingUrl), and init may run again, neither of which is a new touch.
 */
const handledUrls = new Set<string>();
/** The sequence number of the newest click whose answer was applied: an older answer arriving later is not. */
let newestApplied = 0;
/** The click whose answer was applied last: sent again when consent comes after it (consent.ts). */
export let appliedClick: PendingEvent | undefined;

/**
 * Tells every tab of the site which landing the stored attribution comes from, by its click's event
 * id, which begins with the landing's time (a session cookie, where the page writes the cookies).
 * Tabs number their clicks apart: an older landing's click answering in one tab after a newer
 * landing's in another took last touch back, and the older partner every signup. Written once an
 * answer is applied (a landing refused for good is no touch: the older one still counts), or by a
 * landing on the stored partner's link, which sends no click. Not behind the first-party handler,
 * whose answer writes the cookies before the page can look.
 */
export const touch = (id: string): void => {
  if (mayPersist() && !viaHandler()) setCookie(COOKIE_TOUCH, id);
};

/** The landing a click stands for: its own, or a newer one on its partner's link that sent it again. */
export const touchOf = (event: PendingEvent): string => event.touch ?? event.body.event_id;

/** What the first-party handler needs to write the cookies itself (it strips these fields); nothing without the handler. */
const handlerFields = (event: PendingEvent): Extra =>
  viaHandler() ? () => ({ cookie_domain: mayPersist() ? cookieDomain() : undefined, consent: consent(), stale: event.stale && true }) : undefined;

/**
 * Behind the first-party handler, sends an applied click again (same event id: the API records it
 * once) for which the handler set no cookie, having sent it with consent pending (given since) or
 * superseded (by a landing since refused): the handler now writes them with Set-Cookie. The page
 * wrote them with document.cookie, which Safari keeps 7 days, not the program's window. Not
 * retried: the page's are written. Its answer is settled as a landing's is.
 */
export async function handOver(event: PendingEvent): Promise<void> {
  const extra = handlerFields(event);
  if (extra && (await post(event, extra)).setByServer) {
    if (consent() == 'revoked') erase();
    // A newer landing applied meanwhile: the handler wrote this older one's cookies over it.
    else if (event != appliedClick) persist(windowDays!);
  }
}

/** Whether the landing that superseded `event` may still be refused, its click kept in the outbox (then `event` would count again). */
export const supersederKept = (event: PendingEvent): boolean => outbox.some((pending) => pending.body.event_id == event.stale);

/** Sends a click, then makes its answer the attribution unless a newer landing superseded it. Never rejects. */
async function sendClick(event: PendingEvent, sequence: number): Promise<void> {
  try {
    const held = !mayPersist();
    const id = event.body.event_id;
    let waited;
    const first = send(event, handlerFields(event), true);
    firstAnswers.set(id, first);
    const outcome = await first;
    try {
      // Refused for good (out of the outbox unanswered): the clicks this landing superseded count again.
      if (!outcome && !outbox.includes(event)) {
        for (const pending of outbox) if (pending.stale == id) pending.stale = false;
        storeOutbox();
      }
      if (!outcome?.body) return;
      const answer = outcome.body;
      let { setByServer } = outcome;
      // Consent was withdrawn while the click, sent with consent, was on its way: the cookies the
      // first-party handler wrote with its answer go too, and the answer is held in memory only, as
      // a landing's after the withdrawal is.
      if (setByServer && consent() == 'revoked') {
        erase();
        setByServer = false;
      }
      if (!isPlausibleId(answer.click_id)) return log('error', 'click answer has no usable click_id');
      event.clickId = answer.click_id;
      // Last touch: an older request answering after a newer one, or a click from an earlier
      // page view that a newer landing superseded, is recorded by the server but not applied.
      // Had the handler written an older click's cookies over a newer one's, the newer is written back.
      if (sequence < newestApplied && setByServer) persist(windowDays!);
      // Superseded by a landing whose click is still on its way: its answer decides whether this one
      // counts (that click's own handling of it comes first: it awaited it first). Superseded again
      // meanwhile (another landing, refused too), it waits for that one's.
      for (let by; (by = event.stale) && by != waited; ) await firstAnswers.get((waited = by) as string);
      if (event.stale || sequence < newestApplied) return;
      // Another tab stored the attribution of a landing made after this one (a partner's link opened
      // beside it, while this click was slow, retried, or resent by a later page view): it stands,
      // read from the jar.
      if (!standsAgainst(readCookie(COOKIE_TOUCH)?.slice(0, 8) ?? '', touchOf(event))) return void catchUp();
      newestApplied = sequence;
      appliedClick = event;
      // The newest touch now: what its landing superseded stays so, also when a later landing is refused.
      for (const pending of outbox) if (pending.stale) pending.stale = true;
      applyClick(answer.click_id, slimLanding(event.body.affiliate_url as string), clampWindowDays(answer.cookie_window_days), setByServer);
      touch(touchOf(event));
      // Consent given while the click, sent with it pending, was on its way, or a click superseded and
      // counting again (marked false: the landing after it refused): the handler wrote no cookie, the page did.
      if ((held || event.stale === false) && !setByServer && mayPersist()) void handOver(event);
    } finally {
      // Out of the outbox once answered, after the cookies: storing the outbox reads the jar first
      // (another tab's events), which the click id's cookie would otherwise wait behind (answer to
      // cookie 8.6 ms against 3.3, median, Chromium 156). A page left in between resends the click
      // with its event id, which the API answers as before. Not one superseded by a landing whose
      // click is kept (the API failed it): a refusal of that link heard on a later page view makes
      // this one count again, and dropped, there was nothing left to count. It is stored answered
      // (its click id): a lead behind it need not wait (lead.ts), and it is not given up as lost (resend.ts).
      if (outcome) {
        if (supersederKept(event)) storeOutbox();
        else drop(event, true);
      }
    }
  } catch (error) {
    log('error', 'click failed:', error);
  }
}

/** Sends a click event and applies its answer; joins the same event when it is already under way. */
export function startClick(event: PendingEvent): Promise<void> {
  const id = event.body.event_id;
  let click = clicks.get(id);
  if (!click) {
    const sending = sendClick(event, ++started);
    clicks.set(id, sending);
    void sending.then(() => {
      clicks.delete(id);
      // Settled, it has nothing left to decide: a click it superseded that looks later finds its mark
      // turned (true: applied; false: refused), or, left as its id, counts for nothing, as it would here.
      firstAnswers.delete(id);
      if (pendingClick == sending) pendingClick = null;
    });
    click = sending;
  }
  return click;
}

/** Applies the last-touch table to a landing on `url`; starts a click request when it calls for one. */
export function land(url: string, aff: string | null, existingClickId = clickId): Promise<void> | void {
  if (!aff || !programId) return;
  handledAff = aff;
  handledUrls.add(url);
  // A landing whose click is still in the outbox (the page was left, the API was down) is
  // sent again with its event id, which the server records once.
  let event = outbox.find((pending) => pending.route == 'click' && readAff(pending.body.affiliate_url as string) == aff);
  // This landing's id, which begins with its time: its touch, and its click's event id when it makes one.
  const landing = newEventId();
  // It is a new touch, owed the page views a new click gets: counted as tried out, resend.ts
  // would give it up (and take it out of the outbox) while this landing sends it. Its answer makes
  // the attribution of this landing, newer than a touch stored since the click was made.
  if (event) {
    event.tries = 0;
    event.touch = landing;
  }
  const id = event?.body.event_id ?? landing;
  // Another partner's click still on its way (only a landing of another partner reaches here then)
  // is the newest touch, not the stored one: this landing supersedes it even when it names the stored partner.
  const clicking = !!pendingClick || isNewLanding(aff, clickId, affiliateUrl);
  // Every other click is superseded, also when this landing calls for none (the stored partner's
  // link): resent after it, another partner's kept click would take the attribution. Until this
  // landing's click is applied, by its id: refused, it is no touch (one superseded for good stays
  // so). This landing's own, when an earlier landing on a partner since superseded had left it, is
  // the newest touch again.
  for (const pending of outbox) if (pending.route == 'click') pending.stale = pending != event && (pending.stale === true || !clicking || id);
  if (!clicking) return touch(landing), log('info', 'same partner: no click');
  if (!event) {
    event = enqueue({
      route: 'click',
      body: { ...buildClickPayload(clickUrl(url, aff), readPageContext(), sessionId(mayPersist()), programId, existingClickId), event_id: id },
    });
  }
  // Set here, not in startClick: a click an earlier page view left, resent beside this landing, is not the one trackClick joins.
  return (pendingClick = startClick(event));
}

/** The URL a landing is handled on: the current one, or the URL at load when a router stripped `?aff=` since. */
export const landingUrl = (): string => (readAff(location.href) || !readAff(urlAtLoad()) ? location.href : urlAtLoad()!);

/**
 * Whether the browser renders this page ahead of a visit (the site's speculation rules, the address
 * bar's guess) that may never come. Its landings, and the partner links it reports, wait until the
 * visitor opens it: handled at once, a partner's link the visitor never followed took last touch
 * from the one they did.
 */
export const renderedAhead = (): boolean | undefined => (document as { prerendering?: boolean }).prerendering;

/**
 * Handles a landing on landingUrl(), unless this page view already did, or just did for the same
 * partner (a route that keeps `?aff=`). Such a route is recorded as handled too: Back to it after a
 * newer partner's landing is no new touch. (A landing not made for want of a program id is not.)
 * Nor is a page opened again on its landing URL by Back/Forward or a reload while an attribution
 * is stored: the visitor may have followed a newer partner's link since, in this tab or another.
 */
export function landHere(): void {
  // (The browser says it once; the same listener added again is not added twice, so init run
  // again while the page is rendered ahead waits for one landing.)
  if (renderedAhead()) return document.addEventListener('prerenderingchange', landHere);
  const url = landingUrl();
  const aff = readAff(url);
  // A page view with no partner's link has nothing to land, nor a URL to note: a single-page app
  // that calls replaceState as the visitor scrolls or types kept every URL for the page's life.
  if (aff && !handledHere(url, aff)) void land(url, aff);
}

/**
 * Whether this page view's landing on `url` calls for no click (landHere's rules; trackClick's
 * without a URL too): handled already, or a page opened again on it. Such a URL is noted as handled,
 * and its partner as the one landed last: a route after it that keeps its `?aff=` (a router adding a
 * parameter, Back to an earlier partner's route and on) is the same landing, as after a click. Left
 * at the newer partner, such a route sent the earlier partner's click, which took last touch back.
 */
export function handledHere(url: string, aff: string): boolean {
  if (aff != handledAff && !handledUrls.has(url)) {
    if (!clickId || !revisited(url)) return false;
    log('info', 'page opened again (reload, back or forward): no click');
  }
  handledUrls.add(url);
  handledAff = aff;
  return true;
}

/**
 * Reads the attribution again (reread: when the page is shown again, before a lead). One another
 * tab stored since is newer than this page's clicks still in the outbox (kept through an outage,
 * or on their way): they are superseded, as by a landing here. Resent as they were, the next
 * answer took the attribution back, and a lead carried the older partner's click id.
 */
export function catchUp(): void {
  if (reread()) for (const pending of outbox) if (pending.route == 'click') pending.stale = true;
}

/**
 * The attribution, read again first (catchUp) when the jar was last read more than a minute ago:
 * a tab kept open past the program's window handed out the click id its expired cookie no longer
 * held, to the page and to Stripe's checkouts. Within the minute, no read; nor before init read it.
 */
export const current = (): AffitorData => (readAt && Date.now() - readAt > 60_000 && catchUp(), data());

/**
 * The landing URLs the script build's first file handled before it loaded the main file (it lists
 * them on its `window.affitor`): handled here too, so none is landed again. Anything but a list of
 * strings is none.
 */
export const markLanded = (urls: unknown): void => {
  if (Array.isArray(urls)) {
    for (const url of urls) {
      if (typeof url == 'string') {
        handledUrls.add(url);
        handledAff = readAff(url) ?? handledAff;
      }
    }
  }
};

/** A fresh page view (tests). */
export const resetLandings = (): void => {
  handledAff = pendingClick = null;
  clicks.clear();
  firstAnswers.clear();
  handledUrls.clear();
  started = newestApplied = 0;
  appliedClick = undefined;
};
