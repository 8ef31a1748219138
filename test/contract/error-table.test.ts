/**
 * One test per row of the API's error table (seed 003) and of the error rules
 * the contract adds: each row is reached and its status and body are checked
 * byte for byte.
 */
import { describe, expect, it } from 'vitest';
import { TOKEN_1, setup } from './helpers';
import type { Reply } from './helpers';

type Env = ReturnType<typeof setup>;

interface Row {
  status: number;
  error: string;
  when: string;
  reach: (env: Env) => Promise<Reply>;
}

const goodSale = { transaction_id: 'txn_row', amount_cents: 4900, customer_key: 'u_900' };

const rows: Row[] = [
  // 401
  { status: 401, error: 'Missing or invalid Authorization header', when: 'sale without an Authorization header', reach: (e) => e.call('/api/v1/track/sale', goodSale) },
  { status: 401, error: 'Missing or invalid Authorization header', when: 'refund with a Basic Authorization header', reach: (e) => e.call('/api/v1/track/refund', { transaction_id: 'x' }, { authorization: 'Basic abc' }) },
  { status: 401, error: 'Missing API token', when: 'sale with "Bearer " and only spaces after it', reach: (e) => e.call('/api/v1/track/sale', goodSale, { authorization: 'Bearer    ' }) },
  { status: 401, error: 'Invalid API token', when: 'sale with a token no program has', reach: (e) => e.sale(goodSale, 'tok_unknown') },
  { status: 401, error: 'Invalid API token', when: 'lead in server mode with an unknown token', reach: (e) => e.lead({ customer_key: 'u_900' }, { token: 'tok_unknown' }) },
  { status: 401, error: 'Missing or invalid Authorization header', when: 'lead with a non-Bearer Authorization header', reach: (e) => e.lead({ customer_key: 'u_900' }, { authorization: 'Token abc' }) },
  // click 400
  { status: 400, error: 'affiliate_url is required', when: 'click without affiliate_url', reach: (e) => e.call('/api/v1/track/click', { page_url: 'https://shop.test/' }) },
  { status: 400, error: 'affiliate_url is required', when: 'click with a numeric affiliate_url', reach: (e) => e.call('/api/v1/track/click', { affiliate_url: 42 }) },
  { status: 400, error: 'Invalid affiliate_url', when: 'click with a relative affiliate_url', reach: (e) => e.call('/api/v1/track/click', { affiliate_url: '/landing?aff=PARTNER123' }) },
  { status: 400, error: 'No aff parameter found in affiliate_url', when: 'click whose URL has no aff', reach: (e) => e.call('/api/v1/track/click', { affiliate_url: 'https://shop.test/?ref=PARTNER123' }) },
  { status: 400, error: 'No aff parameter found in affiliate_url', when: 'click whose aff is empty', reach: (e) => e.call('/api/v1/track/click', { affiliate_url: 'https://shop.test/?aff=' }) },
  { status: 400, error: 'Referral link not found', when: 'click with an unknown aff', reach: (e) => e.click('NOSUCHLINK') },
  { status: 400, error: 'Invalid referral link configuration', when: 'click on a link without partner', reach: (e) => e.click('NOPARTNER') },
  { status: 400, error: 'Invalid referral link configuration', when: 'click on a link without program', reach: (e) => e.click('NOPROGRAM') },
  // lead 400
  { status: 400, error: 'click_id or customer_key is required', when: 'lead with neither identifier', reach: (e) => e.lead({ email: 'a@b.test' }) },
  { status: 400, error: 'Customer not found. Provide a valid click_id or customer_key.', when: 'lead with unknown identifiers', reach: (e) => e.lead({ click_id: 'cust_1_1', customer_key: 'nobody' }) },
  { status: 400, error: 'Customer does not belong to this program', when: 'server-mode lead for another program\'s customer', reach: (e) => e.lead({ click_id: 'cust_904_1' }, { token: TOKEN_1 }) },
  { status: 400, error: 'Customer status cannot be updated to lead. Current status: lead', when: 'lead for a customer already a lead', reach: (e) => e.lead({ click_id: 'cust_901_1' }) },
  {
    status: 400,
    error: 'Customer status cannot be updated to lead. Current status: conversion',
    when: 'lead for a customer who already bought',
    reach: async (e) => {
      expect((await e.sale({ transaction_id: 'txn_before_lead', amount_cents: 100, click_id: 'cust_900_1' })).status).toBe(200);
      return e.lead({ click_id: 'cust_900_1' });
    },
  },
  // sale 400/409/500
  { status: 400, error: 'transaction_id is required and must be a string', when: 'sale without transaction_id', reach: (e) => e.sale({ amount_cents: 100, customer_key: 'u_900' }) },
  { status: 400, error: 'transaction_id is required and must be a string', when: 'sale with a numeric transaction_id', reach: (e) => e.sale({ transaction_id: 123, amount_cents: 100, customer_key: 'u_900' }) },
  { status: 400, error: 'amount_cents is required and must be a positive integer', when: 'sale without amount_cents', reach: (e) => e.sale({ transaction_id: 't', customer_key: 'u_900' }) },
  { status: 400, error: 'amount_cents is required and must be a positive integer', when: 'sale with amount_cents 0', reach: (e) => e.sale({ transaction_id: 't', amount_cents: 0, customer_key: 'u_900' }) },
  { status: 400, error: 'amount_cents is required and must be a positive integer', when: 'sale with a fractional amount_cents', reach: (e) => e.sale({ transaction_id: 't', amount_cents: 49.5, customer_key: 'u_900' }) },
  { status: 400, error: 'amount_cents is required and must be a positive integer', when: 'sale with amount_cents as a string', reach: (e) => e.sale({ transaction_id: 't', amount_cents: '4900', customer_key: 'u_900' }) },
  {
    status: 409,
    error: 'Duplicate transaction_id. This sale has already been recorded.',
    when: 'sale repeating a transaction_id recorded in another program',
    reach: async (e) => {
      expect((await e.sale({ transaction_id: 'txn_shared', amount_cents: 100, customer_key: 'u_904' }, 'tok_program_two')).status).toBe(200);
      return e.sale({ transaction_id: 'txn_shared', amount_cents: 100, customer_key: 'u_900' });
    },
  },
  { status: 400, error: 'Customer not found. Provide customer_key or click_id.', when: 'sale for an unknown customer', reach: (e) => e.sale({ transaction_id: 't', amount_cents: 100, customer_key: 'nobody', click_id: 'cust_0_0' }) },
  { status: 400, error: 'Customer not found. Provide customer_key or click_id.', when: 'sale without any customer identifier', reach: (e) => e.sale({ transaction_id: 't', amount_cents: 100 }) },
  { status: 400, error: 'No affiliate attribution found for this customer in this program', when: 'sale for another program\'s customer', reach: (e) => e.sale({ transaction_id: 't', amount_cents: 100, click_id: 'cust_904_1' }) },
  { status: 400, error: 'No partner-program relationship found for this customer', when: 'sale for a customer without partner-program relationship', reach: (e) => e.sale({ transaction_id: 't', amount_cents: 100, customer_key: 'u_902' }) },
  { status: 400, error: 'partnerId required to create commission', when: 'sale for a customer without partner', reach: (e) => e.sale({ transaction_id: 't', amount_cents: 100, customer_key: 'u_903' }) },
  {
    status: 500,
    error: 'Failed to create commission',
    when: 'commission creation fails after the sale is written',
    reach: (e) => {
      e.faults({ commission: true });
      return e.sale(goodSale);
    },
  },
  // refund
  { status: 400, error: 'transaction_id is required', when: 'refund without transaction_id', reach: (e) => e.refund({ refund_amount_cents: 100 }) },
  { status: 400, error: 'refund_amount_cents must be a positive integer', when: 'refund with a negative amount', reach: (e) => e.refund({ transaction_id: 't', refund_amount_cents: -5 }) },
  { status: 400, error: 'refund_amount_cents must be a positive integer', when: 'refund with a string amount', reach: (e) => e.refund({ transaction_id: 't', refund_amount_cents: '100' }) },
  { status: 404, error: 'Sale not found for transaction_id', when: 'refund of an unknown transaction', reach: (e) => e.refund({ transaction_id: 'never_sold' }) },
  // 500 per handler
  ...(['click', 'lead', 'sale', 'refund'] as const).map((route): Row => ({
    status: 500,
    error: `${route[0]!.toUpperCase()}${route.slice(1)} tracking failed`,
    when: `the ${route} handler throws`,
    reach: (e) => {
      e.faults({ [route]: true });
      const bodies = {
        click: () => e.click('PARTNER123'),
        lead: () => e.lead({ click_id: 'cust_900_1' }),
        sale: () => e.sale(goodSale),
        refund: () => e.refund({ transaction_id: 'txn_row' }),
      };
      return bodies[route]();
    },
  })),
  // general rules
  { status: 400, error: 'Invalid JSON body', when: 'a body that is not JSON', reach: (e) => e.call('/api/v1/track/click', undefined, { raw: '{"affiliate_url":' }) },
  { status: 400, error: 'Invalid JSON body', when: 'a JSON array body', reach: (e) => e.call('/api/v1/track/sale', undefined, { raw: '[1,2]', token: TOKEN_1 }) },
  { status: 400, error: 'Invalid JSON body', when: 'a JSON null body', reach: (e) => e.call('/api/v1/track/lead', undefined, { raw: 'null' }) },
  { status: 400, error: 'Invalid JSON body', when: 'an empty body', reach: (e) => e.call('/api/v1/track/refund', undefined, { raw: '', token: TOKEN_1 }) },
  { status: 413, error: 'Request body too large', when: 'a body over 64 KiB', reach: (e) => e.call('/api/v1/track/click', { affiliate_url: `https://shop.test/?aff=PARTNER123&pad=${'x'.repeat(65 * 1024)}` }) },
  { status: 404, error: 'Not found', when: 'an unknown route', reach: (e) => e.call('/api/v1/track/signup', {}) },
  { status: 404, error: 'Not found', when: 'a route with a trailing segment', reach: (e) => e.call('/api/v1/track/click/extra', {}) },
  { status: 405, error: 'Method not allowed', when: 'GET on the click route', reach: (e) => e.call('/api/v1/track/click', undefined, { method: 'GET' }) },
  { status: 405, error: 'Method not allowed', when: 'PUT on the sale route', reach: (e) => e.call('/api/v1/track/sale', goodSale, { method: 'PUT', token: TOKEN_1 }) },
  { status: 405, error: 'Method not allowed', when: 'POST on /_inspect', reach: (e) => e.call('/_inspect', {}) },
];

describe('error table', () => {
  it.each(rows)('answers $status "$error" for $when', async (row) => {
    const reply = await row.reach(setup());
    expect(reply.status).toBe(row.status);
    expect(reply.body).toStrictEqual({ error: row.error });
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
  });
});
