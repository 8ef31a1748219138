/** Hears single-page-app navigations: `history.pushState`, `replaceState` and back/forward. */

/**
 * The URL the page was opened on, which the browser keeps in the navigation's timing entry: a
 * router may have replaced it before the SDK's code ran (the `async` script tag often runs after
 * the app's bundle). Else the URL when the SDK's code first ran. Read when first asked, not as the
 * file loads: a page's first look at `performance` costs a fresh Chromium tab about 1.5 ms, and a
 * landing with `?aff=` in its URL needs it only when it was reloaded onto a stored attribution.
 */
const openedOn = (): [url: string | null, revisit: boolean] => {
  // A page's wrapper of `performance` may answer no list, or throw (and jsdom has no entries): this
  // runs before any of the caller's own error handling.
  try {
    const entry = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    // `reload` or `back_forward`; not `navigate`, nor `prerender` (a landing the browser rendered ahead).
    return [entry.name || firstUrl, /^[rb]/.test(entry.type)];
  } catch {
    return [firstUrl, false];
  }
};

/** The navigation entry as openedOn read it, once. */
let opened: ReturnType<typeof openedOn> | undefined;
// Where a document is: Deno defines `location` as a getter that throws without --location, and
// `typeof location` runs it, so the SDK's import would throw there (server rendering).
let firstUrl: string | null = typeof document == 'object' ? location.href : null;

/** The URL the page was opened on: a router may strip `?aff=` before `init` runs. */
export const urlAtLoad = (): string | null => firstUrl && (opened ??= openedOn())[0];
/** Whether `url` is the one this page was opened on by Back/Forward or a reload: the visitor came back, not from a partner's link. */
export const revisited = (url: string): boolean => url == urlAtLoad() && opened![1];
/** A fresh page view on the current URL (tests). */
export const resetUrlAtLoad = (): void => void ((firstUrl = location.href), (opened = undefined));

let listener: (() => void) | undefined;

/** Calls `onChange` after every URL change made through the History API (one listener per page: the latest). */
export function onUrlChange(onChange: () => void): void {
  if (!listener) {
    for (const method of ['pushState', 'replaceState'] as const) {
      // A page that froze the History API (a framework, a test harness) makes the assignment throw
      // (strict mode), and one that took a method away (null) the bind: its in-app navigations go
      // unheard, but the landing and back/forward are not lost.
      try {
        // Called on `history` as the page would, so routers that check `this` keep working.
        const original = history[method].bind(history);
        history[method] = (...args: Parameters<History['pushState']>) => {
          original(...args);
          notify();
        };
      } catch {
        /* see above */
      }
    }
    addEventListener('popstate', notify);
  }
  listener = onChange;
}

function notify(): void {
  try {
    listener?.();
  } catch {
    /* the listener logs its own failures */
  }
}
