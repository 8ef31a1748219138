import { describe, expect, it } from 'vitest';
import { cspBlocked, readAnswer } from '../../src/core/answers';
import { buildClickPayload, buildLeadPayload } from '../../src/core/payloads';
import { createLogger } from '../../src/core/logger';
import { vi } from 'vitest';

const ORIGIN = 'https://shop.example';

describe('readAnswer', () => {
  it('returns the body of a successful JSON answer', () => {
    expect(readAnswer({ status: 200, body: { success: true, click_id: 'c' } }, ORIGIN)).toEqual({ success: true, click_id: 'c' });
  });
  it.each([
    // A refusal by CORS comes at once: a request that timed out met an API that is down or slow.
    [{ status: 0, failure: 'timed out' }, 'no answer (timed out): the tracking API is down or slow, or apiBase points nowhere'],
    // A host that does not exist or is not listening fails at once too: the API's origin is named beside it.
    [
      { status: 0, failure: 'TypeError: Failed to fetch' },
      "no answer (TypeError: Failed to fetch): is https://shop.example in the program's allowed origins (CORS)? Else does https://api.affitor.com answer (a typo in apiBase, the API down, a content blocker in this browser)?",
    ],
    // The page's Content-Security-Policy blocked it (csp.ts): what to change is said, and CORS is not blamed.
    [
      { status: 0, failure: cspBlocked('https://api.affitor.com') },
      "no answer (blocked by the page's Content-Security-Policy: add https://api.affitor.com to its connect-src)",
    ],
    [{ status: 200 }, 'HTTP 200, answer is not JSON'],
    // The API answers JSON: a refusal or failure that is not (a firewall's or CDN's page) is said to
    // be not the API's; not a 404 (an apiBase with no route: unroutedHint says so).
    [{ status: 502 }, "HTTP 502, answer is not the API's JSON"],
    [{ status: 403 }, "HTTP 403, answer is not the API's JSON"],
    [{ status: 404 }, 'HTTP 404, answer is not JSON'],
    [{ status: 400, body: { error: 'Referral link not found' } }, 'HTTP 400: Referral link not found'],
    [{ status: 200, body: { success: false, message: 'Referral link is inactive' } }, 'HTTP 200: Referral link is inactive'],
  ])('describes %j as %j', (outcome, message) => {
    expect(readAnswer(outcome, ORIGIN)).toBe(message);
  });

  it('says a page of no web origin (file://, a sandboxed frame) is to be served over http(s): no program can allow its origin', () => {
    // Firefox's file:// page and a sandboxed frame are "null"; Chromium's file:// page is "file://".
    for (const origin of ['null', 'file://']) {
      expect(readAnswer({ status: 0, failure: 'TypeError: Failed to fetch' }, origin)).toBe(
        `no answer (TypeError: Failed to fetch): a page at ${origin} (file://, a sandboxed frame) is no origin a program can allow: serve it over http(s)`,
      );
    }
  });

  it('says an apiBase written without its scheme but with a port (localhost:8787) is no http(s) URL: not CORS, not "does null answer"', () => {
    const noAnswer = { status: 0, failure: 'TypeError: Failed to fetch' };
    for (const apiBase of ['localhost:8787', 'api.shop.test:8787', 'api.affitor.com:443/']) {
      expect(readAnswer(noAnswer, ORIGIN, apiBase)).toBe(
        `no answer (TypeError: Failed to fetch): apiBase ${apiBase} needs its https:// (or http://)`,
      );
    }
    // Without a port it is a path on the page's own origin, which answers (unroutedHint); with its scheme, CORS is asked as before.
    expect(readAnswer(noAnswer, ORIGIN, 'https://api.shop.test:8787')).toContain('(CORS)? Else does https://api.shop.test:8787 answer');
  });

  it.each([
    [{ errors: [{ detail: 'x' }] }],
    [{ error: { code: 'forbidden', message: 'Blocked by WAF rule 1020' } }],
  ])('says an error answer %j without its reason as text is not the API\'s', (body) => {
    expect(readAnswer({ status: 403, body }, ORIGIN)).toBe("HTTP 403, answer is not the API's JSON");
  });

  it("says an http apiBase is blocked on an https page (mixed content), not CORS; not for this machine's, which browsers allow", () => {
    const noAnswer = { status: 0, failure: 'TypeError: Failed to fetch' };
    expect(readAnswer(noAnswer, ORIGIN, 'http://api.shop.test:8787')).toBe(
      'no answer (TypeError: Failed to fetch): http://api.shop.test:8787 is blocked on an https page (mixed content): use https://',
    );
    for (const local of ['http://localhost:8787', 'http://127.0.0.1:8787', 'http://[::1]:8787', 'http://api.localhost', 'https://api.shop.test']) {
      expect(readAnswer(noAnswer, ORIGIN, local), local).toContain(`(CORS)? Else does ${new URL(local).origin} answer`);
    }
    // An http page may call it: what to check there is CORS.
    expect(readAnswer(noAnswer, 'http://shop.example', 'http://api.shop.test:8787')).toContain('(CORS)? Else does http://api.shop.test:8787 answer');
    // Nor is "localhost.evil.test" this machine.
    expect(readAnswer(noAnswer, ORIGIN, 'http://localhost.evil.test')).toMatch(/mixed content/);
  });
});

describe('payloads', () => {
  const context = {
    page_url: 'https://s/?aff=P1',
    page_title: 'T',
    referrer_url: '',
    user_agent: 'UA',
    screen_resolution: '1x2',
    viewport_size: '3x4',
    language: 'en',
    timezone: 'UTC',
  };
  it('builds the click body with page context and program id, existing_click_id only when switching', () => {
    expect(JSON.parse(JSON.stringify(buildClickPayload('https://s/?aff=P1', context, 'sess_1', 7, null)))).toStrictEqual({
      affiliate_url: 'https://s/?aff=P1',
      ...context,
      session_id: 'sess_1',
      additional_data: { program_id: 7 },
    });
    expect(buildClickPayload('u', context, 's', 7, 'cust_1_1').existing_click_id).toBe('cust_1_1');
  });
  it('builds the lead body, leaving out an absent email and click id', () => {
    expect(JSON.parse(JSON.stringify(buildLeadPayload('k', undefined, null, [], 'p', 's', 7)))).toStrictEqual({
      customer_key: 'k',
      click_ids: [],
      page_url: 'p',
      session_id: 's',
      program_id: 7,
    });
    expect(buildLeadPayload('k', 'e@x', 'c', ['c'], 'p', 's', 7)).toMatchObject({ email: 'e@x', click_id: 'c', click_ids: ['c'] });
  });
});

describe('createLogger', () => {
  it('prints info only in debug mode and errors always, with the prefix', () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    let debug = false;
    const log = createLogger(() => debug);
    log('info', 'quiet');
    log('error', 'loud', 1);
    debug = true;
    log('info', 'now', 2);
    expect(info.mock.calls).toEqual([['[Affitor]', 'now', 2]]);
    expect(error.mock.calls).toEqual([['[Affitor]', 'loud', 1]]);
    vi.restoreAllMocks();
  });
});
