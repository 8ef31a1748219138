/**
 * `useAffitor()` without `AffitorProvider` on a page that starts the SDK itself (`init` from
 * `@affitor/sdk`), in a file of its own: the hook's module state starts as a fresh page's does.
 */
import { act, createElement, useEffect } from 'react';
import type { ReactNode } from 'react';
import { describe, expect, it } from 'vitest';
import { getClickId, init, trackClick } from '../../src/index';
import { useAffitor } from '../../src/react';
import type { UseAffitor } from '../../src/react';
import { API_BASE, setUrl, useTrackingApi } from '../support/dom';
import { useReactRoot } from '../support/react';

const api = useTrackingApi();
const react = useReactRoot();

describe("useAffitor outside a provider, the page's own init()", () => {
  it("shows a returning visitor's attribution once the root's effect ran init, then follows a new partner, with no call through the hook", async () => {
    setUrl('https://shop.example.com/pricing');
    document.cookie = 'affitor_click_id=cust_900_1; path=/';
    const renders: UseAffitor[] = [];
    function Status(): ReactNode {
      const affitor = useAffitor();
      renders.push(affitor);
      return createElement('p', null, affitor.data?.clickId ?? (affitor.ready ? 'no referral' : 'checking'));
    }
    // The app starts the SDK in its root component's effect, which runs after its child subscribed.
    function Root(): ReactNode {
      useEffect(() => void init({ programId: 1, apiBase: API_BASE }), []);
      return createElement(Status);
    }
    const container = document.createElement('div');
    await act(async () => {
      react.create(container).render(createElement(Root));
      await Promise.resolve(); // the microtasks queued by the render's effects
    });
    expect(renders[0]).toMatchObject({ ready: false, data: null });
    expect(renders.at(-1)).toMatchObject({ ready: true, data: { clickId: 'cust_900_1', hasAttribution: true, programId: 1 } });
    expect(container.textContent).toBe('cust_900_1');

    // A new partner's link, tracked by the page's own code.
    await act(() => trackClick('https://shop.example.com/?aff=PARTNER123'));
    expect(api.clicks()).toHaveLength(1);
    expect(getClickId()).not.toBe('cust_900_1');
    expect(container.textContent).toBe(getClickId());
  });
});
