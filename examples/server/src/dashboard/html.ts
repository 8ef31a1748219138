/**
 * The dashboard as HTML: a plain table that reads without JavaScript, and the token form.
 * Every value from a request (URLs, keys, emails, messages) is escaped: the page shows
 * what any caller sent.
 */
import { minorDigits, toMainUnit } from '../currency';
import type { LoggedRequest } from '../request-log';
import type { Chain, DashboardData, SaleLink, TestEvent } from './chains';
import type { Partner } from '../types';

export const SCRIPT_PATH = '/_dashboard/dashboard.js';
export const FRAGMENT_PATH = '/_dashboard/fragment';
/**
 * How many clicks a row lists, the latest: anyone can add clicks to a customer (a click naming
 * its `existing_click_id`), and a row listing them all made the page, fetched every second, grow without bound.
 */
export const SHOWN_CLICKS = 10;
/**
 * How many sales a row lists (the latest, each with its commission and refunds), and refunds of
 * each: a load test's sales for one click id, or a handler refunding the same sale again and again,
 * made one row of megabytes, rendered again at each refresh while the calls under test waited.
 */
export const SHOWN_SALES = 10;
export const SHOWN_REFUNDS = 10;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * How much of one value the page shows. Any caller can send tens of KB in a field (a browser lead's
 * key and email), escaped to four times as many bytes: ten such leads made the page, fetched every
 * second while open, megabytes, and held the server's one thread for seconds at each refresh,
 * stalling the calls of the integration under test. /_inspect answers the values whole.
 */
export const SHOWN_CHARACTERS = 300;

/**
 * Direction marks, embeddings and isolates (Unicode's Bidi_Control: U+061C, U+200E, U+200F, U+202A
 * to U+202E, U+2066 to U+2069): shown as they are, they turn the text after them around, so a call
 * to `/api/v1/track/\u202Eelas` read as one to `/sale`, and a key `user\u061C 1001 2002` as
 * `user 2002 1001`. Each is shown as U+FFFD.
 */
const DIRECTION_MARKS = /\p{Bidi_Control}/gu;

/** A value as the page shows it: its first SHOWN_CHARACTERS characters, direction marks made visible, escaped. */
export function escapeHtml(value: unknown): string {
  const text = String(value);
  const shown = text.length > SHOWN_CHARACTERS ? `${text.slice(0, SHOWN_CHARACTERS)}…` : text;
  return shown.replace(DIRECTION_MARKS, '\uFFFD').replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** `2026-03-01 12:00:00.123Z`: UTC, to the millisecond, as in /_inspect. */
export function time(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ');
}

const money = (minor: number, currency = 'USD') => `${toMainUnit(minor, currency).toFixed(minorDigits(currency))} ${escapeHtml(currency)}`;
/**
 * A caller's text (an email, a name, a message quoting a value), isolated: its letters of a
 * right-to-left script would otherwise carry the text after them into their run, so a sale read
 * `txn_<Hebrew> 49.00 USD` as `txn_49.00 <Hebrew> USD`. `code` is isolated by the page's style.
 */
const text = (value: unknown) => `<bdi>${escapeHtml(value)}</bdi>`;
const code = (value: string | null | undefined) => (value ? `<code>${escapeHtml(value)}</code>` : '—');
const testFlag = (testMode: boolean) => (testMode ? ' <mark class="test">test mode</mark>' : '');
const list = (items: string[]) => (items.length === 0 ? '—' : `<ul>${items.map((item) => `<li>${item}</li>`).join('')}</ul>`);
const requestId = (id: string) => `<br><small>request ${code(id)}</small>`;

function saleItem({ sale }: SaleLink): string {
  return `${code(sale.transaction_id)} ${money(sale.amount_cents, sale.currency)}${testFlag(sale.test_mode)}<br><time>${time(sale.created_at)}</time>${requestId(sale.request_id)}`;
}

/** `current` is the row's partner: a commission earned by another one (before a later click moved the customer) names it. */
function commissionItem({ sale, commission, partner }: SaleLink, current: Partner | undefined): string {
  if (!commission) return `${code(sale.transaction_id)}: no commission`;
  const deducted = commission.deducted_cents > 0 ? `, ${money(commission.deducted_cents, sale.currency)} taken back` : '';
  const earner = partner && partner.id !== current?.id ? ` to ${text(partner.name)} <small>#${partner.id}</small>` : '';
  return `${code(sale.transaction_id)}: ${money(commission.amount_cents, sale.currency)}${earner} <span class="status">${escapeHtml(commission.status)}</span>${deducted}`;
}

/** The line that stands for `count` earlier `noun`s (`of` what) a list does not show. */
const notShown = (count: number, noun: string, of = '') => `<small>${count} earlier ${noun}${count === 1 ? '' : 's'}${of} not shown</small>`;

/** The latest `shown` of `items` as `item` makes them, after a line for the earlier ones. */
function latest<T>(items: T[], shown: number, item: (value: T) => string, noun: string, of?: string): string[] {
  const listed = items.slice(-shown).map(item);
  return items.length > shown ? [notShown(items.length - shown, noun, of), ...listed] : listed;
}

function refundItems({ sale, refunds }: SaleLink): string[] {
  return latest(
    refunds,
    SHOWN_REFUNDS,
    (r) =>
      `${code(r.transaction_id)} <span class="status">${escapeHtml(r.status)}</span> ${r.refund_amount_cents === null ? 'full' : money(r.refund_amount_cents, sale.currency)}` +
      `${testFlag(r.test_mode)}<br><time>${time(r.created_at)}</time>${requestId(r.request_id)}`,
    'refund',
    ` of ${code(sale.transaction_id)}`,
  );
}

/** The refunds of the sales a row lists, after a line for those of the earlier sales it does not. */
function refundsOfShownSales(sales: SaleLink[]): string[] {
  const hidden = sales.slice(0, -SHOWN_SALES).reduce((count, link) => count + link.refunds.length, 0);
  const listed = sales.slice(-SHOWN_SALES).flatMap(refundItems);
  return hidden > 0 ? [`<small>${hidden} refund${hidden === 1 ? '' : 's'} of the earlier sales not shown</small>`, ...listed] : listed;
}

/**
 * A seeded customer's click id has no click event: without this item its row showed no click id
 * at all, though its lead and sales name that one. Its time is the seed's `clicked_at` while no
 * click came since (a later click moves `clicked_at`, and is listed with its own time).
 */
function seededClickItem({ customer, firstClickId: seeded, clicks }: Chain): string | undefined {
  if (clicks.some((c) => c.click_id === seeded)) return undefined;
  return `${code(seeded)} <small>from the seed</small>${clicks.length === 0 ? `<br><time>${time(customer.clicked_at)}</time>` : ''}`;
}

function clickItems(chain: Chain): string[] {
  const { clicks } = chain;
  const items = clicks
    .slice(-SHOWN_CLICKS)
    .map((c) => `${code(c.click_id)} via ${code(c.short_link)}${testFlag(c.test_mode)}<br><time>${time(c.created_at)}</time>${requestId(c.request_id)}`);
  const seeded = seededClickItem(chain);
  const hidden = clicks.length - items.length;
  if (hidden === 0) return seeded === undefined ? items : [seeded, ...items];
  // The seeded click, the earliest, is then among those not shown.
  return [notShown(hidden + (seeded === undefined ? 0 : 1), 'click'), ...items];
}

function chainRow(chain: Chain): string {
  const { customer, partner } = chain;
  const who = [customer.customer_key ? `key ${code(customer.customer_key)}` : '', customer.email ? text(customer.email) : '']
    .filter(Boolean)
    .join('<br>');
  const cells = [
    // The program too: a partner may promote several of a seed's programs, and its name alone did not say which one a customer came through.
    `#${customer.id} <span class="status">${escapeHtml(customer.status)}</span> <small>program #${customer.program_id}</small>${who ? `<br>${who}` : ''}`,
    partner ? `${text(partner.name)} <small>#${partner.id}</small>` : '—',
    list(clickItems(chain)),
    list(chain.leads.map((l) => `${escapeHtml(l.mode)}${testFlag(l.test_mode)}<br><time>${time(l.created_at)}</time>${requestId(l.request_id)}`)),
    list(latest(chain.sales, SHOWN_SALES, saleItem, 'sale')),
    list(latest(chain.sales, SHOWN_SALES, (link) => commissionItem(link, partner), 'sale')),
    list(refundsOfShownSales(chain.sales)),
  ];
  return `<tr data-customer="${customer.id}">${cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>`;
}

/**
 * What a test event was about, as its customer's row would show it: test events belong to no
 * customer, and with the kind, time and request id alone a merchant checking a test sale could
 * not tell it (its transaction id, its amount) from the others.
 */
function testDetails(test: TestEvent): string {
  switch (test.kind) {
    case 'click':
      return `via ${code(test.event.short_link)}`;
    case 'lead':
      return [test.event.customer_key ? `key ${code(test.event.customer_key)}` : '', test.event.email ? text(test.event.email) : '', test.event.click_id ? code(test.event.click_id) : '']
        .filter(Boolean)
        .join('<br>');
    case 'sale':
      return `${code(test.event.transaction_id)} ${money(test.event.amount_cents, test.event.currency)}`;
    case 'refund': {
      const { event, sale } = test;
      return `${code(event.transaction_id)} <span class="status">${escapeHtml(event.status)}</span> ${event.refund_amount_cents === null ? 'full' : money(event.refund_amount_cents, sale?.currency)}`;
    }
  }
}

function testRow(test: TestEvent): string {
  const { kind, event } = test;
  return `<tr><td>${kind}</td><td><time>${time(event.created_at)}</time></td><td>program #${event.program_id}</td><td>${testDetails(test)}</td><td>${code(event.request_id)}</td></tr>`;
}

/** The request ids of a repeated call's earlier tries, folded: one of them is what a merchant may search for. */
function earlierIds(r: LoggedRequest): string {
  const ids = r.earlier_request_ids;
  if (!ids.length) return '';
  const dropped = r.calls - 1 - ids.length;
  return `<details><summary>earlier</summary>${dropped ? `<small>${dropped} older not kept</small><br>` : ''}${ids.map(code).reverse().join('<br>')}</details>`;
}

function requestRow(r: LoggedRequest): string {
  // A CORS refusal fails the call in the page whatever its status.
  const failed = r.status === null || r.status >= 400 || r.error !== null || r.cors_refusal !== null;
  const refusal = r.cors_refusal === null ? '' : `<br><small class="error">${text(r.cors_refusal)}</small>`;
  return (
    `<tr data-call="${r.seq - r.calls + 1}" data-seq="${r.seq}"${failed ? ' class="failed"' : ''}><td><time>${time(r.at)}</time></td><td>${escapeHtml(r.method)} ${code(r.path)}${r.calls > 1 ? ` <small>×${r.calls} in a row, the latest shown</small>` : ''}</td>` +
    `<td>${r.status === null ? 'no answer (dropped)' : r.status}</td><td>${r.error === null ? '' : text(r.error)}${r.error_code === null ? '' : ` ${code(r.error_code)}`}</td>` +
    `<td>${code(r.request_id)}${earlierIds(r)}</td><td>${r.origin === null ? '' : code(r.origin)}${refusal}</td><td>${r.test_mode ? 'yes' : ''}</td></tr>`
  );
}

/** The part of the page that updates: the chains, the test events and the latest requests. */
export function renderFragment(data: DashboardData, requests: LoggedRequest[]): string {
  const shown = data.chains.length < data.customerCount ? ` (the ${data.chains.length} with the latest activity of ${data.customerCount})` : '';
  return `<section aria-labelledby="chains"><h2 id="chains">Customers${shown}</h2>
<table class="chains" aria-labelledby="chains"><thead><tr><th scope="col">Customer</th><th scope="col">Partner</th><th scope="col">Clicks</th><th scope="col">Lead</th><th scope="col">Sales</th><th scope="col">Commissions</th><th scope="col">Refunds</th></tr></thead>
<tbody>${data.chains.map(chainRow).join('\n') || '<tr><td colspan="7">No customers yet: land on a page with <code>?aff=</code>.</td></tr>'}</tbody></table></section>
<section aria-labelledby="requests"><h2 id="requests">Latest requests</h2>
<table class="requests" aria-labelledby="requests"><thead><tr><th scope="col">Time</th><th scope="col">Call</th><th scope="col">Status</th><th scope="col">Error</th><th scope="col">Request id</th><th scope="col">Origin</th><th scope="col">Test mode</th></tr></thead>
<tbody>${[...requests].reverse().map(requestRow).join('\n') || '<tr><td colspan="7">No requests yet.</td></tr>'}</tbody></table></section>
<section aria-labelledby="tests"><h2 id="tests">Test-mode events</h2>
<table class="tests" aria-labelledby="tests"><thead><tr><th scope="col">Event</th><th scope="col">Time</th><th scope="col">Program</th><th scope="col">What</th><th scope="col">Request id</th></tr></thead>
<tbody>${data.tests.map(testRow).join('\n') || '<tr><td colspan="5">None.</td></tr>'}</tbody></table></section>`;
}

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1b1b1b}
table{border-collapse:collapse;width:100%;margin-bottom:1.5rem}th,td{border:1px solid #ccc;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}ul{margin:0;padding-left:1rem}code{font-size:12px;unicode-bidi:isolate}code,bdi{overflow-wrap:anywhere}small{color:#555}.status{font-weight:600}
mark.test{background:#ffe58f;padding:0 .25rem}tr.failed td{background:#fff1f0}#live{color:#555}form label{display:block;margin:.5rem 0}
.error{color:#a8071a}`;

function page(title: string, main: string, status: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><h1>Affitor reference server</h1><p id="live">${status}</p>
<main id="dashboard">${main}</main>
<script src="${SCRIPT_PATH}"></script></body></html>`;
}

/** The page with its data (for a caller that sent the admin token). */
export function renderDashboard(fragment: string): string {
  return page('Affitor dashboard', fragment, 'Chains and the latest requests, as of this page load.');
}

/** The page without data: a form that asks for the admin token. */
export function renderTokenForm(wrongToken: boolean): string {
  const form = `<form method="post" action="/_dashboard" id="token-form">
<p>This dashboard shows the server's records. Enter the admin token (the seed's <code>admin_token</code>, <code>admin_dev_token</code> in the demo seed).
It is kept for this tab only.</p>
${wrongToken ? '<p class="error" role="alert">That is not the admin token.</p>' : ''}
<label>Admin token <input type="password" name="token" autocomplete="off" required></label>
<button type="submit">Show the dashboard</button></form>`;
  return page('Affitor dashboard: admin token', form, 'Admin token required.');
}
