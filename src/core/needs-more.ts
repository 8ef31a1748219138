/**
 * The one rule of the `<script>` build that decides whether a page view needs the rest of the
 * SDK (`affitor.more.js`) from the start. The first file (`affitor.global.js`) does a landing's
 * work by itself: its click, the cookies, last touch and consent. The rest (signup, trackClick,
 * the diagnosis, resends) is loaded when the page asks for it, debugging is on, or earlier page
 * views left events in the outbox; a request whose first try failed is handed to it too
 * (send.ts), to retry and log.
 * Pure: the script build gathers the facts.
 */
export interface PageFacts {
  /** `debug` is on: the rest prints the diagnosis once it has loaded. */
  debug: boolean;
  /** The page called a method only the rest has (`diagnose`). */
  asked: boolean;
  /** Earlier page views left events in the outbox: the rest sends them again. */
  resend: boolean;
}

export type MoreReason = 'asked' | 'resend' | 'debug';

/** Why the page view needs the rest of the SDK, or null when the first file does all it needs. */
export const needsMore = ({ debug, asked, resend }: PageFacts): MoreReason | null =>
  asked ? 'asked' : resend ? 'resend' : debug ? 'debug' : null;
