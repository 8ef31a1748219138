/** `@affitor/sdk/react` rendered on the server (node, no DOM): no browser global, the not-started state. */
import { readFileSync } from 'node:fs';
import { createElement } from 'react';
import type { ReactNode } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { AffitorProvider, useAffitor } from '../../src/react';

function Status(): ReactNode {
  const { ready, data, getClickId, diagnose } = useAffitor();
  return createElement('p', null, `${ready ? 'ready' : 'starting'} ${data?.clickId ?? 'none'} ${getClickId() ?? 'none'} ${diagnose() === null ? 'none' : 'report'}`);
}

describe('@affitor/sdk/react on the server', () => {
  it('renders provider and hook without a browser global: not ready, no data, no request', () => {
    expect(typeof window).toBe('undefined');
    expect(typeof document).toBe('undefined');
    const fetch = vi.spyOn(globalThis, 'fetch');
    const errors = vi.spyOn(console, 'error');
    const html = renderToString(createElement(AffitorProvider, { programId: 1, debug: true }, createElement(Status)));
    expect(html).toBe('<p>starting none none none</p>');
    // The hook outside a provider renders the same.
    expect(renderToString(createElement(Status))).toBe(html);
    expect(fetch).not.toHaveBeenCalled();
    expect(errors).not.toHaveBeenCalled();
    vi.restoreAllMocks();
  });

  it('exports exactly AffitorProvider and useAffitor', async () => {
    expect(Object.keys(await import('../../src/react')).sort()).toEqual(['AffitorProvider', 'useAffitor']);
  });

  it('imports only React and the browser SDK: no server code', () => {
    const source = readFileSync('src/react.ts', 'utf8');
    const imports = [...source.matchAll(/(?:from|import)\s*\(?'([^']+)'/g)].map((match) => match[1]);
    expect(new Set(imports)).toEqual(new Set(['react', './index']));
  });

  it('is built as an import of @affitor/sdk and react, marked for client components, with neither bundled in', () => {
    for (const file of ['dist/react.js', 'dist/react.cjs']) {
      const built = readFileSync(file, 'utf8');
      expect(built.startsWith("'use client';"), file).toBe(true);
      const specifiers = [...built.matchAll(/(?:from |require\()"([^"]+)"/g)].map((match) => match[1]);
      expect(new Set(specifiers), file).toEqual(new Set(['react', '@affitor/sdk']));
      // No copy of the SDK's own code (its cookie names live in the browser modules).
      expect(built, file).not.toContain('affitor_click_ids');
      expect(built, file).not.toMatch(/Authorization|api_token|createAffitorHandler/);
    }
  });
});
