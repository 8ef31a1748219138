/**
 * A load-test target in its own process, so autocannon and the server do not share an event
 * loop: `reference` (the tracking server, bench/api.ts), `reference-filled` (the same, holding
 * FILL_CLICKS clicks and FILL_SALES sales before the run), or `bare-click` / `bare-sale` (a bare
 * node:http handler answering the JSON the reference server answered to the same request).
 * Prints one JSON line `{ url, clickId }` once listening, then, for each `sample` line on its stdin,
 * one line `{ cpu, gcPausesMs }`: its `process.cpuUsage()` (the bench's CPU time per request) and
 * the garbage collector's pauses since the last such line.
 */
import { createServer } from 'node:http';
import { PerformanceObserver } from 'node:perf_hooks';
import type { PerformanceEntry } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import type { AddressInfo } from 'node:net';
import { createTrackingServer } from '../examples/server/src/app';
import type { TrackingServer } from '../examples/server/src/app';
import { API_TOKEN, CLICK_BODY, FILL_CLICKS, FILL_SALES, LOAD_ORIGIN, benchSeed, saleBody, startApi } from './api';

const seed = benchSeed([LOAD_ORIGIN]);

/** Clicks from as many visitors, then a sale for each of the first FILL_SALES customers, through app.fetch. */
async function fill(app: TrackingServer): Promise<void> {
  const clickIds: string[] = [];
  for (let n = 0; n < FILL_CLICKS; n += 100) {
    const batch = Array.from({ length: Math.min(100, FILL_CLICKS - n) }, async (_, i) => {
      const visitor = n + i + 1;
      const answer = await app.fetch(
        new Request('http://api/api/v1/track/click', {
          method: 'POST',
          headers: { 'Content-Type': 'text/plain', 'X-Forwarded-For': `172.${(visitor >> 16) & 255}.${(visitor >> 8) & 255}.${visitor & 255}` },
          body: CLICK_BODY,
        }),
      );
      return ((await answer.json()) as { click_id: string }).click_id;
    });
    clickIds.push(...(await Promise.all(batch)));
  }
  for (let n = 0; n < FILL_SALES; n++) {
    const answer = await app.fetch(
      new Request('http://api/api/v1/track/sale', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${API_TOKEN}` },
        body: saleBody(`fill_${n}`, clickIds[n]!),
      }),
    );
    if (answer.status !== 200) throw new Error(`filling: sale ${n} answered ${answer.status}`);
  }
  const state = app.inspect();
  if (state.clicks.length !== FILL_CLICKS || state.sales.length !== FILL_SALES) throw new Error('filling: the store does not hold what was sent');
}

/** One click and one sale through the reference server in-process: their answers, for the bare handler. */
async function sampleAnswers(): Promise<{ click: string; sale: string }> {
  const app = createTrackingServer(seed);
  const click = await app.fetch(
    new Request('http://api/api/v1/track/click', { method: 'POST', headers: { 'Content-Type': 'text/plain', Origin: LOAD_ORIGIN }, body: CLICK_BODY }),
  );
  const clickText = await click.text();
  const clickId = (JSON.parse(clickText) as { click_id: string }).click_id;
  const sale = await app.fetch(
    new Request('http://api/api/v1/track/sale', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${API_TOKEN}` },
      body: saleBody('sample', clickId),
    }),
  );
  if (click.status !== 200 || sale.status !== 200) throw new Error(`sample answers failed: click ${click.status}, sale ${sale.status}`);
  return { click: clickText, sale: await sale.text() };
}

async function main(mode: string): Promise<void> {
  if (mode === 'reference' || mode === 'reference-filled') {
    const api = await startApi(seed);
    if (mode === 'reference-filled') await fill(api.app);
    // A server that took its records over hours has long since collected the garbage of taking
    // them; one filled in seconds has not. A full collection (both ways, for a like start) puts
    // the filled server where a long-running one is, so the run measures what holding costs, not
    // the clean-up of the fill (bench/load.ts starts targets with --expose-gc).
    (globalThis as { gc?: () => void }).gc?.();
    const click = await fetch(`${api.url}/api/v1/track/click`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: CLICK_BODY });
    const clickId = ((await click.json()) as { click_id: string }).click_id;
    console.log(JSON.stringify({ url: api.url, clickId }));
    return;
  }
  const answers = await sampleAnswers();
  const answer = mode === 'bare-click' ? answers.click : mode === 'bare-sale' ? answers.sale : undefined;
  if (answer === undefined) throw new Error(`unknown mode ${mode}: reference, reference-filled, bare-click or bare-sale`);
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' }).end(answer));
  });
  server.listen(0, '127.0.0.1', () => {
    console.log(JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, clickId: 'none' }));
  });
}

/** Each pause of the garbage collector (Node's `gc` performance entries, every kind) since the last `sample` line, ms. */
let gcPausesMs: number[] = [];
const notePauses = (entries: PerformanceEntry[]) => entries.forEach((entry) => gcPausesMs.push(entry.duration));
const gcWatch = new PerformanceObserver((list) => notePauses(list.getEntries()));
gcWatch.observe({ entryTypes: ['gc'] });

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line !== 'sample') return;
  // The observer hears of pauses a little later, in batches: the ones not delivered yet count too.
  notePauses(gcWatch.takeRecords());
  console.log(JSON.stringify({ cpu: process.cpuUsage(), gcPausesMs }));
  gcPausesMs = [];
});

main(process.argv[2] ?? '').catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
