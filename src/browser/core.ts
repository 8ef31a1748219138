/**
 * What the SDK's first part shares with its rest (retries, the diagnosis, the Stripe decoration).
 * Modules of the rest take state and steps from here only (and
 * stateless helpers from anywhere), so the script build can hand this one object from its first
 * file (`affitor.global.js`) to the file it loads when asked (`affitor.more.js`), where this import
 * resolves to what the first file handed over (the plugin in tsup.config.ts): a plain object
 * with the steps (script.ts), not a module namespace, so each name costs the first file a few
 * bytes, not a getter; the state that changes is read there through `now()`.
 */
import { cookiesBlocked, windowDays } from './attribution';
import { chosenDomain, cookieDomain, probes } from './jar';
import { consent, log, options, programId } from './options';
import { answered, post, record } from './send';

export type { Answer, Extra } from './send';

export { answered, consent, cookieDomain, log, post, record };
// The state that changes, read live (the script build reads each through `now()`).
export { chosenDomain, cookiesBlocked, options, probes, programId, windowDays };

/** The state that changes, as it is now: what the script build's first file hands over for the names above. */
export const now = () => ({ chosenDomain, cookiesBlocked, options, probes, programId, windowDays });
