/**
 * The `<script>` build (`dist/affitor.global.js`). Reads `data-affitor-*` from its own tag,
 * calls `init`, and exposes `window.affitor`. Calls queued by the stub snippet (README)
 * before the script loaded are replayed in order; queued `init` options are folded into
 * the first `init`, so it runs once with everything the page asked for.
 */
import { AffitorTracker } from './browser/tracker';
import type { AffitorInitOptions } from './browser/tracker';

type Call = [method: string, args: ArrayLike<unknown>];
type Api = Record<string, (...args: never[]) => unknown>;

const host = window as unknown as { affitor?: { q?: Call[] } | Api };
const queue = (host.affitor?.q as Call[] | undefined) ?? [];
const tag = document.currentScript ?? document.querySelector('script[data-affitor-program-id]');
const attribute = (name: string): string | undefined => tag?.getAttribute('data-affitor-' + name) ?? undefined;
// data-affitor-program-id is read by the tracker itself (so diagnose() can name it as the source).
const options: AffitorInitOptions = {
  debug: attribute('debug') == 'true',
  apiBase: attribute('api-base'),
  cookieDomain: attribute('cookie-domain'),
  consent: attribute('consent') == 'pending' ? 'pending' : undefined,
};

const tracker = new AffitorTracker();
// The tracker's methods are bound functions: `init`, `signup`, `trackClick`, `getClickId`, `getData`,
// `grantConsent`, `revokeConsent`, `onAttribution`, `diagnose`.
const api: Api = {
  ...(tracker as unknown as Api),
  getTracker: () => tracker,
  /** Runs `callback(window.affitor)`; through the stub, once the script has loaded. */
  ready: (callback: (affitor: Api) => void) => callback(api),
};
host.affitor = api;

for (const [method, args] of queue) if (method == 'init') Object.assign(options, args[0]);
tracker.init(options);
for (const [method, args] of queue) {
  try {
    if (method != 'init') void api[method]!(...(Array.from(args) as never[]));
  } catch (error) {
    console.error('[Affitor] queued call failed:', method, error);
  }
}
