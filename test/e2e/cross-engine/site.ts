/**
 * What the cross-engine scenarios browse: the example shop and the suite's fixture pages on
 * subdomains of `shop.localhost` (every engine resolves `*.localhost` to loopback by
 * itself, so no host mapping is needed), the reference tracking server behind a recording
 * front, and the console recorder in every page.
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
} as const;

/** The example shop on an origin the program does not allow (CORS refuses the answers). */
export const NOT_ALLOWED_HOST = 'blocked.shop.localhost';

export interface Site {
  /** The tracking server of the current test (`reset` replaces it). */
  readonly api: RunningServer;
  /** The front the pages talk to: every request the browser sent. */
  front: ApiFront;
  web: StaticServer;
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
  let lateSdkMs = 0;
  const web = await startStaticServer({
    sites: {
      '*': join(EXAMPLES_DIR, 'script-tag'),
      stub: join(E2E_DIR, 'pages'),
      lost: join(E2E_DIR, 'pages', 'never-lost'),
      consent: join(E2E_DIR, 'pages-consent'),
    },
    apiBase: () => front.url,
    headPrelude: RECORDER_PRELUDE,
    delay: (path) => (path === '/dist/affitor.global.js' ? lateSdkMs : 0),
  });
  const seed = seedFor(Object.values(HOSTS).map((host) => web.origin(host)));
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
    url: (host, path = '/') => `${web.origin(host)}${path}`,
    reset: async () => {
      await api?.close();
      api = await startServer({ port: 0, seed });
      front.reset();
      lateSdkMs = 0;
    },
    close: async () => {
      await Promise.all([api?.close(), web.close(), front.close()]);
    },
  };
}
