/** `init`: the options, the stored attribution (read again when the page is shown again), the events earlier page views left, and the landing. */
import { restore } from './attribution';
import { keepHeld } from './consent';
import { onUrlChange } from './history';
import { cookieDomain, forgetCookieDomain, probeAhead } from './jar';
import { catchUp, landHere, landingUrl, renderedAhead } from './landing';
import { applyOptions, log, mayPersist, programId } from './options';
import type { AffitorInitOptions } from './options';
import { readEarlier } from './outbox';
import { resendUnsent } from './resend';
import { readAff } from '../core/values';

/** Where the page's first copy of the SDK marks itself (this module's `copy`). */
const FIRST_COPY = Symbol.for('affitor.copy');
const copy = {};

/**
 * The page's first copy of the SDK: this module's `copy` when this copy came first. The npm
 * functions keep the page's tracker on it (index.ts), so a second copy of them works on the first's.
 */
export const firstCopy = (): { npm?: unknown } => ((window as unknown as Record<symbol, object>)[FIRST_COPY] ??= copy);

/** A fresh page view (tests): no copy of the SDK has run in it yet. */
export const resetCopies = (): void => void delete (window as unknown as Record<symbol, unknown>)[FIRST_COPY];

/** A single-page app's navigation: its landing, then what this page could not deliver yet (resend.ts). */
const navigated = (): void => {
  landHere();
  resendUnsent();
};

/** Starts (or updates) the page's tracker, in a browser. Calling it again updates options; one landing is never tracked twice. */
export function start(newOptions: AffitorInitOptions = {}): void {
  try {
    const held = !mayPersist();
    applyOptions(newOptions);
    // Two copies (the script tag beside the npm package) share the cookies but not their state:
    // each would track every landing. Said by the copy that came second.
    if (firstCopy() != copy) log('error', 'Another copy of the SDK runs on this page: keep one');
    if (newOptions.cookieDomain) forgetCookieDomain();
    // Consent given by this init's options (a provider's `consent` turning 'granted'), as grantConsent()
    // gives it: written on the domain these options choose.
    if (held && mayPersist()) keepHeld();
    // A landing is about to write cookies: its first probe rides on the read restore() makes (jar.ts),
    // and the domain is settled at once, so no probe is left behind when last touch calls for no click.
    // Not in a page rendered ahead, which may never be opened: it writes nothing until it is (landHere).
    const probing = !!programId && mayPersist() && !!readAff(landingUrl()) && !renderedAhead() && probeAhead();
    restore();
    if (probing) cookieDomain();
    if (programId) {
      // Read, not resent (resend.ts): a new event is stored beside them, and a landing finds its own.
      readEarlier();
      onUrlChange(navigated);
      // A tab shown again may find a newer attribution another tab wrote (attribution.ts).
      document.addEventListener('visibilitychange', catchUp);
      addEventListener('online', resendUnsent);
    }
    landHere();
  } catch (error) {
    log('error', 'init failed:', error);
  }
}
