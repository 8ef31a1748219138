/** Hears single-page-app navigations: `history.pushState`, `replaceState` and back/forward. */

/**
 * The URL the page was opened on, which the browser keeps in the navigation's timing entry: a
 * router may have replaced it before the SDK's code ran (the `async` script tag often runs after
 * the app's bundle). Else the URL when the SDK's code first ran.
 */
const openedOn = (): string => {
  revisit = false;
  // A page's wrapper of `performance` may answer no list, or throw (and jsdom has no entries): this
  // runs as the file loads, before any of its own error handling.
  try {
    const entry = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    // `reload` or `back_forward`; not `navigate`, nor `prerender` (a landing the browser rendered ahead).
    revisit = /^[rb]/.test(entry.type);
    return entry.name || location.href;
  } catch {
    return location.href;
  }
};

/** Whether the page was opened by Back/Forward (not from the back-forward cache) or a reload. */
let revisit = false;
// Where a document is: Deno defines `location` as a getter that throws without --location, and
// `typeof location` runs it, so the SDK's import would throw there (server rendering).
let loadUrl: string | null = typeof document == 'object' ? openedOn() : null;

/** The URL the page was opened on: a router may strip `?aff=` before `init` runs. */
export const urlAtLoad = (): string | null => loadUrl;
/** Whether `url` is the one this page was opened on by Back/Forward or a reload: the visitor came back, not from a partner's link. */
export const revisited = (url: string): boolean => revisit && url == loadUrl;
/** A fresh page view on the current URL (tests). */
export const resetUrlAtLoad = (): void => void (loadUrl = openedOn());

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
