/**
 * A plain Node server: @hono/node-server turns Node's request into a web `Request` and the
 * handler's `Response` back, and hands over the socket, whose address goes to the API as
 * `X-Forwarded-For`.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createAffitorHandler } from '../../src/server'; // in your app: '@affitor/sdk/server'
import { BASE_PATH, LANDING_PAGE, SCRIPTS_DIR } from './shop';

export interface ExampleOptions {
  /** The tracking API. */
  apiUrl: string;
  /** 0 picks a free port. */
  port: number;
}

export interface RunningExample {
  url: string;
  close(): Promise<void>;
}

export function startNodeExample({ apiUrl, port }: ExampleOptions): Promise<RunningExample> {
  const affitor = createAffitorHandler({ apiUrl, basePath: BASE_PATH, scripts: SCRIPTS_DIR });
  return new Promise((resolve) => {
    const server = serve(
      {
        port,
        hostname: '127.0.0.1',
        fetch: (request, env) =>
          new URL(request.url).pathname.startsWith(`${BASE_PATH}/`)
            ? affitor(request, { clientAddress: env.incoming.socket.remoteAddress })
            : new Response(LANDING_PAGE, { headers: { 'Content-Type': 'text/html; charset=utf-8' } }),
      },
      (info: AddressInfo) =>
        resolve({
          url: `http://127.0.0.1:${info.port}`,
          close: () => new Promise<void>((done) => server.close(() => done())),
        }),
    );
  });
}
