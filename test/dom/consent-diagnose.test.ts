import { describe, expect, it, vi } from 'vitest';
import { newPageView } from '../../src/browser/page-view';
import { AffitorTracker } from '../../src/index';
import { newEventId } from '../../src/core/outbox';
import type { AffitorData } from '../../src/index';
import { API_BASE, HttpResponse, cookieValue, http, land, landed, recordCookieWrites, setUrl, stopRecordingCookies, useTrackingApi, storedOutbox } from '../support/dom';

const api = useTrackingApi({ quietErrors: true });
const OURS = /affitor_|customer_code/;

function addProgramIdTag(programId: string) {
  const tag = document.createElement('script');
  tag.setAttribute('data-affitor-program-id', programId);
  document.head.append(tag);
}

describe('consent', () => {
  it('with consent pending reports the click but writes no cookie and no storage', async () => {
    const tracker = await land('https://shop.example.com/?aff=PARTNER123', { consent: 'pending' });
    expect(api.clicks()).toHaveLength(1);
    expect(tracker.getClickId()).toMatch(/^cust_/);
    expect(document.cookie).not.toMatch(OURS);
    expect(document.cookie).not.toContain('affitor_probe');
    expect(sessionStorage.length).toBe(0);
    await tracker.signup('user_1');
    expect(api.leads()[0]!.body.click_id).toBe(tracker.getClickId());
    expect(sessionStorage.length).toBe(0);
  });

  it('writes the attribution held in memory when consent is granted, and persists from then on', async () => {
    const tracker = await land('https://shop.example.com/?aff=PARTNER123', { consent: 'pending' });
    const held = tracker.getClickId();
    tracker.grantConsent();
    expect(cookieValue('affitor_click_id')).toBe(held);
    expect(cookieValue('affitor_aff_url')).toBe('https://shop.example.com/?aff=PARTNER123');
    expect(cookieValue('affitor_session_id')).toBe(api.clicks()[0]!.body.session_id);
    await tracker.trackClick('https://shop.example.com/?aff=PARTNER456');
    expect(api.clicks()[1]!.body.existing_click_id).toBe(held);
    expect(cookieValue('affitor_click_id')).toBe(tracker.getClickId());
  });

  it('writes a click it could not deliver yet to the outbox when consent is granted, so a later page view sends it', async () => {
    api.app.setChaos({ failFirst: { click: 3 } });
    const tracker = await land('https://shop.example.com/?aff=PARTNER123', { consent: 'pending' });
    expect(api.clicks()).toHaveLength(3);
    expect(cookieValue('affitor_outbox')).toBeUndefined();
    tracker.grantConsent();
    const [kept] = storedOutbox();
    expect(kept).toMatchObject({ route: 'click', body: { affiliate_url: 'https://shop.example.com/?aff=PARTNER123' } });

    const next = await land('https://shop.example.com/pricing');
    expect(api.app.inspect().clicks).toEqual([expect.objectContaining({ event_id: kept!.body.event_id })]);
    expect(cookieValue('affitor_click_id')).toBe(next.getClickId());
    expect(next.getClickId()).toMatch(/^cust_/);
  });

  it('writes what it held when a later init gives consent by its options (a provider whose consent prop turns granted)', async () => {
    api.app.setChaos({ failFirst: { click: 3 } });
    const tracker = await land('https://www.shop.example.com/?aff=PARTNER456', { consent: 'pending' });
    api.app.setChaos({ failFirst: {} });
    await tracker.trackClick('https://www.shop.example.com/?aff=PARTNER123');
    const clickId = tracker.getClickId();
    expect(clickId).toMatch(/^cust_/);
    expect(document.cookie).not.toMatch(OURS);
    tracker.init({ consent: 'granted' });
    expect(tracker.diagnose()).toMatchObject({ consent: 'granted' });
    expect(cookieValue('affitor_click_id')).toBe(clickId);
    // The click the API could not take while consent was pending is in the outbox for a later page view.
    expect(storedOutbox().map((event) => event.body.affiliate_url)).toEqual(['https://www.shop.example.com/?aff=PARTNER456']);
  });

  it('keeps the in-memory attribution when init is called again before consent', async () => {
    const tracker = await land('https://shop.example.com/?aff=PARTNER123', { consent: 'pending' });
    const held = tracker.getClickId();
    tracker.init({ debug: false });
    expect(tracker.getClickId()).toBe(held);
    tracker.grantConsent();
    expect(cookieValue('affitor_click_id')).toBe(held);
  });

  it('revoked before init (a consent manager declining on load), still delivers the lead an earlier page view kept, and forgets its click', async () => {
    // The lead was made before the click (the visitor followed the partner's link after signing up): it does not wait for it.
    const earlierLead = { route: 'lead', body: { customer_key: 'user_1', program_id: 1, event_id: newEventId() } };
    const earlierClick = { route: 'click', body: { affiliate_url: 'https://a.b.example.com/?aff=PARTNER123', event_id: newEventId() } };
    setUrl('https://a.b.example.com/account');
    document.cookie = `affitor_outbox=${encodeURIComponent(JSON.stringify([earlierLead, earlierClick]))}; path=/`;
    newPageView();
    const tracker = new AffitorTracker({ programId: 1, apiBase: API_BASE });
    tracker.revokeConsent();
    tracker.init();
    await vi.waitFor(() => expect(api.leads()).toHaveLength(1));
    expect(api.leads()[0]!.body).toMatchObject({ customer_key: 'user_1', event_id: earlierLead.body.event_id });
    expect(api.clicks()).toHaveLength(0);
    expect(document.cookie).not.toMatch(OURS);
  });

  it('deletes every cookie it wrote (the session id too) when consent is revoked', async () => {
    const tracker = await land('https://a.b.example.com/?aff=PARTNER123');
    await tracker.signup('user_1');
    expect(document.cookie).toMatch(OURS);
    expect(cookieValue('affitor_session_id')).toBe(api.leads()[0]!.body.session_id);
    document.cookie = 'customer_code=cust_9_9;path=/'; // a host-only legacy cookie too
    tracker.revokeConsent();
    expect(document.cookie).not.toMatch(OURS);
    expect(tracker.getData()).toMatchObject({ clickId: null, hasAttribution: false });
    // And nothing is written again afterwards.
    await tracker.trackClick('https://a.b.example.com/?aff=PARTNER456');
    expect(document.cookie).not.toMatch(OURS);
  });

  it("a signup made after consent is withdrawn while the landing's click is on its way still waits for it and carries its click id", async () => {
    // A consent manager's decline on load: revokeConsent() right after init, before the click answered.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    api.server.use(
      http.post(`${API_BASE}/api/v1/track/click`, async ({ request }) => {
        await held;
        return api.app.fetch(request);
      }),
    );
    setUrl('https://shop.example.com/?aff=PARTNER123');
    newPageView();
    const tracker = new AffitorTracker({ programId: 1, apiBase: API_BASE }).init();
    tracker.revokeConsent();
    const signedUp = tracker.signup('user_1');
    // Time for a lead that does not wait for the click to leave without it (nothing to await: it should not happen).
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    await signedUp;
    await landed();
    const clickId = api.app.inspect().customers[0]!.click_id;
    // The click is reported and held in memory for the page (as a landing after a withdrawal is): the lead carries it.
    expect(tracker.getClickId()).toBe(clickId);
    expect(api.leads()).toHaveLength(1);
    expect(api.leads()[0]!.body.click_id).toBe(clickId);
    expect(document.cookie).not.toMatch(OURS);
  });

  it('keeps a lead signed up before consent is withdrawn while its click fails: written once consent is given again, and delivered with the click', async () => {
    // The landing's click and its two in-page retries fail; the lead waits behind it.
    api.app.setChaos({ failFirst: { click: 3 } });
    setUrl('https://shop.example.com/?aff=PARTNER123');
    newPageView();
    const tracker = new AffitorTracker({ programId: 1, apiBase: API_BASE }).init();
    const signedUp = tracker.signup('user_1');
    expect(storedOutbox().map((event) => event.route)).toEqual(['click', 'lead']);
    tracker.revokeConsent();
    await signedUp;
    await landed();
    expect(document.cookie).not.toMatch(OURS);
    tracker.grantConsent();
    expect(storedOutbox().map((event) => event.route)).toEqual(['click', 'lead']);
    const next = await land('https://shop.example.com/pricing');
    await vi.waitFor(() => expect(api.app.inspect().leads).toEqual([expect.objectContaining({ customer_key: 'user_1', click_id: next.getClickId() })]));
  });

  it('keeps a lead whose own tries fail while consent is withdrawn: written once consent is given again, and delivered by the next page view', async () => {
    const tracker = await land('https://shop.example.com/?aff=PARTNER123');
    api.app.setChaos({ failFirst: { lead: 3 } });
    const signedUp = tracker.signup('user_1');
    tracker.revokeConsent();
    await signedUp;
    await vi.waitFor(() => expect(api.leads()).toHaveLength(3), { timeout: 5_000 });
    tracker.grantConsent();
    expect(storedOutbox().map((event) => event.route)).toEqual(['lead']);
    await land('https://shop.example.com/pricing');
    await vi.waitFor(() => expect(api.app.inspect().leads).toEqual([expect.objectContaining({ customer_key: 'user_1' })]));
  });

  it('starts a new session id when consent is revoked, and writes it once consent is given again', async () => {
    const tracker = await land('https://a.b.example.com/?aff=PARTNER123');
    const first = api.clicks()[0]!.body.session_id;
    expect(cookieValue('affitor_session_id')).toBe(first);
    tracker.revokeConsent();
    expect(cookieValue('affitor_session_id')).toBeUndefined();
    tracker.grantConsent();
    await tracker.trackClick('https://a.b.example.com/?aff=PARTNER456');
    const next = api.clicks()[1]!.body.session_id;
    expect(next).not.toBe(first);
    expect(cookieValue('affitor_session_id')).toBe(next);
  });

  // 'denied' and false are the README's own examples of consent not given; any other value is a
  // mistake (true, 'Granted': meant as given) that keeps the attribution off the cookies unseen but for the error.
  it.each([
    ['denied', false],
    [false, false],
    ['revoked', true],
    [true, true],
    ['Granted', true],
    [null, true],
  ])('treats a consent option it does not know (%s) as pending, never as granted (an error said: %s)', async (value, said) => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const tracker = await land('https://shop.example.com/?aff=PARTNER123', { consent: value as 'pending' });
    expect(api.clicks()).toHaveLength(1);
    expect(tracker.getClickId()).toMatch(/^cust_/);
    expect(document.cookie).not.toMatch(OURS);
    expect(tracker.diagnose().consent).toBe('pending');
    expect(error.mock.calls).toEqual(said ? [['[Affitor]', "Invalid consent ('granted' or 'pending' expected):", value]] : []);
  });

  it('treats the Global Privacy Control signal as consent pending when asked to', async () => {
    Object.defineProperty(navigator, 'globalPrivacyControl', { configurable: true, get: () => true });
    try {
      const honoured = await land('https://shop.example.com/?aff=PARTNER123', { respectGlobalPrivacyControl: true });
      expect(honoured.getClickId()).toMatch(/^cust_/);
      expect(document.cookie).not.toMatch(OURS);
      expect(honoured.diagnose().consent).toBe('pending');
      await land('https://shop.example.com/?aff=PARTNER456');
      expect(cookieValue('affitor_click_id')).toMatch(/^cust_/);
    } finally {
      delete (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl;
    }
  });

  it("keeps the Global Privacy Control signal over a consent: 'granted' option; grantConsent() gives consent (README)", async () => {
    Object.defineProperty(navigator, 'globalPrivacyControl', { configurable: true, get: () => true });
    try {
      const tracker = await land('https://shop.example.com/?aff=PARTNER123', { respectGlobalPrivacyControl: true, consent: 'granted' });
      tracker.init({ consent: 'granted' });
      expect(document.cookie).not.toMatch(OURS);
      expect(tracker.diagnose().consent).toBe('pending');
      tracker.grantConsent();
      expect(cookieValue('affitor_click_id')).toBe(tracker.getClickId());
    } finally {
      delete (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl;
    }
  });

  it("keeps the visitor's grantConsent() when the consent option changes later (with the Global Privacy Control signal, the option alone is no consent)", async () => {
    Object.defineProperty(navigator, 'globalPrivacyControl', { configurable: true, get: () => true });
    try {
      const tracker = await land('https://shop.example.com/?aff=PARTNER123', { respectGlobalPrivacyControl: true, consent: 'pending' });
      tracker.grantConsent();
      tracker.init({ consent: 'granted' });
      expect(tracker.diagnose().consent).toBe('granted');
      expect(cookieValue('affitor_click_id')).toBe(tracker.getClickId());
    } finally {
      delete (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl;
    }
  });

  it("lets a consent option that turns 'granted' after revokeConsent() give consent again; one left as it was, or turned 'pending', keeps the withdrawal", async () => {
    const tracker = await land('https://shop.example.com/?aff=PARTNER123', { consent: 'granted' });
    tracker.revokeConsent();
    tracker.init({ consent: 'granted', debug: false });
    expect(tracker.diagnose().consent).toBe('revoked');
    tracker.init({ consent: 'pending' });
    expect(tracker.diagnose().consent).toBe('revoked');
    await tracker.trackClick('https://shop.example.com/?aff=PARTNER456');
    expect(document.cookie).not.toMatch(OURS);
    tracker.init({ consent: 'granted' });
    expect(tracker.diagnose().consent).toBe('granted');
    expect(cookieValue('affitor_click_id')).toBe(tracker.getClickId());
  });
});

describe('onAttribution', () => {
  it('calls back once per change with the new and the previous attribution', async () => {
    setUrl('https://shop.example.com/');
    newPageView();
    const tracker = new AffitorTracker({ programId: 1, apiBase: API_BASE });
    const calls: Array<[AffitorData, AffitorData]> = [];
    tracker.onAttribution((current, previous) => calls.push([current, previous]));
    tracker.init();
    await tracker.trackClick('https://shop.example.com/?aff=PARTNER123');
    await tracker.trackClick('https://shop.example.com/?aff=PARTNER123'); // same partner: no change
    await tracker.trackClick('https://shop.example.com/?aff=PARTNER456');
    expect(calls).toHaveLength(2);
    expect(calls[0]![1]).toMatchObject({ clickId: null, hasAttribution: false });
    expect(calls[0]![0]).toMatchObject({ clickId: calls[1]![1].clickId, affiliateUrl: 'https://shop.example.com/?aff=PARTNER123' });
    expect(calls[1]![0]).toMatchObject({ clickId: tracker.getClickId(), affiliateUrl: 'https://shop.example.com/?aff=PARTNER456' });
  });

  it('calls back when revoking consent forgets the attribution, and not when there was none', async () => {
    const tracker = await land('https://shop.example.com/');
    const calls: Array<[AffitorData, AffitorData]> = [];
    tracker.onAttribution((current, previous) => calls.push([current, previous]));
    tracker.revokeConsent();
    expect(calls).toEqual([]);
    tracker.grantConsent();
    await tracker.trackClick('https://shop.example.com/?aff=PARTNER123');
    const clickId = tracker.getClickId();
    tracker.revokeConsent();
    expect(calls).toHaveLength(2);
    expect(calls[1]![0]).toMatchObject({ clickId: null, hasAttribution: false, affiliateUrl: null });
    expect(calls[1]![1]).toMatchObject({ clickId, affiliateUrl: 'https://shop.example.com/?aff=PARTNER123' });
  });

  it('stops calling after unsubscribe, and survives a listener that throws', async () => {
    const tracker = await land('https://shop.example.com/');
    const kept = vi.fn();
    // It throws, so a call after stop() would be survived unseen: it counts its calls.
    const stopped = vi.fn(() => {
      throw new Error('app bug');
    });
    const stop = tracker.onAttribution(stopped);
    tracker.onAttribution(kept);
    await tracker.trackClick('https://shop.example.com/?aff=PARTNER123');
    expect(stopped).toHaveBeenCalledTimes(1);
    stop();
    await tracker.trackClick('https://shop.example.com/?aff=PARTNER456');
    expect(stopped).toHaveBeenCalledTimes(1);
    expect(kept).toHaveBeenCalledTimes(2);
    expect(tracker.getClickId()).toMatch(/^cust_/);
  });
});

describe('diagnose', () => {
  it('reports a healthy landing: aff, program id and source, domain by probe, cookies, window, last click', async () => {
    const tracker = await land('https://www.shop.example.co.uk/?aff=PARTNER123');
    const report = tracker.diagnose();
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    expect(report).toMatchObject({
      aff: 'PARTNER123',
      programId: 1,
      programIdSource: 'option',
      cookieDomain: 'example.co.uk',
      cookieDomainReason: 'probe',
      probes: [
        { domain: 'co.uk', accepted: false },
        { domain: 'example.co.uk', accepted: true },
      ],
      windowDays: 30,
      cookiesBlocked: false,
      // Without the first-party handler, the page wrote the cookies: Safari caps them at 7 days.
      cookiesSetBy: 'page',
      consent: 'granted',
      lastLead: null,
      warnings: ['Safari keeps cookies written by the page at most 7 days: serve the SDK through createAffitorHandler'],
    });
    expect(report.cookies.affitor_click_id).toBe(tracker.getClickId());
    expect(report.lastClick).toMatchObject({ status: 200, ok: true, message: null });
    expect(report.lastClick!.requestId).toMatch(/\S/);
  });

  it.each([
    [1000, 365, '1000'],
    [0, 1, '0'],
    [7.4, 7, '7.4'],
    ['ninety', 60, '"ninety"'],
  ])("warns about a click answer's cookie_window_days of %s, survived as %s days", async (given, used, shown) => {
    api.answer('click', () => HttpResponse.json({ success: true, click_id: 'cust_1_1', cookie_window_days: given }));
    const tracker = await land('https://shop.example.com/?aff=PARTNER123');
    expect(tracker.getClickId()).toBe('cust_1_1');
    const report = tracker.diagnose();
    expect(report.windowDays).toBe(used);
    expect(report.warnings).toContain(`cookie_window_days ${shown} in the click answer is not 1 to 365 whole days: ${used} used`);
  });

  it.each([30, null])('says nothing of a click answer whose cookie_window_days is %s', async (given) => {
    api.answer('click', () => HttpResponse.json({ success: true, click_id: 'cust_1_1', cookie_window_days: given }));
    const report = (await land('https://shop.example.com/?aff=PARTNER123')).diagnose();
    expect(report.warnings.filter((warning) => warning.includes('cookie_window_days'))).toEqual([]);
  });

  it('warns about a missing program id', () => {
    setUrl('https://shop.example.com/');
    newPageView();
    const report = new AffitorTracker({ apiBase: API_BASE }).init().diagnose();
    expect(report.programIdSource).toBeNull();
    expect(report.warnings).toContain('no program id: nothing is tracked');
  });

  it("warns about the page's preconnect to the API without crossorigin, which the calls cannot use, and not about one with it", async () => {
    const links = ([null, '', 'use-credentials'] as const).map((crossOrigin) => {
      const link = document.createElement('link');
      link.rel = 'preconnect';
      link.href = API_BASE;
      if (crossOrigin !== null) link.setAttribute('crossorigin', crossOrigin);
      document.head.append(link);
      return link;
    });
    try {
      const tracker = await land('https://shop.example.com/?aff=PARTNER123');
      const report = tracker.diagnose();
      const line = `write <link rel="preconnect" href="${API_BASE}" crossorigin>`;
      // The first link (no attribute) and the third (use-credentials); `crossorigin` alone is the right one.
      expect(report.warnings.filter((warning) => warning.includes('preconnect'))).toEqual([
        `${API_BASE}/: a preconnect the SDK's calls cannot use (they go without credentials): ${line}`,
        `${API_BASE}/: a preconnect the SDK's calls cannot use (they go without credentials): ${line}`,
      ]);
      links[0]!.crossOrigin = 'anonymous';
      links[2]!.remove();
      expect(tracker.diagnose().warnings.filter((warning) => warning.includes('preconnect'))).toEqual([]);
    } finally {
      links.forEach((link) => link.remove());
    }
  });

  it.each([
    ['the option', () => ({ programId: 'abc' }), '"abc"', 'option'],
    ['a template left in the script attribute', () => (addProgramIdTag('{{ program_id }}'), {}), '"{{ program_id }}"', 'script-attribute'],
    ['window.AFFITOR_PROGRAM_ID', () => (((window as { AFFITOR_PROGRAM_ID?: unknown }).AFFITOR_PROGRAM_ID = -4), {}), '-4', 'window'],
  ])('names an invalid program id given by %s as invalid, and where it came from, not as none', (_, given, shown, source) => {
    setUrl('https://shop.example.com/?aff=PARTNER123');
    newPageView();
    try {
      const report = new AffitorTracker({ apiBase: API_BASE, ...given() }).init().diagnose();
      expect(report).toMatchObject({ programId: null, programIdSource: source });
      expect(report.warnings).toEqual([`invalid program id ${shown}: a positive whole number expected, nothing is tracked`]);
    } finally {
      document.querySelectorAll('script[data-affitor-program-id]').forEach((tag) => tag.remove());
      delete (window as { AFFITOR_PROGRAM_ID?: unknown }).AFFITOR_PROGRAM_ID;
    }
  });

  it('warns about a host-only fallback when the browser accepts no parent domain', async () => {
    setUrl('https://shop.example.com/');
    newPageView();
    // A browser (or privacy tool) that refuses every Domain cookie but keeps host-only ones.
    const writes = recordCookieWrites((cookie) => !cookie.includes('domain='));
    const tracker = await land('https://shop.example.com/?aff=PARTNER123');
    stopRecordingCookies();
    const report = tracker.diagnose();
    expect(report).toMatchObject({ cookieDomain: null, cookieDomainReason: 'host-only' });
    expect(report.probes).toEqual([
      { domain: 'example.com', accepted: false },
      { domain: 'shop.example.com', accepted: false },
    ]);
    expect(writes.some((w) => w.startsWith('affitor_click_id=cust_'))).toBe(true);
    expect(report.cookies.affitor_click_id).toBe(tracker.getClickId());
    expect(report.warnings.join('\n')).toContain('host-only cookies');
  });

  it('warns about an origin the API refused (no answer), quoting the origin', async () => {
    api.answer('click', () => HttpResponse.error());
    const report = (await land('https://shop.example.com/?aff=PARTNER123')).diagnose();
    expect(report.lastClick).toMatchObject({ status: 0, ok: false });
    expect(report.warnings.join('\n')).toContain("is https://shop.example.com in the program's allowed origins (CORS)?");
  });

  it('says why a click got no answer once: the message is the fetch failure, the warning asks about the origin once', async () => {
    api.answer('click', () => HttpResponse.error());
    const report = (await land('https://shop.example.com/?aff=PARTNER123')).diagnose();
    expect(report.lastClick!.message).toBe('TypeError: Failed to fetch');
    expect(report.warnings).toContain(
      "last click got no answer (TypeError: Failed to fetch): is https://shop.example.com in the program's allowed origins (CORS)? Else does https://api.affitor.test answer (a typo in apiBase, the API down, a content blocker in this browser)?",
    );
  });

  it.each([
    [
      'does not ask about CORS when a click to the first-party handler got no answer (same origin)',
      '/relay',
      'https://shop.example.com/relay/*',
      ': is the page offline, or did an extension block /relay? (same origin: not CORS)',
    ],
    [
      // As the browser fails it: at once, with no answer.
      'says an http apiBase is blocked on an https page (mixed content), not CORS',
      'http://api.shop.test:8787',
      'http://api.shop.test:8787/*',
      ': http://api.shop.test:8787 is blocked on an https page (mixed content): use https://',
    ],
  ])('%s, in diagnose() and the console', async (_, apiBase, route, hint) => {
    const error = vi.spyOn(console, 'error');
    api.server.use(http.post(route, () => HttpResponse.error()));
    const report = (await land('https://shop.example.com/?aff=PARTNER123', { apiBase })).diagnose();
    expect(report.warnings).toEqual(['last click got no answer (TypeError: Failed to fetch)' + hint]);
    expect(error.mock.calls.map((call) => call.join(' ').trim())).toEqual([
      '[Affitor] click not recorded: no answer (TypeError: Failed to fetch)' + hint + ' (kept to resend)',
    ]);
  });

  it('says a click that timed out met a slow or unreachable API: no question about CORS, which fails at once', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      api.answer('click', () => new Promise<never>(() => {}));
      setUrl('https://shop.example.com/?aff=PARTNER123');
      newPageView();
      const tracker = new AffitorTracker({ programId: 1, apiBase: API_BASE }).init();
      // Each try's 10 s, and the waits between them.
      await vi.advanceTimersByTimeAsync(35_000);
      const report = tracker.diagnose();
      expect(report.lastClick).toMatchObject({ status: 0, ok: false, message: 'timed out' });
      expect(report.warnings).toEqual(['last click got no answer (timed out): the tracking API is down or slow, or apiBase points nowhere']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('asks whether apiBase is right for a 404, as the console does', async () => {
    api.server.use(http.post('https://api.wrong.test/*', () => HttpResponse.json({ error: 'Not found' }, { status: 404 })));
    const report = (await land('https://shop.example.com/?aff=PARTNER123', { apiBase: 'https://api.wrong.test' })).diagnose();
    expect(report.lastClick).toMatchObject({ status: 404, ok: false, message: 'HTTP 404: Not found: is apiBase https://api.wrong.test right?' });
    expect(report.warnings).toEqual(['last click failed: HTTP 404: Not found: is apiBase https://api.wrong.test right?']);
  });

  it('warns about a failed lead with the server message and its request id', async () => {
    const tracker = await land('https://shop.example.com/?aff=PARTNER123');
    api.app.setFaults({ lead: true });
    await tracker.signup('user_1');
    const report = tracker.diagnose();
    expect(report.lastLead).toMatchObject({ status: 500, ok: false, message: 'HTTP 500: Lead tracking failed' });
    expect(report.warnings).toContain('last lead failed: HTTP 500: Lead tracking failed');
  });

  it('refuses a cookieDomain the page is not on with an error and a warning, and writes on the root domain the probe finds', async () => {
    const error = vi.spyOn(console, 'error');
    const tracker = await land('https://www.shop-staging.example.net/?aff=PARTNER123', { cookieDomain: 'shop.example.com' });
    expect(error.mock.calls.map((call) => call.join(' '))).toContain('[Affitor] Invalid cookieDomain, using the root domain: shop.example.com');
    expect(cookieValue('affitor_click_id')).toBe(tracker.getClickId());
    expect(tracker.diagnose()).toMatchObject({ cookieDomain: 'example.net', cookieDomainReason: 'probe', cookiesBlocked: false });
    expect(tracker.diagnose().warnings).toContain('invalid cookieDomain ignored: shop.example.com');
  });

  it('warns about an invalid cookieDomain and pending consent', async () => {
    const report = (await land('https://shop.example.com/?aff=PARTNER123', { cookieDomain: 'a;b', consent: 'pending' })).diagnose();
    expect(report.warnings).toEqual(['invalid cookieDomain ignored: a;b', 'consent pending: attribution kept in memory only']);
    expect(report.cookieDomainReason).toBe('not chosen yet');
    expect(document.cookie).not.toContain('affitor_probe');
  });

  it('prints the report with debug on', async () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => {});
    const report = (await land('https://shop.example.com/', { debug: true })).diagnose();
    expect(info).toHaveBeenCalledWith('[Affitor]', 'diagnosis', report);
  });
});
