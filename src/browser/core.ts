/**
 * What the SDK's first part shares with its rest (signup, trackClick, retries and resends, the
 * diagnosis). Modules of the rest import state and steps from here only (and stateless helpers
 * from anywhere), so the script build can hand this very module, live, from its first file
 * (`affitor.global.js`) to the file it loads when asked (`affitor.more.js`), where this import
 * resolves to what the first file handed over (the plugin in tsup.config.ts).
 */
export { clickId, cookiesBlocked, windowDays } from './attribution';
export { chosenDomain, cookieDomain, probes } from './jar';
export { handledAff, land, pendingClick, startClick } from './landing';
export { consent, log, mayPersist, options, programId } from './options';
export { answered, post, record, send } from './send';
export { queueLead } from './lead';
export { drop, earlier, outbox, storeOutbox, takeEarlier } from './outbox';
// Stateless helpers the first file has anyway: handed over rather than carried twice.
export { readCookie } from './cookies';
export { isBrowser } from './env';
export { normaliseCookieDomain } from '../core/cookie-codec';
export { isPlausibleId, readAff } from '../core/values';
export type { Answer, Extra } from './send';
