/** Hears single-page-app navigations: `history.pushState`, `replaceState` and back/forward. */

/**
 * The URL the page was opened on, which the browser keeps in the navigation's timing entry: a
 * router may have replaced it before the SDK's code ran (the `async` script tag often runs after
 * the app's bundle). Else the URL when the SDK's code first ran.
 */
const openedOn = (): string => {
  // A page's wrapper of `performance` may answer no list, or throw (and jsdom has no entries): this
  // runs as the file loads, before any of its own error handling.
  try {
    return performance.getEntriesByType('navigation')[0]!.name || location.href;
  } catch {
    return location.href;
  }
};

// Where a document is: Deno defines `location` as a getter that throws without --location, and
// `typeof location` runs it, so the SDK's import would throw there (server rendering).
let loadUrl: string | null = typeof document == 'object' ? openedOn() : null;

/** The URL the page was opened on: a router may strip `?aff=` before `init` runs. */
export const urlAtLoad = (): string | null => loadUrl;
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
