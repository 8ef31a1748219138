/**
 * The reference server's memory after 100,000 clicks, driven in-process through `app.fetch`
 * (each from a different visitor address, as real landings would be). Run in its own process
 * with `--expose-gc` (bench/run.ts does): prints one JSON line with heapUsed and RSS before and
 * after, each read after a full GC. `node … memory.ts <clicks> [minimal|sdk]`: the load test's
 * minimal click body (the default), or each click as the browser SDK sends it (`sdkClickBody`).
 */
import { createTrackingServer } from '../examples/server/src/app';
import { CLICK_BODY, LOAD_ORIGIN, benchSeed, sdkClickBody } from './api';

export type ClickShape = 'minimal' | 'sdk';

export interface MemoryResult {
  clicks: number;
  shape: ClickShape;
  gc: boolean;
  before: { heapUsed: number; rss: number };
  after: { heapUsed: number; rss: number };
  stored: number;
  failed: number;
  seconds: number;
}

const CLICKS = Number(process.argv[2] ?? 100_000);
const SHAPE = (process.argv[3] ?? 'minimal') as ClickShape;
if (SHAPE !== 'minimal' && SHAPE !== 'sdk') throw new Error(`click shape must be minimal or sdk, got ${String(SHAPE)}`);
const BATCH = 100;

function settled(): { heapUsed: number; rss: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed, rss };
}

async function main(): Promise<void> {
  const app = createTrackingServer(benchSeed([LOAD_ORIGIN]));
  const click = (n: number) =>
    app.fetch(
      new Request('http://127.0.0.1/api/v1/track/click', {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain;charset=UTF-8', Origin: LOAD_ORIGIN, 'X-Forwarded-For': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}` },
        body: SHAPE === 'sdk' ? sdkClickBody() : CLICK_BODY,
      }),
    );
  // Warm the code paths so the baseline holds compiled code, not just an empty heap.
  for (let n = 0; n < 200; n++) await (await click(1_000_000 + n)).text();
  const before = settled();
  const started = performance.now();
  let failed = 0;
  for (let n = 0; n < CLICKS; n += BATCH) {
    const answers = await Promise.all(Array.from({ length: Math.min(BATCH, CLICKS - n) }, (_, i) => click(n + i)));
    for (const answer of answers) {
      if (answer.status !== 200) failed++;
      await answer.arrayBuffer();
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const after = settled();
  const result: MemoryResult = {
    clicks: CLICKS,
    shape: SHAPE,
    gc: typeof (globalThis as { gc?: unknown }).gc === 'function',
    before,
    after,
    stored: app.inspect().clicks.length,
    failed,
    seconds,
  };
  console.log(JSON.stringify(result));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
