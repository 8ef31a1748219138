/**
 * The dashboard's script, served at /_dashboard/dashboard.js (the page's Content-Security-Policy
 * allows no inline script). With it, the token form keeps the token in sessionStorage (this tab
 * only, never in a URL) and the tables refresh every second from /_dashboard/fragment, sent
 * with the token as a Bearer header and the last ETag, so an unchanged state costs a 304.
 * Without it, the form posts the token and the server answers the plain table.
 */
export const DASHBOARD_SCRIPT = `'use strict';
(() => {
  const KEY = 'affitor-dashboard-token';
  const EVERY_MS = 1000;
  // How long one refresh waits for the server's answer and its body.
  const WAIT_MS = 10000;
  const main = document.getElementById('dashboard');
  const live = document.getElementById('live');
  const formHtml = document.getElementById('token-form') ? main.innerHTML : null;
  let etag = null;
  let timer;
  // The refreshing loop that stands: one started anew (a resume, a token sent) ends the one before,
  // whose check may still be on its way (a slow server): left going, it ran beside the new one for good.
  let loop = 0;
  // Made here: the page without JavaScript has no updates to pause or announce.
  const controls = document.createElement('p');
  controls.innerHTML = '<button type="button" id="pause" aria-pressed="false" hidden>Pause updates</button> <span id="status" role="status"></span>';
  live.after(controls);
  const status = document.getElementById('status');
  const pauseButton = document.getElementById('pause');
  let paused = false;
  let lastSeq = null;
  // Whether the status region last said the server failed (no answer, an error status): taken back by
  // the next answer. Left, "The server does not answer." stood beside a live page for good (a server restarted).
  let failing = false;
  // Said through the polite status region (live.textContent changes every second and is not announced).
  // A text equal to the one shown changes nothing a screen reader hears: \`again\` (news that happens to
  // read as the last did, "1 new request, 1 failed." twice) ends it with a no-break space to be said too.
  const say = (text, again) => {
    if (status.textContent !== text) status.textContent = text;
    else if (again) status.textContent = text + '\u00a0';
  };

  const askForToken = (wrong) => {
    sessionStorage.removeItem(KEY);
    etag = null;
    if (formHtml === null) return;
    main.innerHTML = formHtml;
    if (wrong) {
      const note = document.createElement('p');
      note.className = 'error';
      note.setAttribute('role', 'alert');
      note.textContent = 'That is not the admin token.';
      main.querySelector('form').prepend(note);
    }
    document.title = 'Affitor dashboard: admin token';
    pauseButton.hidden = true;
    // A check that answered 401 while updates were paused left them paused, the button hidden: the
    // tables for the token sent next never showed ("Loading…" for good).
    setPaused(false);
    main.querySelector('input[name=token]').focus();
    live.textContent = 'Admin token required.';
    failing = false;
    say('');
    listen();
  };

  // Where the reader is: the last section heading or customer row (kept across updates, found
  // again by its id or customer) starting at or above the top of the view, and how far above.
  // Replacing the tables removes the node Chromium's own scroll anchoring holds on to, and a row
  // added above (a new customer, a chain grown by a click) pushed what was read down the page.
  // At the very top nothing is kept: the newest customers, added there, are meant to show.
  const keyOf = (el) => (el.id ? '#' + el.id : el.dataset.call ? 'tr[data-call="' + el.dataset.call + '"]' : 'tr[data-customer="' + el.dataset.customer + '"]');
  /** The key of the row an element is in, or null outside the tables' rows. */
  const rowKey = (el) => {
    const tr = el.closest('tr[data-call], tr[data-customer]');
    return tr ? keyOf(tr) : null;
  };
  const placeOf = () => {
    if (window.scrollY <= 0) return [];
    let heading = null;
    let at = null;
    for (const el of main.querySelectorAll('h2[id], tr[data-customer], tr[data-call]')) {
      const top = el.getBoundingClientRect().top;
      if (top > 0 && at) break;
      at = { key: keyOf(el), top };
      if (el.id) heading = at;
      if (top > 0) break;
    }
    // The row may be gone after the update (out of the latest customers): then its section's heading.
    return [at, heading].filter(Boolean);
  };
  const keepPlace = (place) => {
    for (const { key, top } of place) {
      const el = main.querySelector(key);
      if (el) return window.scrollBy(0, el.getBoundingClientRect().top - top);
    }
  };

  // Text selected in the tables (a request id or click id being copied): replacing them would
  // drop the selection, every second while calls come in. The update waits for it to end.
  const selecting = () => {
    const selection = getSelection();
    return !!selection && !selection.isCollapsed && selection.rangeCount > 0 && main.contains(selection.getRangeAt(0).commonAncestorContainer);
  };

  // What a header value may hold. A token with any other character (a typographic quote or a
  // zero-width space pasted along) makes fetch itself fail, which read as a server that does
  // not answer, retried every second; it cannot be the admin token either.
  const SENDABLE = /^[\\t\\x20-\\x7e\\x80-\\xff]*$/;

  const refresh = async (token, run = ++loop) => {
    clearTimeout(timer);
    if (!SENDABLE.test(token)) return askForToken(true);
    const headers = { Authorization: 'Bearer ' + token };
    if (etag) headers['If-None-Match'] = etag;
    let response;
    let html;
    // The body read too: a connection dropped while it arrives (a server restarted) would otherwise
    // end the refreshing until the page is reloaded.
    // A server that took the call and never answers (paused in a debugger, a proxy that hangs)
    // would end the refreshing too: the call is given up after WAIT_MS, as one that failed.
    const giveUp = new AbortController();
    const waiting = setTimeout(() => giveUp.abort(), WAIT_MS);
    try {
      response = await fetch('${'/_dashboard/fragment'}', { headers, cache: 'no-store', signal: giveUp.signal });
      if (response.status === 200) html = await response.text();
    } catch {
      if (paused || run !== loop) return;
      live.textContent = 'The server does not answer; trying again.';
      say('The server does not answer.');
      failing = true;
      timer = setTimeout(() => refresh(token, run), EVERY_MS);
      return;
    } finally {
      clearTimeout(waiting);
    }
    if (run !== loop) return;
    if (response.status === 401) return askForToken(true);
    if (paused) return;
    // Any other answer but 200 and 304 (a 500, a 404 from another server on the port) brings no
    // state: the tables shown are then stale, which "Live" would hide.
    if (response.status !== 200 && response.status !== 304) {
      live.textContent = 'The server answered ' + response.status + '; trying again.';
      say('The server answered ' + response.status + '.');
      failing = true;
      timer = setTimeout(() => refresh(token, run), EVERY_MS);
      return;
    }
    if (html !== undefined && selecting()) {
      // Not shown, so its ETag not kept: the next check answers it again.
      live.textContent = 'Paused while text is selected: a newer state waits.';
      timer = setTimeout(() => refresh(token, run), EVERY_MS);
      return;
    }
    let news = '';
    if (html !== undefined) {
      etag = response.headers.get('ETag');
      const place = placeOf();
      // The focused <summary> and the open <details>, by their row: replacing the tables dropped focus to <body> and closed them.
      const active = main.contains(document.activeElement) ? rowKey(document.activeElement) : null;
      const open = [...main.querySelectorAll('details[open]')].map(rowKey).filter(Boolean);
      const firstLoad = !main.querySelector('table');
      main.innerHTML = html;
      for (const key of open) main.querySelector(key + ' details')?.setAttribute('open', '');
      if (active) main.querySelector(active + ' summary')?.focus({ preventScroll: true });
      keepPlace(place);
      // A request row stands for calls data-call to data-seq (a run of like calls, as a retrying page
      // makes, is one row that grows): those above the last call seen arrived since.
      const rows = [...main.querySelectorAll('tr[data-call]')];
      const lastOf = (tr) => +(tr.dataset.seq || tr.dataset.call);
      const newest = Math.max(0, ...rows.map(lastOf));
      // A server started again numbers its calls from 1: its rows are a first view, not news.
      if (newest < lastSeq) lastSeq = null;
      let arrived = 0;
      let failed = 0;
      for (const tr of rows) {
        const since = lastSeq === null ? 0 : Math.max(0, lastOf(tr) - Math.max(lastSeq, +tr.dataset.call - 1));
        arrived += since;
        if (tr.classList.contains('failed')) failed += since;
      }
      lastSeq = newest;
      if (firstLoad) {
        // The token form's button, focused when it was sent, is gone: the focus goes to the first control.
        document.title = 'Affitor dashboard';
        pauseButton.hidden = false;
        say('Dashboard loaded.');
        if (!main.contains(document.activeElement)) pauseButton.focus();
        failing = false;
      } else if (arrived) {
        news = arrived + ' new request' + (arrived === 1 ? '' : 's') + (failed ? ', ' + failed + ' failed' : '') + '.';
      }
    }
    if (failing || news) say((failing ? 'The server answers again.' + (news ? ' ' : '') : '') + news, true);
    failing = false;
    live.textContent = 'Live: refreshes every second (last checked ' + new Date().toLocaleTimeString() + ').';
    timer = setTimeout(() => refresh(token, run), EVERY_MS);
  };

  function listen() {
    const form = document.getElementById('token-form');
    if (!form) return;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const token = form.elements.token.value.trim();
      // Spaces only ('required' lets them through): said as the page without JavaScript says it, not ignored.
      if (!token) return askForToken(true);
      sessionStorage.setItem(KEY, token);
      live.textContent = 'Loading…';
      refresh(token);
    });
  }

  function setPaused(value) {
    paused = value;
    pauseButton.setAttribute('aria-pressed', String(paused));
    pauseButton.textContent = paused ? 'Resume updates' : 'Pause updates';
  }

  pauseButton.addEventListener('click', () => {
    setPaused(!paused);
    live.textContent = paused ? 'Updates paused.' : 'Resuming…';
    const token = sessionStorage.getItem(KEY);
    clearTimeout(timer);
    if (!paused && token) refresh(token);
  });

  const saved = sessionStorage.getItem(KEY);
  if (saved) refresh(saved);
  else listen();
})();
`;
