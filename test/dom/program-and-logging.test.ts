import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { newPageView } from '../../src/browser/page-view';
import type { MockInstance } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AffitorTracker } from '../../src/index';
import { API_BASE, HttpResponse, http, land, landed, setUrl, useTrackingApi } from '../support/dom';

const api = useTrackingApi();
let error: MockInstance<typeof console.error>;
let log: MockInstance<typeof console.info>;
let warn: MockInstance<typeof console.warn>;

/** The page each test starts on (the program id tests init on it as they need). */
const LANDING = 'https://shop.example.com/?aff=PARTNER123';

beforeEach(() => {
  setUrl(LANDING);
  newPageView();
  error = vi.spyOn(console, 'error').mockImplementation(() => {});
  log = vi.spyOn(console, 'info').mockImplementation(() => {});
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  document.querySelectorAll('script[data-affitor-program-id]').forEach((tag) => tag.remove());
  delete (window as { AFFITOR_PROGRAM_ID?: unknown }).AFFITOR_PROGRAM_ID;
});

function addScriptTag(programId: string) {
  const tag = document.createElement('script');
  tag.setAttribute('data-affitor-program-id', programId);
  document.head.append(tag);
}

const sentProgramId = () => (api.clicks()[0]!.body.additional_data as { program_id: number }).program_id;

describe('program id resolution', () => {
  it('prefers the programId option over the script tag and window.AFFITOR_PROGRAM_ID', async () => {
    addScriptTag('2');
    (window as { AFFITOR_PROGRAM_ID?: unknown }).AFFITOR_PROGRAM_ID = 3;
    const tracker = new AffitorTracker({ programId: '1', apiBase: API_BASE }).init();
    await landed();
    expect(tracker.getData().programId).toBe(1);
    expect(sentProgramId()).toBe(1);
  });

  it('falls back to the data-affitor-program-id attribute, then window.AFFITOR_PROGRAM_ID', async () => {
    addScriptTag('2');
    (window as { AFFITOR_PROGRAM_ID?: unknown }).AFFITOR_PROGRAM_ID = 3;
    expect(new AffitorTracker({ apiBase: 'https://unused.test' }).getData().programId).toBeNull();
    expect(new AffitorTracker({ apiBase: API_BASE }).init().getData().programId).toBe(2);
    document.querySelector('script[data-affitor-program-id]')!.remove();
    expect(new AffitorTracker({ apiBase: API_BASE }).init().getData().programId).toBe(3);
    // The landing's click, answered here: not into the next test's page view.
    await landed();
  });

  it('logs one error and sends nothing, click or lead, when no program id is found', async () => {
    const tracker = new AffitorTracker({ apiBase: API_BASE }).init();
    await landed();
    expect(error).toHaveBeenCalledTimes(1);
    expect(error.mock.calls[0]!.join(' ')).toContain('No program id');
    await tracker.signup('user_1');
    expect(api.sent).toHaveLength(0);
  });

  it('logs the missing program id once when init runs again without one (React StrictMode, a provider whose programId loads later)', async () => {
    const tracker = new AffitorTracker({ apiBase: API_BASE }).init();
    tracker.init();
    tracker.init({ debug: false });
    await landed();
    expect(error).toHaveBeenCalledTimes(1);
    // The program id arrives: the landing is tracked, and nothing more is logged as an error.
    tracker.init({ programId: 1 });
    await landed();
    expect(api.clicks()).toHaveLength(1);
    expect(error).toHaveBeenCalledTimes(1);
  });

  it('says a trackClick was not sent for want of a program id, as signup does', async () => {
    const tracker = new AffitorTracker({ apiBase: API_BASE }).init();
    error.mockClear();
    await tracker.trackClick('https://shop.example.com/?aff=PARTNER456');
    expect(api.sent).toHaveLength(0);
    expect(error.mock.calls.map((call) => call.join(' '))).toEqual([expect.stringMatching(/^\[Affitor\] trackClick not sent\. No program id/)]);
  });

  it("keeps the constructor's options under an init option given as undefined (as init merges options everywhere)", async () => {
    // e.g. `new AffitorTracker({ programId: 1, apiBase }).init({ apiBase: process.env.X, programId: settings.id })` with neither set.
    const tracker = new AffitorTracker({ programId: 1, apiBase: API_BASE }).init({ programId: undefined, apiBase: undefined });
    await landed();
    expect(tracker.getData().programId).toBe(1);
    expect(api.clicks()).toHaveLength(1);
    expect(error).not.toHaveBeenCalled();
  });

  it.each([['abc'], [0], [-4], [1.5], ['12abc']])('rejects the invalid program id %j with a clear error', async (bad) => {
    new AffitorTracker({ programId: bad as number, apiBase: API_BASE }).init();
    await landed();
    expect(error).toHaveBeenCalledWith('[Affitor]', expect.stringContaining('Invalid program id'), bad);
    expect(api.sent).toHaveLength(0);
  });
});

describe('logging', () => {
  it('logs every step with the [Affitor] prefix when debug is on', async () => {
    const tracker = await land(LANDING, { debug: true });
    await tracker.signup('user_1');
    const lines = log.mock.calls.map((call) => call.join(' '));
    for (const call of log.mock.calls) expect(call[0]).toBe('[Affitor]');
    for (const step of ['init', 'program id', 'click', 'cookie domain', 'click saved', 'lead', 'lead recorded']) {
      expect(lines.some((line) => line.startsWith(`[Affitor] ${step}`))).toBe(true);
    }
    expect(error).not.toHaveBeenCalled();
  });

  it('says a lead was recorded also when a later page view resent it, or its answer came after signup stopped waiting', async () => {
    api.app.setChaos({ failFirst: { lead: 3 } });
    const tracker = await land(LANDING, { debug: true });
    await tracker.signup('user_1');
    const recorded = () => log.mock.calls.filter((call) => call.join(' ') == '[Affitor] lead recorded').length;
    expect(recorded()).toBe(0);
    await land('https://shop.example.com/pricing', { debug: true });
    await vi.waitFor(() => expect(api.app.inspect().leads).toHaveLength(1));
    await vi.waitFor(() => expect(recorded()).toBe(1));

    // An answer later than signup's wait.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let answer!: () => void;
      api.answer('lead', () => new Promise<Response>((resolve) => (answer = () => resolve(HttpResponse.json({ success: true, message: 'ok' })))));
      const waited = tracker.signup('user_2');
      await vi.advanceTimersByTimeAsync(6_000);
      await waited;
      expect(recorded()).toBe(1);
      answer();
      await vi.waitFor(() => expect(recorded()).toBe(2));
    } finally {
      vi.useRealTimers();
    }
  });

  it('logs nothing but errors when debug is off', async () => {
    const tracker = await land(LANDING);
    await tracker.signup('user_1');
    await tracker.signup('');
    expect(log).not.toHaveBeenCalled();
    expect(warn).not.toHaveBeenCalled();
    expect(error).toHaveBeenCalledTimes(1);
    expect(error.mock.calls[0]![0]).toBe('[Affitor]');
  });

  it('survives a console that throws', async () => {
    log.mockImplementation(() => {
      throw new Error('console is broken');
    });
    const tracker = await land(LANDING, { debug: true });
    expect(tracker.getClickId()).toMatch(/^cust_/);
  });
});

describe('the console lines examples/README.md quotes', () => {
  // The walkthrough tells a newcomer what to look for in the console; it quotes the SDK's own lines.
  const readme = readFileSync(resolve(__dirname, '../../examples/README.md'), 'utf8').replace(/\s+/g, ' ');
  const quotes = (line: string) => readme.includes('`' + line + '`');
  const lines = (spy: MockInstance<(...args: unknown[]) => void>) => spy.mock.calls.map((call) => call.join(' ').trim());

  it('a reload of the same landing: the line the walkthrough says to look for', async () => {
    await land(LANDING, { debug: true });
    log.mockClear();
    await land(LANDING, { debug: true });
    const reload = lines(log).find((line) => line.includes('no click'))!;
    expect(quotes(reload.replace('[Affitor] ', '')), reload).toBe(true);
  });

  it("a landing: the lines the walkthrough's first step lists, in the order the console shows them", async () => {
    await land('http://www.shop.localhost:5173/?aff=PARTNER123', { debug: true });
    // Each step as the SDK logs it (its first argument after the prefix), and as the walkthrough quotes it.
    const steps: Array<[string, string]> = [
      ['init', '`[Affitor] init …`'],
      ['program id', '`program id 1`'],
      ['cookie domain', '`cookie domain shop.localhost`'],
      ['click', 'the `click` payload'],
      ['click saved', '`click saved cust_1_…`'],
    ];
    const loggedAt = (step: string) => log.mock.calls.findIndex((call) => call[1] === step);
    for (const [step, quote] of steps) {
      expect(loggedAt(step), step).toBeGreaterThanOrEqual(0);
      expect(readme.indexOf(quote), quote).toBeGreaterThanOrEqual(0);
    }
    expect(lines(log)).toContain('[Affitor] cookie domain shop.localhost');
    const byLog = [...steps].sort((a, b) => loggedAt(a[0]) - loggedAt(b[0])).map(([step]) => step);
    const byReadme = [...steps].sort((a, b) => readme.indexOf(a[1]) - readme.indexOf(b[1])).map(([step]) => step);
    expect(byReadme).toEqual(byLog);
  });

  it("an origin the API refuses (CORS): the error the script-tag section quotes, for the example's origin and its local tracking server", async () => {
    api.server.use(http.post('http://127.0.0.1:8787/api/v1/track/click', () => HttpResponse.error()));
    await land('http://www.shop.localhost:5173/?aff=PARTNER123', { apiBase: 'http://127.0.0.1:8787' });
    expect(lines(error)).toHaveLength(1);
    expect(quotes(lines(error)[0]!), lines(error)[0]).toBe(true);
  });
});

describe('an apiBase as pages write it', () => {
  it('takes one with a trailing slash, space or line break (an attribute or env value written loosely)', async () => {
    const tracker = await land(LANDING, { apiBase: ` ${API_BASE}/ \n` });
    expect(api.clicks()).toHaveLength(1);
    expect(tracker.getClickId()).toBeTruthy();
    expect(error).not.toHaveBeenCalled();
  });
});

describe('an apiBase where no tracking API answers', () => {
  it.each([404, 405])('says so when the API path answers %i, naming the apiBase given', async (status) => {
    api.answer('click', () => HttpResponse.json({ error: status == 404 ? 'Not found' : 'Method not allowed' }, { status }));
    new AffitorTracker({ programId: 1, apiBase: API_BASE }).init();
    await vi.waitFor(() =>
      expect(error).toHaveBeenCalledWith(
        '[Affitor]',
        'click not recorded:',
        `HTTP ${status}: ${status == 404 ? 'Not found' : 'Method not allowed'}: is apiBase ${API_BASE} right?`,
      ),
    );
  });

  it('says so when the API path answers 200 with a web page, naming the apiBase given', async () => {
    // `data-affitor-api-base="api.affitor.com"` (no scheme) posts to the shop's own
    // /api.affitor.com/api/v1/track/click, which a host that serves index.html for every path
    // answers 200 with HTML: nothing there is the tracking API, as with a 404.
    api.answer('click', () => new HttpResponse('<!doctype html><title>Shop</title>', { status: 200, headers: { 'Content-Type': 'text/html' } }));
    new AffitorTracker({ programId: 1, apiBase: API_BASE }).init();
    await vi.waitFor(() =>
      expect(error).toHaveBeenCalledWith('[Affitor]', 'click not recorded:', `HTTP 200, answer is not JSON: is apiBase ${API_BASE} right?`),
    );
  });

  it('does not blame apiBase for a refusal of the event itself', async () => {
    api.answer('click', () => HttpResponse.json({ error: 'Referral link not found' }, { status: 400 }));
    new AffitorTracker({ programId: 1, apiBase: API_BASE }).init();
    await vi.waitFor(() => expect(error).toHaveBeenCalledWith('[Affitor]', 'click not recorded:', 'HTTP 400: Referral link not found'));
  });
});

describe("the README's Troubleshooting table", () => {
  const table = readFileSync(resolve(__dirname, '../../README.md'), 'utf8').split('## Troubleshooting')[1]!.split('\n## ')[0]!;
  const row = (line: string) => table.split('\n').find((r) => r.includes('`' + line + '`'));

  it('quotes the line a signup from a visitor with no attribution logs, and says it is not recorded', async () => {
    const tracker = await land('https://shop.example.com/', { debug: true });
    await tracker.signup('user_1');
    expect(error).not.toHaveBeenCalled();
    const line = warn.mock.calls.map((call) => call.join(' ').trim().replace('[Affitor] ', '')).find((l) => l.startsWith('lead not recorded'))!;
    expect(line).toBe('lead not recorded: HTTP 400: Customer not found. Provide a valid click_id or customer_key.');
    expect(row(line), line).toBeDefined();
    // The API records no lead for a visitor it does not know.
    expect(api.app.inspect().leads).toEqual([]);
    expect(row(line)).not.toMatch(/still recorded/);
  });
});
