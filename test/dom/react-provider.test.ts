/**
 * `@affitor/sdk/react` in a page (happy-dom): the provider starts the SDK once, the hook follows the
 * attribution. The hook's module state is the page's: tests here see the SDK started by the test
 * before, as later page views of a single-page app do (the first render of a page that has not
 * started it is in react-first-render.test.ts).
 */
import { act, createElement, useEffect } from 'react';
import type { ReactNode } from 'react';
import { renderToString } from 'react-dom/server';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { AffitorProvider, useAffitor } from '../../src/react';
import { newPageView } from '../../src/browser/page-view';
import { getClickId, getData, revokeConsent } from '../../src/index';
import { API_BASE, setUrl as setPageUrl, landed, useTrackingApi } from '../support/dom';
import { probe, shop, useReactRoot } from '../support/react';

/** A new page view on `url`, as a navigation there would be. */
const setUrl = (url: string) => {
  setPageUrl(url);
  newPageView();
};

const api = useTrackingApi();
const react = useReactRoot();

let container: HTMLElement;
beforeEach(() => {
  container = document.createElement('div');
  document.body.replaceChildren(container);
});

/** A page view on `url` with the shop rendered in a fresh root: every render's view of the hook. */
function renderShop(url: string) {
  setUrl(url);
  const seen = probe();
  act(() => react.create(container).render(shop(seen.Probe)));
  return seen;
}

describe('AffitorProvider and useAffitor', () => {
  it('re-renders when the attribution changes: a new partner, then consent revoked', async () => {
    const { last } = renderShop('https://shop.example.com/?aff=PARTNER123');
    await act(() => landed());
    const first = last().data!.clickId;
    expect(first).toMatch(/^cust_/);

    await act(() => last().trackClick('https://shop.example.com/?aff=PARTNER456'));
    await act(() => landed());
    expect(api.clicks()).toHaveLength(2);
    expect(last().data!.clickId).not.toBe(first);
    expect(container.textContent).toBe(`click ${last().data!.clickId}`);

    act(() => last().revokeConsent());
    expect(last().data).toMatchObject({ clickId: null, hasAttribution: false });
    expect(container.textContent).toBe('click none');
  });

  it("re-renders when consent is revoked outside React (a consent manager's callback calls the SDK's revokeConsent)", async () => {
    const { last } = renderShop('https://shop.example.com/?aff=PARTNER123');
    await act(() => landed());
    expect(last().data!.clickId).toMatch(/^cust_/);
    act(() => revokeConsent());
    expect(last().data).toMatchObject({ clickId: null, hasAttribution: false });
    expect(container.textContent).toBe('click none');
  });

  it("reports a signup through the hook with the landing's click id", async () => {
    const { last } = renderShop('https://shop.example.com/?aff=PARTNER123');
    await act(() => landed());
    await act(() => last().signup('user_react', 'r@example.com'));
    expect(api.leads()).toHaveLength(1);
    expect(api.leads()[0]!.body).toMatchObject({ customer_key: 'user_react', email: 'r@example.com', click_id: last().getClickId() });
    expect(last().diagnose()).toMatchObject({ programId: 1 });
  });

  it('keeps the functions and the returned object stable while nothing changes', () => {
    const { renders, Probe } = renderShop('https://shop.example.com/');
    act(() => react.root.render(shop(Probe)));
    const ready = renders.filter((r) => r.ready);
    expect(ready.length).toBeGreaterThan(1);
    expect(ready.at(-1)).toBe(ready.at(-2));
    expect(renders[0]!.signup).toBe(ready.at(-1)!.signup);
  });

  it('holds a signup made before the provider has its program id (a prop filled after a fetch) and reports it once the id arrives', async () => {
    setUrl('https://shop.example.com/?aff=PARTNER123');
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { Probe, last } = probe();
    const render = (programId?: number) =>
      act(() => react.root.render(createElement(AffitorProvider, { programId, apiBase: API_BASE }, createElement(Probe))));
    react.create(container);
    // The program id is still being fetched: the provider starts the SDK without one.
    render(undefined);
    let settled = false;
    const signedUp = last().signup('user_early', 'e@example.com').then(() => void (settled = true));
    // Time for a signup that does not wait for the program id to settle or send (nothing to await: it should not happen).
    await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
    expect(settled).toBe(false);
    expect(api.sent).toEqual([]);

    render(1);
    await act(async () => {
      await signedUp;
      await landed();
    });
    expect(api.clicks()).toHaveLength(1);
    expect(api.leads()).toHaveLength(1);
    expect(api.leads()[0]!.body).toMatchObject({ customer_key: 'user_early', program_id: 1, click_id: getClickId() });
    // Nothing in the console: a program id on its way is no missing one.
    expect(errors).not.toHaveBeenCalled();
  });

  it("sends one lead from a signup effect that depends on the hook's signup while the provider's options change (program id fetched, consent granted)", async () => {
    setUrl('https://shop.example.com/?aff=PARTNER123');
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const signups: Promise<void>[] = [];
    function Welcome(): ReactNode {
      const { signup } = useAffitor();
      // As react-hooks/exhaustive-deps writes it: the effect lists the signup it calls.
      useEffect(() => void signups.push(signup('user_deps', 'd@example.com')), [signup]);
      return null;
    }
    const render = (programId: number | undefined, consent: 'pending' | 'granted') =>
      act(() => react.root.render(createElement(AffitorProvider, { programId, apiBase: API_BASE, consent }, createElement(Welcome))));
    react.create(container);
    render(undefined, 'pending');
    render(1, 'pending');
    await act(() => landed());
    // A consent manager's answer reaches the provider as a prop.
    render(1, 'granted');
    await act(async () => {
      await Promise.all(signups);
      await landed();
    });
    expect(api.leads().map((lead) => lead.body.customer_key)).toEqual(['user_deps']);
    expect(signups).toHaveLength(1);
    expect(api.leads()[0]!.body).toMatchObject({ customer_key: 'user_deps', program_id: 1, click_id: getClickId() });
  });

  it.each([
    ['no programId prop', {}],
    ['a programId prop still undefined (a fetch that never answers)', { programId: undefined }],
  ])('settles a held signup within 5 s when the program id never arrives (%s), saying why it was not sent', async (_, props) => {
    setUrl('https://shop.example.com/');
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { Probe, last } = probe();
    act(() => react.create(container).render(createElement(AffitorProvider, { apiBase: API_BASE, ...props }, createElement(Probe))));
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let settled = false;
    void last().signup('user_never').then(() => void (settled = true));
    await vi.advanceTimersByTimeAsync(4_900);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    vi.useRealTimers();
    expect(settled).toBe(true);
    expect(api.sent).toEqual([]);
    expect(errors.mock.calls.flat().join(' ')).toMatch(/signup not sent\. No program id/);
  });

  it.each([[NaN], [Infinity]])('says a programId of %s (Number() of an unset env variable) is invalid, as init does: it is no id still loading', async (programId) => {
    setUrl('https://shop.example.com/?aff=PARTNER123');
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { Probe } = probe();
    act(() => react.create(container).render(createElement(AffitorProvider, { programId, apiBase: API_BASE }, createElement(Probe))));
    await vi.waitFor(() => expect(errors.mock.calls).toEqual([['[Affitor]', 'Invalid program id (a positive whole number expected):', String(programId)]]));
    expect(api.sent).toEqual([]);
  });

  it('a programId of a BigInt (a BIGINT column\'s id) renders the page, on the server and in the browser, and is said to be invalid, as init says it', async () => {
    setUrl('https://shop.example.com/');
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const page = () => createElement('main', null, createElement(AffitorProvider, { programId: 123n as never, apiBase: API_BASE }, createElement('p', null, 'the shop')));
    expect(renderToString(page())).toBe('<main><p>the shop</p></main>');
    act(() => react.create(container).render(page()));
    expect(container.textContent).toBe('the shop');
    await vi.waitFor(() => expect(errors.mock.calls).toContainEqual(['[Affitor]', 'Invalid program id (a positive whole number expected):', '123n']));
  });

  it("applies a nested provider's options over its outer one's, on a first load as after a client navigation, and the outer one's again once it unmounts", async () => {
    setUrl('https://shop.example.com/?aff=PARTNER123');
    const { Probe } = probe();
    const page = (nested: boolean) =>
      createElement(AffitorProvider, { programId: 1, apiBase: API_BASE }, nested ? createElement(AffitorProvider, { programId: 2 }, createElement(Probe)) : createElement(Probe));
    // A first load: the inner provider's effect runs before the outer one's.
    act(() => react.create(container).render(page(true)));
    await act(() => landed());
    // The inner program, through the outer provider's apiBase (the click reached the test API).
    expect(api.clicks().map((click) => (click.body.additional_data as { program_id: number }).program_id)).toEqual([2]);
    expect(getData()?.programId).toBe(2);
    // A client navigation away from the nested section, then back into it.
    act(() => react.root.render(page(false)));
    // The outer provider's options come back once that commit's effects have run.
    await act(() => Promise.resolve());
    expect(getData()?.programId).toBe(1);
    act(() => react.root.render(page(true)));
    expect(getData()?.programId).toBe(2);
  });

  it('hydrates server-rendered markup without a mismatch warning, then shows the attribution', async () => {
    setUrl('https://shop.example.com/?aff=PARTNER123');
    const { Probe } = probe();
    // Rendered as the server would: nothing started.
    container.innerHTML = renderToString(shop(Probe));
    expect(container.textContent).toBe('starting');
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const recoverable = vi.fn();
    act(() => void react.hydrate(container, shop(Probe), { onRecoverableError: recoverable }));
    await act(() => landed());
    expect(recoverable).not.toHaveBeenCalled();
    expect(errors).not.toHaveBeenCalled();
    errors.mockRestore();
    expect(container.textContent).toMatch(/^click cust_\d+_\d+$/);
    expect(api.clicks()).toHaveLength(1);
  });
});
