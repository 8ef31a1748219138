/** POST /api/v1/track/refund — Bearer required. */
import { MESSAGES, fail, ok } from '../errors';
import type { Answer } from '../errors';
import { toMainUnit } from '../currency';
import type { RouteContext } from './context';
import { additionalData, isPositiveInteger, isTestMode, roundCents, text } from './context';

export function trackRefund(ctx: RouteContext): Answer {
  const { body, store, now, program } = ctx;
  if (!program) throw new Error('refund route reached without an authenticated program');
  const transactionId = text(body.transaction_id);
  if (transactionId === null) return fail(400, MESSAGES.refundTransactionIdRequired);
  // Present means present: an explicit null is not a positive integer, and never a full refund.
  const requested = body.refund_amount_cents;
  if (requested !== undefined && requested !== 0 && !isPositiveInteger(requested)) return fail(400, MESSAGES.refundAmountInvalid);
  const sale = store.saleInProgram(transactionId, program.id);
  // A refund in test mode (a test key's, or `additional_data.test_mode`) finds test sales only: it
  // must not reverse a real partner's commission.
  if (!sale || (isTestMode(body) && !sale.test_mode)) return fail(404, MESSAGES.refundSaleNotFound);

  const partial = typeof requested === 'number' && requested > 0 ? requested : null;
  ctx.recordedTest = sale.test_mode;
  const base = {
    sale_id: sale.id,
    transaction_id: sale.transaction_id,
    program_id: program.id,
    refund_amount_cents: partial,
    refund_reason: text(body.refund_reason),
    additional_data: additionalData(body),
    test_mode: sale.test_mode,
    request_id: ctx.requestId,
    created_at: now,
  };

  // Every refund counts in the sale's refunded_cents, commission or not (what /_inspect shows).
  const refundedTotal = partial === null ? sale.amount_cents : sale.refunded_cents + partial;
  sale.refunded_cents = Math.min(refundedTotal, sale.amount_cents);

  const commission = store.commission(sale.commission_id);
  if (!commission) {
    store.addRefund({ ...base, commission_id: null, deduction_cents: 0, status: 'no_commission' });
    return ok({ success: true, status: 'no_commission', message: 'Sale has no commission to reverse' });
  }
  if (commission.status === 'reversed') {
    store.addRefund({ ...base, commission_id: commission.id, deduction_cents: 0, status: 'skipped' });
    return ok({ success: true, status: 'skipped', reason: 'already reversed', commission_id: commission.id });
  }

  // The deduction so far is the commission's share of everything refunded, rounded once,
  // so that several partial refunds never drift from the share of their sum.
  const reverse = refundedTotal >= sale.amount_cents;
  const deductedTotal = reverse
    ? commission.amount_cents
    : roundCents((commission.amount_cents * refundedTotal) / sale.amount_cents);
  const deduction = deductedTotal - commission.deducted_cents;
  commission.deducted_cents = deductedTotal;
  const status = reverse ? 'reversed' : 'refunded';
  commission.status = status;
  store.addRefund({ ...base, commission_id: commission.id, deduction_cents: deduction, status });
  return ok({ success: true, status, deductionAmount: toMainUnit(deduction, sale.currency), commission_id: commission.id });
}
