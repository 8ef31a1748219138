/**
 * The first-party handler on /relay/*: the browser SDK's clicks and signups go through this
 * origin to the tracking API, and the attribution cookies come back as Set-Cookie (no 7-day cap
 * in Safari). It also serves the SDK's script files.
 */
import { join } from 'node:path';
import { createAffitorHandler } from '@affitor/sdk/server';

const affitor = createAffitorHandler({
  basePath: '/relay',
  // `|| undefined`: an empty `AFFITOR_API_URL=` in a .env means the default, not a bad URL.
  apiUrl: process.env.AFFITOR_API_URL || undefined,
  // Next.js bundles route handlers: name the package's dist folder.
  scripts: join(process.cwd(), 'node_modules', '@affitor', 'sdk', 'dist'),
});

export const GET = (request: Request): Promise<Response> => affitor(request);
export const HEAD = GET;
export const POST = GET;
