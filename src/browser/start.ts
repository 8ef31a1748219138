/** `init`: the options, the stored attribution, the events earlier page views left, and the landing. */
import { isExpectedLeadRefusal } from '../core/attribution';
import { restore } from './attribution';
import { deliver, resumeOutbox } from './delivery';
import { isBrowser } from './env';
import { onUrlChange } from './history';
import { forgetCookieDomain } from './jar';
import { landHere, startClick } from './landing';
import { applyOptions, log, programId } from './options';
import type { AffitorInitOptions } from './options';

/** Starts (or updates) the page's tracker. Calling it again updates options; one landing is never tracked twice. */
export function start(newOptions: AffitorInitOptions = {}): void {
  if (!isBrowser()) return;
  try {
    applyOptions(newOptions);
    if (newOptions.cookieDomain) forgetCookieDomain();
    restore();
    if (programId) {
      // Events an earlier page view could not deliver: clicks first, so leads can wait for them.
      for (const event of resumeOutbox()) {
        if (event.route == 'click') void startClick(event);
        else void deliver(event, (message) => isExpectedLeadRefusal(message, !!event.body.click_id));
      }
      onUrlChange(landHere);
    }
    landHere();
  } catch (error) {
    log('error', 'init failed:', error);
  }
}
