/**
 * The one rule of the `<script>` build that decides whether a page view needs the rest of the
 * SDK (`affitor.more.js`) from the start. The first file (`affitor.global.js`) does a landing's
 * work by itself: its click, the cookies, last touch, consent, trackClick, signup's lead, and
 * resending what earlier page views left. The rest (the diagnosis, the Stripe decoration) is
 * loaded when the page asks for it or debugging is on; a request whose first try failed is
 * handed to it too (send.ts), to retry and log.
 * Pure: the script build gathers the facts.
 */
export interface PageFacts {
  /** `debug` is on: the rest prints the diagnosis once it has loaded. */
  debug: boolean;
  /** The page called a method only the rest has (`diagnose`). */
  asked: boolean;
}

export type MoreReason = 'asked' | 'debug';

/** Why the page view needs the rest of the SDK, or null when the first file does all it needs. */
export const needsMore = ({ debug, asked }: PageFacts): MoreReason | null => (asked ? 'asked' : debug ? 'debug' : null);
