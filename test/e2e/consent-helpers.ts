/**
 * Helpers for the consent and diagnostics suite (consent-diagnose.test.ts): its fixture
 * pages, the SDK's API as the pages expose it, a log of every `document.cookie` write (so a
 * cookie written and deleted at once, such as the probe, is seen too), and the
 * `X-Request-ID` of each tracking answer as Chromium received it.
 */
import { join } from 'node:path';
import type { BrowserContext, Frame, Page } from 'playwright-core';
import type { AffitorData, AffitorDiagnosis, AttributionListener } from '../../src/index';
import { REPO_ROOT } from '../../examples/demo/static-server';

export const CONSENT_PAGES_DIR = join(REPO_ROOT, 'test', 'e2e', 'pages-consent');

/** The SDK's API as a page sees it: `window.affitor` (script build) or `window.sdk` (the ES module's exports). */
export interface SdkApi {
  init(options?: Record<string, unknown>): unknown;
  getData(): AffitorData | null;
  trackClick(affiliateUrl?: string, existingClickId?: string | null): Promise<void>;
  signup(customerKey: string, email?: string): Promise<void>;
  grantConsent(): void;
  revokeConsent(): void;
  onAttribution(listener: AttributionListener): () => void;
  diagnose(): AffitorDiagnosis | null;
}

export interface ConsentWindow {
  affitor?: SdkApi;
  sdk?: SdkApi;
  /** Every string assigned to `document.cookie`, in order (see `recordCookieWrites`). */
  cookieWrites?: string[];
  /** What module-listen.html's listener heard. */
  attributionEvents?: Array<{ current: AffitorData; previous: AffitorData; cookie: string }>;
}

/** Waits until the page's SDK (`window.affitor` or `window.sdk`) is there; the script build loads async. */
export async function sdkReady(target: Page | Frame, global: 'affitor' | 'sdk' = 'affitor'): Promise<void> {
  await target.waitForFunction((name) => typeof (window as ConsentWindow)[name]?.getData == 'function', global);
}

/**
 * Records, in every page and frame of `context`, each string the page assigns to
 * `document.cookie` (in `window.cookieWrites`), then lets the browser store it as usual.
 */
export async function recordCookieWrites(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const descriptor = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie')!;
    const writes: string[] = [];
    (window as ConsentWindow).cookieWrites = writes;
    Object.defineProperty(Document.prototype, 'cookie', {
      configurable: true,
      enumerable: descriptor.enumerable ?? true,
      get(this: Document) {
        return descriptor.get!.call(this) as string;
      },
      set(this: Document, value: string) {
        writes.push(String(value));
        descriptor.set!.call(this, value);
      },
    });
  });
}

/** The `document.cookie` writes the page made so far. */
export const cookieWrites = (target: Page | Frame): Promise<string[]> =>
  target.evaluate(() => [...((window as ConsentWindow).cookieWrites ?? [])]);

/** Everything in the page's sessionStorage and localStorage. */
export const storageOf = (target: Page | Frame): Promise<{ session: Record<string, string>; local: Record<string, string> }> =>
  target.evaluate(() => ({ session: { ...sessionStorage }, local: { ...localStorage } }));

/** Makes Chromium report the Global Privacy Control signal (`navigator.globalPrivacyControl === true`) in `context`. */
export async function turnOnGlobalPrivacyControl(context: BrowserContext): Promise<void> {
  await context.addInitScript(() =>
    Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { configurable: true, get: () => true }),
  );
}

/** A tracking answer Chromium received: its route, status and `X-Request-ID`. */
export interface TrackAnswer {
  route: string;
  status: number;
  requestId: string | undefined;
}

/** Records the tracking API's answers to `page` (preflights excluded). */
export function recordAnswers(page: Page): TrackAnswer[] {
  const answers: TrackAnswer[] = [];
  page.on('response', (response) => {
    const route = /\/api\/v1\/track\/(\w+)$/.exec(response.url())?.[1];
    if (!route || response.request().method() !== 'POST') return;
    answers.push({ route, status: response.status(), requestId: response.headers()['x-request-id'] });
  });
  return answers;
}
