/**
 * React in the dom tests: `act()` on, and the root a test renders into unmounted after it (inside
 * `act`). The helper registers that tear-down itself, so a suite writes one line instead of the same
 * `afterEach`.
 */
import { act, createElement } from 'react';
import type { ReactNode } from 'react';
import { createRoot, hydrateRoot } from 'react-dom/client';
import type { HydrationOptions, Root } from 'react-dom/client';
import { afterEach } from 'vitest';
import { AffitorProvider, useAffitor } from '../../src/react';
import type { UseAffitor } from '../../src/react';
import { API_BASE } from './dom';

export function useReactRoot() {
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
  let root: Root | undefined;
  afterEach(() => {
    act(() => root?.unmount());
    root = undefined;
  });
  return {
    /** A fresh root in `container` (a detached `div` by default), unmounted after the test. */
    create: (container: Element = document.createElement('div')): Root => (root = createRoot(container)),
    /** Hydrates the server markup in `container` with `children`; unmounted after the test. */
    hydrate: (container: Element, children: ReactNode, options?: HydrationOptions): Root => (root = hydrateRoot(container, children, options)),
    /** The test's root, once `create` or `hydrate` made it. */
    get root(): Root {
      if (!root) throw new Error('useReactRoot: no root yet: create() or hydrate() makes it');
      return root;
    },
  };
}

/** A probe component and every render's view of the hook it saw, in order. */
export function probe() {
  const renders: UseAffitor[] = [];
  function Probe(): ReactNode {
    const affitor = useAffitor();
    renders.push(affitor);
    return createElement('p', { id: 'probe' }, affitor.ready ? `click ${affitor.data?.clickId ?? 'none'}` : 'starting');
  }
  return { renders, Probe, last: () => renders.at(-1)! };
}

/** The shop: `Probe` inside the provider (program 1, the test API). */
export const shop = (Probe: () => ReactNode) =>
  createElement(AffitorProvider, { programId: 1, apiBase: API_BASE }, createElement('main', null, createElement(Probe)));
