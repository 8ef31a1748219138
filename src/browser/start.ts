/** `init`: the options, the stored attribution, the events earlier page views left, and the landing. */
import { OUTBOX_PAGE_VIEWS } from '../core/outbox';
import { restore } from './attribution';
import { isBrowser } from './env';
import { onUrlChange } from './history';
import { forgetCookieDomain } from './jar';
import { landHere, startClick } from './landing';
import { applyOptions, log, programId } from './options';
import type { AffitorInitOptions } from './options';
import { drop, storeOutbox, takeEarlier } from './outbox';
import { send } from './send';

/**
 * Sends again what earlier page views could not deliver, once per page view, in the order it
 * happened. Each page view tries an event again, up to OUTBOX_PAGE_VIEWS times: a request that
 * fails that often (an origin the program does not allow) is not worth sending forever.
 */
function resumeOutbox(): void {
  const earlier = takeEarlier();
  // Nothing left by earlier page views: nothing to write either.
  if (!earlier.length) return;
  for (const event of earlier) {
    if ((event.tries = (event.tries ?? 0) + 1) > OUTBOX_PAGE_VIEWS) {
      log('error', `${event.route} given up after ${OUTBOX_PAGE_VIEWS} page views:`, event.body);
      drop(event);
    } else void (event.route == 'click' ? startClick(event) : send(event));
  }
  storeOutbox();
}

/** Starts (or updates) the page's tracker. Calling it again updates options; one landing is never tracked twice. */
export function start(newOptions: AffitorInitOptions = {}): void {
  if (!isBrowser()) return;
  try {
    applyOptions(newOptions);
    if (newOptions.cookieDomain) forgetCookieDomain();
    restore();
    if (programId) {
      resumeOutbox();
      onUrlChange(landHere);
    }
    landHere();
  } catch (error) {
    log('error', 'init failed:', error);
  }
}
