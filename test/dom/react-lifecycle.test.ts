/**
 * `@affitor/sdk/react` over a page's life, in a file of its own: the hook's module state starts
 * as a fresh page's does (nothing started). A child's effect runs before its provider's; a
 * component mounted later sees what changed while no component listened.
 */
import { act, createElement, useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { getClickId, revokeConsent } from '../../src/index';
import { AffitorProvider, useAffitor } from '../../src/react';
import type { UseAffitor } from '../../src/react';
import { API_BASE, cookieValue, landed, setUrl, undoFreshCopyHistory, useTrackingApi } from '../support/dom';
import { useReactRoot } from '../support/react';

const api = useTrackingApi();
const react = useReactRoot();

/**
 * A page whose provider's `consent` prop a consent manager sets: `render(consent)` renders it
 * again with that prop; `hook()` is what a component under it got from `useAffitor()` last.
 */
function consentPropPage(): { render: (consent: 'pending' | 'granted') => void; hook: () => UseAffitor } {
  let hook: UseAffitor | undefined;
  function Consent(): ReactNode {
    hook = useAffitor();
    return null;
  }
  react.create();
  return {
    render: (consent) => act(() => react.root.render(createElement(AffitorProvider, { programId: 1, apiBase: API_BASE, consent }, createElement(Consent)))),
    hook: () => hook!,
  };
}

describe('AffitorProvider and useAffitor over a page view', () => {
  it("reports a signup made in a child's mount effect, which runs before the provider's, with the provider's options", async () => {
    setUrl('https://shop.example.com/welcome?aff=PARTNER123');
    const errors = vi.spyOn(console, 'error');
    let signedUp: Promise<void> | undefined;
    function Welcome(): ReactNode {
      const { signup } = useAffitor();
      // A page that reports the signup once it is shown (after a redirect from the sign-up form).
      useEffect(() => void (signedUp ??= signup('user_welcome', 'w@example.com')), [signup]);
      return null;
    }
    act(() => react.create().render(createElement(AffitorProvider, { programId: 1, apiBase: API_BASE }, createElement(Welcome))));
    await act(async () => {
      await landed();
      await signedUp;
    });
    expect(api.clicks()).toHaveLength(1);
    expect(api.leads()).toHaveLength(1);
    expect(api.leads()[0]!.body).toMatchObject({ customer_key: 'user_welcome', program_id: 1, click_id: getClickId() });
    expect(errors).not.toHaveBeenCalled();
  });

  it('shows a component mounted later what changed while no component used the hook: a landing answered, consent revoked', async () => {
    setUrl('https://shop.example.com/?aff=PARTNER123');
    const seen: UseAffitor[] = [];
    function Status(): ReactNode {
      const affitor = useAffitor();
      seen.push(affitor);
      return createElement('p', null, affitor.data?.clickId ?? 'none');
    }
    let show: (on: boolean) => void = () => undefined;
    function Page(): ReactNode {
      const [on, setOn] = useState(false);
      show = setOn;
      return on ? createElement(Status) : null;
    }
    const container = document.createElement('div');
    // The landing page does not use the hook; the signup page, reached next, does.
    act(() => react.create(container).render(createElement(AffitorProvider, { programId: 1, apiBase: API_BASE }, createElement(Page))));
    await act(() => landed());
    act(() => show(true));
    const clickId = getClickId();
    expect(clickId).toMatch(/^cust_/);
    expect(seen[0]!.data).toMatchObject({ clickId, hasAttribution: true });
    expect(container.textContent).toBe(clickId);

    // A route without the hook, while a consent manager withdraws consent through the SDK.
    act(() => show(false));
    act(() => revokeConsent());
    act(() => show(true));
    expect(seen.at(-1)!.data).toMatchObject({ clickId: null, hasAttribution: false });
    expect(container.textContent).toBe('none');
  });

  it("writes what consent held once the consent prop turns 'granted'; removing the prop leaves consent pending (init keeps an option it is not given)", async () => {
    setUrl('https://shop.example.com/?aff=PARTNER123');
    const render = (consent?: 'pending' | 'granted') =>
      act(() => react.root.render(createElement(AffitorProvider, { programId: 1, apiBase: API_BASE, consent })));
    react.create();
    render('pending');
    await act(() => landed());
    expect(getClickId()).toMatch(/^cust_/);
    expect(cookieValue('affitor_click_id')).toBeUndefined();
    render(undefined);
    expect(cookieValue('affitor_click_id')).toBeUndefined();
    render('granted');
    expect(cookieValue('affitor_click_id')).toBe(getClickId());
  });

  it("keeps what was written when the consent prop turns back to 'pending' (the README says so): only revokeConsent() deletes it", async () => {
    setUrl('https://shop.example.com/?aff=PARTNER123');
    const { render, hook } = consentPropPage();
    render('granted');
    await act(() => landed());
    const clickId = getClickId();
    expect(cookieValue('affitor_click_id')).toBe(clickId);

    // A consent manager wired to the prop only: the visitor withdraws, the prop turns 'pending'.
    render('pending');
    expect(cookieValue('affitor_click_id')).toBe(clickId);
    expect(hook().data).toMatchObject({ clickId, hasAttribution: true });
    act(() => hook().revokeConsent());
    expect(cookieValue('affitor_click_id')).toBeUndefined();
    expect(hook().data).toMatchObject({ clickId: null, hasAttribution: false });
  });

  it("writes a new partner's attribution once the consent prop turns 'granted' again after a withdrawal made as the README says (prop 'pending' and revokeConsent())", async () => {
    setUrl('https://shop.example.com/?aff=PARTNER123');
    const { render, hook } = consentPropPage();
    render('granted');
    await act(() => landed());
    expect(cookieValue('affitor_click_id')).toBe(getClickId());

    // The visitor withdraws: the consent manager turns the prop 'pending' and calls revokeConsent().
    render('pending');
    act(() => hook().revokeConsent());
    expect(cookieValue('affitor_click_id')).toBeUndefined();

    // Another partner's link, held in memory while consent is withdrawn.
    history.pushState(null, '', '/?aff=PARTNER456');
    await act(() => landed());
    expect(api.clicks()).toHaveLength(2);
    const clickId = getClickId();
    expect(clickId).toMatch(/^cust_/);
    expect(cookieValue('affitor_click_id')).toBeUndefined();

    // The visitor consents again: the prop turns 'granted', and the held attribution is written.
    render('granted');
    expect(cookieValue('affitor_click_id')).toBe(clickId);
    expect(hook().data).toMatchObject({ clickId, hasAttribution: true });
  });

  it("reports a signup a child's mount effect makes with signup() from @affitor/sdk itself (not the hook), before the provider's effect ran init", async () => {
    // A fresh page: no init has run in it (fresh copies of the npm entry and the hook).
    undoFreshCopyHistory();
    vi.resetModules();
    delete (window as unknown as Record<symbol, unknown>)[Symbol.for('affitor.copy')];
    setUrl('https://shop.example.com/welcome?aff=PARTNER123');
    const sdk = await import('../../src/index');
    const { AffitorProvider: Provider } = await import('../../src/react');
    const errors = vi.spyOn(console, 'error');
    let signedUp: Promise<void> | undefined;
    function Welcome(): ReactNode {
      useEffect(() => void (signedUp ??= sdk.signup('user_welcome', 'w@example.com')), []);
      return null;
    }
    act(() => react.create().render(createElement(Provider, { programId: 1, apiBase: API_BASE }, createElement(Welcome))));
    await act(async () => {
      await signedUp;
    });
    expect(api.clicks()).toHaveLength(1);
    expect(api.leads()).toHaveLength(1);
    expect(api.leads()[0]!.body).toMatchObject({ customer_key: 'user_welcome', program_id: 1, click_id: sdk.getClickId() });
    expect(sdk.getClickId()).toMatch(/^cust_/);
    expect(errors).not.toHaveBeenCalled();
  });
});
