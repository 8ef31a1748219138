/**
 * `npm run demo [-- --web-port <n>] [-- --api-port <n>]`
 *
 * Starts the in-memory tracking server (demo seed) and a static server for the examples:
 * the shop with the script tag on www.shop.localhost, the single-page app with the ES
 * module on app.shop.localhost. Both call the tracking API through the first-party handler
 * (`createAffitorHandler`, mounted under `/relay` on the web server), which sets the cookies
 * with `Set-Cookie`. Browsers resolve *.localhost to loopback, so the cookies on
 * `.shop.localhost` are shared by both without any setup. Builds the SDK first if `dist/`
 * is missing. After the walkthrough it prints the program's readiness, and again whenever it
 * changes. Ctrl+C stops both servers.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { getRequestListener } from '@hono/node-server';
import { Affitor, createAffitorHandler } from '../../src/server';
import type { AffitorHandler } from '../../src/server';
import { startServer } from '../server/src/node';
import type { RunningServer } from '../server/src/node';
import type { SeedInput } from '../server/src/app';
import demoSeed from '../server/seed.demo.json';
import { ensureDist } from './dist';
import { watchReadiness } from './readiness';
import { DIST_DIR, EXAMPLES_DIR, startStaticServer } from './static-server';

/** The hosts the demo prints; the program allows each of them on the web port. */
const HOSTS = ['www.shop.localhost', 'app.shop.localhost', 'shop.localhost', 'localhost', '127.0.0.1'];
const ADMIN_TOKEN = 'admin_dev_token';
/** The demo program's API key (seed.demo.json), for the readiness report. */
const DEMO_API_KEY = 'aff_test_1';

function port(value: string | undefined, fallback: number, flag: string): number {
  const parsed = value === undefined ? fallback : Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) throw new Error(`${flag} must be an integer from 0 to 65535 (got ${value})`);
  return parsed;
}

/** The demo seed, with every demo host allowed on the port the web server actually got. */
function seedFor(webPort: number): SeedInput {
  const seed = structuredClone(demoSeed) as SeedInput;
  for (const program of seed.programs ?? []) {
    const origins = new Set([...(program.allowed_origins ?? []), ...HOSTS.map((host) => `http://${host}:${webPort}`)]);
    program.allowed_origins = [...origins];
  }
  return seed;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'web-port': { type: 'string' }, 'api-port': { type: 'string' } }, strict: true });
  const webPort = port(values['web-port'], 5173, '--web-port');
  const apiPort = port(values['api-port'], 8787, '--api-port');
  ensureDist();

  // The web server starts first (the program must allow its port), the tracking server next.
  const tracking: { server?: RunningServer; handler?: AffitorHandler } = {};
  const web = await startStaticServer({
    port: webPort,
    sites: { www: join(EXAMPLES_DIR, 'script-tag'), app: join(EXAMPLES_DIR, 'spa'), '*': join(EXAMPLES_DIR, 'script-tag') },
    // The pages call the first-party handler on their own origin, which forwards to the tracking server.
    apiBase: () => '/relay',
    mount: {
      path: '/relay',
      listener: getRequestListener((request, env) => tracking.handler!(request, { clientAddress: env.incoming.socket.remoteAddress })),
    },
    routes: {
      // The tracking server's state, readable in a browser tab (which cannot send the admin token itself).
      '/_inspect': async () => {
        const answer = await fetch(`${tracking.server!.url}/_inspect`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
        return { type: 'application/json; charset=utf-8', body: JSON.stringify(await answer.json(), null, 2) };
      },
    },
  });
  const api = (tracking.server = await startServer({ port: apiPort, seed: seedFor(web.port) }));
  tracking.handler = createAffitorHandler({ apiUrl: api.url, scripts: DIST_DIR });

  const url = (host: string, path: string) => `${web.origin(host)}${path}`;
  console.log(`
Affitor demo: an example shop (script tag) and app (ES module) on the in-memory tracking server.

  1. land from a partner link:   ${url('www.shop.localhost', '/?aff=PARTNER123')}
  2. sign up in the app (SPA):   ${url('app.shop.localhost', '/signup')}
     or on the shop (script tag): ${url('www.shop.localhost', '/signup.html')}
  3. switch partner:             ${url('www.shop.localhost', '/?aff=PARTNER456')}

  tracking API:  ${api.url}
  dashboard:     ${api.url}/_dashboard   (admin token: ${ADMIN_TOKEN}; each customer's chain, the latest requests, live)
  server state:  ${url('localhost', '/_inspect')}
                 (or: curl -H 'Authorization: Bearer ${ADMIN_TOKEN}' ${api.url}/_inspect)

What to look for (debug is on in both examples):
  - devtools console: [Affitor] lines: init, program id, the click payload, "cookie domain shop.localhost", "click saved cust_...".
  - devtools Application > Cookies: affitor_click_id, affitor_aff_url, affitor_click_ids, customer_code
    and affitor_set_by=server on Domain .shop.localhost, expiring in the program's 30 days: set by the
    first-party handler under /relay (Network: the click answer's Set-Cookie and X-Affitor-Cookies: set);
    the app subdomain sees the same values.
  - dashboard (or server state): a click (customers[].status "click"), then after the signup a lead bound to the same customer.
  - reloading step 1 sends no second click; step 3 sends one with existing_click_id (last touch).

Ctrl+C stops the demo.
`);

  // What the program's readiness says now, and each time it changes as you follow the steps above.
  const readiness = watchReadiness(new Affitor({ apiKey: DEMO_API_KEY, apiUrl: api.url }), (report) => console.log(`\n${report}`));

  const stop = () => {
    readiness.stop();
    void Promise.all([api.close(), web.close()]).then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  console.error(code === 'EADDRINUSE' ? `${message}: pick other ports with npm run demo -- --web-port <n> --api-port <n>` : message);
  process.exit(1);
});
