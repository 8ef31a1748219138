/**
 * Firefox ESR (Debian's package) through puppeteer-core over WebDriver BiDi: no geckodriver.
 * One browser context (BiDi user context) per session.
 */
import puppeteer from 'puppeteer-core';
import type { Cookie, Page } from 'puppeteer-core';
import type { Engine, EnginePage, EngineSession, JarCookie } from './types';

export const FIREFOX_PATH = process.env.AFFITOR_FIREFOX ?? '/usr/bin/firefox-esr';

const toJarCookie = (cookie: Cookie): JarCookie => ({
  name: cookie.name,
  value: cookie.value,
  domain: cookie.domain,
  path: cookie.path,
  expires: cookie.session || cookie.expires < 0 ? null : cookie.expires,
  secure: cookie.secure,
  httpOnly: cookie.httpOnly ?? false,
  sameSite: cookie.sameSite ?? null,
});

function wrapPage(page: Page): EnginePage {
  const target = (frameUrl?: string) => {
    if (!frameUrl) return page;
    const frame = page.frames().find((candidate) => candidate.url().includes(frameUrl));
    if (!frame) throw new Error(`no frame whose URL contains ${frameUrl}`);
    return frame;
  };
  return {
    goto: async (url) => {
      await page.goto(url, { waitUntil: 'load' });
    },
    url: () => Promise.resolve(page.url()),
    evaluate: async <T>(expression: string, frameUrl?: string) => ((await target(frameUrl).evaluate(expression)) ?? null) as T,
    cookies: async () => (await page.cookies()).map(toJarCookie),
    close: () => page.close(),
  };
}

/** `prefs`: Firefox preferences over those of the profile puppeteer writes. */
export async function launchFirefox(prefs?: Record<string, unknown>): Promise<Engine> {
  const browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX_PATH, headless: true, extraPrefsFirefox: prefs });
  try {
    const version = await browser.version();
    return {
      name: 'firefox',
      version: version.replace(/^firefox\//i, 'Firefox '),
      newSession: async (): Promise<EngineSession> => {
        const context = await browser.createBrowserContext();
        return { newPage: async () => wrapPage(await context.newPage()), close: () => context.close() };
      },
      close: () => browser.close(),
    };
  } catch (error) {
    await browser.close();
    throw error;
  }
}
