/**
 * A Cloudflare Worker (module syntax) in front of the shop. The script files come from the
 * Worker's static assets: copy them there at build time, e.g. `cp node_modules/@affitor/sdk/dist/affitor.*.js affitor-assets/`,
 * with this in wrangler.toml:
 *
 *   main = "worker.ts"
 *   [assets]
 *   directory = "./affitor-assets"
 *   binding = "ASSETS"
 *   run_worker_first = true
 *
 * Cloudflare names the visitor's address in `CF-Connecting-IP`.
 */
import { createAffitorHandler } from '../../src/server'; // in your app: '@affitor/sdk/server'
import type { AffitorHandler } from '../../src/server';

export interface Env {
  /** The static assets binding holding affitor.*.js. */
  ASSETS: { fetch(input: string): Promise<Response> };
  /** Set in wrangler.toml `[vars]` to use another tracking API. */
  AFFITOR_API_URL?: string;
}

const BASE_PATH = '/relay';
let affitor: AffitorHandler | undefined;

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    // Everything else goes to the shop's origin, as before. Checked before the handler is made: an
    // AFFITOR_API_URL it refuses (it throws, naming it) then breaks /relay/* only, not every page of the shop.
    if (!new URL(request.url).pathname.startsWith(`${BASE_PATH}/`)) return fetch(request);
    affitor ??= createAffitorHandler({
      basePath: BASE_PATH,
      // `|| undefined`: an empty `AFFITOR_API_URL` var means the default, not a bad URL.
      apiUrl: env.AFFITOR_API_URL || undefined,
      scripts: async (name) => {
        const file = await env.ASSETS.fetch(`https://assets.local/${name}`);
        return file.ok ? file.arrayBuffer() : null;
      },
    });
    return affitor(request, { clientAddress: request.headers.get('cf-connecting-ip') });
  },
};
