import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { newPageView } from '../../src/browser/page-view';
import { AffitorTracker } from '../../src/index';
import { RETRY_DELAYS_MS } from '../../src/browser/delivery';
import { OUTBOX_MIN_AGE_MS } from '../../src/core/outbox';
import { API_BASE, HttpResponse, cookieValue, http, land as pageView, landed, setUrl, refuseCookies, undoFreshCopyHistory, useTrackingApi, storedOutbox } from '../support/dom';

const api = useTrackingApi({ quietErrors: true });

/** The clock from now on: `OUTBOX_MIN_AGE_MS` later, the least an undelivered event is kept (undone after the test). */
function anHourLater(): void {
  const now = Date.now.bind(Date);
  vi.spyOn(Date, 'now').mockImplementation(() => now() + OUTBOX_MIN_AGE_MS);
}

const recorded = () => api.app.inspect() as unknown as { clicks: Array<{ event_id: string }>; leads: Array<{ event_id: string }> };

describe('a click that fails at landing', () => {
  it('is retried in the page with the same event id, and recorded once', async () => {
    api.app.setChaos({ failFirst: { click: 1 } });
    const tracker = await pageView('https://shop.example.com/?aff=PARTNER123');
    expect(api.clicks()).toHaveLength(2);
    expect(api.clicks()[0]!.body.event_id).toBe(api.clicks()[1]!.body.event_id);
    expect(recorded().clicks).toHaveLength(1);
    expect(tracker.getClickId()).toMatch(/^cust_/);
    expect(cookieValue('affitor_outbox')).toBeUndefined();
  });

  it('answered 408 by a proxy (the request did not arrive whole in time) is tried again, not given up as refused', async () => {
    let tries = 0;
    api.answer('click', () =>
      ++tries == 1 ? HttpResponse.json({ error: 'Request Timeout' }, { status: 408 }) : HttpResponse.json({ success: true, click_id: 'cust_1_408', cookie_window_days: 30 }),
    );
    const tracker = await pageView('https://shop.example.com/?aff=PARTNER123');
    expect(api.clicks()).toHaveLength(2);
    expect(api.clicks()[1]!.body.event_id).toBe(api.clicks()[0]!.body.event_id);
    expect(tracker.getClickId()).toBe('cust_1_408');
    expect(cookieValue('affitor_outbox')).toBeUndefined();
  });

  it('is kept in the outbox when the API stays down, and sent once on the next page view', async () => {
    api.app.setChaos({ failFirst: { click: 3 } });
    const landing = await pageView('https://shop.example.com/?aff=PARTNER123');
    expect(api.clicks()).toHaveLength(3);
    expect(landing.getClickId()).toBeNull();
    expect(storedOutbox()).toHaveLength(1);
    const eventId = storedOutbox()[0]!.body.event_id;

    const next = await pageView('https://shop.example.com/pricing');
    expect(api.clicks()).toHaveLength(4);
    expect(api.clicks()[3]!.body.event_id).toBe(eventId);
    expect(recorded().clicks).toHaveLength(1);
    expect(next.getClickId()).toMatch(/^cust_/);
    expect(cookieValue('affitor_click_id')).toBe(next.getClickId());
    expect(cookieValue('affitor_aff_url')).toBe('https://shop.example.com/?aff=PARTNER123');
    expect(cookieValue('affitor_outbox')).toBeUndefined();
  });

  it('whose answer was lost is resent on the next page view and gets the same click id back', async () => {
    api.app.setChaos({ loseAnswerFirst: { click: 3 } });
    await pageView('https://shop.example.com/?aff=PARTNER123');
    expect(recorded().clicks).toHaveLength(1);
    const next = await pageView('https://shop.example.com/');
    expect(recorded().clicks).toHaveLength(1);
    expect(next.getClickId()).toBe((api.app.inspect().customers[0] as { click_id: string }).click_id);
  });

  it('is given up after five more page views that cannot deliver it (an origin the API never accepts)', async () => {
    api.app.setChaos({ failFirst: { click: 1000 } });
    await pageView('https://shop.example.com/?aff=PARTNER123');
    for (let view = 1; view <= 5; view++) {
      await pageView('https://shop.example.com/next');
      // Each page view sends it again, with its in-page retries: three attempts.
      expect(api.clicks()).toHaveLength(3 + 3 * view);
    }
    expect(new Set(api.clicks().map((click) => click.body.event_id)).size).toBe(1);
    expect(storedOutbox()).toEqual([expect.objectContaining({ tries: 5 })]);
    // Page views come quickly: within the hour, it is kept and sent again (an outage of a few minutes, browsed through).
    await pageView('https://shop.example.com/soon');
    expect(api.clicks()).toHaveLength(3 + 3 * 6);
    expect(storedOutbox()).toEqual([expect.objectContaining({ tries: 6 })]);
    const sent = api.clicks().length;
    const error = vi.mocked(console.error);
    error.mockClear();
    anHourLater();
    await pageView('https://shop.example.com/again');
    expect(api.clicks()).toHaveLength(sent);
    expect(cookieValue('affitor_outbox')).toBeUndefined();
    expect(error.mock.calls[0]).toEqual(['[Affitor]', 'click given up after 5 page views:', 'https://shop.example.com/?aff=PARTNER123']);
  }, 30_000);

  it('survives an outage of a few minutes browsed through (more page views than the outbox counts): the click, and the signup behind it with its click id', async () => {
    // The in-page retries' waits, shortened (restored after the test).
    const delays = RETRY_DELAYS_MS.splice(0, RETRY_DELAYS_MS.length, 1, 1);
    onTestFinished(() => void RETRY_DELAYS_MS.splice(0, RETRY_DELAYS_MS.length, ...delays));
    api.server.use(http.post(`${API_BASE}/api/v1/track/:route`, () => HttpResponse.error()));
    const landing = await pageView('https://shop.example.com/?aff=PARTNER123');
    await landing.signup('user_outage', 'outage@example.com');
    for (let view = 1; view <= 5; view++) await pageView('https://shop.example.com/browse');
    await landed();
    expect(recorded().clicks).toHaveLength(0);
    expect(storedOutbox().map((event) => [event.route, event.tries])).toEqual([
      ['click', 5],
      ['lead', undefined],
    ]);
    // Back: the next page view delivers both.
    api.server.resetHandlers();
    const next = await pageView('https://shop.example.com/pricing');
    await vi.waitFor(() => expect(recorded().leads).toHaveLength(1));
    expect(recorded().clicks).toHaveLength(1);
    expect(api.leads().at(-1)!.body.click_id).toBe(next.getClickId());
    expect(storedOutbox()).toEqual([]);
  }, 30_000);

  it('is not given up on the page view where its partner lands anew: that landing sends it, and keeps it while the API is down', async () => {
    api.app.setChaos({ failFirst: { click: 6 } });
    await pageView('https://shop.example.com/?aff=PARTNER123');
    // Five page views tried it already (the CORS setting the merchant has just fixed, say).
    const [kept] = storedOutbox();
    document.cookie = `affitor_outbox=${encodeURIComponent(JSON.stringify([{ ...kept, tries: 5 }]))};path=/;domain=.example.com`;
    expect(storedOutbox()).toEqual([expect.objectContaining({ tries: 5 })]);
    const error = vi.mocked(console.error);
    error.mockClear();
    // The visitor follows the partner's link again while the API is still unreachable.
    await pageView('https://shop.example.com/?aff=PARTNER123');
    expect(api.clicks().at(-1)!.body.event_id).toBe(kept!.body.event_id);
    expect(error.mock.calls.map((call) => call[1] as unknown)).not.toContain('click given up after 5 page views:');
    expect(storedOutbox().map((event) => event.body.event_id)).toEqual([kept!.body.event_id]);
    // The API is back: the next page view delivers it, and the partner is the last touch.
    const next = await pageView('https://shop.example.com/pricing');
    expect(recorded().clicks).toHaveLength(1);
    expect(next.getData().affiliateUrl).toBe('https://shop.example.com/?aff=PARTNER123');
  });

  it('is not resent as a new click when the same partner link lands again', async () => {
    api.app.setChaos({ failFirst: { click: 3 } });
    await pageView('https://shop.example.com/?aff=PARTNER123');
    const eventId = storedOutbox()[0]!.body.event_id;
    await pageView('https://shop.example.com/?aff=PARTNER123');
    expect(api.clicks().at(-1)!.body.event_id).toBe(eventId);
    expect(recorded().clicks).toHaveLength(1);
  });

  it('from an earlier page view does not override a newer partner (last touch)', async () => {
    api.app.setChaos({ failFirst: { click: 3 } });
    await pageView('https://shop.example.com/?aff=PARTNER123');
    const newer = await pageView('https://shop.example.com/?aff=PARTNER456');
    // Both clicks happened and are recorded (the resent one too); the attribution is the newer partner's.
    await vi.waitFor(() => expect(recorded().clicks).toHaveLength(2));
    expect(api.clicks()).toHaveLength(5);
    expect(cookieValue('affitor_aff_url')).toContain('PARTNER456');
    expect(newer.getClickId()).toBe(cookieValue('affitor_click_id'));
    const again = await pageView('https://shop.example.com/');
    expect(again.getData().affiliateUrl).toContain('PARTNER456');
  });

  it('superseded while kept, does not move the visitor back to its partner on the server when it is delivered after the newer click', async () => {
    // The visitor came through partner A's link before: the server knows them as A's customer.
    const first = await pageView('https://shop.example.com/?aff=PARTNER123');
    const customer = api.app.inspect().customers[0] as { id: number };
    // Partner B's link, while the API is down: its click (naming the visitor's click id) is kept.
    api.server.use(http.post(`${API_BASE}/api/v1/track/click`, () => HttpResponse.error()));
    await pageView('https://shop.example.com/?aff=PARTNER456');
    expect(storedOutbox()[0]!.body.existing_click_id).toBe(first.getClickId());
    // The API is back; the visitor follows partner A's other link: A is the last touch.
    api.server.resetHandlers();
    const last = await pageView('https://shop.example.com/?aff=P1');
    await vi.waitFor(() => expect(storedOutbox()).toHaveLength(0));
    expect(last.getData().affiliateUrl).toBe('https://shop.example.com/?aff=P1');
    // B's click is recorded, but the visitor the sale will name stays A's.
    expect(recorded().clicks).toHaveLength(3);
    const customers = api.app.inspect().customers as unknown as Array<{ id: number; partner_id: number; click_ids: string[] }>;
    const named = customers.find((entry) => entry.click_ids.includes(last.getClickId()!))!;
    expect(named.id).toBe(customer.id);
    expect(named.partner_id).toBe(10);
  });

  it('kept, is superseded when the visitor then follows the link of the partner they were attributed to', async () => {
    await pageView('https://shop.example.com/?aff=PARTNER123');
    // Partner B's link, while the API is down: its click is kept.
    api.server.use(http.post(`${API_BASE}/api/v1/track/click`, () => HttpResponse.error()));
    await pageView('https://shop.example.com/?aff=PARTNER456');
    // The API is back; the visitor follows partner A's link again: A, the stored partner, is the last touch (no click needed).
    api.server.resetHandlers();
    const last = await pageView('https://shop.example.com/?aff=PARTNER123');
    await vi.waitFor(() => expect(storedOutbox()).toHaveLength(0));
    // B's click is recorded, for the record: it does not take the attribution.
    expect(recorded().clicks).toHaveLength(2);
    expect(last.getData().affiliateUrl).toBe('https://shop.example.com/?aff=PARTNER123');
    expect(cookieValue('affitor_aff_url')).toBe('https://shop.example.com/?aff=PARTNER123');
  });

  it('makes its partner the last touch again when that partner lands anew, though a newer landing had superseded it', async () => {
    api.server.use(http.post(`${API_BASE}/api/v1/track/click`, () => HttpResponse.error()));
    await pageView('https://shop.example.com/?aff=PARTNER123');
    await pageView('https://shop.example.com/?aff=PARTNER456');
    expect(storedOutbox().map((event) => [event.body.affiliate_url, !!event.stale])).toEqual([
      ['https://shop.example.com/?aff=PARTNER123', true],
      ['https://shop.example.com/?aff=PARTNER456', false],
    ]);
    // The API is back; the visitor follows PARTNER123's link again: the newest touch is PARTNER123.
    api.server.resetHandlers();
    const again = await pageView('https://shop.example.com/?aff=PARTNER123');
    await vi.waitFor(() => expect(recorded().clicks).toHaveLength(2));
    await vi.waitFor(() => expect(storedOutbox()).toHaveLength(0));
    expect(cookieValue('affitor_aff_url')).toBe('https://shop.example.com/?aff=PARTNER123');
    expect(again.getData().affiliateUrl).toBe('https://shop.example.com/?aff=PARTNER123');
    expect(again.getClickId()).toBe(cookieValue('affitor_click_id'));
  });
});

describe('a kept click beside a landing the API refuses (a mistyped or inactive link)', () => {
  const KEPT = 'https://shop.example.com/?aff=PARTNER123';
  const REFUSED = 'https://shop.example.com/?aff=NOSUCHPARTNER';
  const NEWER = 'https://shop.example.com/?aff=PARTNER456';

  /** Partner A's landing while the API is down: its click is kept for the next page view. */
  async function keptLanding(): Promise<void> {
    api.server.use(http.post(`${API_BASE}/api/v1/track/click`, () => HttpResponse.error()));
    await pageView(KEPT);
    api.server.resetHandlers();
    expect(storedOutbox()).toHaveLength(1);
  }

  /** Holds the answers to the clicks of one landing URL until released; resolves `arrived` when one is held. */
  function holdAnswersTo(url: string) {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let arrived = false;
    api.server.use(
      http.post(`${API_BASE}/api/v1/track/click`, async ({ request }) => {
        if (((await request.clone().json()) as { affiliate_url: string }).affiliate_url == url) {
          arrived = true;
          await released;
        }
      }),
    );
    return { release, arrived: () => vi.waitFor(() => expect(arrived).toBe(true)) };
  }

  /**
   * After keptLanding, the next page view lands on `url`, whose click's answer is held until
   * `release()`; resolves once A's kept click, resent beside it, was answered meanwhile.
   */
  async function keptAnsweredBeforeLandingOn(url: string) {
    const held = holdAnswersTo(url);
    setUrl(url);
    newPageView();
    const tracker = new AffitorTracker({ programId: 1, apiBase: API_BASE }).init();
    await held.arrived();
    await vi.waitFor(() => expect(recorded().clicks).toHaveLength(1));
    return { tracker, release: held.release };
  }

  /**
   * The clicks of one landing URL get no answer (the API fails them alone), until the handlers are
   * reset. Returns how many tries of them it failed so far.
   */
  function failClicksTo(url: string): () => number {
    let failed = 0;
    api.server.use(
      http.post(`${API_BASE}/api/v1/track/click`, async ({ request }) => {
        if (((await request.clone().json()) as { affiliate_url: string }).affiliate_url == url) return failed++, HttpResponse.error();
      }),
    );
    return () => failed;
  }

  /** A's kept click gets no answer, until the handlers are reset. */
  const keptClickStaysDown = () => failClicksTo(KEPT);

  /** The next page view lands on the mistyped link, whose click the API fails (kept), while it answers A's kept click resent beside it. */
  async function refusedLandingKept(): Promise<AffitorTracker> {
    failClicksTo(REFUSED);
    const tracker = await pageView(REFUSED);
    expect(recorded().clicks).toHaveLength(1);
    return tracker;
  }

  /**
   * A page view on `url` sends A's kept click again beside the mistyped link's, whose answers are
   * held; the visitor signs up, and the refusal is heard first. Resolves once it is heard, with the
   * signup's promise and `release()`, which lets A's answer through.
   */
  async function signupBeforeTheKeptAnswers(url: string) {
    const kept = holdAnswersTo(KEPT);
    const refused = holdAnswersTo(REFUSED);
    setUrl(url);
    newPageView();
    const tracker = new AffitorTracker({ programId: 1, apiBase: API_BASE }).init();
    await kept.arrived();
    await refused.arrived();
    const signup = tracker.signup('user_1', 'a@example.com');
    refused.release();
    await vi.waitFor(() => expect(storedOutbox().map((event) => [event.route, event.stale])).toEqual([['click', false], ['lead', undefined]]));
    return { signup, release: kept.release };
  }

  /** A's kept click is the visitor's attribution: cookies, the tracker, and the lead of a signup. */
  async function attributedToKept(tracker: AffitorTracker): Promise<void> {
    expect(cookieValue('affitor_aff_url')).toBe(KEPT);
    expect(tracker.getData().affiliateUrl).toBe(KEPT);
    await tracker.signup('user_1', 'a@example.com');
    expect(api.leads()[0]!.body.click_id).toBe(cookieValue('affitor_click_id'));
    expect(recorded().leads).toHaveLength(1);
  }

  it("counts again when the next page view's landing is refused", async () => {
    await keptLanding();
    const refused = await pageView(REFUSED);
    await vi.waitFor(() => expect(storedOutbox()).toHaveLength(0));
    expect(recorded().clicks).toHaveLength(1);
    await attributedToKept(refused);
    await attributedToKept(await pageView('https://shop.example.com/pricing'));
  });

  it('answered before the refusal, waits for it and then counts', async () => {
    await keptLanding();
    const { tracker, release } = await keptAnsweredBeforeLandingOn(REFUSED);
    expect(tracker.getData().affiliateUrl).toBeNull();
    release();
    await landed();
    await attributedToKept(tracker);
  });

  it('answered before the refusal, waits for a second refused landing made meanwhile too, and then counts', async () => {
    await keptLanding();
    const { tracker, release } = await keptAnsweredBeforeLandingOn(REFUSED);
    // Another mistyped link, by the History API, while the first refusal is still on its way.
    const second = holdAnswersTo('https://shop.example.com/deal?aff=ALSONOTAPARTNER');
    history.pushState({}, '', '/deal?aff=ALSONOTAPARTNER');
    await second.arrived();
    release();
    await vi.waitFor(() => expect(storedOutbox().map((event) => event.body.affiliate_url)).toEqual([KEPT, 'https://shop.example.com/deal?aff=ALSONOTAPARTNER']));
    second.release();
    await landed();
    await attributedToKept(tracker);
  });

  it('counts again on the next page view when the refusal came while it was still kept', async () => {
    await keptLanding();
    // The API refuses the new landing but still fails the kept click: it stays for the next page view.
    keptClickStaysDown();
    await pageView(REFUSED);
    expect(storedOutbox().map((event) => [event.body.affiliate_url, event.stale])).toEqual([[KEPT, false]]);
    api.server.resetHandlers();
    await attributedToKept(await pageView('https://shop.example.com/pricing'));
  });

  it('answered while the refused landing\'s click is kept, stays kept beside it, and counts on the page view that hears the refusal', async () => {
    await keptLanding();
    await refusedLandingKept();
    // Dropped now, as for the record only, the refusal heard later would find nothing to count again.
    expect(storedOutbox().map((event) => event.body.affiliate_url)).toEqual([KEPT, REFUSED]);
    api.server.resetHandlers();
    const next = await pageView('https://shop.example.com/pricing');
    expect(storedOutbox()).toEqual([]);
    expect(recorded().clicks).toHaveLength(1);
    await attributedToKept(next);
  });

  it('answered while the refused landing\'s click is kept, is not said to be given up when its page views are spent: it was recorded', async () => {
    await keptLanding();
    await refusedLandingKept();
    const error = vi.mocked(console.error);
    error.mockClear();
    anHourLater();
    for (let view = 1; view <= 6; view++) await pageView('https://shop.example.com/app');
    const givenUp = error.mock.calls.filter((call) => call[1] == 'click given up after 5 page views:');
    expect(givenUp.map((call) => call[2] as unknown)).toEqual([REFUSED]);
    expect(recorded().clicks).toHaveLength(1);
    expect(storedOutbox()).toEqual([]);
  }, 60_000);

  it("a signup waiting behind the kept click leaves with its id once it is answered, though the landing after it is kept", async () => {
    api.server.use(http.post(`${API_BASE}/api/v1/track/click`, () => HttpResponse.error()));
    const landing = await pageView(KEPT);
    await landing.signup('user_1', 'a@example.com');
    expect(storedOutbox().map((event) => event.route)).toEqual(['click', 'lead']);
    api.server.resetHandlers();
    await refusedLandingKept();
    await vi.waitFor(() => expect(recorded().leads).toHaveLength(1));
    const kept = (recorded().clicks as unknown as Array<{ affiliate_url: string; click_id: string }>).find((click) => click.affiliate_url == KEPT)!;
    // The visitor signed up under partner A: the lead is theirs, whatever the later link turns out to be.
    expect(api.leads().at(-1)!.body.click_id).toBe(kept.click_id);
    expect(storedOutbox().map((event) => [event.route, event.body.affiliate_url])).toEqual([['click', KEPT], ['click', REFUSED]]);
  });

  it("a signup waiting behind the refused landing's click leaves with the kept click's id once the refusal is heard, though that click's resend fails", async () => {
    await keptLanding();
    await (await refusedLandingKept()).signup('user_1', 'a@example.com');
    expect(storedOutbox().map((event) => [event.route, !!event.clickId])).toEqual([['click', true], ['click', false], ['lead', false]]);
    const keptId = storedOutbox()[0]!.clickId;
    api.server.resetHandlers();
    // The API refuses the mistyped link's click, and fails A's resend.
    const triesOfKept = failClicksTo(KEPT);
    setUrl('https://shop.example.com/account');
    newPageView();
    new AffitorTracker({ programId: 1, apiBase: API_BASE }).init();
    // A's click, not applied yet, is tried this page view's three times, and waits for the next page view;
    // the lead, behind it, leaves then with its click id.
    await landed();
    expect(triesOfKept()).toBe(3);
    await vi.waitFor(() => expect(recorded().leads).toEqual([expect.objectContaining({ customer_key: 'user_1', click_id: keptId })]));
    expect(storedOutbox().map((event) => [event.body.affiliate_url, event.stale])).toEqual([[KEPT, false]]);
  });

  it('answered while the refused landing\'s click is kept through an outage of several page views, still counts when the refusal is heard', async () => {
    await keptLanding();
    await refusedLandingKept();
    api.server.resetHandlers();
    api.server.use(http.post(`${API_BASE}/api/v1/track/click`, () => HttpResponse.error()));
    for (let view = 1; view <= 4; view++) await pageView('https://shop.example.com/app');
    expect(storedOutbox().map((event) => event.body.affiliate_url)).toEqual([KEPT, REFUSED]);
    api.server.resetHandlers();
    const next = await pageView('https://shop.example.com/pricing');
    expect(storedOutbox()).toEqual([]);
    await attributedToKept(next);
  }, 60_000);

  it('a signup made while the refused landing and the kept click are on their way carries the kept click\'s id, also when the refusal answers first', async () => {
    await keptLanding();
    const { signup, release } = await signupBeforeTheKeptAnswers(REFUSED);
    // Sent now, the lead would go without a click id: the kept click that counts again is its partner's.
    expect(api.leads()).toHaveLength(0);
    release();
    await signup;
    await landed();
    expect(cookieValue('affitor_aff_url')).toBe(KEPT);
    expect(api.leads()).toHaveLength(1);
    expect(recorded().leads).toEqual([expect.objectContaining({ customer_key: 'user_1', click_id: cookieValue('affitor_click_id') })]);
  });

  it("a signup made while the refused landing and the kept click are on their way carries the attribution in force, when another tab stored a newer partner's since", async () => {
    // Partner A's landing, then the mistyped link, both kept through an outage.
    api.server.use(http.post(`${API_BASE}/api/v1/track/click`, () => HttpResponse.error()));
    await pageView(KEPT);
    await pageView(REFUSED);
    api.server.resetHandlers();
    const outbox = cookieValue('affitor_outbox')!;
    // Another tab, open since before A's landing, lands on partner D's link: applied, its touch the newest.
    api.server.use(
      http.post(`${API_BASE}/api/v1/track/click`, async ({ request }) => {
        if (((await request.clone().json()) as { affiliate_url: string }).affiliate_url != NEWER) return HttpResponse.error();
      }),
    );
    const newer = (await pageView(NEWER)).getClickId();
    api.server.resetHandlers();
    // That tab never held A's and the mistyped link's clicks: they are in the outbox as they were.
    document.cookie = `affitor_outbox=${encodeURIComponent(outbox)};path=/;domain=.example.com`;
    const { signup, release } = await signupBeforeTheKeptAnswers('https://shop.example.com/signup');
    release();
    await signup;
    await landed();
    // A's click counts again, but D's landing, stored by the other tab, is newer: D keeps the attribution, and the lead.
    expect(cookieValue('affitor_aff_url')).toBe(NEWER);
    expect(api.leads()).toHaveLength(1);
    expect(api.leads()[0]!.body.click_id).toBe(newer);
  });

  it("stays superseded by a newer partner's landing that was applied, when a later landing is refused after the browser restarted", async () => {
    api.server.use(http.post(`${API_BASE}/api/v1/track/click`, () => HttpResponse.error()));
    await pageView(KEPT);
    // The newer partner's landing is applied; the kept click, resent beside it, still gets no answer.
    api.server.resetHandlers();
    keptClickStaysDown();
    const newer = (await pageView('https://shop.example.com/?aff=PARTNER456')).getClickId();
    api.server.resetHandlers();
    // A browser restart ends the session cookies, the landing's touch among them; the outbox cookie stays.
    document.cookie = 'affitor_touch=;path=/;domain=.example.com;expires=Thu, 01 Jan 1970 00:00:00 GMT';
    expect(cookieValue('affitor_touch')).toBeUndefined();
    const tracker = await pageView(REFUSED);
    expect(cookieValue('affitor_aff_url')).toBe('https://shop.example.com/?aff=PARTNER456');
    await tracker.signup('user_1', 'a@example.com');
    expect(api.leads()[0]!.body.click_id).toBe(newer);
  });

  it("answered before a newer partner's click that the API tracks, does not take its attribution", async () => {
    await keptLanding();
    const { tracker, release } = await keptAnsweredBeforeLandingOn('https://shop.example.com/?aff=PARTNER456');
    release();
    await landed();
    expect(cookieValue('affitor_aff_url')).toBe('https://shop.example.com/?aff=PARTNER456');
    expect(tracker.getData().affiliateUrl).toBe('https://shop.example.com/?aff=PARTNER456');
  });

  it("settles when its partner lands again while it waits for the newer landing's answer", async () => {
    // A's click answers while B's is held; then A's link is followed again (a History API landing).
    const a = holdAnswersTo(KEPT);
    setUrl(KEPT);
    newPageView();
    const tracker = new AffitorTracker({ programId: 1, apiBase: API_BASE }).init();
    await a.arrived();
    const b = holdAnswersTo('https://shop.example.com/?aff=PARTNER456');
    history.pushState({}, '', '/?aff=PARTNER456');
    await b.arrived();
    a.release();
    await vi.waitFor(() => expect(recorded().clicks).toHaveLength(1));
    history.pushState({}, '', '/deal?aff=PARTNER123');
    b.release();
    await landed();
    // A, followed last, is the attribution; B's click is recorded, for the record.
    expect(recorded().clicks).toHaveLength(2);
    expect(cookieValue('affitor_aff_url')).toBe(KEPT);
    expect(tracker.getData().affiliateUrl).toBe(KEPT);
  });
});

describe('a single-page app that stays open after an outage (no next page view to resend from)', () => {
  it('sends a landing\'s kept click again at the next navigation, and its answer becomes the attribution', async () => {
    api.app.setChaos({ failFirst: { click: 3 } });
    const tracker = await pageView('https://shop.example.com/?aff=PARTNER123');
    expect(api.clicks()).toHaveLength(3);
    expect(tracker.getClickId()).toBeNull();
    const eventId = storedOutbox()[0]!.body.event_id;

    history.pushState(null, '', '/pricing');
    await vi.waitFor(() => expect(recorded().clicks).toHaveLength(1));
    await landed();
    expect(api.clicks()).toHaveLength(4);
    expect(api.clicks()[3]!.body.event_id).toBe(eventId);
    expect(tracker.getClickId()).toMatch(/^cust_/);
    expect(cookieValue('affitor_click_id')).toBe(tracker.getClickId());
    expect(cookieValue('affitor_outbox')).toBeUndefined();
    // Delivered: later navigations send nothing.
    history.pushState(null, '', '/checkout');
    await landed();
    expect(api.clicks()).toHaveLength(4);
  });

  it('tries again at the next navigation at most once in 30 s while the API stays down, then 1 minute later, and at once when the browser is back online', async () => {
    api.app.setChaos({ failFirst: { click: 9 } });
    await pageView('https://shop.example.com/?aff=PARTNER123');
    expect(api.clicks()).toHaveLength(3);
    const now = Date.now();
    const clock = vi.spyOn(Date, 'now').mockReturnValue(now);
    history.pushState(null, '', '/a');
    await landed();
    // One round: the try and its two retries, failing.
    expect(api.clicks()).toHaveLength(6);
    for (const [path, at] of [['/b', 1_000], ['/c', 29_000]] as const) {
      clock.mockReturnValue(now + at);
      history.pushState(null, '', path);
      await landed();
      expect(api.clicks(), path).toHaveLength(6);
    }
    clock.mockReturnValue(now + 31_000);
    history.pushState(null, '', '/e');
    await landed();
    expect(api.clicks()).toHaveLength(9);
    // Next round 1 minute after that one; the browser back online does not wait for it.
    clock.mockReturnValue(now + 60_000);
    history.pushState(null, '', '/d');
    await landed();
    expect(api.clicks()).toHaveLength(9);
    dispatchEvent(new Event('online'));
    await landed();
    expect(api.clicks()).toHaveLength(10);
    expect(recorded().clicks).toHaveLength(1);
    expect(storedOutbox()).toEqual([]);
  });

  it('sends a signup kept while offline once the browser is back online, after the click it waited for', async () => {
    api.app.setChaos({ failFirst: { click: 6 } });
    const tracker = await pageView('https://shop.example.com/?aff=PARTNER123');
    // The signup tries the click again, in vain: the lead waits for it, in the outbox.
    await tracker.signup('user_1', 'a@example.com');
    await landed();
    expect(api.clicks()).toHaveLength(6);
    expect(api.leads()).toHaveLength(0);
    expect(storedOutbox().map((event) => event.route)).toEqual(['click', 'lead']);

    dispatchEvent(new Event('online'));
    await vi.waitFor(() => expect(recorded().leads).toHaveLength(1));
    expect(api.leads()[0]!.body).toMatchObject({ customer_key: 'user_1', click_id: tracker.getClickId() });
    expect(tracker.getClickId()).toMatch(/^cust_/);
    await vi.waitFor(() => expect(cookieValue('affitor_outbox')).toBeUndefined());
  });
});

describe('a signup that fails', () => {
  it('is kept and delivered exactly once on a later page view', async () => {
    const landing = await pageView('https://shop.example.com/?aff=PARTNER123');
    api.app.setChaos({ failFirst: { lead: 3 } });
    await landing.signup('user_1', 'a@example.com');
    expect(api.leads()).toHaveLength(3);
    expect(recorded().leads).toHaveLength(0);
    expect(storedOutbox()).toEqual([expect.objectContaining({ route: 'lead' })]);

    await pageView('https://shop.example.com/account');
    await vi.waitFor(() => expect(recorded().leads).toHaveLength(1));
    expect(api.leads()).toHaveLength(4);
    expect(api.leads()[3]!.body).toMatchObject({ customer_key: 'user_1', click_id: landing.getClickId() });
    await pageView('https://shop.example.com/again');
    expect(api.leads()).toHaveLength(4);
  });

  it('whose answer was lost is not recorded twice by the retry', async () => {
    const landing = await pageView('https://shop.example.com/?aff=PARTNER123');
    api.app.setChaos({ loseAnswerFirst: { lead: 1 } });
    await landing.signup('user_1');
    expect(api.leads()).toHaveLength(2);
    expect(api.leads()[0]!.body.event_id).toBe(api.leads()[1]!.body.event_id);
    expect(recorded().leads).toHaveLength(1);
    expect(cookieValue('affitor_outbox')).toBeUndefined();
  });

  it('made after the API was down at landing gives the kept click another try, and leaves at once with its click id', async () => {
    api.app.setChaos({ failFirst: { click: 3 } });
    const landing = await pageView('https://shop.example.com/?aff=PARTNER123');
    expect(landing.getClickId()).toBeNull();
    // The API is back. No other page view may come before the sale (a redirect to a checkout,
    // a single-page app): the lead must not wait for one.
    await landing.signup('user_1', 'a@example.com');
    expect(landing.getClickId()).toMatch(/^cust_/);
    expect(recorded().clicks).toHaveLength(1);
    expect(recorded().leads).toEqual([expect.objectContaining({ customer_key: 'user_1', click_id: landing.getClickId() })]);
    expect(cookieValue('affitor_outbox')).toBeUndefined();
  });

  it('made while the API is still down waits behind the kept click, and the next page view sends it with that click\'s id', async () => {
    // Down for the landing's three tries, and for the three the signup gives its click.
    api.app.setChaos({ failFirst: { click: 6 } });
    const landing = await pageView('https://shop.example.com/?aff=PARTNER123');
    expect(landing.getClickId()).toBeNull();
    await landing.signup('user_1', 'a@example.com');
    expect(api.clicks()).toHaveLength(6);
    // Sent now, the lead would reach the server without a click id, unattributed.
    expect(api.leads()).toHaveLength(0);
    const [click, lead] = storedOutbox();
    expect([click!.route, lead!.route]).toEqual(['click', 'lead']);

    const next = await pageView('https://shop.example.com/account');
    await vi.waitFor(() => expect(recorded().leads).toHaveLength(1));
    expect(api.leads()).toHaveLength(1);
    expect(api.leads()[0]!.body).toMatchObject({ customer_key: 'user_1', click_id: next.getClickId(), event_id: lead!.body.event_id });
    expect(next.getClickId()).toMatch(/^cust_/);
    expect(recorded().clicks).toHaveLength(1);
    await vi.waitFor(() => expect(cookieValue('affitor_outbox')).toBeUndefined());
  });

  it('waiting behind its kept click goes to that click\'s partner, though a newer partner landed before the next page view', async () => {
    api.app.setChaos({ failFirst: { click: 6 } });
    const landing = await pageView('https://shop.example.com/?aff=PARTNER123');
    await landing.signup('user_1', 'a@example.com');
    expect(api.leads()).toHaveLength(0);
    // The API is back; after signing up, the visitor follows another partner's link.
    await pageView('https://shop.example.com/?aff=PARTNER456');
    await vi.waitFor(() => expect(recorded().leads).toHaveLength(1));
    const clicks = recorded().clicks as unknown as Array<{ affiliate_url: string; click_id: string }>;
    const first = clicks.find((click) => click.affiliate_url.includes('PARTNER123'))!;
    // PARTNER123 was the last touch when the visitor signed up: the lead is theirs.
    expect(api.leads()[0]!.body.click_id).toBe(first.click_id);
  });

  it('made while a newer partner\'s click is on its way leaves with that click\'s id, though the superseded click before it fails', async () => {
    // Partner A's click fails whenever it is sent (a fault of the API on that link); the rest answer.
    api.server.use(
      http.post(`${API_BASE}/api/v1/track/click`, async ({ request }) => {
        if (((await request.clone().json()) as { affiliate_url: string }).affiliate_url.includes('PARTNER123')) return HttpResponse.error();
      }),
    );
    await pageView('https://shop.example.com/?aff=PARTNER123');
    // Partner B's link; the visitor signs up while its click, and A's kept one resent beside it, are on their way.
    setUrl('https://shop.example.com/?aff=PARTNER456');
    newPageView();
    const newer = new AffitorTracker({ programId: 1, apiBase: API_BASE }).init();
    await newer.signup('user_1', 'a@example.com');
    // The lead is partner B's, the last touch: A's superseded click, for the record only, does not hold it back.
    expect(recorded().leads).toEqual([expect.objectContaining({ customer_key: 'user_1' })]);
    expect(api.leads().at(-1)!.body.click_id).toBe(newer.getClickId());
    expect(newer.getData().affiliateUrl).toBe('https://shop.example.com/?aff=PARTNER456');
    await landed();
    expect(storedOutbox().map((event) => [event.route, !!event.stale])).toEqual([['click', true]]);
  });

  it("made while a newer partner's click was on its way, and kept when its own send failed, leaves on the next page view with that click's id, not the superseded click's once that one gets through", async () => {
    // Partner A's click fails until the API is back for it; B's answers.
    let downForA = true;
    api.server.use(
      http.post(`${API_BASE}/api/v1/track/click`, async ({ request }) => {
        if (downForA && ((await request.clone().json()) as { affiliate_url: string }).affiliate_url.includes('PARTNER123')) return HttpResponse.error();
      }),
    );
    await pageView('https://shop.example.com/?aff=PARTNER123');
    // Partner B's link; the visitor signs up while its click is on its way, and the lead's tries all fail.
    api.app.setChaos({ failFirst: { lead: 3 } });
    setUrl('https://shop.example.com/?aff=PARTNER456');
    newPageView();
    const newer = new AffitorTracker({ programId: 1, apiBase: API_BASE }).init();
    await newer.signup('user_1', 'a@example.com');
    await landed();
    expect(recorded().leads).toEqual([]);
    const clickOfB = newer.getClickId();
    expect(newer.getData().affiliateUrl).toBe('https://shop.example.com/?aff=PARTNER456');
    // The next page view: A's kept click gets through now, and the kept lead goes too.
    downForA = false;
    await pageView('https://shop.example.com/account');
    await vi.waitFor(() => expect(recorded().leads).toHaveLength(1));
    await vi.waitFor(() => expect(recorded().clicks).toHaveLength(2));
    expect(api.leads().at(-1)!.body.click_id).toBe(clickOfB);
  });

  it('made after a newer partner\'s click was delivered leaves at once with that click\'s id, though a click it superseded is kept and fails', async () => {
    api.server.use(
      http.post(`${API_BASE}/api/v1/track/click`, async ({ request }) => {
        if (((await request.clone().json()) as { affiliate_url: string }).affiliate_url.includes('PARTNER123')) return HttpResponse.error();
      }),
    );
    await pageView('https://shop.example.com/?aff=PARTNER123');
    // Partner B's landing is delivered; A's kept click, resent beside it, fails again and stays, superseded.
    const newer = await pageView('https://shop.example.com/?aff=PARTNER456');
    expect(newer.getData().affiliateUrl).toBe('https://shop.example.com/?aff=PARTNER456');
    expect(storedOutbox().map((event) => [event.route, !!event.stale])).toEqual([['click', true]]);
    await newer.signup('user_1', 'a@example.com');
    // Signed up under partner B: waiting behind A's click, the lead would not leave, and would leave with A's id once it got through.
    expect(recorded().leads).toEqual([expect.objectContaining({ customer_key: 'user_1' })]);
    expect(api.leads().at(-1)!.body.click_id).toBe(newer.getClickId());
    expect(storedOutbox().map((event) => [event.route, !!event.stale])).toEqual([['click', true]]);
  });

  it('made after a newer partner\'s click answered leaves with that click\'s id, though the click it superseded is still on its way', async () => {
    // Partner A's click answers late; partner B's, a History API landing meanwhile, at once.
    let answerA!: () => void;
    const heldBack = new Promise<void>((resolve) => (answerA = resolve));
    let arrivedA = false;
    api.server.use(
      http.post(`${API_BASE}/api/v1/track/click`, async ({ request }) => {
        if (((await request.clone().json()) as { affiliate_url: string }).affiliate_url.includes('PARTNER123')) {
          arrivedA = true;
          await heldBack;
        }
      }),
    );
    setUrl('https://shop.example.com/?aff=PARTNER123');
    newPageView();
    const tracker = new AffitorTracker({ programId: 1, apiBase: API_BASE }).init();
    await vi.waitFor(() => expect(arrivedA).toBe(true));
    history.pushState({}, '', '/?aff=PARTNER456');
    await vi.waitFor(() => expect(tracker.getData().affiliateUrl).toBe('https://shop.example.com/?aff=PARTNER456'));
    const signedUp = tracker.signup('user_1', 'a@example.com');
    await vi.waitFor(() => expect(recorded().leads).toHaveLength(1));
    answerA();
    await signedUp;
    await landed();
    expect(api.leads()[0]!.body.click_id).toBe(tracker.getClickId());
    expect(tracker.getData().affiliateUrl).toBe('https://shop.example.com/?aff=PARTNER456');
  });

  it("given up after five page views says so by its event id, not with the visitor's email and customer key", async () => {
    const delays = RETRY_DELAYS_MS.splice(0, RETRY_DELAYS_MS.length, 1, 1);
    onTestFinished(() => void RETRY_DELAYS_MS.splice(0, RETRY_DELAYS_MS.length, ...delays));
    const tracker = await pageView('https://shop.example.com/?aff=PARTNER123');
    api.answer('lead', () => HttpResponse.error());
    await tracker.signup('user_42', 'jane.doe@example.org');
    const [lead] = storedOutbox();
    // Three tries on the signup's page view and on each of five more (their last retries awaited: none may reach the next test).
    for (let view = 1; view <= 5; view++) await pageView('https://shop.example.com/next');
    await vi.waitFor(() => expect(api.leads()).toHaveLength(18));
    const error = vi.mocked(console.error);
    error.mockClear();
    anHourLater();
    await pageView('https://shop.example.com/again');
    expect(api.leads()).toHaveLength(18);
    expect(storedOutbox()).toEqual([]);
    const givenUp = error.mock.calls.filter((call) => call[1] == 'lead given up after 5 page views:');
    expect(givenUp).toEqual([['[Affitor]', 'lead given up after 5 page views:', lead!.body.event_id]]);
    expect(JSON.stringify(error.mock.calls)).not.toMatch(/jane\.doe|user_42/);
  }, 30_000);

  it('waiting behind its kept click is not given up while that click is kept: page views that cannot send it do not count', async () => {
    // Seven page views with the API down: the in-page retries' waits, shortened (restored after the test).
    const delays = RETRY_DELAYS_MS.splice(0, RETRY_DELAYS_MS.length, 1, 1);
    onTestFinished(() => void RETRY_DELAYS_MS.splice(0, RETRY_DELAYS_MS.length, ...delays));
    api.server.use(http.post(`${API_BASE}/api/v1/track/click`, () => HttpResponse.error()));
    setUrl('https://shop.example.com/?aff=PARTNER123');
    newPageView();
    const landing = new AffitorTracker({ programId: 1, apiBase: API_BASE }).init();
    await landing.signup('user_1', 'a@example.com');
    expect(storedOutbox().map((event) => event.route)).toEqual(['click', 'lead']);
    // Five page views while the API is down: the click is tried on each, the lead waits behind it.
    for (let view = 1; view <= 5; view++) await pageView('https://shop.example.com/next');
    expect(api.leads()).toHaveLength(0);
    // The visitor follows the partner's link again, the API still down: the click is owed new page views, and so is its lead.
    await pageView('https://shop.example.com/?aff=PARTNER123');
    expect(storedOutbox().map((event) => event.route)).toEqual(['click', 'lead']);
    // The API is back: the click is delivered, and the lead with its id.
    api.server.resetHandlers();
    const next = await pageView('https://shop.example.com/account');
    await vi.waitFor(() => expect(recorded().leads).toHaveLength(1));
    expect(api.leads()[0]!.body).toMatchObject({ customer_key: 'user_1', click_id: next.getClickId() });
    expect(next.getClickId()).toMatch(/^cust_/);
  });

  it('made after the clock was set back still waits behind its kept click on the next page view', async () => {
    api.app.setChaos({ failFirst: { click: 6 } });
    const landing = await pageView('https://shop.example.com/?aff=PARTNER123');
    // The device's clock is corrected back an hour: the lead's id, which starts with the time, is older than the click's.
    const clock = vi.spyOn(Date, 'now').mockReturnValue(Date.now() - 3_600_000);
    await landing.signup('user_1');
    clock.mockRestore();
    expect(storedOutbox().map((event) => event.route)).toEqual(['click', 'lead']);

    const next = await pageView('https://shop.example.com/account');
    await vi.waitFor(() => expect(recorded().leads).toHaveLength(1));
    expect(api.leads().at(-1)!.body).toMatchObject({ customer_key: 'user_1', click_id: next.getClickId() });
  });

  it('made on a page with a long URL (its stored copy slimmed) is resent with its click ids', async () => {
    const landing = await pageView('https://shop.example.com/?aff=PARTNER123');
    api.app.setChaos({ failFirst: { lead: 3 } });
    setUrl(`https://shop.example.com/welcome?${'utm_content=spring-sale&'.repeat(100)}`);
    await landing.signup('user_1', 'a@example.com');
    expect(storedOutbox()[0]!.body).toMatchObject({ page_url: '', click_ids: [landing.getClickId()] });

    await pageView('https://shop.example.com/account');
    await vi.waitFor(() => expect(recorded().leads).toHaveLength(1));
    expect(api.leads().at(-1)!.body).toMatchObject({ customer_key: 'user_1', click_id: landing.getClickId(), click_ids: [landing.getClickId()] });
  });

  it('is not kept when the server refuses it for good (a 4xx)', async () => {
    const tracker = await pageView('https://shop.example.com/');
    await tracker.signup('nobody');
    expect(api.leads()).toHaveLength(1);
    expect(cookieValue('affitor_outbox')).toBeUndefined();
  });
});

describe('a signup in a tab opened before another tab landed', () => {
  it("waits for the other tab's click still in the outbox (the API was down for it), and leaves with its click id", async () => {
    const tab = await pageView('https://shop.example.com/app');
    // The other tab: partner A's landing, its click kept through an outage, stored in the outbox cookie.
    const otherTabsClick = { route: 'click', body: { affiliate_url: 'https://shop.example.com/?aff=PARTNER123', session_id: 's', additional_data: { program_id: 1 }, event_id: 'othertab000000000a' } };
    document.cookie = `affitor_outbox=${encodeURIComponent(JSON.stringify([otherTabsClick]))}; path=/; domain=example.com`;
    // The API is back; the visitor signs up in this tab before the other sends its click again.
    await tab.signup('user_1', 'a@example.com');
    await vi.waitFor(() => expect(recorded().leads).toHaveLength(1));
    const click = (recorded().clicks as unknown as Array<{ event_id: string; click_id: string }>).find((recordedClick) => recordedClick.event_id == 'othertab000000000a')!;
    expect(api.leads().map((lead) => lead.body.click_id)).toEqual([click.click_id]);
    expect(tab.getClickId()).toBe(click.click_id);
    await vi.waitFor(() => expect(cookieValue('affitor_outbox')).toBeUndefined());
  });

  it("settles within its bound when that click never answers; the lead waits behind it in the outbox, not sent without its click id", async () => {
    const tab = await pageView('https://shop.example.com/app');
    const otherTabsClick = { route: 'click', body: { affiliate_url: 'https://shop.example.com/?aff=PARTNER123', session_id: 's', additional_data: { program_id: 1 }, event_id: 'othertab000000000b' } };
    document.cookie = `affitor_outbox=${encodeURIComponent(JSON.stringify([otherTabsClick]))}; path=/; domain=example.com`;
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    onTestFinished(() => void vi.useRealTimers());
    api.answer('click', () => new Promise<never>(() => {}));
    let settled = false;
    const signedUp = tab.signup('user_1', 'a@example.com').then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(4_900);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    await signedUp;
    expect(api.clicks().map((click) => click.body.event_id)).toEqual(['othertab000000000b']);
    expect(api.leads()).toHaveLength(0);
    expect(storedOutbox().map((event) => [event.route, event.body.event_id])).toEqual([
      ['click', 'othertab000000000b'],
      ['lead', expect.any(String) as unknown],
    ]);
  });
});

describe('an event too large for the outbox cookie even alone', () => {
  it('is sent this page view, and the events kept before it stay in the cookie', async () => {
    const landing = await pageView('https://shop.example.com/?aff=PARTNER123');
    api.app.setChaos({ failFirst: { lead: 6 } });
    await landing.signup('user_1', 'a@example.com');
    expect(storedOutbox()).toEqual([expect.objectContaining({ route: 'lead' })]);
    // A customer key no cookie can hold: tried in this page all the same.
    const huge = 'k'.repeat(4000);
    await landing.signup(huge);
    expect(api.leads().filter((lead) => lead.body.customer_key === huge)).toHaveLength(3);
    expect(storedOutbox().map((event) => event.body.customer_key)).toEqual(['user_1']);

    await pageView('https://shop.example.com/account');
    await vi.waitFor(() => expect(recorded().leads).toHaveLength(1));
    expect(api.leads().at(-1)!.body).toMatchObject({ customer_key: 'user_1', click_id: landing.getClickId() });
  });

  it('is a landing with a huge `aff` that is clicked this page view, the lead kept before it staying in the cookie', async () => {
    const landing = await pageView('https://shop.example.com/?aff=PARTNER123');
    api.app.setChaos({ failFirst: { lead: 3 } });
    await landing.signup('user_1', 'a@example.com');
    api.app.setChaos({ failFirst: { click: 3, lead: 3 } });
    const aff = 'A'.repeat(4000);
    await pageView(`https://shop.example.com/?aff=${aff}`);
    expect(api.clicks().filter((click) => String(click.body.affiliate_url).includes(aff))).toHaveLength(3);
    // The kept lead's resend fails its three tries too (after the click's, which it waits behind):
    // awaited, or its last retry would answer into a later test, or after this file's page is gone.
    await vi.waitFor(() => expect(api.leads()).toHaveLength(6), { timeout: 5_000 });
    expect(storedOutbox().map((event) => event.body.customer_key)).toEqual(['user_1']);
  });
});

describe('single-page apps', () => {
  it('captures the landing when a router stripped ?aff= before init ran', async () => {
    setUrl('https://shop.example.com/welcome?aff=PARTNER123');
    newPageView();
    undoFreshCopyHistory();
    vi.resetModules();
    const sdk = await import('../../src/index');
    history.replaceState({}, '', '/welcome'); // the router, before the app calls init
    const tracker = sdk.init({ programId: 1, apiBase: API_BASE })!;
    await tracker.trackClick('https://shop.example.com/welcome?aff=PARTNER123');
    expect(api.clicks()).toHaveLength(1);
    expect(api.clicks()[0]!.body.affiliate_url).toBe('https://shop.example.com/welcome?aff=PARTNER123');
    expect(tracker.getClickId()).toMatch(/^cust_/);
  });

  it('sends one click when init is called twice, as React StrictMode and hot reload do', async () => {
    undoFreshCopyHistory();
    vi.resetModules();
    setUrl('https://shop.example.com/?aff=PARTNER123');
    newPageView();
    const sdk = await import('../../src/index');
    sdk.init({ programId: 1, apiBase: API_BASE });
    sdk.init({ programId: 1, apiBase: API_BASE });
    await sdk.trackClick();
    expect(api.clicks()).toHaveLength(1);
  });
});

describe('when cookies or storage throw', () => {
  it('keeps attribution in memory, says so in debug, and never throws', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    setUrl('https://shop.example.com/?aff=PARTNER123');
    newPageView();
    refuseCookies();
    vi.spyOn(Storage.prototype, 'getItem').mockImplementation(() => {
      throw new DOMException('denied', 'SecurityError');
    });
    try {
      const tracker = new AffitorTracker({ programId: 1, apiBase: API_BASE, debug: true }).init();
      await tracker.trackClick();
      expect(tracker.getClickId()).toMatch(/^cust_/);
      await tracker.signup('user_1');
      expect(api.leads()[0]!.body.click_id).toBe(tracker.getClickId());
      expect(warn).toHaveBeenCalledWith('[Affitor]', 'cookies blocked: attribution kept in memory');
      expect(tracker.diagnose()).toMatchObject({ cookiesBlocked: true, cookies: {} });
      expect(tracker.diagnose().warnings).toContain('cookies blocked by the browser: attribution kept in memory for this page only');
    } finally {
      delete (document as unknown as Record<string, unknown>).cookie;
    }
  });
});
