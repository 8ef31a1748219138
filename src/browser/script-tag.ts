/**
 * The `<script>` build's tag: found once, by both of the files that read it, and the options its
 * `data-affitor-*` attributes set.
 */
import type { AffitorInitOptions } from './tracker';

/**
 * The tag of the running file. Where it is no tag of ours, the documented tag is found as init finds
 * the program id, or by its file (a tag that leaves the program id to window.AFFITOR_PROGRAM_ID): its
 * consent, API base and debug must not be lost. The browser names none for a tag of `type="module"`;
 * a "delay JavaScript" optimizer runs the file's text in an inline script of its own, with no
 * attributes, beside the tag it neutralised. (A file the first one loads carries the tag's attributes: load-script.ts.)
 */
export const findTag = (): HTMLScriptElement | null => {
  const running = document.currentScript as HTMLScriptElement | null;
  return running?.hasAttribute('data-affitor-program-id') || /affitor/.test(running?.src ?? '')
    ? running
    : (document.querySelector<HTMLScriptElement>('script[data-affitor-program-id],script[src*=affitor]') ?? running);
};

/** The options `tag`'s attributes set. data-affitor-program-id is read by init itself (diagnose() names it as the source). */
export const tagOptions = (tag: HTMLScriptElement | null): AffitorInitOptions => {
  const attribute = (name: string): string | undefined => tag?.getAttribute('data-affitor-' + name) ?? undefined;
  /** A switch: on as `="true"` (any case, spaces around), or present with no value (`data-affitor-stripe`, as HTML's own switches). */
  const on = (name: string): boolean => /^(true|)$/i.test(attribute(name)?.trim() ?? '-');
  return {
    debug: on('debug'),
    apiBase: attribute('api-base'),
    cookieDomain: attribute('cookie-domain'),
    // Any value but 'granted' ("pending", "denied", a typo) holds the cookies back, as the option does.
    consent: attribute('consent') as AffitorInitOptions['consent'],
    decorateStripe: on('stripe'),
  };
};
