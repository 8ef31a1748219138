import { describe, expect, it, vi } from 'vitest';

describe('server-side rendering (node, no DOM)', () => {
  it('imports without touching a browser global and makes every function a no-op', async () => {
    expect(typeof window).toBe('undefined');
    const sdk = await import('../../src/index');
    expect(sdk.init({ programId: 1 })).toBeNull();
    expect(sdk.getTracker()).toBeNull();
    expect(sdk.getData()).toBeNull();
    expect(sdk.getClickId()).toBeNull();
    await expect(sdk.signup('user_1', 'a@example.com')).resolves.toBeUndefined();
    await expect(sdk.trackClick('https://shop.example.com/?aff=P1')).resolves.toBeUndefined();
    const tracker = new sdk.AffitorTracker({ programId: 1 });
    expect(tracker.init()).toBe(tracker);
    await expect(tracker.signup('user_1')).resolves.toBeUndefined();
    expect(tracker.getData()).toEqual({ clickId: null, programId: null, hasAttribution: false, affiliateUrl: null });
    expect(sdk.diagnose()).toBeNull();
    expect(sdk.grantConsent()).toBeUndefined();
    expect(sdk.revokeConsent()).toBeUndefined();
    expect(typeof sdk.onAttribution(() => {})).toBe('function');
  });
});

describe('server-side rendering where `location` throws (Deno without --location)', () => {
  it('imports and answers as without a DOM: the page URL is read only where a document is', async () => {
    // Deno defines `location` as a getter that throws until a --location is given: even `typeof
    // location` runs it, so a check on it at import made the import of the SDK throw (Fresh, Deno SSR).
    Object.defineProperty(globalThis, 'location', {
      configurable: true,
      get() {
        throw new ReferenceError('Access to "location", run again with --location <href>.');
      },
    });
    try {
      vi.resetModules();
      const sdk = await import('../../src/index');
      expect(sdk.init({ programId: 1 })).toBeNull();
      expect(sdk.getClickId()).toBeNull();
    } finally {
      delete (globalThis as { location?: unknown }).location;
    }
  });
});

describe('public exports', () => {
  it('lists exactly the documented browser API', async () => {
    const sdk = await import('../../src/index');
    expect(Object.keys(sdk).sort()).toEqual([
      'AffitorTracker',
      'diagnose',
      'getClickId',
      'getData',
      'getTracker',
      'grantConsent',
      'init',
      'onAttribution',
      'revokeConsent',
      'signup',
      'trackClick',
    ]);
  });
});
