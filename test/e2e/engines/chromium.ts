/** Chromium (Debian's package) through playwright-core, one browser context per session. */
import { chromium } from 'playwright-core';
import type { Cookie, Page } from 'playwright-core';
import type { Engine, EnginePage, EngineSession, JarCookie } from './types';

export const CHROMIUM_PATH = process.env.AFFITOR_CHROMIUM ?? '/usr/bin/chromium';

/** Flags from the toolchain guide: no first-run work, no background traffic, no QUIC. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const toJarCookie = (cookie: Cookie): JarCookie => ({
  name: cookie.name,
  value: cookie.value,
  domain: cookie.domain,
  path: cookie.path,
  expires: cookie.expires < 0 ? null : cookie.expires,
  secure: cookie.secure,
  httpOnly: cookie.httpOnly,
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
      await page.goto(url);
    },
    url: () => Promise.resolve(page.url()),
    evaluate: async <T>(expression: string, frameUrl?: string) =>
      ((await target(frameUrl).evaluate<unknown>(expression)) ?? null) as T,
    cookies: async () => (await page.context().cookies(page.url())).map(toJarCookie),
    close: () => page.close(),
  };
}

export async function launchChromium(): Promise<Engine> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_FLAGS });
  return {
    name: 'chromium',
    version: `Chromium ${browser.version()}`,
    newSession: async (): Promise<EngineSession> => {
      const context = await browser.newContext();
      return { newPage: async () => wrapPage(await context.newPage()), close: () => context.close() };
    },
    close: () => browser.close(),
  };
}
