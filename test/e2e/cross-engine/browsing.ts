/**
 * A tab as the scenarios use it, on top of an engine adapter: the recorder's console lines
 * and cookie writes, the jar once it has caught up with the page, and waiting for a
 * condition in the page instead of sleeping.
 */
import type { EnginePage, JarCookie } from '../engines/types';
import type { ConsoleLine, Recorded } from './recorder';

export type { ConsoleLine };

const POLL_MS = 25;

/** Polls `probe` until it returns something truthy; rejects with `what` after `timeoutMs`. */
export async function until<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
      last = value;
    } catch (error) {
      last = error; // e.g. the page is between two documents
    }
    if (Date.now() > deadline) throw new Error(`${what}: not so within ${timeoutMs} ms (last: ${String(last)})`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export class Tab {
  /** Console lines of the documents this tab has left (the current one's are read live). */
  private earlier: ConsoleLine[] = [];

  constructor(readonly engine: EnginePage) {}

  /** Goes to `url`, keeping the console lines of the document it leaves. */
  async visit(url: string): Promise<void> {
    this.earlier.push(...(await this.recorded('console', undefined).catch(() => [])));
    await this.engine.goto(url);
  }

  url(): Promise<string> {
    return this.engine.url();
  }

  evaluate<T>(expression: string, frameUrl?: string): Promise<T> {
    return this.engine.evaluate<T>(expression, frameUrl);
  }

  /** Waits until `expression` is truthy in the page (or frame) and resolves to its value. */
  waitFor<T>(expression: string, { frameUrl, timeoutMs }: { frameUrl?: string; timeoutMs?: number } = {}): Promise<NonNullable<T>> {
    return until(expression, () => this.evaluate<T>(expression, frameUrl), timeoutMs);
  }

  /** Waits until the SDK's API is there (the script build loads async; the stub has no getData). */
  async sdkReady(global = 'affitor', frameUrl?: string): Promise<void> {
    await this.waitFor(`typeof window.${global}?.getData == 'function'`, { frameUrl });
  }

  private async recorded<K extends keyof Recorded>(key: K, frameUrl: string | undefined): Promise<Recorded[K]> {
    return (await this.evaluate<Recorded[K] | null>(`window.__e2e ? window.__e2e.${key} : null`, frameUrl)) ?? ([] as Recorded[K]);
  }

  /** Every console line of this tab so far (or of its frame at `frameUrl`, current document only). */
  async lines(frameUrl?: string): Promise<ConsoleLine[]> {
    const current = await this.recorded('console', frameUrl);
    return frameUrl ? current : [...this.earlier, ...current];
  }

  /** The SDK's error lines (`console.error('[Affitor] ...')`) and uncaught page errors. */
  async errors(frameUrl?: string): Promise<string[]> {
    return (await this.lines(frameUrl))
      .filter((line) => line.type === 'pageerror' || (line.type === 'error' && line.text.startsWith('[Affitor]')))
      .map((line) => line.text);
  }

  /** The strings the current document assigned to `document.cookie`. */
  cookieWrites(frameUrl?: string): Promise<string[]> {
    return this.recorded('cookieWrites', frameUrl);
  }

  /** Everything in the page's sessionStorage and localStorage. */
  storage(): Promise<{ session: Record<string, string>; local: Record<string, string> }> {
    return this.evaluate('({ session: { ...sessionStorage }, local: { ...localStorage } })');
  }

  /**
   * The cookies the jar holds for this tab's URL, once the jar holds what the page itself
   * reads (an engine may hand `document.cookie` writes to its network side asynchronously).
   */
  async cookies(timeoutMs = 5_000): Promise<JarCookie[]> {
    let jar: JarCookie[] = [];
    let own: string[] = [];
    try {
      return await until(
        'the cookie jar to hold what the page reads',
        async () => {
          [own, jar] = await Promise.all([
            this.evaluate<string>('document.cookie').then((text) => (text ? text.split('; ').sort() : [])),
            this.engine.cookies(),
          ]);
          // An empty cookie the page does not see is a deletion (`Max-Age=0`) Firefox's jar still
          // lists for a moment under load; the page's view is the one that counts.
          jar = jar.filter((cookie) => cookie.value !== '' || own.includes(`${cookie.name}=`));
          const inJar = jar.filter((cookie) => !cookie.httpOnly).map((cookie) => `${cookie.name}=${cookie.value}`).sort();
          return inJar.join('\n') === own.join('\n') ? jar : null;
        },
        timeoutMs,
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}: page ${JSON.stringify(own)}, jar ${JSON.stringify(jar.map((c) => `${c.name}=${c.value}`))}`, {
        cause: error,
      });
    }
  }

  async cookie(name: string): Promise<JarCookie | undefined> {
    return (await this.cookies()).find((cookie) => cookie.name === name);
  }

  /** Waits until the jar holds `name` with a value other than `not` (the SDK wrote it). */
  async waitForCookie(name: string, not?: string, timeoutMs = 10_000): Promise<JarCookie> {
    return until(
      `cookie ${name}${not ? ` other than ${not}` : ''}`,
      async () => (await this.engine.cookies()).find((cookie) => cookie.name === name && cookie.value !== not),
      timeoutMs,
    );
  }

  close(): Promise<void> {
    return this.engine.close();
  }
}

/** Days from now to a cookie's expiry. */
export const daysLeft = (cookie: JarCookie): number => ((cookie.expires ?? Number.NaN) - Date.now() / 1000) / 86_400;
