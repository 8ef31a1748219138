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

  it('does not replace the tables while the merchant selects text in them (a request id to copy), and updates once the selection ends', async () => {
    const fetch = vi
      .fn<() => Promise<Answer>>()
      .mockResolvedValueOnce(answer(200, () => Promise.resolve('<p id="first">req_1234</p>')))
      .mockResolvedValue({ ...answer(200, () => Promise.resolve('<p>the next state</p>')), headers: { get: () => '"state-2"' } });
    vi.stubGlobal('fetch', fetch);
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the script the server serves, run as the page runs it
    (new Function(DASHBOARD_SCRIPT) as () => void)();
    await vi.advanceTimersByTimeAsync(0);
    const shown = document.getElementById('first')!;
    const range = document.createRange();
    range.selectNodeContents(shown);
    getSelection()!.removeAllRanges();
    getSelection()!.addRange(range);

    await vi.advanceTimersByTimeAsync(3000);
    expect(fetch.mock.calls.length).toBeGreaterThan(1);
    expect(document.getElementById('first')).toBe(shown);
    expect(getSelection()!.toString()).toBe('req_1234');

    getSelection()!.removeAllRanges();
    await vi.advanceTimersByTimeAsync(1000);
    expect(document.getElementById('dashboard')!.innerHTML).toBe('<p>the next state</p>');
  });

  it('takes a token no header can carry (a typographic quote pasted along) for a wrong one, not for a server that does not answer', async () => {
    sessionStorage.clear();
    document.body.innerHTML =
      '<main id="dashboard"><form id="token-form"><input type="password" name="token"><button type="submit">Show</button></form></main><p id="live"></p>';
    // As browsers' fetch does: a header value is a byte string, a character above U+00FF rejects the call.
    const fetch = vi.fn((_url: string, init: { headers: Record<string, string> }) =>
      Object.values(init.headers).some((value) => [...value].some((c) => c.codePointAt(0)! > 0xff))
        ? Promise.reject(new TypeError('String contains non ISO-8859-1 code point.'))
        : Promise.resolve(answer(401, () => Promise.resolve('{"error":"Unauthorized"}'))),
    );
    vi.stubGlobal('fetch', fetch);
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the script the server serves, run as the page runs it
    (new Function(DASHBOARD_SCRIPT) as () => void)();
    const form = document.getElementById('token-form') as HTMLFormElement;
    (form.elements.namedItem('token') as HTMLInputElement).value = '\u201cadmin-token\u201d';
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    await vi.advanceTimersByTimeAsync(3000);
    expect(document.querySelector('[role=alert]')?.textContent).toBe('That is not the admin token.');
    expect(document.getElementById('live')!.textContent).toBe('Admin token required.');
    expect(sessionStorage.getItem('affitor-dashboard-token')).toBeNull();
    // Asked again once, not every second as if the server were down.
    expect(fetch.mock.calls.length).toBeLessThanOrEqual(1);
  });
});

describe('the dashboard script, sent a token of spaces only', () => {
  it('says it is not the admin token, as the page without JavaScript does, instead of doing nothing', async () => {
    sessionStorage.clear();
    document.body.innerHTML =
      '<main id="dashboard"><form id="token-form"><input type="password" name="token" required><button type="submit">Show</button></form></main><p id="live">Admin token required.</p>';
    const fetch = vi.fn();
    vi.stubGlobal('fetch', fetch);
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the script the server serves, run as the page runs it
    (new Function(DASHBOARD_SCRIPT) as () => void)();
    const form = document.getElementById('token-form') as HTMLFormElement;
    // `required` lets spaces through.
    (form.elements.namedItem('token') as HTMLInputElement).value = '   ';
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    await vi.advanceTimersByTimeAsync(1000);
    expect(document.querySelector('[role=alert]')?.textContent).toBe('That is not the admin token.');
    expect(document.activeElement).toBe(document.querySelector('input[name=token]'));
    expect(fetch).not.toHaveBeenCalled();
  });
});

describe('the dashboard script, when the server answers an error', () => {
  it('does not call the page live while the fragment answers 500 (the tables are then stale), and says so until an answer comes', async () => {
    const fetch = vi
      .fn<() => Promise<Answer>>()
      .mockResolvedValueOnce(answer(200, () => Promise.resolve('<p>the chains</p>')))
      .mockResolvedValueOnce(answer(500, () => Promise.resolve('{"error":"Internal server error"}')))
      .mockResolvedValue(answer(200, () => Promise.resolve('<p>the next chains</p>')));
    vi.stubGlobal('fetch', fetch);
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the script the server serves, run as the page runs it
    (new Function(DASHBOARD_SCRIPT) as () => void)();
    await vi.advanceTimersByTimeAsync(0);
    expect(document.getElementById('live')!.textContent).toMatch(/^Live: refreshes every second/);
    await vi.advanceTimersByTimeAsync(1000);
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(document.getElementById('live')!.textContent).toBe('The server answered 500; trying again.');
    expect(document.getElementById('dashboard')!.innerHTML).toBe('<p>the chains</p>');
    await vi.advanceTimersByTimeAsync(1000);
    expect(document.getElementById('dashboard')!.innerHTML).toBe('<p>the next chains</p>');
    expect(document.getElementById('live')!.textContent).toMatch(/^Live: refreshes every second/);
  });
});

describe('the dashboard script, when the server accepts the call and never answers', () => {
  it('gives the call up after 10 s, says the server does not answer, and goes on refreshing (a server paused in a debugger, a proxy that hangs)', async () => {
    const hanging = (_url: string, init: { signal?: AbortSignal }) =>
      new Promise<Answer>((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    const fetch = vi
      .fn<(url: string, init: { signal?: AbortSignal }) => Promise<Answer>>()
      .mockImplementationOnce(hanging)
      .mockResolvedValue(answer(200, () => Promise.resolve('<p>the chains</p>')));
    vi.stubGlobal('fetch', fetch);
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the script the server serves, run as the page runs it
    (new Function(DASHBOARD_SCRIPT) as () => void)();
    await vi.advanceTimersByTimeAsync(9_999);
    expect(fetch).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(document.getElementById('live')!.textContent).toBe('The server does not answer; trying again.');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(document.getElementById('dashboard')!.innerHTML).toBe('<p>the chains</p>');
  });
});

describe('the dashboard script, for a merchant on a keyboard or a screen reader', () => {
  /**
   * A state of the tables: request rows by their first call's number (and their last, for a run of
   * like calls shown as one row), the failed ones marked, each with its earlier ids.
   */
  const tables = (calls: Array<[number, boolean, number?]>) =>
    `<table class="requests"><tbody>${calls
      .map(
        ([call, failed, last = call]) =>
          `<tr data-call="${call}" data-seq="${last}"${failed ? ' class="failed"' : ''}><td>call ${call}</td><td><details><summary>earlier</summary>ids</details></td></tr>`,
      )
      .join('')}</tbody></table>`;
  /** Answers each refresh with the next state (each a new ETag), the last one from then on. */
  const serve = (...states: string[]) => {
    let n = 0;
    const fetch = vi.fn(() => {
      const state = states[Math.min(n, states.length - 1)]!;
      const tag = `"state-${Math.min(n++, states.length - 1)}"`;
      return Promise.resolve({ status: 200, headers: { get: () => tag }, text: () => Promise.resolve(state) });
    });
    vi.stubGlobal('fetch', fetch);
    return fetch;
  };
  const run = () => {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the script the server serves, run as the page runs it
    (new Function(DASHBOARD_SCRIPT) as () => void)();
  };
  const status = () => document.querySelector('[role=status]')!.textContent;
  const pause = () => document.querySelector<HTMLButtonElement>('button[aria-pressed]')!;

  it('keeps the focus and the open list of earlier ids on their row when an update replaces the tables (focus fell to the page, the list closed)', async () => {
    serve(tables([[2, false], [1, false]]), tables([[3, true], [2, false], [1, false]]));
    run();
    await vi.advanceTimersByTimeAsync(0);
    const summary = document.querySelector<HTMLElement>('tr[data-call="2"] summary')!;
    summary.parentElement!.setAttribute('open', '');
    summary.focus();
    await vi.advanceTimersByTimeAsync(1000);
    expect(document.querySelector('tr[data-call="3"]')).not.toBeNull();
    expect(document.activeElement).toBe(document.querySelector('tr[data-call="2"] summary'));
    expect(document.activeElement).not.toBe(summary);
    expect([...document.querySelectorAll('details[open]')].map((details) => details.closest('tr')!.dataset.call)).toEqual(['2']);
  });

  it('says in a status region that it loaded, then how many requests arrived and how many failed, once per update', async () => {
    serve(tables([[1, false]]), tables([[3, true], [2, false], [1, false]]));
    run();
    await vi.advanceTimersByTimeAsync(0);
    expect(status()).toBe('Dashboard loaded.');
    expect(document.title).toBe('Affitor dashboard');
    await vi.advanceTimersByTimeAsync(1000);
    expect(status()).toBe('2 new requests, 1 failed.');
    // The "last checked" line changes every second: it is no live region, or a screen reader would read it each second.
    expect(document.getElementById('live')!.getAttribute('aria-live')).toBeNull();
  });

  it('counts the calls a run of like calls adds to its row, and says news that reads as the last did again', async () => {
    const said: string[] = [];
    serve(
      tables([[1, false]]),
      tables([[2, true], [1, false]]),
      // Three more of the same failing call: its row grows to calls 2 to 5.
      tables([[2, true, 5], [1, false]]),
      // Then a new failing call, then another: the same news twice in a row.
      tables([[6, true], [2, true, 5], [1, false]]),
      tables([[7, true], [6, true], [2, true, 5], [1, false]]),
    );
    run();
    await vi.advanceTimersByTimeAsync(0);
    new MutationObserver(() => said.push(status())).observe(document.querySelector('[role=status]')!, { childList: true, characterData: true, subtree: true });
    for (let update = 0; update < 4; update++) await vi.advanceTimersByTimeAsync(1000);
    expect(said.map((text) => text.trim())).toEqual(['1 new request, 1 failed.', '3 new requests, 3 failed.', '1 new request, 1 failed.', '1 new request, 1 failed.']);
    // The last two differ in a no-break space only, which a screen reader does not read.
    expect(said[3]).not.toBe(said[2]);
  });

  it('takes a server started again (its calls numbered from 1 anew) for a first view, and says its news after', async () => {
    serve(tables([[9, false]]), tables([[1, false]]), tables([[2, true], [1, false]]));
    run();
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(1000);
    expect(status()).toBe('Dashboard loaded.');
    await vi.advanceTimersByTimeAsync(1000);
    expect(status()).toBe('1 new request, 1 failed.');
  });

  it('says the server answers again once it does: "The server does not answer." stayed beside a live page for good (a server restarted)', async () => {
    const fetch = vi
      .fn<() => Promise<Answer>>()
      .mockResolvedValueOnce(answer(200, () => Promise.resolve(tables([[1, false]]))))
      .mockRejectedValueOnce(new TypeError('Failed to fetch'))
      .mockResolvedValueOnce(answer(503, () => Promise.resolve('{}')))
      .mockResolvedValueOnce({ ...answer(200, () => Promise.resolve(tables([[1, false]]))), headers: { get: () => '"restarted-1"' } })
      .mockResolvedValue(answer(304, () => Promise.resolve('')));
    vi.stubGlobal('fetch', fetch);
    run();
    await vi.advanceTimersByTimeAsync(0);
    expect(status()).toBe('Dashboard loaded.');
    await vi.advanceTimersByTimeAsync(1000);
    expect(status()).toBe('The server does not answer.');
    await vi.advanceTimersByTimeAsync(1000);
    expect(document.getElementById('live')!.textContent).toBe('The server answered 503; trying again.');
    expect(status()).toBe('The server answered 503.');
    await vi.advanceTimersByTimeAsync(1000);
    expect(document.getElementById('live')!.textContent).toMatch(/^Live: refreshes every second/);
    expect(status()).toBe('The server answers again.');
    await vi.advanceTimersByTimeAsync(3000);
    expect(status()).toBe('The server answers again.');
  });

  it('says nothing of a server that did not answer beside the token form its changed token brings back', async () => {
    const fetch = vi
      .fn<() => Promise<Answer>>()
      .mockResolvedValueOnce(answer(200, () => Promise.resolve(tables([[1, false]]))))
      .mockRejectedValueOnce(new TypeError('Failed to fetch'))
      .mockResolvedValue(answer(401, () => Promise.resolve('{"error":"Unauthorized"}')));
    vi.stubGlobal('fetch', fetch);
    document.body.innerHTML =
      '<main id="dashboard"><form id="token-form"><input type="password" name="token"><button type="submit">Show</button></form></main><p id="live"></p>';
    run();
    await vi.advanceTimersByTimeAsync(2000);
    expect(document.querySelector('[role=alert]')?.textContent).toBe('That is not the admin token.');
    expect(status()).toBe('');
  });

  it('pauses its updates with a button (pressed, then released), and catches up when resumed', async () => {
    const fetch = serve(tables([[1, false]]), tables([[2, false], [1, false]]));
    run();
    await vi.advanceTimersByTimeAsync(0);
    expect(pause().hidden).toBe(false);
    expect(pause().getAttribute('aria-pressed')).toBe('false');
    pause().click();
    expect(pause().getAttribute('aria-pressed')).toBe('true');
    expect(pause().textContent).toBe('Resume updates');
    const calls = fetch.mock.calls.length;
    await vi.advanceTimersByTimeAsync(5000);
    expect(document.querySelector('tr[data-call="2"]')).toBeNull();
    expect(fetch.mock.calls.length).toBeLessThanOrEqual(calls + 1);
    pause().click();
    await vi.advanceTimersByTimeAsync(0);
    expect(document.querySelector('tr[data-call="2"]')).not.toBeNull();
    expect(status()).toBe('1 new request.');
  });

  it('shows the tables for the token sent after a check answered 401 while updates were paused (they stayed paused, the button hidden)', async () => {
    document.body.innerHTML =
      '<main id="dashboard"><form id="token-form"><input type="password" name="token"><button type="submit">Show</button></form></main><p id="live"></p>';
    const slow = (value: Answer) => () => new Promise<Answer>((resolve) => setTimeout(() => resolve(value), 500));
    const fetch = vi
      .fn<() => Promise<Answer>>()
      .mockImplementationOnce(slow(answer(200, () => Promise.resolve(tables([[1, false]])))))
      .mockImplementationOnce(slow(answer(401, () => Promise.resolve('{"error":"Unauthorized"}'))))
      .mockImplementation(slow({ ...answer(200, () => Promise.resolve(tables([[2, false], [1, false]]))), headers: { get: () => '"state-2"' } }));
    vi.stubGlobal('fetch', fetch);
    run();
    await vi.advanceTimersByTimeAsync(1600);
    // Paused while the second check is on its way; it answers 401 (the token no longer the admin's).
    pause().click();
    await vi.advanceTimersByTimeAsync(500);
    expect(document.querySelector('[role=alert]')?.textContent).toBe('That is not the admin token.');
    expect(pause().hidden).toBe(true);
    const form = document.getElementById('token-form') as HTMLFormElement;
    (form.elements.namedItem('token') as HTMLInputElement).value = 'the-new-token';
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    await vi.advanceTimersByTimeAsync(600);
    expect(document.querySelector('tr[data-call="2"]')).not.toBeNull();
    expect(pause().hidden).toBe(false);
    expect(pause().getAttribute('aria-pressed')).toBe('false');
  });

  it('refreshes in one loop after a resume while a slow check was on its way: the check before it ends its loop', async () => {
    // Each check takes 2.5 s to answer (a server holding many records, a slow link).
    const fetch = vi.fn(() => new Promise<Answer>((resolve) => setTimeout(() => resolve(answer(304, () => Promise.resolve(''))), 2500)));
    vi.stubGlobal('fetch', fetch);
    run();
    await vi.advanceTimersByTimeAsync(4700);
    pause().click();
    await vi.advanceTimersByTimeAsync(100);
    pause().click();
    const resumedAt = fetch.mock.calls.length;
    await vi.advanceTimersByTimeAsync(35_000);
    // One loop: a check every 3.5 s (2.5 s of answer, then 1 s), 10 in 35 s; two loops made 20.
    expect(fetch.mock.calls.length - resumedAt).toBeLessThanOrEqual(10);
    expect(fetch.mock.calls.length - resumedAt).toBeGreaterThanOrEqual(9);
  });
});
