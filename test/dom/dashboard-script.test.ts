/** The reference server's dashboard script, run in a page: it keeps refreshing whatever one refresh met. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DASHBOARD_SCRIPT } from '../../examples/server/src/dashboard/script';

type Answer = { status: number; headers: { get: (name: string) => string | null }; text: () => Promise<string> };
const answer = (status: number, text: () => Promise<string>): Answer => ({ status, headers: { get: () => '"state-1"' }, text });

beforeEach(() => {
  vi.useFakeTimers();
  document.body.innerHTML = '<main id="dashboard"><p>Loading</p></main><p id="live"></p>';
  sessionStorage.setItem('affitor-dashboard-token', 'admin-token');
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  sessionStorage.clear();
});

describe('the dashboard script', () => {
  it('goes on refreshing when the connection drops while an answer is read (a server restarted), and shows the next answer', async () => {
    const fetch = vi
      .fn<() => Promise<Answer>>()
      .mockResolvedValueOnce(answer(200, () => Promise.reject(new TypeError('network error'))))
      .mockResolvedValue(answer(200, () => Promise.resolve('<p>the chains</p>')));
    vi.stubGlobal('fetch', fetch);
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the script the server serves, run as the page runs it
    (new Function(DASHBOARD_SCRIPT) as () => void)();
    await vi.advanceTimersByTimeAsync(0);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(document.getElementById('live')!.textContent).toBe('The server does not answer; trying again.');
    await vi.advanceTimersByTimeAsync(1000);
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(document.getElementById('dashboard')!.innerHTML).toBe('<p>the chains</p>');
    expect(document.getElementById('live')!.textContent).toMatch(/^Live: refreshes every second/);
  });
});
