// The npm entry's functions, each test with a fresh copy of the module (its tracker is module state).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as Sdk from '../../src/index';
import { HttpResponse, http, setUrl, useTrackingApi } from '../support/dom';

const api = useTrackingApi({ quietErrors: true });
/** Where `init()` without options sends: the default API. */
const DEFAULT_API = 'https://api.affitor.com';
const host = window as { AFFITOR_PROGRAM_ID?: unknown };
let sent: string[] = [];

beforeEach(() => {
  vi.resetModules();
  // A fresh module is a fresh copy of the SDK: the page has had none yet.
  delete (window as unknown as Record<symbol, unknown>)[Symbol.for('affitor.copy')];
  setUrl('https://shop.example.com/signup');
  host.AFFITOR_PROGRAM_ID = 1;
  sent = [];
  api.server.use(
    http.post(`${DEFAULT_API}/api/v1/track/:route`, ({ params }) => {
      sent.push(String(params.route));
      return HttpResponse.json({ success: true, message: 'Lead tracked successfully' });
    }),
  );
});

afterEach(() => {
  delete host.AFFITOR_PROGRAM_ID;
});

it('signup() without init() initialises first and reports the lead', async () => {
  const sdk = await import('../../src/index');
  await sdk.signup('user_42', 'ada@example.com');
  expect(sent).toEqual(['lead']);
});

it.each([
  ['grantConsent()', (sdk: typeof Sdk) => sdk.grantConsent()],
  ['onAttribution()', (sdk: typeof Sdk) => void sdk.onAttribution(() => {})],
  ['diagnose()', (sdk: typeof Sdk) => void sdk.diagnose()],
])('signup() without init() still initialises and reports the lead after %s ran first', async (_what, first) => {
  const sdk = await import('../../src/index');
  first(sdk);
  expect(sdk.getData()).toBeNull();
  await sdk.signup('user_42', 'ada@example.com');
  expect(sent).toEqual(['lead']);
  expect(sdk.getData()).toMatchObject({ programId: 1 });
});

it('trackClick() without init() sends its click after grantConsent() ran first', async () => {
  const sdk = await import('../../src/index');
  sdk.grantConsent();
  await sdk.trackClick('https://shop.example.com/?aff=PARTNER123');
  expect(sent).toEqual(['click']);
});

it('getClickId(), getData() and getTracker() see the attribution of a tracker started with new AffitorTracker().init()', async () => {
  api.server.use(http.post(`${DEFAULT_API}/api/v1/track/click`, () => HttpResponse.json({ success: true, click_id: 'cust_1_1' })));
  setUrl('https://shop.example.com/?aff=PARTNER123');
  const sdk = await import('../../src/index');
  const tracker = new sdk.AffitorTracker().init();
  await vi.waitFor(() => expect(tracker.getClickId()).toBe('cust_1_1'));
  expect(sdk.getClickId()).toBe('cust_1_1');
  expect(sdk.getData()).toEqual(tracker.getData());
  expect(sdk.getTracker()?.getClickId()).toBe('cust_1_1');
  // The npm functions go on with that tracker: no second init.
  await sdk.signup('user_42');
  expect(sent).toEqual(['lead']);
});

describe('a second copy of the SDK on the page', () => {
  const ANOTHER_COPY = '[Affitor] Another copy of the SDK runs on this page: keep one';
  const errors = () => vi.mocked(console.error).mock.calls.map((call) => call.join(' '));

  it("of the npm functions (the package bundled twice, as an ES module and as CommonJS) works on the first copy's tracker", async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    api.server.use(http.post(`${DEFAULT_API}/api/v1/track/click`, () => (sent.push('click'), HttpResponse.json({ success: true, click_id: 'cust_1_1' }))));
    setUrl('https://shop.example.com/?aff=PARTNER123');
    const first = await import('../../src/index');
    first.init();
    await vi.waitFor(() => expect(first.getClickId()).toBe('cust_1_1'));
    vi.resetModules();
    const second = await import('../../src/index');
    expect(second.getClickId()).toBe('cust_1_1');
    expect(second.getTracker()).toBe(first.getTracker());
    // Its init updates the first copy's options, and starts no second tracker: the landing is not sent again.
    second.init({ debug: false });
    await second.signup('user_42');
    expect(sent).toEqual(['click', 'lead']);
    expect(errors()).not.toContain(ANOTHER_COPY);
  });

  it('that starts a tracker of its own (the script tag beside the npm package, or new AffitorTracker() of the second copy) is named in an error', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const first = await import('../../src/index');
    first.init();
    first.init();
    expect(errors()).not.toContain(ANOTHER_COPY);
    vi.resetModules();
    const second = await import('../../src/index');
    new second.AffitorTracker().init();
    expect(errors().filter((line) => line == ANOTHER_COPY)).toHaveLength(1);
  });
});

describe('init() with options it cannot read', () => {
  const revoked = () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return proxy;
  };
  const unprintable = {
    toString(): string {
      throw new Error('toString boom');
    },
  };
  it.each([
    ['a getter that throws', () => ({ apiBase: 'https://api.shop.test', get debug(): boolean { throw new Error('getter boom'); } })],
    ['a revoked proxy', revoked],
    ['an apiBase whose toString throws', () => ({ apiBase: unprintable })],
    ['a cookieDomain whose toString throws', () => ({ cookieDomain: unprintable })],
  ])('%s: throws nothing into the page, and says so once', async (_, options) => {
    setUrl('https://shop.example.com/?aff=PARTNER123');
    const sdk = await import('../../src/index');
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    errors.mockClear();
    expect(() => sdk.init(options() as never)).not.toThrow();
    expect(errors.mock.calls.map((call) => call.slice(0, 2) as unknown[])).toEqual([['[Affitor]', expect.stringMatching(/^(init options cannot be read|init failed|click failed):$/)]]);
  });
});
