/**
 * The one rule of the `<script>` build that decides which of its files a page view needs. The
 * first file (`affitor.global.js`) lands a plain landing alone: its click, last touch, and the
 * cookies of its answer. Anything more is the main file's (`affitor.main.js`), which the first
 * loads: the page's calls, consent, debug, the first-party handler, events earlier page views
 * left. The main file loads the rest (`affitor.more.js`) when asked in turn (`needsMore`).
 * Pure: the first file gathers the facts.
 */
import { isHandlerPath } from './values';

export interface LandingFacts {
  /** The options the tag and queued `init` calls set (an attribute's value as written). */
  options: Record<string, unknown>;
  /** The program id they resolve to, if valid. */
  programId: number | null;
  /** Events earlier page views left in the outbox, or cookies the first-party handler wrote. */
  kept: boolean;
  /** The methods the page called before the first file ran (the stub's queue), in order. */
  calls: readonly string[];
}

/**
 * Whether the first file can do this page view's work alone. Each option must be the program id,
 * an API base that is no first-party handler's path, or off (unset, false, consent granted):
 * debug, consent pending, a cookie domain chosen, the Stripe decoration and Global Privacy Control
 * are the main file's. The page's calls before the file ran are made after its landing, but a
 * withdrawal, which holds for the landing (no cookie written).
 */
export const landingAlone = ({ options, programId, kept, calls }: LandingFacts): boolean =>
  !!programId &&
  !kept &&
  !calls.includes('revokeConsent') &&
  Object.keys(options).every((name) =>
    name == 'programId' || name == 'apiBase' ? !isHandlerPath(options[name] as string) : [undefined, false, 'false', 'granted'].includes(options[name] as string),
  );
