/** Hears single-page-app navigations: `history.pushState`, `replaceState` and back/forward. */

let loadUrl: string | null = typeof location == 'object' ? location.href : null;

/** The URL when the SDK's code first ran on this page: a router may strip `?aff=` before `init` runs. */
export const urlAtLoad = (): string | null => loadUrl;
/** A fresh page view on the current URL (tests). */
export const resetUrlAtLoad = (): void => void (loadUrl = location.href);

let listener: (() => void) | undefined;

/** Calls `onChange` after every URL change made through the History API (one listener per page: the latest). */
export function onUrlChange(onChange: () => void): void {
  if (!listener) {
    for (const method of ['pushState', 'replaceState'] as const) {
      // Called on `history` as the page would, so routers that check `this` keep working.
      const original = history[method].bind(history);
      // A page that froze the History API (a framework, a test harness) makes the assignment throw
      // (strict mode): its in-app navigations go unheard, but the landing and back/forward are not lost.
      try {
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
