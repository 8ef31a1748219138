/** POST /api/v1/track/click — public, browser route. */
import { affOfAffiliateUrl } from '../affiliate-url';
import { MESSAGES, fail, ok } from '../errors';
import type { Answer } from '../errors';
import type { ClickEvent, Partner, Program, ReferralLink } from '../types';
import type { RouteContext } from './context';
import { additionalData, eventIdOf, exactlyOnce, text, namedProgram, isTestMode } from './context';

/** What a click that passed its checks is recorded for: a test click, or a link's. */
type Target =
  | { affiliateUrl: string; aff: string | null; test: Program }
  | { affiliateUrl: string; aff: string; test?: undefined; link: ReferralLink; program: Program; partner: Partner };

/**
 * The checks come before the exactly-once step, which then runs in the program the click is
 * for: clicks carry no token (the server client's Bearer header is ignored here), and two
 * merchants may pick the same `event_id` (`landing_42`); a shared scope answered the second
 * program's click with the first one's click_id and recorded nothing for its partner.
 */
export function trackClick(ctx: RouteContext): Answer {
  const target = checkClick(ctx);
  if ('status' in target) return target;
  const program = target.test ?? target.program;
  return exactlyOnce('click', ctx, program.id, () => recordClick(ctx, target));
}

function checkClick(ctx: RouteContext): Target | Answer {
  const { body, store } = ctx;
  const affiliateUrl = body.affiliate_url;
  if (typeof affiliateUrl !== 'string') return fail(400, MESSAGES.clickAffiliateUrlRequired);
  const aff = affOfAffiliateUrl(affiliateUrl);
  if (aff === undefined) return fail(400, MESSAGES.clickAffiliateUrlInvalid);

  const test = isTestMode(body) ? namedProgram(ctx) : undefined;
  if (test) return { affiliateUrl, aff, test };

  if (aff === null || aff === '') return fail(400, MESSAGES.clickNoAffParameter);
  const link = store.links.get(aff);
  if (!link) return fail(400, MESSAGES.clickLinkNotFound);
  const program = link.program_id === null ? undefined : store.programs.get(link.program_id);
  const partner = store.partner(link.partner_id);
  if (!program || !partner) return fail(400, MESSAGES.clickLinkMisconfigured);
  if (link.status === 'inactive') return ok({ success: false, message: MESSAGES.clickLinkInactive });
  return { affiliateUrl, aff, link, program, partner };
}

/** What a click event holds besides the request's own fields. */
type ClickFields = Pick<ClickEvent, 'program_id' | 'customer_id' | 'partner_id' | 'short_link' | 'click_id' | 'test_mode'>;

/** Stores the click event of `target`, with the request's fields from `ctx`. */
function storeClickEvent(ctx: RouteContext, target: Target, event: ClickFields): ClickEvent {
  const { body, now } = ctx;
  return ctx.store.addClick((id) => ({
    id,
    program_id: event.program_id,
    customer_id: event.customer_id,
    partner_id: event.partner_id,
    short_link: event.short_link,
    click_id: event.click_id,
    test_mode: event.test_mode,
    affiliate_url: target.affiliateUrl,
    page_url: text(body.page_url),
    page_title: text(body.page_title),
    referrer_url: text(body.referrer_url),
    session_id: text(body.session_id),
    user_agent: text(body.user_agent),
    screen_resolution: text(body.screen_resolution),
    viewport_size: text(body.viewport_size),
    language: text(body.language),
    timezone: text(body.timezone),
    additional_data: additionalData(body),
    event_id: eventIdOf(body),
    request_id: ctx.requestId,
    created_at: now,
  }));
}

function recordClick(ctx: RouteContext, target: Target): Answer {
  const { body, store, now } = ctx;
  if (target.test) {
    ctx.recordedTest = true;
    const event = storeClickEvent(ctx, target, { program_id: target.test.id, customer_id: null, partner_id: null, short_link: target.aff, click_id: null, test_mode: true });
    return ok({
      success: true,
      message: 'Test click event tracked successfully',
      data: { eventId: event.id, programId: target.test.id, test_mode: true },
    });
  }

  const { link, program, partner } = target;
  const existingClickId = text(body.existing_click_id);
  const known = existingClickId === null ? undefined : store.customerByClickId(existingClickId);
  let customer;
  if (known && known.program_id === program.id) {
    store.reattribute(known, partner.id, now);
    customer = known;
  } else {
    customer = store.createCustomer(
      {
        customer_key: null,
        email: null,
        program_id: program.id,
        partner_id: partner.id,
        partner_program: true,
        status: 'click',
        clicked_at: now,
      },
      now,
    );
  }
  storeClickEvent(ctx, target, { program_id: program.id, customer_id: customer.id, partner_id: partner.id, short_link: link.short_link, click_id: customer.click_id, test_mode: false });
  return ok({
    success: true,
    click_id: customer.click_id,
    partner_code: link.short_link,
    cookie_window_days: program.cookie_window_days,
  });
}
