/**
 * The first-party handler (`createAffitorHandler` from `@affitor/sdk/server`) as a merchant
 * mounts it on its own web server under `/relay`, through @hono/node-server's adapter,
 * forwarding to the tracking API. It keeps what the browser asked and what it was answered,
 * so a scenario checks the handler's side the same way in every engine.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { DIST_DIR } from '../../../examples/demo/static-server';
import { createAffitorHandler } from '../../../src/server';

export const RELAY_PATH = '/relay';

/** A request the browser sent the handler, and its answer. */
export interface RelayExchange {
  method: string;
  /** The path under the relay, e.g. `/relay/api/v1/track/click` or `/relay/affitor.global.js`. */
  path: string;
  /** The browser's JSON body (POSTs), before the handler took its own fields out. */
  body: Record<string, unknown> | null;
  status: number;
  /** The answer's `X-Affitor-Cookies` (click answers): `set` or `none`. */
  cookiesHeader: string | null;
  /** The answer's `Set-Cookie` lines. */
  setCookies: string[];
}

export interface Relay {
  listener: (request: IncomingMessage, response: ServerResponse) => Promise<unknown>;
  /** Every exchange so far, oldest first. */
  seen: RelayExchange[];
  reset(): void;
}

export function startRelay(apiUrl: string): Relay {
  const handle = createAffitorHandler({ apiUrl, basePath: RELAY_PATH, scripts: DIST_DIR });
  const relay: Relay = {
    seen: [],
    reset: () => {
      relay.seen.length = 0;
    },
    listener: getRequestListener(async (request, env) => {
      const body = request.method === 'POST' ? ((await request.clone().json().catch(() => null)) as Record<string, unknown> | null) : null;
      const answer = await handle(request, { clientAddress: env.incoming.socket.remoteAddress });
      relay.seen.push({
        method: request.method,
        path: new URL(request.url).pathname,
        body,
        status: answer.status,
        cookiesHeader: answer.headers.get('x-affitor-cookies'),
        setCookies: answer.headers.getSetCookie(),
      });
      return answer;
    }),
  };
  return relay;
}
