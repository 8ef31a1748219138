/** What the page knows about the visit: URL, title, screen, locale, script tag. */
import type { PageContext } from '../core/payloads';
import { offsetTimeZone } from '../core/values';

export const isSecurePage = (): boolean => location.protocol == 'https:';

/**
 * The visitor's time zone, by no lookup that would stand long before the click: the IANA name
 * from `Temporal.Now.timeZoneId()` where the browser has it (Chromium, Firefox), else the UTC
 * offset (`+02:00`, Safari). Asking `Intl.DateTimeFormat()` loads locale data first: 15.7 ms in
 * a fresh Chromium tab, 12 to 22 ms in a fresh WebKit one.
 */
const timeZone = (): string =>
  (globalThis as { Temporal?: { Now: { timeZoneId(): string } } }).Temporal?.Now.timeZoneId() ??
  offsetTimeZone(new Date().getTimezoneOffset());

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
 * A script tag's `data-affitor-program-id`, or undefined. The running script's own tag is asked
 * first (the script build's, while it starts): a first search of the document costs a page view
 * milliseconds of main thread.
 */
export const programIdAttribute = (): string | null | undefined =>
  document.currentScript?.getAttribute('data-affitor-program-id') ??
  document.querySelector('script[data-affitor-program-id]')?.getAttribute('data-affitor-program-id');

/**
 * The program id set on the page: a script tag's `data-affitor-program-id`, else `window.AFFITOR_PROGRAM_ID`.
 * An empty attribute (a template that left it blank) is none set: the window's value, else the error naming where one goes.
 */
export const pageProgramId = (): unknown => programIdAttribute() || (window as { AFFITOR_PROGRAM_ID?: unknown }).AFFITOR_PROGRAM_ID;

/** The browser's Global Privacy Control signal. */
export const globalPrivacyControl = (): boolean =>
  (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl === true;
