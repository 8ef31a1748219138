/**
 * Loading a later file of the `<script>` build from the folder the first came from. Shared by the
 * first file (which loads the main file) and the main file (which loads the rest), so that both
 * settle, and say why, in the same ways.
 */
import { logError as log } from '../core/logger';
import { fileBeside } from '../core/script-files';

/** How long a file may take to arrive before the calls waiting for it settle without it. */
export const LOAD_TIMEOUT_MS = 5_000;
/**
 * How long after a file could not be had it may be asked for again (by the next call that needs
 * it): a page left open (a single-page app) outlives an offline moment, a slow start (consent
 * pending on a slow network, whose landing waited for the main file), or a deploy that had not
 * finished; asked for once, its page view's work was gone for the page's life.
 */
export const LOAD_AGAIN_MS = 60_000;

// Errors only: a file that cannot be had is said whether or not debug is on.

/**
 * Loads `file` beside `tag`'s own file and runs it. Settles true once it ran and `arrived()` says
 * nothing against it, else false, with one `[Affitor]` error naming the file, its URL and why:
 * an HTTP error, blocked or offline, not JavaScript (an HTML page served in its place), not the
 * SDK, or no answer within LOAD_TIMEOUT_MS. `arrived` returns what is wrong with what ran, if
 * anything. With `carryAttributes`, the file's tag gets `tag`'s `data-affitor-*`. Never rejects.
 */
export const loadScript = (file: string, tag: HTMLScriptElement | null, arrived: () => string | undefined, carryAttributes?: boolean): Promise<boolean> =>
  new Promise((resolve) => {
    let settled = false;
    let src = '';
    // The look at the answer ends with a failure: a request left unanswered holds the browser's cache
    // entry for that URL, and the next page view's request for the same file waited behind it.
    const look = new AbortController();
    const fail = (why: string | Error) => () => {
      if (!settled) {
        settled = true;
        look.abort();
        log('error', 'could not load ' + file, src, `(${why})`);
        resolve(false);
      }
    };
    const run = (): void => {
      const script = document.createElement('script');
      // Where Trusted Types are required and the page has no default policy, a URL as text is refused
      // (a TypeError, said below): the later files were never had there, and every signup's lead
      // waited in the outbox for good. A policy of the SDK's own, named after the file (each file
      // loads one: the first file the main file, that one the rest), gives this one URL whatever it is
      // asked (no way in for other code); a default policy the page has, or policy names it lists
      // without the file's, is left to decide as before.
      let url: unknown = src;
      try {
        const types = (window as { trustedTypes?: { defaultPolicy: unknown; createPolicy: (name: string, rules: object) => { createScriptURL: (input: string) => unknown } } }).trustedTypes!;
        if (!types.defaultPolicy) url = types.createPolicy(file, { createScriptURL: () => src }).createScriptURL('');
      } catch {
        /* no Trusted Types in this browser, or no policy of that name allowed */
      }
      script.src = url as string;
      // The tag's attributes go with the main file: it reads its options from its own tag, as the first did.
      if (carryAttributes) for (const { name, value } of tag?.attributes ?? []) if (/^data-affitor-/.test(name)) script.setAttribute(name, value);
      // A page whose Content-Security-Policy allows scripts by nonce allowed this one: pass it on.
      script.nonce = tag?.nonce ?? '';
      // Loaded as the first file was: by CORS when its tag says `crossorigin`. A page with
      // Cross-Origin-Embedder-Policy blocks a file of another origin loaded without.
      if (tag?.crossOrigin) script.crossOrigin = tag.crossOrigin;
      script.onerror = fail('HTTP error, blocked or offline');
      // `load` fires after the file ran: if it did not hand itself over, the answer was not the SDK.
      script.onload = () => {
        const wrong = arrived();
        if (wrong) fail(wrong)();
        else if (!settled) resolve((settled = true));
      };
      document.head.append(script);
    };
    // A throw here would reject the promise, which every caller drops (`void`): an unhandled
    // rejection in the page's error monitoring. The URL throws where the page's is no base (an
    // inline copy of the file in an about:srcdoc or about:blank frame): the file cannot be had,
    // said as its other failures are.
    try {
      src = fileBeside(file, tag?.src || location.href);
      setTimeout(fail(`no answer in ${LOAD_TIMEOUT_MS / 1000} s`), LOAD_TIMEOUT_MS);
      // A look at the answer first (the script tag may then take it from the HTTP cache): an HTTP
      // error is named, and an HTML page served in its place (hosts that rewrite unknown paths to
      // index.html), or JSON, is never run as a script, which would put a SyntaxError in the page's error
      // monitoring. Where the look itself fails (a CDN without CORS, a blocker), the script tag
      // tries and tells. The cache's usual rules apply: a 404 it kept (a file deployed since) is
      // asked for again, not reused as `force-cache` would.
      // From a promise of its own: a page's wrapper of fetch that throws (one that reads `init.method`),
      // or answers a thenable with no catch, failed the look, and the file was never asked for.
      Promise.resolve()
        .then(() => fetch(src, { signal: look.signal }))
        .then((answer) => {
          // (A wrapper's answer may have no headers: its type then says nothing.)
          const type = answer.headers?.get('content-type');
          void answer.body?.cancel();
          // Run only when its type says a script (or says nothing, as the script tag would take it).
          (answer.ok ? (type && !/script/i.test(type) ? fail(type + ', not JavaScript') : run) : fail('HTTP ' + answer.status))();
          // (Not when the look was ended by a failure: its rejection is that.)
        }, () => settled || run())
        // The script tag refused (Trusted Types want a TrustedScriptURL for its src): said at once, as
        // the file's other failures are, not left as an unhandled rejection and a wait of 5 s.
        .catch((error: Error) => fail(error)());
    } catch (error) {
      fail(error as Error)();
    }
  });
