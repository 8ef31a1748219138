/**
 * A script put at the start of every served page's `<head>` (before the SDK): it keeps the
 * page's console lines, uncaught errors and `document.cookie` writes in `window.__e2e`, so
 * the scenarios read them the same way in every engine (WebDriver classic, which drives
 * WebKit here, has no console events and no scripts run before the page's own).
 */

/** A console line of the page: `type` is the console method, or `pageerror` for an uncaught error or rejection. */
export interface ConsoleLine {
  type: 'log' | 'info' | 'warn' | 'error' | 'debug' | 'pageerror';
  text: string;
}

/** What the recorder keeps, as `window.__e2e`. */
export interface Recorded {
  console: ConsoleLine[];
  /** Every string assigned to `document.cookie`, in order (a cookie written and deleted at once shows here, not in the jar). */
  cookieWrites: string[];
}

// Plain ES5, as a string: it runs in the page, before anything else.
const RECORDER = `(function () {
  var recorded = { console: [], cookieWrites: [] };
  window.__e2e = recorded;
  function show(value) {
    if (typeof value === 'string') return value;
    if (value instanceof Error) return String(value);
    try { return JSON.stringify(value); } catch (e) { return String(value); }
  }
  ['log', 'info', 'warn', 'error', 'debug'].forEach(function (type) {
    var original = console[type];
    console[type] = function () {
      recorded.console.push({ type: type, text: Array.prototype.map.call(arguments, show).join(' ') });
      return original.apply(console, arguments);
    };
  });
  addEventListener('error', function (event) { recorded.console.push({ type: 'pageerror', text: String(event.message) }); });
  addEventListener('unhandledrejection', function (event) { recorded.console.push({ type: 'pageerror', text: String(event.reason) }); });
  var cookie = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
  if (cookie && cookie.set) {
    Object.defineProperty(Document.prototype, 'cookie', {
      configurable: true,
      enumerable: cookie.enumerable,
      get: function () { return cookie.get.call(this); },
      set: function (value) { recorded.cookieWrites.push(String(value)); cookie.set.call(this, value); }
    });
  }
})();`;

export const RECORDER_PRELUDE = `<script>${RECORDER}</script>`;
