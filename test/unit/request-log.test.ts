/** The reference server's log of the latest API calls (examples/server/src/request-log.ts), as the dashboard lists it. */
import { describe, expect, it } from 'vitest';
import { renderFragment } from '../../examples/server/src/dashboard/html';
import { RequestLog } from '../../examples/server/src/request-log';
import type { CallRecord } from '../../examples/server/src/request-log';

const call = (path: string, at: number, fields: Partial<CallRecord> = {}): CallRecord => ({
  at,
  method: 'GET',
  path,
  status: 200,
  error: null,
  error_code: null,
  request_id: `req_${at}`,
  origin: null,
  cors_refusal: null,
  test_mode: false,
  ...fields,
});

describe('the request log', () => {
  it('keeps the latest calls, oldest first, in a ring of its size', () => {
    const log = new RequestLog(3);
    for (let at = 1; at <= 5; at++) log.add(call(`/api/v1/track/${at}`, at));
    expect(log.list().map((entry) => [entry.seq, entry.path])).toEqual([
      [3, '/api/v1/track/3'],
      [4, '/api/v1/track/4'],
      [5, '/api/v1/track/5'],
    ]);
    expect(log.total).toBe(5);
  });

  it('counts the same call repeated in a row in one entry, so a poll cannot push the other calls out', () => {
    const log = new RequestLog(3);
    log.add(call('/api/v1/track/lead', 1, { method: 'POST', status: 400, error: 'Customer not found.' }));
    for (let at = 2; at <= 60; at++) log.add(call('/api/v1/programs/me/readiness', at));
    const [lead, poll] = log.list();
    expect(log.list()).toHaveLength(2);
    expect(lead).toMatchObject({ seq: 1, calls: 1, error: 'Customer not found.', request_id: 'req_1' });
    // The latest poll's time and request id; every call still counted.
    expect(poll).toMatchObject({ seq: 60, calls: 59, at: 60, request_id: 'req_60', path: '/api/v1/programs/me/readiness' });
    expect(log.total).toBe(60);
  });

  it("keeps the request ids of a repeated call's earlier tries, the latest 20, so each failed try can be found by its id", () => {
    const log = new RequestLog(3);
    for (let at = 1; at <= 3; at++) log.add(call('/api/v1/track/lead', at, { method: 'POST', status: 400, error: 'Customer not found.' }));
    expect(log.list()[0]).toMatchObject({ calls: 3, request_id: 'req_3', earlier_request_ids: ['req_1', 'req_2'] });
    for (let at = 4; at <= 30; at++) log.add(call('/api/v1/track/lead', at, { method: 'POST', status: 400, error: 'Customer not found.' }));
    const [entry] = log.list();
    expect(entry!.earlier_request_ids).toEqual(Array.from({ length: 20 }, (_, i) => `req_${i + 10}`));
    const html = renderFragment({ chains: [], customerCount: 0, tests: [] }, log.list());
    expect(html).toContain('<code>req_29</code>');
    expect(html).toContain('9 older not kept');
    expect(html).not.toContain('<code>req_9</code>');
  });

  it('starts a new entry when anything but the time and request id differs, or another call came between', () => {
    const log = new RequestLog(10);
    log.add(call('/a', 1));
    log.add(call('/a', 2, { status: 500, error: 'Internal server error' }));
    log.add(call('/a', 3, { origin: 'https://shop.test' }));
    log.add(call('/a', 4, { test_mode: true }));
    log.add(call('/a', 4, { origin: 'https://shop.test', cors_refusal: 'No CORS headers' }));
    log.add(call('/a', 5, { method: 'POST' }));
    log.add(call('/b', 6));
    log.add(call('/a', 7));
    expect(log.list().map((entry) => entry.calls)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('hands out copies: changing one does not change the log', () => {
    const log = new RequestLog(3);
    log.add(call('/a', 1));
    log.list()[0]!.calls = 99;
    log.add(call('/a', 2));
    expect(log.list()[0]!.calls).toBe(2);
    // A list taken earlier keeps what it showed while like calls go on merging into the entry.
    const earlier = log.list();
    earlier[0]!.earlier_request_ids.push('changed');
    log.add(call('/a', 3));
    expect(earlier[0]).toMatchObject({ calls: 2, request_id: 'req_2', earlier_request_ids: ['req_1', 'changed'] });
    expect(log.list()[0]).toMatchObject({ calls: 3, request_id: 'req_3', earlier_request_ids: ['req_1', 'req_2'] });
  });

  it('shows a repeated call once on the dashboard, with its count', () => {
    const log = new RequestLog(3);
    for (let at = 1; at <= 12; at++) log.add(call('/api/v1/programs/me/readiness', at));
    const html = renderFragment({ chains: [], customerCount: 0, tests: [] }, log.list());
    const rows = html.slice(html.indexOf('Latest requests')).match(/<tr[ >].*?<\/tr>/g)!.filter((row) => row.includes('readiness'));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain('×12 in a row, the latest shown');
    expect(rows[0]).toContain('req_12');
    // Calls 1 to 12: the page's script counts the calls a growing row adds since its last look.
    expect(rows[0]).toMatch(/^<tr data-call="1" data-seq="12"[ >]/);
  });
});
