/**
 * WebKitGTK (the engine of Safari) through selenium-webdriver and Debian's WebKitWebDriver,
 * which drives MiniBrowser on an Xvfb display of its own. WebDriver classic: one session
 * (a fresh MiniBrowser, so a fresh cookie jar) per session, one window handle per page.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Builder, By } from 'selenium-webdriver';
import type { WebDriver } from 'selenium-webdriver';
import type { IWebDriverOptionsCookie } from 'selenium-webdriver/lib/webdriver';
import type { Engine, EnginePage, EngineSession, JarCookie } from './types';

export const WEBKIT_DRIVER_PATH = process.env.AFFITOR_WEBKIT_DRIVER ?? '/usr/bin/WebKitWebDriver';
export const MINIBROWSER_PATH = process.env.AFFITOR_MINIBROWSER ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
export const XVFB_PATH = '/usr/bin/Xvfb';

const CAPABILITIES = {
  browserName: 'MiniBrowser',
  // A page's script may open a tab without a user gesture, as the other two drivers allow:
  // a tab a script opened is one the page may close itself (the visitor who leaves at once).
  'webkitgtk:browserOptions': { binary: MINIBROWSER_PATH, args: ['--automation', '--javascript-can-open-windows-automatically=true'] },
};

/** Starts Xvfb on a display number it picks itself (-displayfd), so parallel runs never collide. */
async function startXvfb(): Promise<{ display: string; process: ChildProcess }> {
  const xvfb = spawn(XVFB_PATH, ['-displayfd', '3', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  xvfb.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const fd3 = xvfb.stdio[3] as NodeJS.ReadableStream;
  const display = await new Promise<string>((resolve, reject) => {
    let out = '';
    fd3.setEncoding('utf8');
    fd3.on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('\n')) resolve(`:${out.trim()}`);
    });
    xvfb.once('exit', (code) => reject(new Error(`Xvfb exited (${code}) before opening a display: ${stderr.trim()}`)));
    xvfb.once('error', reject);
  });
  return { display, process: xvfb };
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts WebKitWebDriver on a free port and resolves once it answers /status. */
async function startDriver(display: string): Promise<{ url: string; process: ChildProcess }> {
  const port = await freePort();
  const driver = spawn(WEBKIT_DRIVER_PATH, [`--port=${port}`], { stdio: 'ignore', env: { ...process.env, DISPLAY: display } });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (driver.exitCode !== null) throw new Error(`WebKitWebDriver exited (${driver.exitCode}) at start`);
    try {
      if ((await fetch(`${url}/status`)).ok) return { url, process: driver };
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      driver.kill();
      throw new Error('WebKitWebDriver did not answer /status within 10 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

const toJarCookie = (cookie: IWebDriverOptionsCookie): JarCookie => ({
  name: cookie.name,
  value: cookie.value,
  domain: cookie.domain ?? '',
  path: cookie.path ?? '/',
  expires: typeof cookie.expiry === 'number' ? cookie.expiry : cookie.expiry instanceof Date ? cookie.expiry.getTime() / 1000 : null,
  secure: cookie.secure ?? false,
  httpOnly: cookie.httpOnly ?? false,
  sameSite: cookie.sameSite ?? null,
});

/** The script body that evaluates `expression`, awaits it, and reports its value or error. */
const asyncBody = (expression: string): string => `
  const done = arguments[arguments.length - 1];
  Promise.resolve()
    .then(() => (${expression}))
    .then(
      (value) => done({ value: value === undefined ? null : value }),
      (error) => done({ error: String(error && error.message ? error.message : error) }),
    );`;

function openSession(driver: WebDriver): EngineSession {
  // WebDriver classic has one current window and frame per session: every call switches
  // to its own tab first, and calls take turns.
  let queue: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const result = queue.then(work);
    queue = result.catch(() => undefined);
    return result;
  };
  let unusedFirstWindow = true;
  let focused: string | undefined;

  const wrapPage = (handle: string): EnginePage => {
    const focus = async () => {
      if (focused === handle) return;
      await driver.switchTo().window(handle);
      focused = handle;
    };
    return {
      goto: (url) => inTurn(async () => (await focus(), await driver.get(url))),
      url: () => inTurn(async () => (await focus(), await driver.getCurrentUrl())),
      evaluate: <T>(expression: string, frameUrl?: string) =>
        inTurn(async () => {
          await focus();
          if (frameUrl) {
            const frames = await driver.findElements(By.css('iframe'));
            const sources = await Promise.all(frames.map((frame) => frame.getAttribute('src')));
            const index = sources.findIndex((src) => src?.includes(frameUrl));
            if (index < 0) throw new Error(`no frame whose URL contains ${frameUrl}`);
            await driver.switchTo().frame(frames[index]!);
          }
          try {
            const outcome = await driver.executeAsyncScript<{ value?: T; error?: string }>(asyncBody(expression));
            if (outcome.error !== undefined) throw new Error(outcome.error);
            return outcome.value as T;
          } finally {
            if (frameUrl) await driver.switchTo().defaultContent();
          }
        }),
      cookies: () => inTurn(async () => (await focus(), (await driver.manage().getCookies()).map(toJarCookie))),
      close: () =>
        inTurn(async () => {
          await focus();
          await driver.close();
          focused = undefined;
        }),
    };
  };

  return {
    newPage: () =>
      inTurn(async () => {
        if (!unusedFirstWindow) await driver.switchTo().newWindow('tab');
        unusedFirstWindow = false;
        focused = await driver.getWindowHandle();
        return wrapPage(focused);
      }),
    close: () => inTurn(() => driver.quit()),
  };
}

/**
 * How long a new session (a fresh MiniBrowser) may take to start. Usually about a second; once,
 * on a machine loaded far beyond its 2 cores, one never started and took the test's hook
 * timeout with it. A start that overruns is given up (the session is quit if it comes later)
 * and tried once more, so a hang fails with this message rather than a hook timeout.
 */
const SESSION_START_MS = 25_000;

async function startSession(build: () => Promise<WebDriver>): Promise<WebDriver> {
  for (let attempt = 1; ; attempt += 1) {
    const starting = build();
    let timer: NodeJS.Timeout | undefined;
    const overran = new Promise<'overran'>((resolve) => (timer = setTimeout(() => resolve('overran'), SESSION_START_MS)));
    try {
      const outcome = await Promise.race([starting, overran]);
      if (outcome !== 'overran') return outcome;
    } finally {
      clearTimeout(timer);
    }
    starting.then((late) => late.quit()).catch(() => undefined);
    if (attempt === 2) throw new Error(`MiniBrowser did not start a session within ${SESSION_START_MS / 1000} s, twice`);
  }
}

export async function launchWebKit(): Promise<Engine> {
  let xvfb: ChildProcess | undefined;
  let driverProcess: ChildProcess | undefined;
  const stopAll = async () => {
    await stop(driverProcess);
    await stop(xvfb);
  };
  try {
    const screen = await startXvfb();
    xvfb = screen.process;
    const driver = await startDriver(screen.display);
    driverProcess = driver.process;
    const build = () => new Builder().usingServer(driver.url).withCapabilities(CAPABILITIES).build();
    // One session up front: proves MiniBrowser starts here and tells its version.
    const probe = await build();
    const version = String((await probe.getCapabilities()).get('browserVersion'));
    await probe.quit();
    return {
      name: 'webkit',
      version: `WebKitGTK ${version}`,
      newSession: async () => openSession(await startSession(build)),
      close: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
