/** What the page knows about the visit: URL, title, screen, locale, script tag. */
import type { PageContext } from '../core/payloads';
import { largestPixels, offsetTimeZone } from '../core/values';

export const isSecurePage = (): boolean => location.protocol == 'https:';

/**
 * The visitor's time zone, by no lookup that would stand long before the click: the IANA name
 * from `Temporal.Now.timeZoneId()` where the browser has it (Chromium, Firefox), else the UTC
 * offset (`+02:00`, Safari). Asking `Intl.DateTimeFormat()` loads locale data first: 15.7 ms in
 * a fresh Chromium tab, 12 to 22 ms in a fresh WebKit one.
 */
const timeZone = (): string => {
  let id: unknown;
  // A page's own Temporal may be a polyfill of an earlier draft (`Now.timeZone()`), or throw: the
  // landing's click, built here, must not be lost for it.
  try {
    id = (globalThis as { Temporal?: { Now: { timeZoneId(): unknown } } }).Temporal!.Now.timeZoneId();
  } catch {
    /* the offset below */
  }
  return typeof id == 'string' ? id : offsetTimeZone(new Date().getTimezoneOffset());
};

/**
 * The viewport's size in CSS pixels, `innerWidth`×`innerHeight`, as media queries see it: on a
 * phone (Chromium with its viewport on), reading `innerWidth` (or `visualViewport`, or
 * `clientWidth`) while the page is still loading lays out all of it that has been parsed, and the
 * landing's click waits behind that layout (40 to 80 ms on a 3,000-row page in Chromium's mobile
 * emulation, in half the landings). A media query needs none. Where they cannot be asked (jsdom has
 * no matchMedia, in a merchant's tests; a page's wrapper of it may throw), the properties: the
 * click must not be lost for want of its viewport.
 */
const viewportSize = (): string => {
  try {
    return ['width', 'height'].map((side) => largestPixels((px) => matchMedia(`(min-${side}:${px}px)`).matches)).join('x');
  } catch {
    return `${innerWidth}x${innerHeight}`;
  }
};

/**
 * A property of the page as a string; '' where it cannot be read. Anti-fingerprinting extensions
 * make some throw (`navigator.language`, `document.referrer`) or take them away (`screen`): read
 * plainly, one of them stopped init, and the landing's click was never sent.
 */
const readable = (read: () => string | null | undefined): string => {
  try {
    return String(read() ?? '');
  } catch {
    return '';
  }
};

export function readPageContext(): PageContext {
  return {
    page_url: location.href,
    page_title: readable(() => document.title),
    referrer_url: readable(() => document.referrer),
    user_agent: readable(() => navigator.userAgent),
    screen_resolution: readable(() => `${screen.width}x${screen.height}`),
    viewport_size: viewportSize(),
    language: readable(() => navigator.language),
    // A page's own Date may answer a time-zone offset no date takes (NaN): the offset is then ''.
    timezone: readable(timeZone),
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
