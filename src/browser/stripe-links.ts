/**
 * Opt-in (`decorateStripe: true`, `data-affitor-stripe="true"`): the visitor's click id goes into
 * Stripe's own checkouts on the page, as `client_reference_id` on Payment Links
 * (`https://buy.stripe.com/...`) and as `client-reference-id` on `<stripe-pricing-table>` and
 * `<stripe-buy-button>`, so the Stripe webhook can credit the partner. Elements added later are
 * decorated as they arrive (a MutationObserver), and a new attribution replaces the value this
 * wrote; a forgotten one (consent revoked) takes it back. Its values are the ones with the
 * `affitor_` prefix, as the webhook tells them, so a copy of a decorated link (a sticky header
 * cloned from the page) is kept up to date too. Any other value is the merchant's, never replaced
 * or removed, and nothing is written when there is no click id or one Stripe would refuse.
 *
 * Checkouts inside web components (open shadow roots, which neither `querySelectorAll` nor a
 * MutationObserver of the page reaches) are decorated and watched as the page's own are, once a
 * pass over the page finds their shadow root: at the start, on `load` (components a module script
 * defines after the tag ran attach theirs only then), on each addition and each new attribution.
 * A Payment Link is decorated again as it is clicked, so one in a shadow root attached since is
 * not followed without the click id.
 */
import { STRIPE_REFERENCE_PREFIX, stripeReferenceFor } from '../core/stripe-reference';
import { isBrowser } from './env';
import { log } from './core';

/** Where the decorator reads the attribution: the SDK's tracker (npm) or `window.affitor` (script tag). */
export interface AttributionSource {
  getClickId(): string | null;
  onAttribution(listener: () => void): () => void;
}

// Any spelling of a Payment Link's URL (`//buy.stripe.com/…`, capitals): `decorate` checks the host it resolves to.
const SELECTOR = 'stripe-pricing-table,stripe-buy-button,a[href*=".stripe.com/" i]';
/** Payment Links' hosts: `donate.stripe.com` is a donation's (`submit_type: 'donate'`). */
const PAYMENT_LINK_HOST = /^(buy|donate)\.stripe\.com$/;
const EMBED_ATTRIBUTE = 'client-reference-id';
const LINK_PARAMETER = 'client_reference_id';

/** The running decoration's observer, or undefined before `decorateStripe`. */
let observer: MutationObserver | undefined;
/** What the observer watches for additions and changes: the page, and each open shadow root found in it. */
const WATCH: MutationObserverInit = { childList: true, subtree: true, attributes: true, attributeFilter: ['href', EMBED_ATTRIBUTE] };
/** Whether this page ever wrote a value: without one there is nothing to take back. */
let wrote = false;

/**
 * Writes `reference` on a Stripe element, or with none (the attribution was forgotten: consent
 * revoked) takes back the value this wrote there.
 */
function decorate(element: Element, reference: string | null): void {
  // The selector matched the href as written; its resolved URL is what the browser follows. One no
  // URL can be made of (`https://[buy].stripe.com/…`) is no Payment Link: thrown, it ended the pass
  // over the page's other checkouts.
  let link: URL | undefined;
  try {
    link = element.tagName == 'A' ? new URL((element as HTMLAnchorElement).href) : undefined;
  } catch {
    return;
  }
  if (link && !PAYMENT_LINK_HOST.test(link.host)) return;
  const current = link ? link.searchParams.get(LINK_PARAMETER) : element.getAttribute(EMBED_ATTRIBUTE);
  // A value without the prefix is the merchant's own; a blank one is no value.
  if ((current && !current.startsWith(STRIPE_REFERENCE_PREFIX)) || current == reference || (!reference && !current)) return;
  wrote = true;
  if (link) {
    if (reference) link.searchParams.set(LINK_PARAMETER, reference);
    else link.searchParams.delete(LINK_PARAMETER);
    (element as HTMLAnchorElement).href = link.href;
  } else if (reference) element.setAttribute(EMBED_ATTRIBUTE, reference);
  else element.removeAttribute(EMBED_ATTRIBUTE);
}

/**
 * Starts decorating this page's Stripe links and embeds with `source`'s click id, and keeps
 * doing so as elements arrive and the attribution changes, for the life of the page.
 * Idempotent: a second call changes nothing. Does nothing outside a browser.
 */
export function decorateStripe(source: AttributionSource): void {
  if (observer || !isBrowser()) return;
  /**
   * Decorates the matching elements in `scope` (an element and its subtree, or a shadow root), and
   * in each open shadow root inside, which the observer watches from then on (observing it again
   * changes nothing).
   */
  const decorateIn = (scope: Element | ShadowRoot, reference: string | null): void => {
    for (const element of [scope, ...scope.querySelectorAll('*')] as Element[]) {
      if (element.matches?.(SELECTOR)) decorate(element, reference);
      if (element.shadowRoot) {
        own.observe(element.shadowRoot, WATCH);
        decorateIn(element.shadowRoot, reference);
      }
    }
  };
  /** Decorates `node` and what is inside it, or the checkout a click is on (its composed path); runs in listeners, so it never throws. */
  const run = (node: Element | Event) => {
    try {
      // Nothing for a decoration a fresh page view (tests) stopped: its listeners stay on the window.
      if (own != observer) return;
      const reference = stripeReferenceFor(source.getClickId());
      // No click id (most visitors): nothing to write, and nothing to take back unless this wrote some.
      if (reference || wrote) {
        if (node instanceof Element) decorateIn(node, reference);
        else for (const target of node.composedPath()) if ((target as Element).matches?.(SELECTOR)) decorate(target as Element, reference);
      }
    } catch (error) {
      log('error', 'Stripe decoration failed:', error);
    }
  };
  const page = document.documentElement;
  const own = (observer = new MutationObserver((records) => {
    for (const record of records) {
      if (record.type == 'attributes') run(record.target as Element);
      else for (const node of record.addedNodes) if (node.nodeType == 1) run(node as Element);
    }
  }));
  own.observe(page, WATCH);
  source.onAttribution(() => run(page));
  // Before the browser follows the link: capture, on the window, ahead of the page's own listeners.
  // A middle click opens it in a new tab (auxclick).
  addEventListener('click', run, true);
  addEventListener('auxclick', run, true);
  if (document.readyState != 'complete') addEventListener('load', () => run(page), { once: true });
  run(page);
}

/** A fresh page view (tests): the decoration stops. */
export const resetStripeLinks = (): void => {
  observer?.disconnect();
  observer = undefined;
  wrote = false;
};
