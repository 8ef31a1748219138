/**
 * The one rule of the `<script>` build that decides whether its first file (`affitor.global.js`)
 * does a page view's work alone: a landing's click, last touch, the cookies of its answer,
 * trackClick, a signup's lead kept in the outbox. When it does not (consent, debug, the
 * first-party handler, a cookie domain the page cannot use), the main file (`affitor.main.js`)
 * does all of it, loaded at once. Either way the main file is loaded for what the first leaves to
 * it (sending leads, resending what earlier page views left, consent calls, the Stripe
 * decoration), after the landing's click; it loads the rest (`affitor.more.js`) when asked in
 * turn (`needsMore`). Pure: the first file gathers the facts. Both rules live here: `mayKeep` (may
 * the first file write cookies) and `landingAlone` (does it do the page view's work).
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
  /** The browser sends the Global Privacy Control signal (`navigator.globalPrivacyControl`). */
  gpc: boolean;
}

/**
 * Whether the first file may write this page view's cookies, a signup's lead in the outbox among
 * them (before any call): a program id, consent given (a `consent` of false is none given: pending,
 * as the spec says; Global Privacy Control, when respected, only where the browser sends it), no
 * withdrawal queued, and a cookie domain as the page's own domains are written (the main file
 * normalises another, or says it is invalid). Where the main file cannot be had, the first file
 * keeps the leads of such a page view that it does not do alone.
 */
export const mayKeep = ({ options, programId, calls, domains, gpc }: LandingFacts): boolean =>
  !!programId &&
  [undefined, 'granted'].includes(options.consent as string) &&
  !(gpc && options.respectGlobalPrivacyControl) &&
  !calls.includes('revokeConsent') &&
  (!options.cookieDomain || domains.includes(options.cookieDomain as string));

/**
 * Whether the first file can do this page view's work alone: it may keep (above), and each other
 * option is an API base that is no first-party handler's path, the Stripe decoration (the main
 * file's, once the landing's click settled), or off (unset, false): debug is the main file's. The
 * page's calls before the file ran are made after its landing.
 */
export const landingAlone = (facts: LandingFacts): boolean =>
  mayKeep(facts) &&
  !facts.kept &&
  Object.keys(facts.options).every((name) => {
    const value = facts.options[name] as string;
    return /^(consent|respectGlobalPrivacyControl|cookieDomain|decorateStripe)$/.test(name) || (name == 'programId' || name == 'apiBase' ? !isHandlerPath(value) : [undefined, false, 'false'].includes(value));
  });
