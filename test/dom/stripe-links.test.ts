/** The opt-in Stripe decoration: the click id on Payment Links, the pricing table and the buy button. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { newPageView } from '../../src/browser/page-view';
import { decorateStripe } from '../../src/browser/stripe-links';
import { HttpResponse, land as landOn, landed, useTrackingApi } from '../support/dom';

const api = useTrackingApi();
afterEach(() => {
  document.body.replaceChildren();
});

const PAGE = `
  <a id="link" href="https://buy.stripe.com/test_28o5lq0cP4bc">Buy</a>
  <a id="own" href="https://buy.stripe.com/test_9AQ3d?client_reference_id=order_77&prefilled_email=a%40b.test">Buy (own reference)</a>
  <a id="other" href="https://example.com/pricing">Pricing</a>
  <a id="lookalike" href="https://buy.stripe.com.example.net/x">Not Stripe</a>
  <stripe-pricing-table id="table" pricing-table-id="prctbl_1" publishable-key="pk_test_1"></stripe-pricing-table>
  <stripe-buy-button id="button" buy-button-id="buy_btn_1" publishable-key="pk_test_1" client-reference-id="user_9"></stripe-buy-button>
  <stripe-buy-button id="blank" buy-button-id="buy_btn_2" publishable-key="pk_test_1" client-reference-id=""></stripe-buy-button>`;

const byId = (id: string) => document.getElementById(id)!;
const href = (id: string) => new URL((byId(id) as HTMLAnchorElement).href);

/** The merchant's own references on PAGE are as the merchant wrote them, with the rest of their URL. */
function expectMerchantValuesKept(): void {
  expect(href('own').searchParams.get('client_reference_id')).toBe('order_77');
  expect(href('own').searchParams.get('prefilled_email')).toBe('a@b.test');
  expect(byId('button').getAttribute('client-reference-id')).toBe('user_9');
}

/** A settled landing on `url` of a page with PAGE's checkouts in it. */
function land(url: string, options: { decorateStripe?: boolean } = { decorateStripe: true }) {
  document.body.innerHTML = PAGE;
  return landOn(url, options);
}

describe('decorateStripe: true', () => {
  it("adds the landing's click id to Payment Links and the pricing table, leaving the merchant's values and other links alone", async () => {
    const tracker = await land('https://shop.example.com/pricing?aff=PARTNER123');
    const reference = `affitor_${tracker.getClickId()!}`;
    expect(reference).toMatch(/^affitor_cust_\d+_\d+$/);
    expect(href('link').searchParams.get('client_reference_id')).toBe(reference);
    expect(href('link').pathname).toBe('/test_28o5lq0cP4bc');
    expect(byId('table').getAttribute('client-reference-id')).toBe(reference);
    // A blank value is no value: filled.
    expect(byId('blank').getAttribute('client-reference-id')).toBe(reference);
    expectMerchantValuesKept();
    expect(byId('other').getAttribute('href')).toBe('https://example.com/pricing');
    expect(byId('lookalike').getAttribute('href')).toBe('https://buy.stripe.com.example.net/x');
  });

  it('decorates the checkouts after a Stripe-looking link no URL can be made of, which it leaves alone', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    document.body.innerHTML = `<a id="broken" href="https://[buy].stripe.com/test_1">Buy</a>` + PAGE;
    const tracker = await landOn('https://shop.example.com/pricing?aff=PARTNER123', { decorateStripe: true });
    const reference = `affitor_${tracker.getClickId()!}`;
    expect(byId('table').getAttribute('client-reference-id')).toBe(reference);
    expect(href('link').searchParams.get('client_reference_id')).toBe(reference);
    expect(byId('broken').getAttribute('href')).toBe('https://[buy].stripe.com/test_1');
    expect(error).not.toHaveBeenCalled();
  });

  it('decorates links and embeds added later, and a link whose href changes to a Payment Link', async () => {
    const tracker = await land('https://shop.example.com/?aff=PARTNER123');
    const reference = `affitor_${tracker.getClickId()!}`;
    const section = document.createElement('section');
    section.innerHTML = '<div><a id="late" href="https://buy.stripe.com/test_late">Later</a></div>';
    document.body.append(section);
    const table = document.createElement('stripe-pricing-table');
    document.body.append(table);
    byId('other').setAttribute('href', 'https://buy.stripe.com/test_changed');
    // The MutationObserver reports these additions and changes when it runs.
    await vi.waitFor(() => expect(href('late').searchParams.get('client_reference_id')).toBe(reference));
    expect(table.getAttribute('client-reference-id')).toBe(reference);
    expect(href('other').searchParams.get('client_reference_id')).toBe(reference);
  });

  it('replaces its own value when a new partner takes over, and still not the merchant’s', async () => {
    const tracker = await land('https://shop.example.com/?aff=PARTNER123');
    const first = tracker.getClickId()!;
    await tracker.trackClick('https://shop.example.com/?aff=PARTNER456');
    const second = tracker.getClickId()!;
    expect(second).not.toBe(first);
    expect(href('link').searchParams.get('client_reference_id')).toBe(`affitor_${second}`);
    expect(byId('table').getAttribute('client-reference-id')).toBe(`affitor_${second}`);
    expectMerchantValuesKept();
  });

  it('decorates Payment Links written protocol-relative or in capitals, and donation links (donate.stripe.com)', async () => {
    document.body.innerHTML = PAGE;
    document.body.insertAdjacentHTML(
      'beforeend',
      '<a id="relative" href="//buy.stripe.com/test_rel">Buy</a><a id="capitals" href="HTTPS://BUY.STRIPE.COM/test_caps">Buy</a><a id="donate" href="https://donate.stripe.com/test_give">Donate</a><a id="dashboard" href="https://dashboard.stripe.com/payments">Not a checkout</a>',
    );
    const tracker = await landOn('https://shop.example.com/?aff=PARTNER123', { decorateStripe: true });
    const reference = `affitor_${tracker.getClickId()!}`;
    for (const id of ['relative', 'capitals', 'donate']) expect(href(id).searchParams.get('client_reference_id'), id).toBe(reference);
    expect(byId('dashboard').getAttribute('href')).toBe('https://dashboard.stripe.com/payments');
  });

  it('replaces and takes back its value on a copy of a decorated link too (a sticky header cloned from the page)', async () => {
    const tracker = await land('https://shop.example.com/?aff=PARTNER123');
    const copy = byId('link').cloneNode(true) as HTMLAnchorElement;
    copy.id = 'copy';
    document.body.append(copy);
    await tracker.trackClick('https://shop.example.com/?aff=PARTNER456');
    expect(href('copy').searchParams.get('client_reference_id')).toBe(`affitor_${tracker.getClickId()!}`);
    tracker.revokeConsent();
    expect(href('copy').searchParams.get('client_reference_id')).toBeNull();
    expect(href('link').searchParams.get('client_reference_id')).toBeNull();
    expectMerchantValuesKept();
  });

  it("takes its values back when consent is revoked, leaving the merchant's, and writes none on elements added after", async () => {
    const tracker = await land('https://shop.example.com/pricing?aff=PARTNER123');
    expect(href('link').searchParams.get('client_reference_id')).toBe(`affitor_${tracker.getClickId()!}`);
    tracker.revokeConsent();
    expect(href('link').searchParams.has('client_reference_id')).toBe(false);
    expect(href('link').pathname).toBe('/test_28o5lq0cP4bc');
    expect(byId('table').hasAttribute('client-reference-id')).toBe(false);
    expect(byId('blank').hasAttribute('client-reference-id')).toBe(false);
    expectMerchantValuesKept();
    // Mutation observers are told in the order they were made: once this one has heard of the
    // additions, the decoration's observer (made at init) has handled them.
    const heard = new Promise((resolve) => new MutationObserver(resolve).observe(document.body, { childList: true }));
    const table = document.createElement('stripe-pricing-table');
    const link = document.createElement('a');
    link.href = 'https://buy.stripe.com/test_late';
    document.body.append(table, link);
    await heard;
    expect(table.hasAttribute('client-reference-id')).toBe(false);
    expect(new URL(link.href).searchParams.has('client_reference_id')).toBe(false);
  });

  describe('inside web components (open shadow roots)', () => {
    /** A component with its own shadow root holding `html`, put in the page. */
    const component = (html: string, parent: Element | ShadowRoot = document.body): ShadowRoot => {
      const host = document.createElement('shop-checkout');
      const shadow = host.attachShadow({ mode: 'open' });
      shadow.innerHTML = html;
      parent.append(host);
      return shadow;
    };
    const linkIn = (shadow: ShadowRoot) => new URL(shadow.querySelector('a')!.href);
    const CHECKOUT = '<a href="https://buy.stripe.com/test_shadow"><span>Buy</span></a><stripe-pricing-table pricing-table-id="prctbl_2"></stripe-pricing-table>';

    it('decorates checkouts in shadow roots, nested ones too, and follows the attribution there', async () => {
      document.body.innerHTML = PAGE;
      const outer = component(CHECKOUT);
      const inner = component(CHECKOUT, outer);
      const tracker = await landOn('https://shop.example.com/?aff=PARTNER123', { decorateStripe: true });
      const reference = `affitor_${tracker.getClickId()!}`;
      for (const shadow of [outer, inner]) {
        expect(linkIn(shadow).searchParams.get('client_reference_id')).toBe(reference);
        expect(shadow.querySelector('stripe-pricing-table')!.getAttribute('client-reference-id')).toBe(reference);
      }
      await tracker.trackClick('https://shop.example.com/?aff=PARTNER456');
      expect(linkIn(inner).searchParams.get('client_reference_id')).toBe(`affitor_${tracker.getClickId()!}`);
      tracker.revokeConsent();
      expect(linkIn(inner).searchParams.has('client_reference_id')).toBe(false);
      expect(outer.querySelector('stripe-pricing-table')!.hasAttribute('client-reference-id')).toBe(false);
    });

    it('decorates a component added later, and a checkout added later inside a shadow root it watches', async () => {
      document.body.innerHTML = PAGE;
      const early = component('<p>Plans</p>');
      const tracker = await landOn('https://shop.example.com/?aff=PARTNER123', { decorateStripe: true });
      const reference = `affitor_${tracker.getClickId()!}`;
      const late = component(CHECKOUT);
      early.innerHTML = CHECKOUT;
      await vi.waitFor(() => expect(linkIn(late).searchParams.get('client_reference_id')).toBe(reference));
      await vi.waitFor(() => expect(linkIn(early).searchParams.get('client_reference_id')).toBe(reference));
      expect(early.querySelector('stripe-pricing-table')!.getAttribute('client-reference-id')).toBe(reference);
    });

    it('decorates a Payment Link as it is clicked, in a shadow root attached after every pass (a component defined late)', async () => {
      const tracker = await land('https://shop.example.com/?aff=PARTNER123');
      // An element already in the page gets its shadow root only now: no addition the observer hears of.
      const host = document.createElement('shop-checkout');
      document.body.append(host);
      await landed();
      const shadow = host.attachShadow({ mode: 'open' });
      shadow.innerHTML = CHECKOUT;
      const link = shadow.querySelector('a')!;
      let followed: string | undefined;
      // The page's own listener sees the href the browser then follows (and keeps this test on its page).
      link.addEventListener('click', (event) => {
        followed = link.href;
        event.preventDefault();
      });
      link.querySelector('span')!.dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true, cancelable: true }));
      expect(new URL(followed!).searchParams.get('client_reference_id')).toBe(`affitor_${tracker.getClickId()!}`);
      // Another link of the page is not one to decorate.
      byId('other').addEventListener('click', (event) => event.preventDefault());
      byId('other').dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));
      expect(byId('other').getAttribute('href')).toBe('https://example.com/pricing');
    });
  });

  it('writes nothing without a click id, then decorates once a click arrives', async () => {
    const tracker = await land('https://shop.example.com/');
    expect(href('link').searchParams.has('client_reference_id')).toBe(false);
    expect(byId('table').hasAttribute('client-reference-id')).toBe(false);
    expect(byId('blank').getAttribute('client-reference-id')).toBe('');
    await tracker.trackClick('https://shop.example.com/?aff=PARTNER123');
    expect(byId('table').getAttribute('client-reference-id')).toBe(`affitor_${tracker.getClickId()!}`);
  });

  it('writes nothing for a click id Stripe would refuse (only letters, digits, - and _)', async () => {
    api.answer('click', () => HttpResponse.json({ success: true, click_id: 'cust.7:1', partner_code: 'PARTNER123', cookie_window_days: 30 }));
    const tracker = await land('https://shop.example.com/?aff=PARTNER123');
    expect(tracker.getClickId()).toBe('cust.7:1');
    expect(href('link').searchParams.has('client_reference_id')).toBe(false);
    expect(byId('table').hasAttribute('client-reference-id')).toBe(false);
  });

  it('is off by default', async () => {
    await land('https://shop.example.com/?aff=PARTNER123', {});
    expect(href('link').searchParams.has('client_reference_id')).toBe(false);
    expect(byId('table').hasAttribute('client-reference-id')).toBe(false);
  });

  it("is off when given as the string 'false' (from a config), to the constructor as to init", async () => {
    await land('https://shop.example.com/?aff=PARTNER123', { decorateStripe: 'false' as unknown as boolean });
    expect(href('link').searchParams.has('client_reference_id')).toBe(false);
    expect(byId('table').hasAttribute('client-reference-id')).toBe(false);
  });
});

describe('decorateStripe on window.affitor (the script build)', () => {
  it("reads the attribution through the public API it is given and follows it; a failing source never throws into the page", async () => {
    newPageView();
    document.body.innerHTML = PAGE;
    let clickId: string | null = 'cust_5_1';
    const listeners: (() => void)[] = [];
    decorateStripe({ getClickId: () => clickId, onAttribution: (listener) => (listeners.push(listener), () => undefined) });
    // A second call (init run twice) starts nothing more.
    decorateStripe({ getClickId: () => 'cust_other_1', onAttribution: () => () => undefined });
    expect(byId('table').getAttribute('client-reference-id')).toBe('affitor_cust_5_1');
    clickId = 'cust_5_2';
    for (const listener of listeners) listener();
    expect(href('link').searchParams.get('client_reference_id')).toBe('affitor_cust_5_2');

    newPageView();
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    decorateStripe({
      getClickId: () => {
        throw new Error('broken');
      },
      onAttribution: () => () => undefined,
    });
    document.body.append(document.createElement('stripe-buy-button'));
    // The MutationObserver reports the new button when it runs: the failure is logged, nothing written.
    await vi.waitFor(() => expect(errors).toHaveBeenCalledWith('[Affitor]', 'Stripe decoration failed:', expect.any(Error)));
    expect(document.querySelector('stripe-buy-button:not([id])')!.hasAttribute('client-reference-id')).toBe(false);
    errors.mockRestore();
  });

  it("once stopped (a fresh page view), reads no attribution from its source: the listeners it left on the window do nothing", () => {
    newPageView();
    document.body.innerHTML = PAGE;
    let reads = 0;
    decorateStripe({ getClickId: () => (reads++, 'cust_5_1'), onAttribution: () => () => undefined });
    expect(reads).toBeGreaterThan(0);
    newPageView();
    reads = 0;
    document.body.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    document.body.dispatchEvent(new MouseEvent('auxclick', { bubbles: true }));
    expect(reads).toBe(0);
  });
});
