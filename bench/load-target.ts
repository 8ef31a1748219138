/**
 * A load-test target in its own process, so autocannon and the server do not share an event
 * loop: `reference` (the tracking server, bench/api.ts) or `bare-click` / `bare-sale` (a bare
 * node:http handler answering the JSON the reference server answered to the same request).
 * Prints one JSON line `{ url, clickId }` once listening.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTrackingServer } from '../examples/server/src/app';
import { API_TOKEN, CLICK_BODY, LOAD_ORIGIN, benchSeed, saleBody, startApi } from './api';

const seed = benchSeed([LOAD_ORIGIN]);

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
  if (mode === 'reference') {
    const api = await startApi(seed);
    const click = await fetch(`${api.url}/api/v1/track/click`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: CLICK_BODY });
    const clickId = ((await click.json()) as { click_id: string }).click_id;
    console.log(JSON.stringify({ url: api.url, clickId }));
    return;
  }
  const answers = await sampleAnswers();
  const answer = mode === 'bare-click' ? answers.click : mode === 'bare-sale' ? answers.sale : undefined;
  if (answer === undefined) throw new Error(`unknown mode ${mode}: reference, bare-click or bare-sale`);
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' }).end(answer));
  });
  server.listen(0, '127.0.0.1', () => {
    console.log(JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, clickId: 'none' }));
  });
}

main(process.argv[2] ?? '').catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
