/** POST /api/v1/track/lead — browser mode, or server mode with a Bearer token. */
import { MESSAGES, fail, leadStatusMessage, ok } from '../errors';
import type { Answer } from '../errors';
import type { Customer } from '../types';
import type { RouteContext } from './context';
import { additionalData, customerKeyOf, eventIdOf, exactlyOnce, isTestMode, text, namedProgram } from './context';

/**
 * Event ids are kept per program: a Bearer lead's are its token's program's, a browser lead's the
 * program it names (apart from Bearer leads: no token proves the program).
 */
export function trackLead(ctx: RouteContext): Answer {
  const { program } = ctx;
  return exactlyOnce(program ? 'lead' : 'browser lead', ctx, (program ?? namedProgram(ctx))?.id ?? null, () => decideLead(ctx));
}

function decideLead(ctx: RouteContext): Answer {
  const { body, store, now, program } = ctx;
  const clickId = text(body.click_id);
  const customerKey = customerKeyOf(body);
  if (clickId === null && customerKey === null) return fail(400, MESSAGES.leadIdentifierRequired);

  const email = text(body.email);
  const clickIds = Array.isArray(body.click_ids) ? body.click_ids.filter((id): id is string => typeof id === 'string') : [];
  const record = (programId: number, customerId: number | null, testMode: boolean) =>
    store.addLead({
      program_id: programId,
      customer_id: customerId,
      mode: program ? 'server' : 'browser',
      click_id: clickId,
      customer_key: customerKey,
      email,
      click_ids: clickIds,
      page_url: text(body.page_url),
      session_id: text(body.session_id),
      additional_data: additionalData(body),
      event_id: eventIdOf(body),
      request_id: ctx.requestId,
      test_mode: testMode,
      created_at: now,
    });

  const testFor = isTestMode(body) ? (program ?? namedProgram(ctx)) : undefined;
  if (testFor) {
    ctx.recordedTest = true;
    const event = record(testFor.id, null, true);
    return ok({
      success: true,
      message: 'Test lead event tracked successfully',
      data: { eventId: event.id, programId: testFor.id, test_mode: true },
    });
  }

  const customer =
    (clickId === null ? undefined : store.customerByClickId(clickId)) ??
    (customerKey === null ? undefined : customerByKey(ctx, customerKey));
  if (!customer) return fail(400, MESSAGES.leadCustomerNotFound);
  if (program && customer.program_id !== program.id) return fail(400, MESSAGES.leadWrongProgram);
  if (customer.status !== 'click') return fail(400, leadStatusMessage(customer.status));

  if (customerKey !== null) store.bindCustomerKey(customer, customerKey);
  if (email !== null) customer.email = email;
  customer.status = 'lead';
  record(customer.program_id, customer.id, false);
  return ok({ success: true, message: 'Lead tracked successfully' });
}

/**
 * The customer a lead's key names. Merchants choose their keys ('42', an email), so they repeat
 * across programs: a browser lead that names its program (the SDK sends `program_id`) looks among
 * that program's customers only, or another program's customer would take its signup, email
 * included. A server-mode lead prefers its token's program and is refused for another's.
 */
function customerByKey(ctx: RouteContext, key: string): Customer | undefined {
  if (ctx.program) return ctx.store.customerByKey(key, ctx.program.id);
  const named = namedProgram(ctx);
  return named ? ctx.store.customerByKeyIn(key, named.id) : ctx.store.customerByKey(key);
}
