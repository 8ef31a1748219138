import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { API_BASE, clearCookies, cookieValue, setUrl, settle, useTrackingApi } from '../support/dom';

const api = useTrackingApi();
type Affitor = Record<string, (...args: unknown[]) => unknown> & { q?: unknown[] };
const host = window as unknown as { affitor?: Affitor };

beforeAll(() => api.server.listen({ onUnhandledRequest: 'error' }));
beforeEach(() => {
  api.reset();
  vi.resetModules();
  delete host.affitor;
});
afterEach(() => {
  vi.restoreAllMocks();
  document.querySelectorAll('script').forEach((tag) => tag.remove());
  clearCookies();
});
afterAll(() => api.server.close());

function scriptTag(attributes: Record<string, string>) {
  const tag = document.createElement('script');
  for (const [name, value] of Object.entries(attributes)) tag.setAttribute(name, value);
  document.head.append(tag);
}

/** The stub snippet from the README, evaluated as page script before the SDK loads. */
const STUB_SNIPPET = `
  window.affitor = window.affitor || { q: [] };
  ['init', 'signup', 'trackClick', 'ready'].forEach(function (m) {
    window.affitor[m] = window.affitor[m] || function () { window.affitor.q.push([m, arguments]); };
  });`;

function installStub() {
  // Indirect eval runs the snippet as a classic script in the page's global scope, as a <script> tag would.
  (0, eval)(STUB_SNIPPET);
  if (!host.affitor?.q) throw new Error('the stub snippet did not run');
}

describe('the <script> build', () => {
  it('configures itself from its data-affitor-* attributes and exposes window.affitor', async () => {
    setUrl('https://www.shop.example.com/?aff=PARTNER123');
    scriptTag({
      'data-affitor-program-id': '1',
      'data-affitor-api-base': API_BASE,
      'data-affitor-cookie-domain': 'shop.example.com',
      'data-affitor-debug': 'true',
    });
    const info = vi.spyOn(console, 'info').mockImplementation(() => {});
    await import('../../src/script');
    await settle();
    const affitor = host.affitor!;
    expect(Object.keys(affitor).sort()).toEqual([
      'diagnose',
      'getClickId',
      'getData',
      'getTracker',
      'grantConsent',
      'init',
      'onAttribution',
      'ready',
      'revokeConsent',
      'signup',
      'trackClick',
    ]);
    expect(api.clicks()).toHaveLength(1);
    expect(affitor.getClickId!()).toBe(cookieValue('affitor_click_id'));
    expect(affitor.getData!()).toMatchObject({ programId: 1, hasAttribution: true });
    expect(info).toHaveBeenCalledWith('[Affitor]', 'cookie domain', 'shop.example.com');
  });

  it('replays calls queued by the stub before it loaded, in order, folding queued init options into init', async () => {
    setUrl('https://shop.example.com/?aff=PARTNER123');
    scriptTag({ 'data-affitor-program-id': '1' });
    installStub();
    const readyCalls: unknown[] = [];
    host.affitor!.init!({ apiBase: API_BASE });
    host.affitor!.signup!('user_7', 'q@example.com');
    host.affitor!.ready!((affitor: Affitor) => readyCalls.push(affitor.getData!()));
    await import('../../src/script');
    await settle(40);
    expect(api.clicks()).toHaveLength(1);
    expect(api.leads()).toHaveLength(1);
    expect(api.leads()[0]!.body).toMatchObject({ customer_key: 'user_7', click_id: cookieValue('affitor_click_id') });
    expect(readyCalls).toHaveLength(1);
  });

  it('keeps going when a queued call is bad, logging it', async () => {
    setUrl('https://shop.example.com/');
    scriptTag({ 'data-affitor-program-id': '1', 'data-affitor-api-base': API_BASE });
    installStub();
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    host.affitor!.ready!(() => {
      throw new Error('merchant bug');
    });
    host.affitor!.q!.push(['noSuchMethod', []]);
    host.affitor!.signup!('user_8');
    await import('../../src/script');
    await settle(40);
    expect(api.leads()).toHaveLength(1);
    expect(error.mock.calls.map((call) => call.join(' ')).join('\n')).toContain('queued call failed: ready');
  });
});
