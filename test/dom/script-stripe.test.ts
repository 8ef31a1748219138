/**
 * The script build's side of the Stripe decoration: affitor.more.js hands over `decorateStripe`,
 * which reads the attribution through window.affitor. (The first file starts it when its tag says
 * data-affitor-stripe="true"; here the test calls what it hands over.)
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Handover, More } from '../../src/script-handover';
import { HANDOVER } from '../../src/script-handover';
import { API_BASE, HttpResponse, http, setUrl, useScriptBuildPage, useTrackingApi } from '../support/dom';

const api = useTrackingApi({ quietErrors: true });
// The first file's look at affitor.more.js before it adds the script tag, answered here (never the network).
beforeEach(() => api.server.use(http.get('https://cdn.affitor.test/sdk/affitor.more.js', () => new HttpResponse('/* the rest */', { headers: { 'Content-Type': 'text/javascript' } }))));
type Affitor = Record<string, (...args: unknown[]) => unknown> & { [HANDOVER]?: Handover };
const host = window as unknown as { affitor?: Affitor };
useScriptBuildPage();
afterEach(() => document.body.replaceChildren());

describe('the <script> build: Stripe decoration handed over by affitor.more.js', () => {
  it("decorates with window.affitor's click id and follows a partner switch", async () => {
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    document.body.innerHTML = '<stripe-pricing-table pricing-table-id="prctbl_1"></stripe-pricing-table><a href="https://buy.stripe.com/test_1">Buy</a>';
    const tag = document.createElement('script');
    tag.src = 'https://cdn.affitor.test/sdk/affitor.global.js';
    tag.setAttribute('data-affitor-program-id', '1');
    tag.setAttribute('data-affitor-api-base', API_BASE);
    tag.setAttribute('data-affitor-stripe', 'true');
    document.head.append(tag);
    Object.defineProperty(document, 'currentScript', { configurable: true, get: () => tag });
    try {
      await import('../../src/script');
    } finally {
      delete (document as unknown as Record<string, unknown>).currentScript;
    }
    const affitor = host.affitor!;
    // The landing's click answered: its id is the attribution.
    await vi.waitFor(() => expect(affitor.getClickId!()).toMatch(/^cust_/));
    const clickId = affitor.getClickId!() as string;

    // What affitor.more.js hands to the first file.
    const handover = affitor[HANDOVER]!;
    let handed: More | undefined;
    const take = handover.take;
    handover.take = (more) => {
      handed = more;
      take(more);
    };
    await import('../../src/script-more');
    expect(Object.keys(handed!).sort()).toEqual(['decorateStripe', 'diagnose', 'retry', 'version']);

    handed!.decorateStripe();
    const table = document.querySelector('stripe-pricing-table')!;
    expect(table.getAttribute('client-reference-id')).toBe(`affitor_${clickId}`);
    expect(document.querySelector('a')!.href).toBe(`https://buy.stripe.com/test_1?client_reference_id=affitor_${clickId}`);

    await affitor.trackClick!('https://www.shop.example.com/?aff=PARTNER456');
    const switched = affitor.getClickId!() as string;
    expect(switched).not.toBe(clickId);
    expect(table.getAttribute('client-reference-id')).toBe(`affitor_${switched}`);

    // Consent revoked: the click id leaves the checkouts with the cookies.
    affitor.revokeConsent!();
    expect(table.hasAttribute('client-reference-id')).toBe(false);
    expect(document.querySelector('a')!.href).toBe('https://buy.stripe.com/test_1');
  });
});
