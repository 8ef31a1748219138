/**
 * An Express app. `getRequestListener` of @hono/node-server bridges Node's request and response to
 * the handler's web `Request` and `Response`. Mount it before any body parser: the handler reads
 * the body itself, capped at 64 KiB.
 */
import express from 'express';
import type { Express } from 'express';
import { getRequestListener } from '@hono/node-server';
import { createAffitorHandler } from '../../src/server'; // in your app: '@affitor/sdk/server'
import { BASE_PATH, LANDING_PAGE, SCRIPTS_DIR } from './shop';

export function createExpressApp({ apiUrl }: { apiUrl: string }): Express {
  const affitor = createAffitorHandler({ apiUrl, basePath: BASE_PATH, scripts: SCRIPTS_DIR });
  const app = express();
  app.all(
    `${BASE_PATH}/*path`,
    getRequestListener((request, env) => affitor(request, { clientAddress: env.incoming.socket.remoteAddress })),
  );
  app.use(express.json());
  app.get('/', (_request, response) => {
    response.type('html').send(LANDING_PAGE);
  });
  return app;
}
