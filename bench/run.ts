/**
 * `npm run bench`: builds, measures everything in one run on this machine, prints one table
 * and writes the same table (with how each figure was measured) to bench/results.md.
 * BENCH_SECONDS (default 8) sets each load-test duration, BENCH_LOAD_ROUNDS (default 5) the runs per load figure (the median one counts). The landing section has its own: BENCH_LANDING_LOADS (default 60)
 * loads per variant for its script time, BENCH_LANDINGS (default 30) slow-4G landings,
 * BENCH_BOUNCE_TRIES (default 10) tries per leave time and way, BENCH_PRECONNECT_LANDINGS (default 15)
 * landings per variant over a cold TLS connection (bench/preconnect.ts). BENCH_ONLY=landing measures
 * the landing alone and prints it without writing bench/results.md.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../test/e2e/harness';
import { REPO_ROOT } from '../examples/demo/static-server';
import { FILL_CLICKS, FILL_SALES, benchSeed, startApi } from './api';
import type { BenchApi } from './api';
import { measureLanding } from './landing';
import type { LandingResult } from './landing';
import { startLandingPages } from './landing-pages';
import { landingMethod, landingRows, preconnectMethod, preconnectRows } from './landing-render';
import { measurePreconnect } from './preconnect';
import type { PreconnectResult } from './preconnect';
import { measureLoad } from './load';
import type { LoadResult } from './load';
import { filledRow, loadRow } from './load-render';
import type { ClickShape, MemoryResult } from './memory';
import { startPageServer } from './pages';
import { bytes, count, gap, mebibytes, renderResults, renderTable } from './render';
import type { Row } from './render';
import { measureRequests } from './requests';
import type { RequestCount } from './requests';
import { measureSizes } from './sizes';
import type { SizeCheck, SizeResults } from './sizes';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const LOAD_ROUNDS = Number(process.env.BENCH_LOAD_ROUNDS ?? 5);
const CONNECTIONS = 10;
const CLICKS = 100_000;
const RESULTS = join(REPO_ROOT, 'bench', 'results.md');
const LANDING = {
  // With 30 loads, three runs put the same first file's landing at 7.42, 8.03 and 6.88 ms (median), on
  // either side of the goal; two runs of 100 alternated loads gave 7.56 and 7.63 ms.
  loads: Number(process.env.BENCH_LANDING_LOADS ?? 60),
  landings: Number(process.env.BENCH_LANDINGS ?? 30),
  tries: Number(process.env.BENCH_BOUNCE_TRIES ?? 10),
  preconnectLandings: Number(process.env.BENCH_PRECONNECT_LANDINGS ?? 15),
};
const LANDING_ONLY = process.env.BENCH_ONLY === 'landing';
const FILL = { clicks: FILL_CLICKS, sales: FILL_SALES };

const log = (line: string) => console.error(`[bench] ${line}`);
/** The first 12 hex digits of each script file's SHA-256: names the build measured, also when the sources are uncommitted. */
const scriptBuild = async (): Promise<string> => {
  const hash = async (file: string) => createHash('sha256').update(await readFile(join(REPO_ROOT, 'dist', file))).digest('hex').slice(0, 12);
  // Every file of the <script> build, however it is split.
  const files = (await readdir(join(REPO_ROOT, 'dist'))).filter((file) => /^affitor\.[\w.]+\.js$/.test(file)).sort();
  return (await Promise.all(files.map(async (file) => `${file} sha256 \`${await hash(file)}\`…`))).join(', ');
};
const sh = (command: string, args: string[]) => execFileSync(command, args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();

async function measureMemory(shape: ClickShape): Promise<MemoryResult> {
  const script = fileURLToPath(new URL('./memory.ts', import.meta.url));
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', script, String(CLICKS), shape], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`bench/memory.ts exited with ${code}`);
  return JSON.parse(output) as MemoryResult;
}

interface BrowserResults {
  chromium: string;
  requests: RequestCount[];
}

async function measureBrowser(): Promise<BrowserResults> {
  let api: BenchApi | undefined;
  const pages = await startPageServer(() => api?.url ?? 'http://api.not-started.invalid');
  const browser = await launchChromium();
  try {
    api = await startApi(benchSeed([pages.origin]));
    log('requests per landing');
    const requests = await measureRequests(browser, pages.origin, api);
    return { chromium: browser.version(), requests };
  } finally {
    await browser.close();
    await Promise.all([pages.close(), api?.close()]);
  }
}

/** The landing on its own page server, tracking server and browser: it runs alone with BENCH_ONLY=landing. */
async function measureLandingAlone(): Promise<LandingResult> {
  let api: BenchApi | undefined;
  const pages = await startLandingPages(() => api?.url ?? 'http://api.not-started.invalid');
  const browser = await launchChromium();
  try {
    api = await startApi(benchSeed([pages.origin]));
    return await measureLanding(browser, pages.origin, api, { ...LANDING, log });
  } finally {
    await browser.close();
    await Promise.all([pages.close(), api?.close()]);
  }
}

function sizeRows(check: SizeCheck, label: string): Row[] {
  const { minified, gzip, brotli } = check.sizes;
  const verdict = check.passed ? 'pass' : 'FAIL';
  return [
    { area: 'Size', measure: `${label}: minified`, result: bytes(minified), reference: '' },
    {
      area: 'Size',
      measure: `${label}: gzip -9`,
      result: bytes(gzip),
      reference: `budget ${bytes(check.budget)}; size-limit measures ${bytes(check.sizeLimitSays)}: ${verdict}, ${gap(check.sizeLimitSays, check.budget)}`,
    },
    { area: 'Size', measure: `${label}: brotli (q 11)`, result: bytes(brotli), reference: '' },
  ];
}

/** The heap after a memory run, and its growth per click. `what`: the clicks it sent, e.g. `clicks`. */
function heapRow(memory: MemoryResult, what: string): Row {
  return {
    area: 'Memory',
    measure: `heapUsed after ${count(memory.clicks)} ${what}${memory.gc ? ' (after GC)' : ' (no GC available)'}`,
    result: mebibytes(memory.after.heapUsed),
    reference: `${mebibytes(memory.before.heapUsed)} before: ${count((memory.after.heapUsed - memory.before.heapUsed) / memory.clicks)} B per click; ${count(memory.stored)} clicks stored, ${memory.failed} failed`,
  };
}

function describeCount(step: RequestCount): string {
  const parts = Object.entries(step.server).map(([route, n]) => `${n}x ${route}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

const sdkFiles = (step: RequestCount): string => `${step.sdkFiles.length} SDK file${step.sdkFiles.length === 1 ? '' : 's'}`;

interface AllResults {
  sizes: SizeResults;
  browser: BrowserResults;
  landing: LandingResult;
  preconnect: PreconnectResult;
  load: LoadResult;
  memory: MemoryResult;
  /** The same with each click as the browser SDK sends it. */
  sdkMemory: MemoryResult;
}

function rows(results: AllResults): Row[] {
  const { sizes, browser, load, memory, sdkMemory } = results;
  const { first, main, more } = sizes;
  return [
    ...sizeRows(first, 'script first file, every page view and all a landing downloads (dist/affitor.global.js)'),
    ...sizeRows(main, 'script main file, loaded for anything beyond a plain landing (dist/affitor.main.js)'),
    ...sizeRows(more, 'script rest, loaded when asked (dist/affitor.more.js)'),
    ...sizeRows(sizes.importInitSignup, 'import { init, signup } (esbuild, minified)'),
    ...landingRows(results.landing),
    ...preconnectRows(results.preconnect),
    ...browser.requests.map(
      (step): Row => ({
        area: 'Requests',
        measure: step.step,
        result: `${step.serverTotal} reached the API; ${sdkFiles(step)}`,
        reference: `${describeCount(step)}; Chromium sent ${step.browser}; SDK: ${step.sdkFiles.join(' + ') || 'none'}`,
      }),
    ),
    loadRow('bare node:http, click JSON', load.bareClick),
    loadRow('reference server: click', load.click, { figures: load.bareClick, toBare: load.ratios.click }),
    loadRow('bare node:http, sale JSON', load.bareSale),
    loadRow('reference server: sale (unique transaction ids)', load.sale, { figures: load.bareSale, toBare: load.ratios.sale }),
    filledRow('click', load.filledClick, load.click, { rps: load.ratios.filledClick, cpu: load.ratios.filledClickCpu }, FILL),
    filledRow('sale', load.filledSale, load.sale, { rps: load.ratios.filledSale, cpu: load.ratios.filledSaleCpu }, FILL),
    heapRow(memory, 'clicks'),
    {
      area: 'Memory',
      measure: `RSS after ${count(memory.clicks)} clicks`,
      result: mebibytes(memory.after.rss),
      reference: `${mebibytes(memory.before.rss)} before; ${count(memory.clicks / memory.seconds)} clicks/s through app.fetch`,
    },
    heapRow(sdkMemory, 'clicks as the browser SDK sends them'),
  ];
}

function methods(results: AllResults): string[] {
  return [
    `**Size.** \`npm run build\` first. The \`<script>\` build is three files as built: \`dist/affitor.global.js\`, which every page view downloads and which lands a plain landing by itself; \`dist/affitor.main.js\`, which it loads from its own folder for anything more (a signup, consent, events kept by an earlier page view, debug); and \`dist/affitor.more.js\`, which the main file loads only for \`diagnose()\`, \`debug\`, the Stripe decoration and a request whose first try failed. \`import { init, signup }\` is \`export { init, signup } from './dist/index.js'\` bundled by esbuild (minify, ESM, browser, es2022). gzip is zlib level 9, brotli quality 11. Budgets and the pass/fail come from \`size-limit --json\` over \`.size-limit.json\`; size-limit compresses with its own settings, so its gzip figure can differ from gzip -9 by tens of bytes.`,
    landingMethod(results.landing),
    preconnectMethod(results.preconnect),
    `**Requests.** One cookie jar: first visit with \`?aff=PARTNER123\`, reload, \`?aff=PARTNER456\`, then a page without \`?aff=\`. Each step waits for its cookie (or load) and then for 500 ms of network quiet. Counted where requests arrive (the server, by method and path, so CORS preflights would show as OPTIONS) and where they leave (Chromium's \`request\` events to the API origin). The SDK files are the \`affitor.*.js\` requests Chromium sent to the page's origin; pages and files are served with \`no-store\`, so each page view fetches the files it needs (with a cache, the loader would mostly come from it).`,
    `**Load.** autocannon ${CONNECTIONS} connections, a 2 s warm-up, then ${results.load.seconds} s, against a target in its own Node process, started afresh for each run (the server and autocannon do not share an event loop, but they share the machine's ${cpus().length} cores). The reference server is \`createTrackingServer\` on @hono/node-server as in \`examples/server/src/node.ts\`, except that browser-call rate limits are keyed by \`X-Forwarded-For\` (the fetch handler's default), which the bench sets to a different 10.x.y.z address per click: from one socket address the 600-per-minute limit would answer almost every click with 429. The program's own limits are raised in the bench seed for the same reason (sales). Sales carry a unique \`transaction_id\` per request (autocannon's \`setupRequest\`) for a click id made before the run. The last two runs repeat click and sale against a server that first took ${count(FILL_CLICKS)} clicks (from as many visitor addresses) and ${count(FILL_SALES)} sales through \`app.fetch\` in its own process, then a full garbage collection (as a long-running server has long since collected the garbage of taking its records; the empty server gets one too), to show whether a call costs more as the store grows. Neither server stays as it started: each stores every click or sale it answers 2xx, of its warm-up and of the measured run, as many as the fill or more, so the "empty" server is empty only before its warm-up, and each row says how many of its route's records the filled and the empty server held at the start and at the end of the measured run (from their 2xx counts). The changes shown beside them, of requests/s and of CPU time per request, are from the empty server's run of the same round. The bare handler is \`node:http\` reading the body and answering the JSON the reference server answered to the same request. Requests/s is total/duration; CPU per request is the target process's own CPU time over the measured run (\`process.cpuUsage()\`, user and system, all its threads, the garbage collector's included) divided by its requests: unlike requests/s, it does not depend on how the scheduler shared the cores between the target and autocannon. The GC pauses are the target's own over the measured run (Node's \`gc\` performance entries, of every kind, observed in the target process): how many, their median and the longest. A pause stops the target's one JavaScript thread, so every request in flight waits it out: the pauses show in the p99. p99 latency is the nearest-rank 99th percentile of the measured run's 2xx answer times as autocannon timed them (its own summary keeps whole milliseconds, so 2.9 ms would read as 2). Each figure is the run with the median requests/s of ${results.load.rounds} (its own p99 and counts with it); the rounds take turns over the six targets, so a busy minute on the shared machine falls on all of them alike. Each ratio (to the bare handler, filled to empty) is the median of the ${results.load.rounds} rounds' own ratios: the runs it compares go back to back within a round (bare, empty, filled), so a minute when the machine is slower, which moved one target's figure by 30 % and more between rounds, changes both sides of a ratio alike.`,
    `**Memory.** ${count(results.memory.clicks)} clicks through \`app.fetch\` in a separate \`node --expose-gc\` process, 100 at a time, each from a different visitor address; heapUsed and RSS from \`process.memoryUsage()\` after two \`gc()\` calls, before (after 200 warm-up clicks) and after. The server keeps every click, customer and rate-limit window in memory, so growth per click is the figure to watch. The first two rows send the load test's click, \`{"affiliate_url": …}\` alone; the last sends each click as the browser SDK does (\`sdkClickBody\` in bench/api.ts, from the SDK's own payload code): the page context of a desktop Chromium landing, a session id and an \`event_id\`, whose first answer the server also keeps, to replay it to a resend.`,
  ];
}

async function main(): Promise<void> {
  const started = performance.now();
  const loadBefore = loadavg()[0]!;
  // Read before the build: what is built is what the run measures, whatever lands in git meanwhile.
  const commit = sh('git', ['rev-parse', '--short', 'HEAD']);
  const dirty = sh('git', ['status', '--porcelain', '--', 'src', 'examples/server', 'tsup.config.ts', '.size-limit.json']) !== '';
  log('npm run build');
  execFileSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const build = await scriptBuild();
  if (LANDING_ONLY) {
    const landing = await measureLandingAlone();
    const preconnect = await measurePreconnect({ landings: LANDING.preconnectLandings, log });
    console.log(
      `Script build measured: ${build}\n\n${renderTable([...landingRows(landing), ...preconnectRows(preconnect)])}\n\n${landingMethod(landing)}\n\n${preconnectMethod(preconnect)}`,
    );
    return;
  }
  log('sizes');
  const sizes = await measureSizes();
  const browser = await measureBrowser();
  const landing = await measureLandingAlone();
  const preconnect = await measurePreconnect({ landings: LANDING.preconnectLandings, log });
  log(`load: ${CONNECTIONS} connections, ${LOAD_ROUNDS} rounds of 6 runs of 2 s + ${SECONDS} s`);
  const load = await measureLoad(CONNECTIONS, SECONDS, LOAD_ROUNDS);
  log(`memory: ${count(CLICKS)} clicks, twice: minimal and as the SDK sends them`);
  const memory = await measureMemory('minimal');
  const sdkMemory = await measureMemory('sdk');
  const results: AllResults = { sizes, browser, landing, preconnect, load, memory, sdkMemory };
  // A build by someone else in the same tree during the run would mix two builds in one table.
  if ((await scriptBuild()) !== build) throw new Error('dist/ changed during the run: run the bench again');

  const cpu = cpus();
  const loadAfter = loadavg()[0]!;
  // Only the start tells of other work: the end is read just after the bench's own load test kept the cores busy.
  const busy = loadBefore > cpu.length;
  const environment = [
    `Run ${new Date().toISOString()} at commit \`${commit}\`${dirty ? ' (with uncommitted changes in src/, examples/server, tsup.config.ts or .size-limit.json)' : ''}, in ${((performance.now() - started) / 1000).toFixed(0)} s`,
    `Script build measured: ${build}`,
    `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}; Node ${process.version}; Chromium ${browser.chromium}`,
    `1-minute load average ${loadBefore.toFixed(1)} at the start, ${loadAfter.toFixed(1)} at the end (just after the bench's own load test)${busy ? ': other work shared the CPUs, so times are slower and noisier than on an idle machine' : ''}`,
  ];
  const table = renderTable(rows(results));
  console.log(table);
  await writeFile(RESULTS, renderResults({ title: 'Benchmarks', environment, rows: rows(results), methods: methods(results) }));
  log(`wrote ${RESULTS}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
