import { describe, expect, it } from 'vitest';
import { setup } from './reference-server';

const sale = { invoiceId: 'ch_1', amount: 4900, customerExternalId: 'u_901' };
const lostAnswer = () => {
  throw new TypeError('fetch failed', { cause: new Error('socket hang up') });
};

describe('against the reference server, in-process', () => {
  it('tracks a click, a lead, a sale and a refund end to end', async () => {
    const { app, affitor } = setup();
    const click = await affitor.trackClick({ affiliateUrl: 'https://shop.test/?aff=PARTNER123' });
    expect(click.ok).toBe(true);
    const clickId = click.ok && 'click_id' in click.data ? click.data.click_id : '';
    expect(clickId).toMatch(/^cust_\d+_\d+$/);

    const lead = await affitor.trackLead({ clickId, customerExternalId: 'u_new', email: 'ada@example.com' });
    expect(lead).toMatchObject({ ok: true, status: 200, data: { success: true, message: 'Lead tracked successfully' } });

    const sold = await affitor.trackSale({ invoiceId: 'in_42', amount: 4900, customerExternalId: 'u_new', currency: 'EUR' });
    expect(sold).toMatchObject({ ok: true, status: 200, data: { success: true, message: 'Sale tracked successfully' } });

    const refunded = await affitor.trackRefund({ invoiceId: 'in_42', refundAmountCents: 1000 });
    expect(refunded).toMatchObject({ ok: true, data: { success: true, status: 'refunded' } });

    const state = app.inspect();
    expect(state.sales).toHaveLength(1);
    expect(state.sales[0]).toMatchObject({ transaction_id: 'in_42', amount_cents: 4900, currency: 'EUR' });
    expect(state.commissions).toHaveLength(1);
  });

  it('answers a second sale with the same invoice id as a duplicate, recording one sale', async () => {
    const { app, affitor } = setup();
    expect(await affitor.trackSale(sale)).toMatchObject({ ok: true, status: 200 });
    expect(await affitor.trackSale(sale)).toMatchObject({ ok: true, duplicate: true, status: 409, data: null, code: null });
    expect(app.inspect().sales).toHaveLength(1);
  });

  it('records one sale when many webhook redeliveries arrive at once', async () => {
    const { app, affitor } = setup();
    const results = await Promise.all(Array.from({ length: 10 }, () => affitor.trackSale(sale)));
    expect(results.every((result) => result.ok)).toBe(true);
    expect(results.filter((result) => result.ok && !result.duplicate)).toHaveLength(1);
    expect(app.inspect().sales).toHaveLength(1);
  });

  it('sends one X-Request-ID per call, reused on retries, and gets it echoed back', async () => {
    const { fetch, affitor } = setup({ hooks: { after: (n, response) => (n === 0 ? lostAnswer() : response) } });
    const result = await affitor.trackRefund({ invoiceId: 'nope' });
    expect(fetch.requestIds).toHaveLength(2);
    expect(fetch.requestIds[0]).toBe(fetch.requestIds[1]);
    expect(result.requestId).toBe(fetch.requestIds[0]);
  });

  describe('retries', () => {
    it('succeeds when the sale handler fails once and then recovers', async () => {
      const { app, fetch, affitor } = setup({
        hooks: { before: (n) => app.setFaults({ sale: n === 0 }) },
      });
      const result = await affitor.trackSale(sale);
      expect(result).toMatchObject({ ok: true, status: 200, attempts: 2 });
      expect(fetch.count()).toBe(2);
      expect(app.inspect().sales).toHaveLength(1);
    });

    it('gives up after maxRetries when the handler keeps failing', async () => {
      const { app, fetch, affitor } = setup({ maxRetries: 3 });
      app.setFaults({ refund: true });
      const result = await affitor.trackRefund({ invoiceId: 'ch_1' });
      expect(result).toMatchObject({ ok: false, status: 500, code: 'server', error: 'Refund tracking failed', attempts: 4 });
      expect(fetch.count()).toBe(4);
    });

    it('gets the first answer back after a lost answer: the retry carries the same Idempotency-Key', async () => {
      const { app, affitor } = setup({ hooks: { after: (n, response) => (n === 0 ? lostAnswer() : response) } });
      const result = await affitor.trackSale(sale);
      expect(result).toMatchObject({ ok: true, status: 200, data: { success: true, sale_id: 1, commission_id: 1 }, attempts: 2 });
      expect(result).not.toHaveProperty('duplicate');
      expect(app.inspect().sales).toHaveLength(1);
      expect(app.inspect().commissions).toHaveLength(1);
    });

    it('reports "Failed to create commission" on the retry, not a duplicate: the kept 500 is replayed, and not retried again', async () => {
      const { app, affitor } = setup();
      app.setFaults({ commission: true });
      const result = await affitor.trackSale(sale);
      expect(result).toMatchObject({ ok: false, status: 500, code: 'server', error: 'Failed to create commission', attempts: 2 });
      expect(app.inspect().sales).toHaveLength(1);
    });

    it('retries a sale whose answer was cut off: the first answer comes back, one sale', async () => {
      const cutOff = async (response: Response) => new Response((await response.text()).slice(0, 20), { status: response.status, headers: response.headers });
      const { app, affitor } = setup({ hooks: { after: (n, response) => (n === 0 ? cutOff(response) : response) } });
      const result = await affitor.trackSale(sale);
      expect(result).toMatchObject({ ok: true, status: 200, data: { success: true, sale_id: 1 }, attempts: 2 });
      expect(app.inspect().sales).toHaveLength(1);
    });

    it("names the key to resend a refund with when every answer was lost, and that resend is not applied twice", async () => {
      let lose = false;
      const { app, affitor } = setup({ hooks: { after: (_, response) => (lose ? lostAnswer() : response) } });
      await affitor.trackSale(sale);
      lose = true;
      const lost = await affitor.trackRefund({ invoiceId: 'ch_1', refundAmountCents: 1000 });
      expect(lost).toMatchObject({ ok: false, code: 'network' });
      const key = /send it again with idempotencyKey '([^']+)', which is answered, not applied twice$/.exec(lost.error ?? '')?.[1];
      expect(key).toBeTruthy();
      expect(app.inspect().refunds).toHaveLength(1);
      lose = false;
      expect(await affitor.trackRefund({ invoiceId: 'ch_1', refundAmountCents: 1000 }, { idempotencyKey: key })).toMatchObject({ ok: true, status: 200 });
      expect(app.inspect().refunds).toHaveLength(1);
      expect(app.inspect().commissions[0]).toMatchObject({ deducted_cents: 200 });
    });

    it('does not count a lead twice when its answer was lost: the retry reuses the event id', async () => {
      const { app, affitor } = setup({ hooks: { after: (n, response) => (n === 0 ? lostAnswer() : response) } });
      const result = await affitor.trackLead({ customerExternalId: 'u_900', clickId: 'cust_900_1' });
      expect(result).toMatchObject({ ok: true, status: 200, attempts: 2 });
      expect(app.inspect().leads).toHaveLength(1);
    });

    it('resolves a sale whose first attempt timed out after the server recorded it with the first answer', async () => {
      const { app, affitor } = setup({
        timeoutMs: 30,
        hooks: {
          // The scenario, not a wait: the first answer comes 200 ms late, past timeoutMs.
          after: (n, response) =>
            n === 0 ? new Promise<Response>((resolve) => setTimeout(() => resolve(response), 200)) : response,
        },
      });
      const result = await affitor.trackSale(sale);
      expect(result).toMatchObject({ ok: true, status: 200, data: { sale_id: 1 }, attempts: 2 });
      expect(app.inspect().sales).toHaveLength(1);
    });
  });

  describe('every error code', () => {
    it('unauthorized: an unknown API key', async () => {
      const result = await setup({ apiKey: 'aff_wrong' }).affitor.trackSale(sale);
      expect(result).toMatchObject({ ok: false, status: 401, code: 'unauthorized', attempts: 1 });
      expect(result.error).toBeTruthy();
    });

    it('validation: a sale for a customer the server does not know', async () => {
      const result = await setup().affitor.trackSale({ ...sale, customerExternalId: 'u_unknown' });
      expect(result).toMatchObject({
        ok: false,
        status: 400,
        code: 'validation',
        error: 'Customer not found. Provide customer_key or click_id.',
        attempts: 1,
      });
    });

    it('validation: a lead for a customer who is already a lead', async () => {
      const result = await setup().affitor.trackLead({ customerExternalId: 'u_901' });
      expect(result).toMatchObject({
        ok: false,
        status: 400,
        code: 'validation',
        error: 'Customer status cannot be updated to lead. Current status: lead',
      });
    });

    it('validation: a click through an inactive or unknown link', async () => {
      const { affitor } = setup();
      expect(await affitor.trackClick({ affiliateUrl: 'https://shop.test/?aff=INACTIVE1' })).toMatchObject({
        ok: false,
        status: 200,
        code: 'validation',
        error: 'Referral link is inactive',
      });
      expect(await affitor.trackClick({ affiliateUrl: 'https://shop.test/?aff=NOPE' })).toMatchObject({
        ok: false,
        status: 400,
        code: 'validation',
        error: 'Referral link not found',
      });
    });

    it('not_found: a refund for a sale that was never tracked', async () => {
      expect(await setup().affitor.trackRefund({ invoiceId: 'ch_unknown' })).toMatchObject({
        ok: false,
        status: 404,
        code: 'not_found',
        error: 'Sale not found for transaction_id',
        attempts: 1,
      });
    });

    it('rate_limited: 429 is retried, then reported', async () => {
      const { fetch, affitor } = setup({ apiKey: 'aff_slow_2' });
      await affitor.trackRefund({ invoiceId: 'ch_1' });
      const result = await affitor.trackRefund({ invoiceId: 'ch_1' });
      expect(result).toMatchObject({ ok: false, status: 429, code: 'rate_limited', error: 'Rate limit exceeded (1/min)', attempts: 3 });
      expect(fetch.count()).toBe(4);
    });

    it('server: a handler that keeps failing', async () => {
      const { app, affitor } = setup({ maxRetries: 0 });
      app.setFaults({ lead: true, click: true });
      expect(await affitor.trackLead({ clickId: 'cust_900_1' })).toMatchObject({ code: 'server', error: 'Lead tracking failed' });
      expect(await affitor.trackClick({ affiliateUrl: 'https://shop.test/?aff=PARTNER123' })).toMatchObject({
        code: 'server',
        error: 'Click tracking failed',
      });
    });

    it('network: every attempt loses its connection', async () => {
      const { affitor } = setup({ hooks: { after: lostAnswer } });
      expect(await affitor.trackSale(sale)).toMatchObject({
        ok: false,
        status: 0,
        code: 'network',
        error: 'fetch failed: socket hang up',
        attempts: 3,
      });
    });

    it('timeout: no attempt answers in time', async () => {
      const { affitor } = setup({
        timeoutMs: 20,
        // The scenario, not a wait: every answer comes 100 ms late, past timeoutMs.
        hooks: { after: (_, response) => new Promise<Response>((resolve) => setTimeout(() => resolve(response), 100)) },
      });
      expect(await affitor.trackRefund({ invoiceId: 'x' })).toMatchObject({ ok: false, status: 0, code: 'timeout', attempts: 3 });
    });

    it('invalid_response: a proxy in front of the API answers an HTML page', async () => {
      const { affitor } = setup({
        hooks: { after: () => new Response('<html>Please log in to the Wi-Fi</html>', { status: 200 }) },
      });
      expect(await affitor.trackRefund({ invoiceId: 'x' })).toMatchObject({ ok: false, status: 200, code: 'invalid_response' });
    });

    it('validation: a body the server finds too large (413)', async () => {
      const result = await setup().affitor.trackSale({ ...sale, additionalData: { blob: 'x'.repeat(70_000) } });
      expect(result).toMatchObject({ ok: false, status: 413, code: 'validation', error: 'Request body too large' });
    });
  });

  it('tracks test events with testMode', async () => {
    const { app, affitor } = setup();
    const result = await affitor.trackSale({ testMode: true });
    expect(result).toMatchObject({ ok: true, data: { message: 'Test sale event tracked successfully', data: { test_mode: true } } });
    expect(app.inspect().sales[0]).toMatchObject({ test_mode: true });
  });
});
