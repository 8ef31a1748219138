import { afterEach, describe, expect, it, vi } from 'vitest';
import { isRetryable } from '../../src/core/answers';
import { OUTBOX_LIMIT, OUTBOX_MAX_BYTES, SEND_MAX_BYTES, formatOutbox, mergeOutbox, newEventId, parseOutbox, slimmed, withoutAnswered } from '../../src/core/outbox';
import type { PendingEvent } from '../../src/core/outbox';
import { serializeCookie } from '../../src/core/cookie-codec';
import { toJson } from '../../src/core/json';
import { buildClickPayload, buildLeadPayload } from '../../src/core/payloads';

const click = (id: string, extra: Record<string, unknown> = {}): PendingEvent => ({
  route: 'click',
  body: { event_id: id, affiliate_url: 'https://shop.example/?aff=P1', ...extra },
});

describe('outbox', () => {
  it('round-trips its events through the stored form', () => {
    const events = [click('a'), { route: 'lead' as const, body: { event_id: 'b', customer_key: 'u' } }];
    expect(parseOutbox(formatOutbox(events))).toEqual(events);
  });

  it.each([
    // Prototype.js: every array written as a string of JSON.
    ['arrays', Array.prototype, function (this: unknown[]) {
      return '[' + this.map((item) => JSON.stringify(item)).join(', ') + ']';
    }],
    ['objects', Object.prototype, () => 'an object'],
  ])("round-trips its events, and sends bodies as JSON, on a page whose library gave every one of its %s a toJSON", (_, proto, toJSON) => {
    const events = [click('a'), { route: 'lead' as const, body: { event_id: 'b', customer_key: 'u', click_ids: ['cust_1_1', 'cust_1_2'] } }];
    Object.defineProperty(proto, 'toJSON', { value: toJSON, configurable: true, writable: true });
    try {
      // Through the page's toJSON, the stored outbox was one string, read back as no events: all lost.
      expect(parseOutbox(formatOutbox(events))).toEqual(events);
      expect(toJson(events[1]!.body)).toBe('{"event_id":"b","customer_key":"u","click_ids":["cust_1_1","cust_1_2"]}');
      // Put back as it was.
      expect(Object.getOwnPropertyDescriptor(proto, 'toJSON')).toEqual({ value: toJSON, configurable: true, writable: true, enumerable: false });
    } finally {
      delete (proto as { toJSON?: unknown }).toJSON;
    }
  });

  it('keeps the newest events when there are too many', () => {
    const events = Array.from({ length: OUTBOX_LIMIT + 2 }, (_, i) => click(`e${i}`));
    expect(parseOutbox(formatOutbox(events)).map((e) => e.body.event_id)).toEqual(events.slice(-OUTBOX_LIMIT).map((e) => e.body.event_id));
  });

  it('gives up a superseded click before an undelivered lead when there are too many', () => {
    const lead: PendingEvent = { route: 'lead', body: { event_id: 'e0', customer_key: 'u' } };
    const superseded = [click('e1', { affiliate_url: 'https://shop.example/?aff=P2' }), click('e2')].map((event) => ({ ...event, stale: true }));
    const events = [lead, ...superseded, click('e3'), click('e4')];
    expect(parseOutbox(formatOutbox(events)).map((e) => e.body.event_id)).toEqual(['e0', 'e2', 'e3', 'e4']);
    // Over the byte limit too, by what slimming cannot take (a long customer key): the superseded clicks go, the lead stays.
    const kept = parseOutbox(formatOutbox([{ ...lead, body: { ...lead.body, customer_key: 'u'.repeat(1900) } }, ...superseded, click('e3', { affiliate_url: `https://shop.example/?aff=${'P'.repeat(1100)}` })]));
    expect(kept.map((e) => e.body.event_id)).toEqual(['e0', 'e3']);
  });

  it('slims every event to what attribution needs before it gives one up for bytes (landing URLs with an ad\'s parameters)', () => {
    const ad = (aff: string) => `https://shop.example/pricing?aff=${aff}&utm_source=partner&utm_medium=cpc&utm_campaign=${'c'.repeat(220)}&gclid=${'g'.repeat(360)}`;
    const landing = (id: string, aff: string, stale?: boolean): PendingEvent => ({
      ...click(id, { affiliate_url: ad(aff), page_url: ad(aff), page_title: 'Pricing', user_agent: 'Mozilla/5.0 '.repeat(10) }),
      ...(stale && { stale }),
    });
    // A superseded click, the signup that waits behind it for its click id, and the newer partner's click (lead.ts).
    const events = [landing('e1', 'P1', true), { route: 'lead' as const, body: { event_id: 'e2', customer_key: 'u' } }, landing('e3', 'P2')];
    // Each under half the limit (not slimmed alone), together over it.
    expect(encodeURIComponent(toJson([events[0]])).length).toBeLessThan(OUTBOX_MAX_BYTES / 2);
    expect(encodeURIComponent(toJson(events)).length).toBeGreaterThan(OUTBOX_MAX_BYTES);
    const stored = formatOutbox(events);
    expect(encodeURIComponent(stored).length).toBeLessThanOrEqual(OUTBOX_MAX_BYTES);
    const kept = parseOutbox(stored);
    expect(kept.map((e) => e.body.event_id)).toEqual(['e1', 'e2', 'e3']);
    // The landing URLs (under 1 KB) stay whole; the page's context goes.
    expect(kept.map((e) => e.body.affiliate_url)).toEqual([ad('P1'), undefined, ad('P2')]);
    expect(kept.map((e) => [e.body.page_url, e.body.user_agent])).toEqual([['', ''], [undefined, undefined], ['', '']]);
  });

  it('keeps a superseded click that a lead waits for, and the lead, when landing URLs in another script are long only as written (slimmed by their written length)', () => {
    // Under 1,024 characters as given, about 3,400 as written in the cookie (a Japanese utm_term).
    const japanese = (aff: string) => `https://shop.example/?aff=${aff}&utm_term=${'広告キャンペーン'.repeat(45)}`;
    expect(japanese('P1').length).toBeLessThan(1024);
    const waitedFor = { ...click('e1', { affiliate_url: japanese('P1') }), stale: true };
    const lead: PendingEvent = { route: 'lead', body: { event_id: 'e2', customer_key: 'u' } };
    const kept = parseOutbox(formatOutbox([waitedFor, lead, click('e3', { affiliate_url: japanese('P2') })]));
    expect(kept.map((e) => e.body.event_id)).toEqual(['e1', 'e2', 'e3']);
    expect(kept.map((e) => e.body.affiliate_url)).toEqual(['https://shop.example/?aff=P1', undefined, 'https://shop.example/?aff=P2']);
  });

  it('keeps a superseded click that a lead right after it waits for, and gives up one that no lead waits for', () => {
    const waitedFor = { ...click('e1', { affiliate_url: 'https://shop.example/?aff=P1' }), stale: true };
    const lead: PendingEvent = { route: 'lead', body: { event_id: 'e2', customer_key: 'u' } };
    const superseded = [click('e3', { affiliate_url: 'https://shop.example/?aff=P2' }), click('e4', { affiliate_url: 'https://shop.example/?aff=P3' })].map((event) => ({ ...event, stale: true }));
    expect(parseOutbox(formatOutbox([waitedFor, lead, ...superseded, click('e5')])).map((e) => e.body.event_id)).toEqual(['e1', 'e2', 'e4', 'e5']);
  });

  it('slims an oversized event to what attribution needs and stays under its size limit', () => {
    const big = click('big', { affiliate_url: `https://shop.example/landing?utm=${'x'.repeat(3000)}&aff=P1`, user_agent: 'u'.repeat(500) });
    const stored = formatOutbox([click('a'), big]);
    expect(encodeURIComponent(stored).length).toBeLessThanOrEqual(OUTBOX_MAX_BYTES);
    const kept = parseOutbox(stored).find((e) => e.body.event_id === 'big')!;
    expect(kept.body.affiliate_url).toBe('https://shop.example/?aff=P1');
  });

  it('sends an event as it is up to its send limit, and over it only what attribution needs, under the limit in UTF-8 bytes', () => {
    const event = (title: string) => click('e1', { page_url: 'https://shop.example/?aff=P1', page_title: title, user_agent: 'Mozilla/5.0', referrer_url: 'https://partner.example/' });
    const bytes = (sent: PendingEvent) => new TextEncoder().encode(JSON.stringify(sent.body)).length;
    // Japanese text: 3 UTF-8 bytes a character, 9 characters percent-encoded.
    for (const title of ['t'.repeat(20_000), '日本'.repeat(1_500)]) {
      const fits = event(title);
      expect(slimmed(fits, SEND_MAX_BYTES)).toBe(fits);
      expect(bytes(fits)).toBeLessThan(SEND_MAX_BYTES);
    }
    for (const title of ['t'.repeat(40_000), '日本'.repeat(4_000)]) {
      const sent = slimmed(event(title), SEND_MAX_BYTES);
      expect(sent.body).toEqual({ event_id: 'e1', affiliate_url: 'https://shop.example/?aff=P1', page_url: '', page_title: '', referrer_url: '', user_agent: '' });
    }
  });

  it('keeps a landing that came with a long referrer, and the lead before it, slimming the referrer', () => {
    // A partner page sending its full URL (Referrer-Policy: unsafe-url), an ad network's redirect.
    const referrer = `https://partner.example/review?${'utm_content=spring-sale&'.repeat(150)}`;
    const lead: PendingEvent = { route: 'lead', body: { event_id: 'e0', customer_key: 'u' } };
    const landing = click('e1', { referrer_url: referrer });
    const kept = parseOutbox(formatOutbox([lead, landing]));
    expect(kept.map((e) => e.body.event_id)).toEqual(['e0', 'e1']);
    expect(kept[1]!.body).toMatchObject({ affiliate_url: 'https://shop.example/?aff=P1', referrer_url: '' });
  });

  it.each([
    ['a landing with a huge `aff`', click('big', { affiliate_url: `https://shop.example/?aff=${'A'.repeat(4000)}` })],
    ['a lead with a huge customer key', { route: 'lead' as const, body: { event_id: 'big', customer_key: 'k'.repeat(4000), click_ids: [] } }],
    ['a lead with a huge email', { route: 'lead' as const, body: { event_id: 'big', customer_key: 'u', email: `${'e'.repeat(4000)}@example.com`, click_ids: [] } }],
  ])('leaves out %s that cannot fit even alone, keeping every other event', (_, big: PendingEvent) => {
    const lead: PendingEvent = { route: 'lead', body: { event_id: 'e0', customer_key: 'u' } };
    for (const events of [[lead, click('e1'), big], [big, lead, click('e1')], [lead, big, click('e1')]]) {
      const stored = formatOutbox(events);
      expect(encodeURIComponent(stored).length).toBeLessThanOrEqual(OUTBOX_MAX_BYTES);
      expect(parseOutbox(stored).map((e) => e.body.event_id)).toEqual(['e0', 'e1']);
    }
  });

  it("keeps a slimmed lead's click ids, which attribute it when it is resent", () => {
    // The click ids the history cookie can hold: 20 plausible ids, up to 128 characters each.
    for (const clickIds of [['cust_1_1700000000000', 'cust_2_1700000000001'], Array.from({ length: 20 }, (_, i) => `cust_${i}_`.padEnd(128, '7'))]) {
      const body = buildLeadPayload('user_42', 'ada@example.com', clickIds.at(-1)!, clickIds, `https://shop.example/welcome?${'utm_x=y&'.repeat(300)}`, 'sess_1', 1);
      const lead: PendingEvent = { route: 'lead', body: { ...body, event_id: 'e1' } };
      const stored = formatOutbox([click('e0'), lead]);
      expect(encodeURIComponent(stored).length).toBeLessThanOrEqual(OUTBOX_MAX_BYTES);
      const kept = parseOutbox(stored);
      expect(kept.map((e) => e.body.event_id)).toEqual(['e0', 'e1']);
      // Slimmed (its page URL given up), it keeps what attribution needs.
      expect(kept[1]!.body).toMatchObject({ page_url: '', click_id: clickIds.at(-1), click_ids: clickIds, customer_key: 'user_42' });
    }
  });

  it("stays within the 4 KB a browser keeps of a cookie once percent-encoded, with a page title in Japanese", () => {
    const url = `https://www.shop.example.jp/plans?aff=PARTNER123&utm_campaign=${encodeURIComponent('春のセール2026')}`;
    const context = {
      page_url: url,
      page_title: '料金プラン｜'.padEnd(100, 'ショップ'),
      referrer_url: 'https://www.google.co.jp/',
      user_agent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
      screen_resolution: '390x844',
      viewport_size: '390x664',
      language: 'ja-JP',
      timezone: 'Asia/Tokyo',
    };
    const landing = (aff: string): PendingEvent => ({
      route: 'click',
      body: { ...buildClickPayload(url.replace('PARTNER123', aff), context, 'sess_1', 1, null), event_id: newEventId() },
    });
    const lead: PendingEvent = { route: 'lead', body: { ...buildLeadPayload('user_42', 'ada@example.com', null, [], url, 'sess_1', 1), event_id: newEventId() } };
    const events = [landing('PARTNER123'), landing('PARTNER456'), lead];
    const cookie = serializeCookie('affitor_outbox', formatOutbox(events), 60, 'example.jp', true);
    // What browsers count against 4,096 bytes: the name and the value.
    expect(cookie.indexOf(';')).toBeLessThanOrEqual(4096);
    // All three kept, the two landings' page context given up for it.
    const kept = parseOutbox(formatOutbox(events));
    expect(kept.map((event) => event.body.event_id)).toEqual(events.map((event) => event.body.event_id));
    expect(kept[0]!.body).toMatchObject({ page_title: '', affiliate_url: url });
  });

  it.each([['not json'], ['{"route":"click"}'], ['[{"route":"sale","body":{"event_id":"a"}}]'], ['[{"route":"click","body":{"event_id":"a b"}}]'], ['[{"route":"lead"}]'], ['[{"route":"lead","body":{"event_id":null}}]'], ['[{"route":"lead","body":{"event_id":12345}}]'], [null]])(
    'reads %j as an empty outbox',
    (stored) => {
      expect(parseOutbox(stored)).toEqual([]);
    },
  );

  it('makes distinct event ids of the accepted shape', () => {
    const ids = new Set(Array.from({ length: 1000 }, newEventId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[\w-]{1,64}$/);
  });

  it.each([
    [0, true],
    [408, true],
    [429, true],
    [500, true],
    [503, true],
    [200, false],
    [400, false],
    [404, false],
    [409, false],
  ])('treats status %i as retryable: %s', (status, retryable) => {
    expect(isRetryable(status)).toBe(retryable);
  });
});

describe('an answered click leaving the outbox (withoutAnswered)', () => {
  const click = (id: string, stale?: boolean): PendingEvent => ({ route: 'click', body: { event_id: id }, ...(stale ? { stale } : {}) });
  const lead = (id: string): PendingEvent => ({ route: 'lead', body: { event_id: id } });
  const ids = (events: PendingEvent[]) => events.map((event) => event.body.event_id);

  it.each([
    // The signups made while B was on its way go before the clicks B's landing superseded; one made before them stays behind its click.
    [[click('A1', true), lead('L0'), click('A2', true), click('B'), lead('L1'), lead('L2')], 'B', ['L1', 'L2', 'A1', 'L0', 'A2']],
    // A lead after a later click is that click's: it stays behind it.
    [[click('A', true), click('B'), lead('L1'), click('C'), lead('L2')], 'B', ['L1', 'A', 'C', 'L2']],
    // No click ahead of it: its leads stay where they are.
    [[lead('L0'), click('B'), lead('L1')], 'B', ['L0', 'L1']],
    // Not there (taken out already): as it is.
    [[click('A', true), lead('L1')], 'B', ['A', 'L1']],
  ])('%j without %s is %j', (events, id, expected) => {
    expect(ids(withoutAnswered(events, id))).toEqual(expected);
  });
});

describe('the outbox cookie that every tab of the site shares', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });
  const lead = (id: string): PendingEvent => ({ route: 'lead', body: { event_id: id, customer_key: 'u' } });
  const ids = (events: PendingEvent[]) => events.map((event) => event.body.event_id);

  it('keeps what another tab stored where it is, and puts this page\'s new events after it', () => {
    // 1a is this page's, in the cookie since; 1b and 1d another tab's; 1c this page's newest, not written yet.
    const own = [click('1a'), lead('1c')];
    const stored = [click('1a'), click('1b'), click('1d')];
    expect(ids(mergeOutbox(own, stored, new Set(['1a', '1c'])))).toEqual(['1a', '1b', '1d', '1c']);
  });

  it('writes this page\'s copy of its own events, and does not write back one it took out', () => {
    const own = [{ ...lead('1a'), body: { event_id: '1a', customer_key: 'u', click_id: 'cust_1' } }];
    // The cookie still holds the lead as first stored, and a click this page delivered.
    const stored = [lead('1a'), click('0z')];
    expect(mergeOutbox(own, stored, new Set(['0z', '1a']))).toEqual(own);
  });

  it('orders by the cookie, not by the time in the ids: a clock set forward or back between two events changes nothing', () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 0, 2) });
    // Another tab's click, made while the visitor's clock was a day ahead, or a day behind.
    const ahead = click(newEventId());
    vi.setSystemTime(Date.UTC(2025, 11, 31));
    const behind = click(newEventId());
    vi.setSystemTime(Date.UTC(2026, 0, 1));
    for (const other of [ahead, behind]) {
      const signup = lead(newEventId());
      expect(ids(mergeOutbox([signup], [other], new Set()))).toEqual(ids([other, signup]));
    }
    // This page's own events keep the order they were made in, though the clock was set back between them.
    const landing = click(newEventId());
    vi.setSystemTime(Date.UTC(2025, 11, 31));
    const signup = lead(newEventId());
    expect(ids(mergeOutbox([landing, signup], [], new Set()))).toEqual(ids([landing, signup]));
    expect(ids(mergeOutbox([landing, signup], [landing], new Set([ids([landing])[0]!])))).toEqual(ids([landing, signup]));
  });

  it('puts a new lead of this page before the clicks a newer landing superseded, and after another tab\'s events', () => {
    const superseded = { ...click('1a'), stale: true };
    const signup = lead('0z');
    // The page's order: the lead before its superseded click (lead.ts), which is in the cookie after another tab's click.
    expect(ids(mergeOutbox([signup, superseded], [click('1b'), superseded], new Set(['1a', '0z'])))).toEqual(['1b', '0z', '1a']);
  });

  it('keeps an event the cookie holds twice once', () => {
    const own = [lead('1a')];
    expect(ids(mergeOutbox(own, [lead('1a'), click('1b'), lead('1a')], new Set(['1a'])))).toEqual(['1a', '1b']);
  });
});
