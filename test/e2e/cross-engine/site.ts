/**
 * What the cross-engine scenarios browse: the example shop and the suite's fixture pages on
 * subdomains of `shop.localhost` (every engine resolves `*.localhost` to loopback by
 * itself, so no host mapping is needed), the reference tracking server behind a recording
 * front, the first-party handler under `/relay` on the same web server, a second web host
 * that fails the lazily fetched SDK file on demand, and the console recorder in every page.
 */
import { join } from 'node:path';
import { startServer } from '../../../examples/server/src/node';
import type { RunningServer } from '../../../examples/server/src/node';
import { ensureDist } from '../../../examples/demo/dist';
import { EXAMPLES_DIR, REPO_ROOT, startStaticServer } from '../../../examples/demo/static-server';
import type { StaticServer } from '../../../examples/demo/static-server';
import { seedFor } from '../program';
import { startApiFront } from './api-front';
import type { ApiFront } from './api-front';
import { RECORDER_PRELUDE } from './recorder';
import { RELAY_PATH, startRelay } from './relay';
import type { Relay } from './relay';
import { startSdkHost } from './sdk-host';
import type { SdkHost } from './sdk-host';

const E2E_DIR = join(REPO_ROOT, 'test', 'e2e');

/** Hosts and what they serve (the static server picks the folder by the first label). */
export const HOSTS = {
  /** The example shop (examples/script-tag): landing and signup page. */
  www: 'www.shop.localhost',
  app: 'app.shop.localhost',
  /** The fixture pages of test/e2e/pages (the stub queue). */
  stub: 'stub.shop.localhost',
  /** The fixture pages of test/e2e/pages/never-lost (outbox, single-page apps, sandboxed iframe). */
  lost: 'lost.shop.localhost',
  /** The fixture pages of test/e2e/pages-consent. */
  consent: 'consent.shop.localhost',
  /** A single-label host: the example shop again, where only host-only cookies exist. */
  localhost: 'localhost',
  /** The fixture pages of test/e2e/pages/landing: the script tag alone, and visitors who leave at once. */
  leave: 'leave.shop.localhost',
  /** The fixture page of test/e2e/pages-first-party: the SDK, its files and its calls through `/relay`. */
  relay: 'relay.shop.localhost',
  /** The same page on a sibling subdomain. */
  relayApp: 'account.shop.localhost',
} as const;

/** Hosts on the SDK host (`Site.sdkHost`), which can fail the lazily fetched file. */
export const SDK_HOSTS = {
  /** test/e2e/pages/landing: the script tag, the SDK in `/dist/`. */
  lazy: 'lazy.shop.localhost',
  /** test/e2e/pages/spa-host: the README's stub snippet, the SDK self-hosted beside the app in `/`. */
  spa: 'spa.shop.localhost',
} as const;

/** The example shop on an origin the program does not allow (CORS refuses the answers). */
export const NOT_ALLOWED_HOST = 'blocked.shop.localhost';

export interface Site {
  /** The tracking server of the current test (`reset` replaces it). */
  readonly api: RunningServer;
  /** The front the pages talk to: every request the browser sent. */
  front: ApiFront;
  web: StaticServer;
  /** The first-party handler mounted on `web` under `/relay`, forwarding to `front`. */
  relay: Relay;
  /** The host of `SDK_HOSTS`, on a port of its own. */
  sdkHost: SdkHost;
  /** `http://<host>:<web port><path>` */
  url(host: string, path?: string): string;
  /** Holds `/dist/affitor.global.js` back this long (ms), so calls go through the stub's queue first. */
  lateSdkMs: number;
  /** A fresh tracking server (empty state), an empty request log, no delays: before each test. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function startSite(): Promise<Site> {
  ensureDist((line) => console.log(`[e2e] ${line}`));
  let api: RunningServer | undefined;
  const front = await startApiFront(() => api!.url);
  // Server to server: the handler needs no allowed origin.
  const relay = startRelay(front.url);
  let lateSdkMs = 0;
  const [web, sdkHost] = await Promise.all([
    startStaticServer({
      sites: {
        '*': join(EXAMPLES_DIR, 'script-tag'),
        stub: join(E2E_DIR, 'pages'),
        lost: join(E2E_DIR, 'pages', 'never-lost'),
        consent: join(E2E_DIR, 'pages-consent'),
        leave: join(E2E_DIR, 'pages', 'landing'),
        relay: join(E2E_DIR, 'pages-first-party'),
        account: join(E2E_DIR, 'pages-first-party'),
      },
      apiBase: () => front.url,
      headPrelude: RECORDER_PRELUDE,
      delay: (path) => (path === '/dist/affitor.global.js' ? lateSdkMs : 0),
      mount: { path: RELAY_PATH, listener: relay.listener },
    }),
    startSdkHost({
      sites: { lazy: join(E2E_DIR, 'pages', 'landing'), spa: join(E2E_DIR, 'pages', 'spa-host') },
      apiBase: () => front.url,
      headPrelude: RECORDER_PRELUDE,
    }),
  ]);
  const seed = seedFor([...Object.values(HOSTS).map((host) => web.origin(host)), ...Object.values(SDK_HOSTS).map((host) => sdkHost.origin(host))]);
  api = await startServer({ port: 0, seed });
  return {
    get api() {
      return api!;
    },
    get lateSdkMs() {
      return lateSdkMs;
    },
    set lateSdkMs(ms: number) {
      lateSdkMs = ms;
    },
    front,
    web,
    relay,
    sdkHost,
    url: (host, path = '/') => `${web.origin(host)}${path}`,
    reset: async () => {
      await api?.close();
      api = await startServer({ port: 0, seed });
      front.reset();
      relay.reset();
      sdkHost.reset();
      lateSdkMs = 0;
    },
    close: async () => {
      await Promise.all([api?.close(), web.close(), front.close(), sdkHost.close()]);
    },
  };
}
