/** What the page knows about the visit: URL, title, screen, locale, session, script tag. */
import { newEventId } from '../core/outbox';
import type { PageContext } from '../core/payloads';

const SESSION_KEY = 'affitor_session_id';
let memorySessionId: string | undefined;

export const isSecurePage = (): boolean => location.protocol == 'https:';

/**
 * The visitor's IANA time zone. `Temporal.Now.timeZoneId()` answers at once where it exists;
 * `Intl.DateTimeFormat()` loads locale data first (about 15 ms in a fresh Chromium tab), which
 * would stand before the click.
 */
const timeZone = (): string =>
  (globalThis as { Temporal?: { Now: { timeZoneId(): string } } }).Temporal?.Now.timeZoneId() ??
  Intl.DateTimeFormat().resolvedOptions().timeZone;

export function readPageContext(): PageContext {
  return {
    page_url: location.href,
    page_title: document.title,
    referrer_url: document.referrer,
    user_agent: navigator.userAgent,
    screen_resolution: `${screen.width}x${screen.height}`,
    viewport_size: `${innerWidth}x${innerHeight}`,
    language: navigator.language,
    timezone: timeZone(),
  };
}

/**
 * One id per tab session. Kept in sessionStorage only when `persist` (consent given) and the
 * page may use storage; otherwise in memory for this page.
 */
export function sessionId(persist: boolean): string {
  // Unique as an event id is: the time and ten random base-36 digits.
  memorySessionId ??= 'sess_' + newEventId();
  try {
    const stored = sessionStorage.getItem(SESSION_KEY);
    if (stored) return stored;
    if (persist) sessionStorage.setItem(SESSION_KEY, memorySessionId);
  } catch {
    /* storage blocked: the in-memory id serves */
  }
  return memorySessionId;
}

/** A fresh page view (tests). */
export const forgetMemorySession = (): void => void (memorySessionId = undefined);

export function forgetSession(): void {
  try {
    sessionStorage.removeItem(SESSION_KEY);
  } catch {
    /* storage blocked: nothing was stored */
  }
}

/** A script tag's `data-affitor-program-id`, or undefined. */
export const programIdAttribute = (): string | null | undefined =>
  document.querySelector('script[data-affitor-program-id]')?.getAttribute('data-affitor-program-id');

/** The program id set on the page: a script tag's `data-affitor-program-id`, else `window.AFFITOR_PROGRAM_ID`. */
export const pageProgramId = (): unknown => programIdAttribute() ?? (window as { AFFITOR_PROGRAM_ID?: unknown }).AFFITOR_PROGRAM_ID;

/** The browser's Global Privacy Control signal. */
export const globalPrivacyControl = (): boolean =>
  (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl === true;
