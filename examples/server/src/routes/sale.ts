/** POST /api/v1/track/sale — Bearer required. */
import { MESSAGES, fail, ok } from '../errors';
import type { Answer } from '../errors';
import { currencyCode } from '../currency';
import type { Program, Sale } from '../types';
import type { RouteContext } from './context';
import { additionalData, customerKeyOf, isPositiveInteger, isTestMode, roundCents, text } from './context';

const DAY_MS = 86_400_000;

export function trackSale(ctx: RouteContext): Answer {
  const program = ctx.program;
  if (!program) throw new Error('sale route reached without an authenticated program');
  return isTestMode(ctx.body) ? testSale(ctx, program) : realSale(ctx, program);
}

/**
 * What the store keeps of a sale, in one object: the route's own values and the body's optional
 * ones. Not a spread of the body's fields with the route's added: with the spread, about 1.7 KB
 * per sale outlived V8's young generation (1.15 MB copied per scavenge against 46 KB now, and
 * 3.8 against 1.3 ms of pause), and the sale load ran at 12.1k against 15.3k req/s.
 */
function saleFields(
  ctx: RouteContext,
  program: Program,
  own: Pick<Sale, 'transaction_id' | 'amount_cents' | 'customer_id' | 'partner_id' | 'test_mode'>,
): Omit<Sale, 'id' | 'refunded_cents' | 'commission_id'> {
  const { body, now } = ctx;
  return {
    program_id: program.id,
    currency: currencyCode(body.currency),
    sale_type: text(body.sale_type),
    line_items: body.line_items ?? null,
    is_recurring: body.is_recurring === true,
    subscription_id: text(body.subscription_id),
    subscription_interval: text(body.subscription_interval),
    product_id: text(body.product_id),
    additional_data: additionalData(body),
    request_id: ctx.requestId,
    created_at: now,
    transaction_id: own.transaction_id,
    amount_cents: own.amount_cents,
    customer_id: own.customer_id,
    partner_id: own.partner_id,
    test_mode: own.test_mode,
  };
}

/** A field a test sale may leave out: absent, or `null` as many serializers write an unset one. */
const omitted = (value: unknown) => value === undefined || value === null;

function testSale(ctx: RouteContext, program: Program): Answer {
  const { body, store, now } = ctx;
  // Test mode may leave transaction_id and amount_cents out, but what it is given is checked as in
  // live mode: a test sale of 49.99 or of a numeric id must fail now, not pass and fail live.
  const given = text(body.transaction_id);
  if (given === null && !omitted(body.transaction_id)) return fail(400, MESSAGES.saleTransactionIdRequired);
  if (!omitted(body.amount_cents) && !isPositiveInteger(body.amount_cents)) return fail(400, MESSAGES.saleAmountInvalid);
  let transactionId = given ?? `test_txn_${now}`;
  if (given !== null && store.hasTransaction(given)) return fail(409, MESSAGES.saleDuplicate);
  for (let n = 2; store.hasTransaction(transactionId); n++) transactionId = `test_txn_${now}_${n}`;
  const sale = store.addSale(
    saleFields(ctx, program, {
      transaction_id: transactionId,
      amount_cents: isPositiveInteger(body.amount_cents) ? body.amount_cents : 0,
      customer_id: null,
      partner_id: null,
      test_mode: true,
    }),
  );
  ctx.recordedTest = true;
  return ok({
    success: true,
    message: 'Test sale event tracked successfully',
    data: { eventId: sale.id, programId: program.id, test_mode: true },
  });
}

function realSale(ctx: RouteContext, program: Program): Answer {
  const { body, store, now } = ctx;
  const transactionId = body.transaction_id;
  if (typeof transactionId !== 'string' || transactionId === '') return fail(400, MESSAGES.saleTransactionIdRequired);
  const amount = body.amount_cents;
  if (!isPositiveInteger(amount)) return fail(400, MESSAGES.saleAmountInvalid);
  if (store.hasTransaction(transactionId)) return fail(409, MESSAGES.saleDuplicate);

  const customerKey = customerKeyOf(body);
  const clickId = text(body.click_id);
  // The key within this program first, then the click id. Merchants choose their keys ('42', an
  // email), so another program may hold the same one: only when the click id finds nobody either
  // does that other customer answer, as "attributed to another program".
  const customer =
    (customerKey === null ? undefined : store.customerByKeyIn(customerKey, program.id)) ??
    (clickId === null ? undefined : store.customerByClickId(clickId)) ??
    (customerKey === null ? undefined : store.customerByKey(customerKey));
  if (!customer) return fail(400, MESSAGES.saleCustomerNotFound);
  if (customer.program_id !== program.id) return fail(400, MESSAGES.saleNoAttribution);
  if (!customer.partner_program) return fail(400, MESSAGES.saleNoPartnerProgram);
  const partnerId = customer.partner_id;
  if (partnerId === null) return fail(400, MESSAGES.salePartnerRequired);

  const sale: Sale = store.addSale(
    saleFields(ctx, program, { transaction_id: transactionId, amount_cents: amount, customer_id: customer.id, partner_id: partnerId, test_mode: false }),
  );
  customer.status = 'conversion';

  const windowExpired = now - customer.clicked_at > program.attribution_window_days * DAY_MS;
  if (windowExpired) {
    return ok({ success: true, sale_id: sale.id, commission_id: null, message: 'Sale tracked successfully' });
  }
  if (store.faults.commission) return fail(500, MESSAGES.saleCommissionFailed);
  const commission = store.addCommission(sale, {
    program_id: program.id,
    partner_id: partnerId,
    customer_id: customer.id,
    rate: program.commission_rate,
    amount_cents: roundCents(amount * program.commission_rate),
    test_mode: false,
    created_at: now,
  });
  return ok({ success: true, sale_id: sale.id, commission_id: commission.id, message: 'Sale tracked successfully' });
}
