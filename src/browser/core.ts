/**
 * What the SDK's first part shares with its rest (signup, trackClick and the diagnosis). Modules of the
 * rest import state and steps from here only (and stateless helpers from anywhere), so the
 * script build can hand this very module, live, from its first file (`affitor.global.js`) to
 * the file it loads when asked (`affitor.more.js`), where this import resolves to what the
 * first file handed over (the plugin in tsup.config.ts).
 */
export { clickId } from './attribution';
export { deliver } from './delivery';
export { handledAff, land, pendingClick } from './landing';
export { queueLead } from './lead';
export { log } from './options';
export { snapshot } from './snapshot';
