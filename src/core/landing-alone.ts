/**
 * The one rule of the `<script>` build that decides whether its first file (`affitor.global.js`)
 * does a page view's work alone: a landing's click, last touch, the cookies of its answer,
 * trackClick, a signup's lead kept in the outbox. When it does not (consent, debug, the
 * first-party handler, a cookie domain the page cannot use), the main file (`affitor.main.js`)
 * does all of it, loaded at once. Either way the main file is loaded for what the first leaves to
 * it (sending leads, resending what earlier page views left, consent calls, the Stripe
 * decoration), after the landing's click; it loads the rest (`affitor.more.js`) when asked in
 * turn (`needsMore`). Pure: the first file gathers the facts.
 */
import { isHandlerPath } from './values';

export interface LandingFacts {
  /** The options the tag and queued `init` calls set (an attribute's value as written). */
  options: Record<string, unknown>;
  /** The program id they resolve to, if valid. */
  programId: number | null;
  /** Cookies only the main file reads: the first-party handler's, or a legacy click id to migrate. */
  kept: boolean;
  /** The methods the page called before the first file ran (the stub's queue), in order. */
  calls: readonly string[];
  /** The domains this page's cookies may be on (cookieDomainCandidates of its hostname): a `cookieDomain` option must be one. */
  domains: readonly string[];
}

/**
 * Whether the first file can do this page view's work alone. Each option must be the program id,
 * an API base that is no first-party handler's path, a cookie domain this page can use (the main
 * file says why another is not), the Stripe decoration (the main file's, once the landing's click
 * settled), or off (unset, false, consent granted): debug, consent pending and Global Privacy
 * Control are the main file's. A consent of false is no consent given (pending, as the spec says), not off. The page's calls before the file ran are made after its landing,
 * but a withdrawal, which holds for the landing (no cookie written).
 */
export const landingAlone = ({ options, programId, kept, calls, domains }: LandingFacts): boolean =>
  !!programId &&
  !kept &&
  !calls.includes('revokeConsent') &&
  Object.keys(options).every((name) => {
    const value = options[name] as string;
    return name == 'programId' || name == 'apiBase'
      ? !isHandlerPath(value)
      : name == 'cookieDomain'
        ? !value || domains.includes(value)
        : name == 'decorateStripe' || [undefined, 'granted', ...(name == 'consent' ? [] : [false, 'false'])].includes(value);
  });
