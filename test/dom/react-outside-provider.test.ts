/** `useAffitor()` without `AffitorProvider`: it renders, calls through it work and start the SDK. */
import { act, createElement } from 'react';
import type { ReactNode } from 'react';
import { describe, expect, it } from 'vitest';
import { newPageView } from '../../src/browser/page-view';
import { init } from '../../src/index';
import { useAffitor } from '../../src/react';
import type { UseAffitor } from '../../src/react';
import { API_BASE, setUrl, landed, useTrackingApi } from '../support/dom';
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
});
