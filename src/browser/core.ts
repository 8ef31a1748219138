/**
 * What the SDK's first part shares with its rest (signup, trackClick, retries and resends, the
 * diagnosis, erasing on revoke). Modules of the rest take state and steps from `first` only (and
 * stateless helpers from anywhere), so the script build can hand this one object from its first
 * file (`affitor.global.js`) to the file it loads when asked (`affitor.more.js`), where this import
 * resolves to what the first file handed over (the plugin in tsup.config.ts). One plain object,
 * not a module namespace: each name costs the first file a few bytes, not a getter.
 */
import { clickId, cookiesBlocked, windowDays } from './attribution';
import { chosenDomain, cookieDomain, probes } from './jar';
import { handledAff, land, pendingClick, startClick } from './landing';
import { queueLead } from './lead';
import { consent, log, options, programId } from './options';
import { drop, outbox, storeOutbox, takeEarlier } from './outbox';
import { answered, post, record, send } from './send';

export type { Answer, Extra } from './send';

export const first = {
  answered,
  consent,
  cookieDomain,
  drop,
  land,
  log,
  post,
  queueLead,
  record,
  send,
  startClick,
  storeOutbox,
  takeEarlier,
  /** The state that changes, as it is now. */
  now: () => ({ chosenDomain, clickId, cookiesBlocked, handledAff, options, outbox, pendingClick, probes, programId, windowDays }),
};
