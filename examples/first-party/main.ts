/**
 * Runs one of the examples on a port, in front of a tracking API:
 *   npm run server                      # the reference tracking API on :8787, in another terminal
 *   npx tsx examples/first-party/main.ts [--adapter node|hono|express] [--port 3000] [--api-url http://127.0.0.1:8787]
 * then open http://127.0.0.1:3000/?aff=PARTNER123 (after `npm run build`, which makes the script files).
 */
import type { Server } from 'node:http';
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import { createExpressApp } from './express';
import { createHonoApp } from './hono';
import { startNodeExample } from './node';

const { values } = parseArgs({
  options: { adapter: { type: 'string', default: 'node' }, port: { type: 'string', default: '3000' }, 'api-url': { type: 'string', default: 'http://127.0.0.1:8787' } },
  strict: true,
});
const port = Number(values.port);
const apiUrl = values['api-url'];
const ready = (url: string) => console.log(`${values.adapter} example on ${url}/?aff=PARTNER123, forwarding to ${apiUrl}`);

if (values.adapter == 'node') {
  void startNodeExample({ apiUrl, port }).then(({ url }) => ready(url));
} else if (values.adapter == 'hono') {
  serve({ fetch: createHonoApp({ apiUrl }).fetch, port, hostname: '127.0.0.1' }, (info) => ready(`http://127.0.0.1:${info.port}`));
} else if (values.adapter == 'express') {
  const server: Server = createExpressApp({ apiUrl }).listen(port, '127.0.0.1', () => {
    const address = server.address();
    ready(`http://127.0.0.1:${typeof address == 'object' && address ? address.port : port}`);
  });
} else {
  console.error(`--adapter must be node, hono or express (got ${values.adapter})`);
  process.exit(1);
}
