/**
 * `npm run server -- [--port <n>] [--seed <file.json>] [--trust-proxy]`
 * Prints `listening on http://127.0.0.1:<port>` once ready.
 */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startServer } from './node';

const DEMO_SEED = fileURLToPath(new URL('../seed.demo.json', import.meta.url));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { port: { type: 'string' }, seed: { type: 'string' }, 'trust-proxy': { type: 'boolean' } },
    strict: true,
  });
  // Digits only: Number() reads '' as 0 (a random port) and '0x1f90' or '8e3' as other ports, where nobody would look.
  const port = values.port === undefined ? 8787 : /^\d{1,5}$/.test(values.port) ? Number(values.port) : NaN;
  if (!(port <= 65535)) {
    throw new Error(`--port must be an integer from 0 to 65535 (got ${JSON.stringify(values.port)})`);
  }
  const running = await startServer({ port, seed: values.seed ?? DEMO_SEED, trustProxy: values['trust-proxy'] ?? false });
  console.log(`listening on ${running.url}`);
  const stop = () => {
    void running.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
