/**
 * `@affitor/sdk/react`'s first render in a page that has not started the SDK: a file of its own,
 * since the hook's module state is the page's (vitest gives each file fresh modules), and a test
 * after another in one file would find the SDK started.
 */
import { StrictMode, act, createElement } from 'react';
import { expect, it } from 'vitest';
import { landed, setUrl, useTrackingApi } from '../support/dom';
import { probe, shop, useReactRoot } from '../support/react';

const api = useTrackingApi();
const react = useReactRoot();

it("sends exactly one click under StrictMode's double effects and re-renders with the click id", async () => {
  setUrl('https://shop.example.com/pricing?aff=PARTNER123');
  const { renders, Probe, last } = probe();
  const container = document.createElement('div');
  document.body.replaceChildren(container);
  act(() => react.create(container).render(createElement(StrictMode, null, shop(Probe))));
  await act(() => landed());
  expect(api.clicks()).toHaveLength(1);
  const clickId = api.app.inspect().customers[0]!.click_id;
  expect(renders[0]).toMatchObject({ ready: false, data: null });
  expect(last()).toMatchObject({ ready: true, data: { clickId, programId: 1, hasAttribution: true } });
  expect(container.textContent).toBe(`click ${clickId}`);
});
