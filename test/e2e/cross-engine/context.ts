/**
 * What every scenario module gets from the suite (scenarios.ts): the engine's name, the
 * site, a new tab in the test's own session, and the few questions every scenario asks.
 */
import { expect } from 'vitest';
import type { EngineName, JarCookie } from '../engines/types';
import type { InspectState } from '../../../examples/server/src/app';
import { PARTNER_A, WINDOW_DAYS } from '../program';
import type { SeenRequest } from './api-front';
import { daysLeft } from './browsing';
import type { Tab } from './browsing';
import type { Site } from './site';

/** The cookies a recorded landing leaves (the outbox only while an event is undelivered). */
export const ATTRIBUTION_COOKIES = ['affitor_aff_url', 'affitor_click_id', 'affitor_click_ids', 'customer_code'];
/** The session id's cookie: no expiry, written by the page once a click or lead is sent with consent. */
export const SESSION_COOKIE = 'affitor_session_id';
/** The event id of the landing the attribution comes from, for the browser session: written by the page with consent, not behind the first-party handler. */
export const TOUCH_COOKIE = 'affitor_touch';
/** What a landing leaves in the jar: the attribution, the session id and the touch. */
export const LANDING_COOKIES = [...ATTRIBUTION_COOKIES, SESSION_COOKIE, TOUCH_COOKIE].sort();
/** The SDK's in-page attempts for one event: the first and two retries. */
export const ATTEMPTS = 3;
export const KEPT_LINE = /^\[Affitor\] (click|lead) not recorded: .*\(kept to resend\)/;

/** How the engines differ where a scenario can see it. */
export const ENGINE_FACTS: Record<EngineName, { fetchFailure: RegExp; sendsOfAnUnansweredGet: [min: number, max: number] }> = {
  // fetchFailure: the message of the TypeError fetch() rejects with when no answer can be read (network, CORS).
  // sendsOfAnUnansweredGet: how often the engine itself sends one GET whose connection the server
  // closes without an answer, before the page hears it failed. Chromium and WebKit resend it at
  // most once (when the connection was a reused one); Firefox tries it 10 times
  // (network.http.request.max-attempts).
  chromium: { fetchFailure: /Failed to fetch/, sendsOfAnUnansweredGet: [1, 2] },
  firefox: { fetchFailure: /NetworkError when attempting to fetch resource/, sendsOfAnUnansweredGet: [10, 10] },
  webkit: { fetchFailure: /Load failed/, sendsOfAnUnansweredGet: [1, 2] },
};

export interface Scenario {
  name: EngineName;
  site: () => Site;
  /** A new tab in the test's session (its own cookie jar). */
  tab: () => Promise<Tab>;
  /** What the tracking server recorded. */
  state: () => InspectState;
  /** The POSTs the browser sent to the tracking API (of `route` only, if given), oldest first. */
  posts: (route?: string) => SeenRequest[];
  /** The event ids of those POSTs. */
  eventIds: (route: string) => string[];
  /** Opens `path` on `host` as a landing from `partner`'s link; resolves to the landing URL. */
  land: (on: Tab, host: string, path?: string, partner?: { link: string }) => Promise<string>;
}

export function scenarioContext(name: EngineName, site: () => Site, tab: () => Promise<Tab>): Scenario {
  const posts = (route?: string) => site().front.posts().filter((request) => !route || request.route === route);
  return {
    name,
    site,
    tab,
    state: () => site().api.app.inspect(),
    posts,
    eventIds: (route) => posts(route).map((request) => request.body.event_id as string),
    land: async (on, host, path = '/', partner = PARTNER_A) => {
      const landing = site().url(host, `${path}?aff=${partner.link}`);
      await on.visit(landing);
      return landing;
    },
  };
}

/** One event of the SDK's outbox (`affitor_outbox`), as stored. */
export interface StoredEvent {
  route: 'click' | 'lead';
  body: Record<string, unknown> & { event_id: string };
}

/** The events waiting in the tab's outbox cookie; null without the cookie. */
export async function outbox(page: Tab): Promise<StoredEvent[] | null> {
  const cookie = await page.cookie('affitor_outbox');
  return cookie ? (JSON.parse(decodeURIComponent(cookie.value)) as StoredEvent[]) : null;
}

export const names = (cookies: JarCookie[]): string[] => cookies.map((cookie) => cookie.name).sort();
export const json = (value: unknown): string => JSON.stringify(value);
export const distinct = <T>(values: T[]): T[] => [...new Set(values)];

/** A landing's cookies, all on `.shop.localhost`, `Path=/`, `SameSite=Lax`: the attribution for the program's window, the session id and the touch for the session. */
export function expectRootDomainCookies(cookies: JarCookie[]): void {
  expect(names(cookies)).toEqual(LANDING_COOKIES);
  for (const cookie of cookies) {
    expect(cookie, cookie.name).toMatchObject({ domain: '.shop.localhost', path: '/', secure: false, httpOnly: false, sameSite: 'Lax' });
    if (cookie.name === SESSION_COOKIE || cookie.name === TOUCH_COOKIE) expect(cookie.expires).toBeNull();
    else expect(daysLeft(cookie), cookie.name).toBeCloseTo(WINDOW_DAYS, 2);
  }
}
