/** `init`: the options, the stored attribution, the events earlier page views left, and the landing. */
import { restore } from './attribution';
import { onUrlChange } from './history';
import { forgetCookieDomain } from './jar';
import { landHere } from './landing';
import { applyOptions, log, programId } from './options';
import type { AffitorInitOptions } from './options';
import { readEarlier } from './outbox';

/** Starts (or updates) the page's tracker, in a browser. Calling it again updates options; one landing is never tracked twice. */
export function start(newOptions: AffitorInitOptions = {}): void {
  try {
    applyOptions(newOptions);
    if (newOptions.cookieDomain) forgetCookieDomain();
    restore();
    if (programId) {
      // Read, not resent (resend.ts): a new event is stored beside them, and a landing finds its own.
      readEarlier();
      onUrlChange(landHere);
    }
    landHere();
  } catch (error) {
    log('error', 'init failed:', error);
  }
}
