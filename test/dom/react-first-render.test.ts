/**
 * `@affitor/sdk/react`'s first render in a page that has not started the SDK: a file of its own,
 * since the hook's module state is the page's (vitest gives each file fresh modules), and a test
 * after another in one file would find the SDK started.
 */
import { StrictMode, act, createElement } from 'react';
import type { ReactNode } from 'react';
import { expect, it } from 'vitest';
import { AffitorProvider, useAffitor } from '../../src/react';
import type { UseAffitor } from '../../src/react';
import { API_BASE, landed, setUrl, useTrackingApi } from '../support/dom';
import { useReactRoot } from '../support/react';

const api = useTrackingApi();
const react = useReactRoot();

it("sends exactly one click under StrictMode's double effects and re-renders with the click id", async () => {
  setUrl('https://shop.example.com/pricing?aff=PARTNER123');
  const renders: UseAffitor[] = [];
  function Probe(): ReactNode {
    const affitor = useAffitor();
    renders.push(affitor);
    return createElement('p', null, affitor.ready ? `click ${affitor.data?.clickId ?? 'none'}` : 'starting');
  }
  const container = document.createElement('div');
  document.body.replaceChildren(container);
  const shop = createElement(AffitorProvider, { programId: 1, apiBase: API_BASE }, createElement('main', null, createElement(Probe)));
  act(() => react.create(container).render(createElement(StrictMode, null, shop)));
  await act(() => landed());
  expect(api.clicks()).toHaveLength(1);
  const clickId = api.app.inspect().customers[0]!.click_id;
  expect(renders[0]).toMatchObject({ ready: false, data: null });
  expect(renders.at(-1)).toMatchObject({ ready: true, data: { clickId, programId: 1, hasAttribution: true } });
  expect(container.textContent).toBe(`click ${clickId}`);
});
