/** The last-touch rules, over plain data. */
import { isPlausibleId, readAff } from './values';

export const HISTORY_LIMIT = 20;

/**
 * Whether a landing with `aff` calls for a click request (the last-touch table): yes for a
 * first landing or a new partner; no without `?aff=`, or for the same partner as the stored
 * landing. A new partner's click carries the stored click id as `existing_click_id`.
 */
export const isNewLanding = (aff: string | null, clickId: string | null, affiliateUrl: string | null): boolean =>
  !!aff && !(clickId && readAff(affiliateUrl) == aff);

/**
 * Whether the landing `touch` (an id newEventId made, which begins with its time) is last touch
 * against `newest`, the touch cookie another tab may have written since: unless that one is later,
 * told by the ids' times (their first 8 characters, base 36 ms), one browser's clock. A touch later
 * than now (the clock set back since) is none, or it would refuse every landing until then; one of
 * the same millisecond is no later.
 */
export const standsAgainst = (newest: string, touch: string): boolean => newest <= touch.slice(0, 8) || newest > Date.now().toString(36);

/** Click-id history, oldest first, newest last, without repeats, at most 20. */
export const appendHistory = (history: readonly string[], clickId: string): string[] =>
  [...history.filter((id) => id != clickId), clickId].slice(-HISTORY_LIMIT);

/** The history cookie holds ids joined by `|`; anything that is not a plausible id is dropped. */
export const parseHistory = (value: string | null): string[] =>
  (value ?? '').split('|').filter(isPlausibleId).slice(-HISTORY_LIMIT);

/**
 * Lead refusals that are expected business outcomes, not failures: a lead already recorded,
 * or a visitor without attribution whose customer key the server does not know.
 */
export const isExpectedLeadRefusal = (message: string, hadClickId: boolean): boolean =>
  /cannot be updated to lead/.test(message) || (!hadClickId && /Customer not found/.test(message));
