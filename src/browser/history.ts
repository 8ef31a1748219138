/** Hears single-page-app navigations: `history.pushState`, `replaceState` and back/forward. */

const listeners = new Set<() => void>();

/**
 * The URL when this module was first evaluated: a router may strip `?aff=` before `init` runs.
 * The script build's tracker arrives after the page has loaded, so its loader hands over the
 * URL it saw instead (`setUrlAtLoad`).
 */
export let urlAtLoad: string | null = typeof location == 'object' ? location.href : null;

export function setUrlAtLoad(url: string): void {
  urlAtLoad = url;
}

/** Calls `listener` after every URL change made through the History API. */
export function onUrlChange(listener: () => void): void {
  if (!listeners.size) {
    for (const method of ['pushState', 'replaceState'] as const) {
      // Called on `history` as the page would, so routers that check `this` keep working.
      const original = history[method].bind(history);
      history[method] = (...args: Parameters<History['pushState']>) => {
        original(...args);
        notify();
      };
    }
    addEventListener('popstate', notify);
  }
  listeners.add(listener);
}

function notify(): void {
  for (const listener of listeners) {
    try {
      listener();
    } catch {
      /* a listener's failure is its own; it logs it */
    }
  }
}
