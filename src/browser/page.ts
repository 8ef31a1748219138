/** What the page knows about the visit: URL, title, screen, locale, session, script tag. */
import type { PageContext } from '../core/payloads';

let memorySessionId: string | undefined;

export const isSecurePage = (): boolean => location.protocol == 'https:';

export function readPageContext(): PageContext {
  return {
    page_url: location.href,
    page_title: document.title,
    referrer_url: document.referrer,
    user_agent: navigator.userAgent,
    screen_resolution: `${screen.width}x${screen.height}`,
    viewport_size: `${innerWidth}x${innerHeight}`,
    language: navigator.language,
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
  };
}

/** One id per tab session, kept in sessionStorage where the page may use it, else in memory. */
export function sessionId(): string {
  memorySessionId ??= 'sess_' + Math.random().toString(36).slice(2) + Date.now().toString(36);
  try {
    return (sessionStorage.affitor_session_id ??= memorySessionId) as string;
  } catch {
    return memorySessionId;
  }
}

/** The program id set on the page: a script tag's `data-affitor-program-id`, else `window.AFFITOR_PROGRAM_ID`. */
export const pageProgramId = (): unknown =>
  document.querySelector('script[data-affitor-program-id]')?.getAttribute('data-affitor-program-id') ??
  (window as { AFFITOR_PROGRAM_ID?: unknown }).AFFITOR_PROGRAM_ID;
