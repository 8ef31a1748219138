/** A Hono app (here on Node; the same routes run on Bun, Deno and Workers, with their own address lookup). */
import { Hono } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { createAffitorHandler } from '../../src/server'; // in your app: '@affitor/sdk/server'
import { BASE_PATH, LANDING_PAGE, SCRIPTS_DIR } from './shop';

export function createHonoApp({ apiUrl }: { apiUrl: string }): Hono {
  const affitor = createAffitorHandler({ apiUrl, basePath: BASE_PATH, scripts: SCRIPTS_DIR });
  const app = new Hono();
  app.all(`${BASE_PATH}/*`, (c) => affitor(c.req.raw, { clientAddress: getConnInfo(c).remote.address }));
  app.get('/', (c) => c.html(LANDING_PAGE));
  return app;
}
