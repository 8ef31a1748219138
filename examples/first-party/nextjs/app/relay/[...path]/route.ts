/**
 * Next.js App Router: app/relay/[...path]/route.ts mounts the handler on /relay/*. Next.js
 * runs it on Node (the platform in front sets X-Forwarded-For), and answers each method the
 * handler serves.
 */
import { join } from 'node:path';
import { createAffitorHandler } from '../../../../../../src/server'; // in your app: '@affitor/sdk/server'

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

const affitor = createAffitorHandler({
  basePath: '/relay',
  // `|| undefined`: an empty `AFFITOR_API_URL=` in a .env means the default, not a bad URL.
  apiUrl: process.env.AFFITOR_API_URL || undefined,
  // Next.js bundles route handlers, so the package cannot count on finding its own folder:
  // name it (and list it in outputFileTracingIncludes when you deploy a standalone build).
  scripts: join(process.cwd(), 'node_modules', '@affitor', 'sdk', 'dist'),
});

export const GET = (request: Request): Promise<Response> => affitor(request);
export const HEAD = GET;
export const POST = GET;
