/** `useAffitor()` without `AffitorProvider`: it renders, calls through it work and start the SDK. */
import { Fragment, act, createElement, useEffect } from 'react';
import type { ReactNode } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { newPageView } from '../../src/browser/page-view';
import { init } from '../../src/index';
import { useAffitor } from '../../src/react';
import type { UseAffitor } from '../../src/react';
import { API_BASE, setUrl, landed, undoFreshCopyHistory, useTrackingApi } from '../support/dom';
import { useReactRoot } from '../support/react';

const api = useTrackingApi();
const react = useReactRoot();

describe('useAffitor outside a provider', () => {
  it('renders not ready, then a signup through it reports the lead, starts the SDK and follows the attribution', async () => {
    setUrl('https://shop.example.com/?aff=PARTNER123');
    newPageView();
    const renders: UseAffitor[] = [];
    function Signup(): ReactNode {
      const affitor = useAffitor();
      renders.push(affitor);
      return createElement('p', null, affitor.ready ? 'ready' : 'starting');
    }
    const container = document.createElement('div');
    act(() => react.create(container).render(createElement(Signup)));
    expect(renders.at(-1)).toMatchObject({ ready: false, data: null });
    expect(container.textContent).toBe('starting');
    expect(api.sent).toEqual([]);

    // The page's own init (an SDK import elsewhere, with the program id), then a signup through the hook.
    init({ programId: 1, apiBase: API_BASE });
    await act(() => renders.at(-1)!.signup('user_outside'));
    await act(() => landed());
    expect(api.clicks()).toHaveLength(1);
    expect(api.leads()).toHaveLength(1);
    expect(api.leads()[0]!.body).toMatchObject({ customer_key: 'user_outside', click_id: renders.at(-1)!.getClickId() });
    expect(renders.at(-1)).toMatchObject({ ready: true, data: { hasAttribution: true, programId: 1 } });
    expect(container.textContent).toBe('ready');
  });

  it("reports a signup made in the mount effect of a component placed before the provider (outside it), with the provider's options", async () => {
    // A fresh page: no init has run in it (fresh copies of the npm entry and the hook).
    undoFreshCopyHistory();
    vi.resetModules();
    delete (window as unknown as Record<symbol, unknown>)[Symbol.for('affitor.copy')];
    setUrl('https://shop.example.com/welcome?aff=PARTNER123');
    const sdk = await import('../../src/index');
    const { AffitorProvider: Provider, useAffitor: useFreshAffitor } = await import('../../src/react');
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    let signedUp: Promise<void> | undefined;
    // A layout's header beside the provider, not in it: its effect runs before the provider's.
    function Header(): ReactNode {
      const { signup } = useFreshAffitor();
      useEffect(() => void (signedUp ??= signup('user_header', 'h@example.com')), [signup]);
      return null;
    }
    act(() => react.create().render(createElement(Fragment, null, createElement(Header), createElement(Provider, { programId: 1, apiBase: API_BASE }))));
    await act(async () => {
      await signedUp;
      await landed();
    });
    expect(api.leads()).toHaveLength(1);
    expect(api.leads()[0]!.body).toMatchObject({ customer_key: 'user_header', program_id: 1, click_id: sdk.getClickId() });
    expect(sdk.getClickId()).toMatch(/^cust_/);
    expect(errors).not.toHaveBeenCalled();
  });
});
