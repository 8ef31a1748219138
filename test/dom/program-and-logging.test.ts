import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { newPageView } from '../../src/browser/page-view';
import type { MockInstance } from 'vitest';
import { AffitorTracker } from '../../src/index';
import { API_BASE, landed, setUrl, useTrackingApi } from '../support/dom';

const api = useTrackingApi();
let error: MockInstance<typeof console.error>;
let log: MockInstance<typeof console.info>;
let warn: MockInstance<typeof console.warn>;

beforeEach(() => {
  setUrl('https://shop.example.com/?aff=PARTNER123');
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

  it('falls back to the data-affitor-program-id attribute, then window.AFFITOR_PROGRAM_ID', () => {
    addScriptTag('2');
    (window as { AFFITOR_PROGRAM_ID?: unknown }).AFFITOR_PROGRAM_ID = 3;
    expect(new AffitorTracker({ apiBase: 'https://unused.test' }).getData().programId).toBeNull();
    expect(new AffitorTracker({ apiBase: API_BASE }).init().getData().programId).toBe(2);
    document.querySelector('script[data-affitor-program-id]')!.remove();
    expect(new AffitorTracker({ apiBase: API_BASE }).init().getData().programId).toBe(3);
  });

  it('logs one error and sends nothing, click or lead, when no program id is found', async () => {
    const tracker = new AffitorTracker({ apiBase: API_BASE }).init();
    await landed();
    expect(error).toHaveBeenCalledTimes(1);
    expect(error.mock.calls[0]!.join(' ')).toContain('No program id');
    await tracker.signup('user_1');
    expect(api.sent).toHaveLength(0);
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
    const tracker = new AffitorTracker({ programId: 1, apiBase: API_BASE, debug: true }).init();
    await landed();
    await tracker.signup('user_1');
    const lines = log.mock.calls.map((call) => call.join(' '));
    for (const call of log.mock.calls) expect(call[0]).toBe('[Affitor]');
    for (const step of ['init', 'program id', 'click', 'cookie domain', 'click saved', 'lead', 'lead recorded']) {
      expect(lines.some((line) => line.startsWith(`[Affitor] ${step}`))).toBe(true);
    }
    expect(error).not.toHaveBeenCalled();
  });

  it('logs nothing but errors when debug is off', async () => {
    const tracker = new AffitorTracker({ programId: 1, apiBase: API_BASE }).init();
    await landed();
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
    const tracker = new AffitorTracker({ programId: 1, apiBase: API_BASE, debug: true }).init();
    await landed();
    expect(tracker.getClickId()).toMatch(/^cust_/);
  });
});
