/** `trackClick`: a click for a partner link the page names, under the same last-touch rules as a landing. */
import { isPlausibleId, readAff } from '../core/values';
import { bounded } from './bounded';
import { clickId } from './attribution';
import { handledAff, handledHere, land, landingUrl, pendingClick, renderedAhead } from './landing';
import { NO_PROGRAM_ID, log, programId } from './options';
import { isBrowser } from './env';

/**
 * Reports a click for `affiliateUrl` (default: the page's landing, as init reads it). Never rejects;
 * resolves within CALL_WAIT_MS (bounded.ts): a page that awaits it before it navigates goes on, and
 * the click, in the outbox, is retried or sent again by a later page view.
 */
export async function trackClick(affiliateUrl?: string, existingClickId?: string | null): Promise<void> {
  if (!isBrowser()) return;
  let url: string | undefined;
  let aff: string | null = null;
  try {
    // Without a URL, the landing init handles: the URL at load when a router stripped `?aff=` since.
    url = new URL(affiliateUrl ?? landingUrl(), location.href).href;
    aff = readAff(url);
  } catch {
    /* reported below */
  }
  if (!aff) return log('error', 'trackClick: not a URL with an aff parameter:', url ?? affiliateUrl);
  // Said as signup says it: land() sends nothing without one, and init's error may be long past.
  if (!programId) return log('error', 'trackClick not sent. ' + NO_PROGRAM_ID);
  // In a page rendered ahead, reported once the visitor opens it, as a landing is; meanwhile the
  // page's code that awaits this call goes on rendering.
  if (renderedAhead()) return document.addEventListener('prerenderingchange', () => void trackClick(affiliateUrl, existingClickId), { once: true });
  try {
    // The same landing already on its way (init() just handled it): join it instead of sending it twice.
    // Without a URL, the page's landing is no new touch once handled: a newer partner may have taken over since.
    await bounded(
      Promise.resolve(
        aff == handledAff && pendingClick
          ? pendingClick
          : affiliateUrl == null && handledHere(url!, aff)
            ? undefined
            : land(url!, aff, existingClickId === undefined ? clickId : isPlausibleId(existingClickId) ? existingClickId : null),
      ),
    );
  } catch (error) {
    log('error', 'trackClick failed:', error);
  }
}
