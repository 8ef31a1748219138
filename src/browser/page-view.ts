/**
 * The SDK keeps one tracker per page in module state. Tests that play several page views in
 * one document start each with `newPageView()`, as a real navigation would.
 */
import { resetAttribution } from './attribution';
import { resetDelivery } from './delivery';
import { resetUrlAtLoad } from './history';
import { resetJar } from './jar';
import { resetLandings } from './landing';
import { resetOptions } from './options';
import { forgetMemorySession } from './page';
import { resetStripeLinks } from './stripe-links';

export function newPageView(): void {
  resetOptions();
  resetJar();
  resetAttribution();
  resetDelivery();
  resetLandings();
  resetUrlAtLoad();
  forgetMemorySession();
  resetStripeLinks();
}
