/**
 * What a scenario may ask of a browser engine. One adapter per engine implements it
 * (chromium.ts, firefox.ts, webkit.ts); the scenarios never see which driver is underneath.
 */

export type EngineName = 'chromium' | 'firefox' | 'webkit';

/** A cookie as the engine's jar holds it. */
export interface JarCookie {
  name: string;
  value: string;
  /** With a leading dot for a domain cookie (`.shop.localhost`), the bare host for a host-only one. */
  domain: string;
  path: string;
  /** Seconds since the epoch; null for a session cookie. */
  expires: number | null;
  secure: boolean;
  httpOnly: boolean;
  /** As the engine reports it: `Lax`, `Strict`, `None`, or null when it does not say. */
  sameSite: string | null;
}

/** One tab. Every call acts on this tab, whichever tab the engine last used. */
export interface EnginePage {
  /** Navigates and resolves once the load event fired. */
  goto(url: string): Promise<void>;
  /** The tab's current URL. */
  url(): Promise<string>;
  /**
   * Evaluates a JavaScript expression in the page (or in its first frame whose URL
   * contains `frameUrl`), awaits it if it is a promise, and resolves to its JSON value
   * (undefined comes back as null). Rejects with the page's error message if it throws.
   */
  evaluate<T>(expression: string, frameUrl?: string): Promise<T>;
  /** The cookies the jar would send to this tab's URL, with domain and expiry. */
  cookies(): Promise<JarCookie[]>;
  close(): Promise<void>;
}

/** A browsing session with a cookie jar and storage of its own, empty at the start. */
export interface EngineSession {
  newPage(): Promise<EnginePage>;
  close(): Promise<void>;
}

export interface Engine {
  name: EngineName;
  /** e.g. `Firefox 153.8.0esr` */
  version: string;
  newSession(): Promise<EngineSession>;
  close(): Promise<void>;
}
