/**
 * The SDK keeps one tracker per page in module state. Tests that play several page views in
 * one document start each with `newPageView()`, as a real navigation would.
 */
import { resetAttribution } from './attribution';
import { resetCsp } from './csp';
import { resetUrlAtLoad } from './history';
import { resetJar } from './jar';
import { resetLandings } from './landing';
import { resetOptions } from './options';
import { resetOutbox } from './outbox';
import { resetResend } from './resend';
import { forgetSessionId } from './session';
import { resetSend } from './send';
import { resetStripeLinks } from './stripe-links';
import { resetCopies } from './start';

export function newPageView(): void {
  resetOptions();
  resetJar();
  resetAttribution();
  resetOutbox();
  resetResend();
  resetSend();
  resetLandings();
  resetUrlAtLoad();
  forgetSessionId();
  resetStripeLinks();
  resetCopies();
  resetCsp();
}
