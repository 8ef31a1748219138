/**
 * GET /_dashboard — the server's records as a page a merchant keeps open: each customer's
 * chain and the latest requests. The admin token (as for /_inspect) is sent as a Bearer
 * header, or typed into the page's form; without it the page shows the form and no data.
 */
import type { PathHandlers } from '../app';
import { constantTimeEqual, readBearer } from '../auth';
import { dashboardData } from '../dashboard/chains';
import { FRAGMENT_PATH, SCRIPT_PATH, renderDashboard, renderFragment, renderTokenForm } from '../dashboard/html';
import { DASHBOARD_SCRIPT } from '../dashboard/script';
import { MESSAGES, fail } from '../errors';
import { jsonReply, readBodyCapped } from '../http';
import type { Reply } from '../http';
import type { RequestLog } from '../request-log';
import type { Store } from '../store';

/** No framing, no referrer, nothing loaded but this server's own script; never cached. */
const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
};

const html = (status: number, body: string): Reply => ({ status, headers: { ...PAGE_HEADERS }, body });

export function dashboardRoutes({ store, log }: { store: Store; log: RequestLog }): [string, PathHandlers][] {
  const isAdmin = (token: string | null) => token !== null && constantTimeEqual(token, store.adminToken);
  const bearer = (request: Request) => {
    const auth = readBearer(request.headers.get('authorization'));
    return auth.ok ? auth.token : null;
  };
  /**
   * Changes whenever the page would: every write comes from a logged call. The count alone
   * starts again at 0 with every server, and a tab left open across a restart (the same suite
   * run again, as many calls) was answered 304 and kept showing the previous run's records.
   */
  const run = globalThis.crypto.randomUUID().slice(0, 8);
  const etag = () => `W/"${run}-${log.total}"`;
  /**
   * The tables as of one state, made once for every tab that asks for it: each making reads every
   * record the server holds (dashboardData), and four tabs open on 250,000 requests, each asking
   * every second, held the event loop long enough to take a click's p99 from 0.4 s to 2.7 s.
   */
  let made: { tag: string; html: string } | undefined;
  const fragment = () => {
    const tag = etag();
    if (made?.tag !== tag) made = { tag, html: renderFragment(dashboardData(store), log.list()) };
    return made.html;
  };

  return [
    [
      '/_dashboard',
      {
        GET: ({ request }) => (isAdmin(bearer(request)) ? html(200, renderDashboard(fragment())) : html(401, renderTokenForm(false))),
        // The form, for a browser without JavaScript: the token travels in the body, never in the URL.
        POST: async ({ request }) => {
          const read = await readBodyCapped(request);
          const token = read.tooLarge ? null : new URLSearchParams(read.text).get('token')?.trim() ?? null;
          return isAdmin(token) ? html(200, renderDashboard(fragment())) : html(401, renderTokenForm(true));
        },
      },
    ],
    [
      FRAGMENT_PATH,
      {
        GET: ({ request }) => {
          if (!isAdmin(bearer(request))) return jsonReply(fail(401, MESSAGES.adminUnauthorized));
          const tag = etag();
          const headers = { ...PAGE_HEADERS, ETag: tag };
          if (request.headers.get('if-none-match') === tag) return { status: 304, headers, body: null };
          return { status: 200, headers, body: fragment() };
        },
      },
    ],
    [
      SCRIPT_PATH,
      { GET: () => ({ status: 200, headers: { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-cache' }, body: DASHBOARD_SCRIPT }) },
    ],
  ];
}
