/** `diagnose()`: why there is (no) attribution, from the state the page's tracker holds. */
import { blockingTagWarning, diagnosisWarnings, isBlockingSdkTag, isUnpinnedUnpkgUrl, preconnectWarnings, unpinnedUrlWarning } from '../core/diagnosis';
import type { AffitorDiagnosis } from '../core/diagnosis';
import { readAff } from '../core/values';
import { log, options } from './core';
import { readCookie } from './cookies';
import { isBrowser } from './env';
import { snapshot } from './snapshot';
import { COOKIE_CLICK_ID, COOKIE_NAMES, COOKIE_SET_BY } from '../core/cookie-names';
import { MAIN_FILE, MORE_FILE } from '../core/script-files';

/**
 * What the script build adds to the warnings: a script tag of the page loading the SDK from unpkg
 * without an exact version, or without `async` (the page's parser waits for it). Not the npm
 * build's: a bundle has no such tag, and would carry this for nothing.
 */
export function scriptTagWarnings(): string[] {
  const warnings: string[] = [];
  for (const tag of document.scripts) {
    // Not the tags of the files the first loads, whose URLs follow its own: no landing waits for them.
    if (isUnpinnedUnpkgUrl(tag.src) && !tag.src.includes(MORE_FILE) && !tag.src.includes(MAIN_FILE)) warnings.push(unpinnedUrlWarning(tag.src));
    if (isBlockingSdkTag(tag)) warnings.push(blockingTagWarning(tag.src));
  }
  return warnings;
}

/** The report; `moreWarnings` (the script build's, scriptTagWarnings) follow the others. */
export function diagnose(moreWarnings: string[] = []): AffitorDiagnosis {
  const browser = isBrowser();
  const { debug, invalidCookieDomain, invalidProgramId, handler, windowGiven, ...held } = snapshot();
  const cookies: Record<string, string> = {};
  for (const name of COOKIE_NAMES) {
    const value = browser && readCookie(name);
    if (value) cookies[name] = value;
  }
  // The handler writes `affitor_set_by=server` with the attribution cookies; the page deletes it when it writes them.
  const cookiesSetBy: AffitorDiagnosis['cookiesSetBy'] = cookies[COOKIE_CLICK_ID] ? (cookies[COOKIE_SET_BY] == 'server' ? 'server' : 'page') : null;
  const report = { aff: browser ? readAff(location.href) : null, ...held, cookiesSetBy, cookies };
  const diagnosis: AffitorDiagnosis = {
    ...report,
    warnings: [
      ...diagnosisWarnings(report, browser ? location.origin : '', invalidCookieDomain, invalidProgramId, handler, options.apiBase, windowGiven),
      // The page's own `<link>`s (its HTML, or a framework's head), which the npm build's pages have too.
      ...(browser
        ? preconnectWarnings(
            [...document.querySelectorAll<HTMLLinkElement>('link[rel~=preconnect]')].map((link) => ({ href: link.href, crossorigin: link.getAttribute('crossorigin') })),
            options.apiBase,
            location.href,
          )
        : []),
      ...moreWarnings,
    ],
  };
  if (debug) log('info', 'diagnosis', diagnosis);
  return diagnosis;
}
