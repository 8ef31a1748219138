/**
 * `npm run bench`: builds, measures everything in one run on this machine, prints one table
 * and writes the same table (with how each figure was measured) to bench/results.md.
 * BENCH_LOADS (default 60) sets the page loads per Chromium variant; BENCH_SECONDS (default 8)
 * each load-test duration.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../test/e2e/harness';
import { REPO_ROOT } from '../examples/demo/static-server';
import { FILL_CLICKS, FILL_SALES, benchSeed, startApi } from './api';
import type { BenchApi } from './api';
import { measureCookieTime } from './cookie-time';
import type { CookieTimeResult } from './cookie-time';
import { measureLoad } from './load';
import type { LoadFigures, LoadResult } from './load';
import { measureMainThread } from './main-thread';
import type { MainThreadResult } from './main-thread';
import type { MemoryResult } from './memory';
import { startPageServer } from './pages';
import { bytes, count, gap, mebibytes, ms, renderResults, renderTable, signedMs, wholeMs } from './render';
import type { Row } from './render';
import { measureRequests } from './requests';
import type { RequestCount } from './requests';
import { COMPETITOR_GZIP, SCRIPT_GOAL_GZIP, measureSizes } from './sizes';
import type { SizeCheck, SizeResults } from './sizes';
import type { Summary } from './stats';

const LOADS = Number(process.env.BENCH_LOADS ?? 60);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = 10;
const CLICKS = 100_000;
const RESULTS = join(REPO_ROOT, 'bench', 'results.md');

const log = (line: string) => console.error(`[bench] ${line}`);
/** The first 12 hex digits of each script file's SHA-256: names the build measured, also when the sources are uncommitted. */
const scriptBuild = async (): Promise<string> => {
  const hash = async (file: string) => createHash('sha256').update(await readFile(join(REPO_ROOT, 'dist', file))).digest('hex').slice(0, 12);
  return `affitor.global.js sha256 \`${await hash('affitor.global.js')}\`…, affitor.tracker.js sha256 \`${await hash('affitor.tracker.js')}\`…`;
};
const sh = (command: string, args: string[]) => execFileSync(command, args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();

async function measureMemory(): Promise<MemoryResult> {
  const script = fileURLToPath(new URL('./memory.ts', import.meta.url));
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', script, String(CLICKS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`bench/memory.ts exited with ${code}`);
  return JSON.parse(output) as MemoryResult;
}

interface BrowserResults {
  chromium: string;
  mainThread: MainThreadResult;
  cookie: CookieTimeResult;
  requests: RequestCount[];
}

async function measureBrowser(): Promise<BrowserResults> {
  let api: BenchApi | undefined;
  const pages = await startPageServer(() => api?.url ?? 'http://api.not-started.invalid');
  const browser = await launchChromium();
  try {
    api = await startApi(benchSeed([pages.origin]));
    log(`main-thread time: ${LOADS} loads x 3 variants`);
    const mainThread = await measureMainThread(browser, pages.origin, LOADS);
    log(`landing to cookie: ${LOADS} landings`);
    const cookie = await measureCookieTime(browser, pages.origin, LOADS);
    log('requests per landing');
    const requests = await measureRequests(browser, pages.origin, api);
    return { chromium: browser.version(), mainThread, cookie, requests };
  } finally {
    await browser.close();
    await Promise.all([pages.close(), api?.close()]);
  }
}

const medianP95 = (s: Summary) => `${ms(s.median)} / ${ms(s.p95)}`;

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

function loadRow(label: string, figures: LoadFigures, bare?: LoadFigures): Row {
  const checks = `${count(figures.total)} requests, ${figures.non2xx} non-2xx, ${figures.errors} errors`;
  return {
    area: 'Load',
    measure: label,
    result: `${count(figures.rps)} req/s, p99 ${wholeMs(figures.p99)}`,
    reference: bare ? `${(figures.rps / bare.rps).toFixed(2)}x the bare handler's req/s (p99 ${wholeMs(bare.p99)} there); ${checks}` : checks,
  };
}

/** A run against the server holding FILL_CLICKS clicks and FILL_SALES sales, next to the same run against an empty one. */
function filledRow(route: string, filled: LoadFigures, empty: LoadFigures, bare: LoadFigures): Row {
  const change = (filled.rps / empty.rps - 1) * 100;
  return {
    area: 'Load',
    measure: `reference server holding ${count(FILL_CLICKS)} clicks and ${count(FILL_SALES)} sales: ${route}`,
    result: `${count(filled.rps)} req/s, p99 ${wholeMs(filled.p99)}`,
    reference: `empty server: ${count(empty.rps)} req/s, p99 ${wholeMs(empty.p99)} (${change >= 0 ? '+' : ''}${change.toFixed(1)} %); ${(filled.rps / bare.rps).toFixed(2)}x the bare handler; ${count(filled.total)} requests, ${filled.non2xx} non-2xx, ${filled.errors} errors`,
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
  load: LoadResult;
  memory: MemoryResult;
}

function rows({ sizes, browser, load, memory }: AllResults): Row[] {
  const { mainThread: mt, cookie } = browser;
  const { loader, tracker } = sizes;
  const landing = { gzip: loader.sizes.gzip + tracker.sizes.gzip, brotli: loader.sizes.brotli + tracker.sizes.brotli };
  return [
    ...sizeRows(loader, 'script loader, every page view (dist/affitor.global.js)'),
    {
      area: 'Size',
      measure: 'script loader vs goal and competitor (gzip -9)',
      result: bytes(loader.sizes.gzip),
      reference: `the loader, what every page view downloads: goal ${bytes(SCRIPT_GOAL_GZIP)}: ${gap(loader.sizes.gzip, SCRIPT_GOAL_GZIP)}; closest competitor's base script ~${bytes(COMPETITOR_GZIP)}: ${gap(loader.sizes.gzip, COMPETITOR_GZIP)}`,
    },
    ...sizeRows(tracker, 'script tracker, page views with work (dist/affitor.tracker.js)'),
    {
      area: 'Size',
      measure: 'a landing downloads loader + tracker (gzip -9, sum)',
      result: bytes(landing.gzip),
      reference: `brotli (q 11) ${bytes(landing.brotli)}; two responses, the tracker requested once the loader has run`,
    },
    ...sizeRows(sizes.importInitSignup, 'import { init, signup } (esbuild, minified)'),
    { area: 'Main thread', measure: `page without the SDK (median / p95, ${mt.loads} loads)`, result: medianP95(mt.bare), reference: 'baseline: the two clock reads with nothing between' },
    {
      area: 'Main thread',
      measure: 'loader evaluation to init() returning, no ?aff= (median / p95)',
      result: medianP95(mt.noAff),
      reference: `cost: ${signedMs(mt.noAff.median - mt.bare.median)} median, ${signedMs(mt.noAff.p95 - mt.bare.p95)} p95; fetches nothing`,
    },
    {
      area: 'Main thread',
      measure: "loader + tracker evaluation to the tracker's init() returning, ?aff= (median / p95)",
      result: medianP95(mt.withAff),
      reference: `cost: ${signedMs(mt.withAff.median - mt.bare.median)} median, ${signedMs(mt.withAff.p95 - mt.bare.p95)} p95; the tracker's download not included`,
    },
    {
      area: 'Cookie',
      measure: `landing to affitor_click_id written (median / p95, ${cookie.loads} landings)`,
      result: medianP95(cookie.cookie),
      reference: `medians: loader arrived ${ms(cookie.loaderLoaded.median)}, tracker arrived ${ms(cookie.trackerLoaded.median)}, click sent ${ms(cookie.clickSent.median)}, answered ${ms(cookie.clickAnswered.median)}`,
    },
    ...browser.requests.map(
      (step): Row => ({
        area: 'Requests',
        measure: step.step,
        result: `${step.serverTotal} reached the API; ${sdkFiles(step)}`,
        reference: `${describeCount(step)}; Chromium sent ${step.browser}; SDK: ${step.sdkFiles.join(' + ') || 'none'}`,
      }),
    ),
    loadRow('bare node:http, click JSON', load.bareClick),
    loadRow('reference server: click', load.click, load.bareClick),
    loadRow('bare node:http, sale JSON', load.bareSale),
    loadRow('reference server: sale (unique transaction ids)', load.sale, load.bareSale),
    filledRow('click', load.filledClick, load.click, load.bareClick),
    filledRow('sale', load.filledSale, load.sale, load.bareSale),
    {
      area: 'Memory',
      measure: `heapUsed after ${count(memory.clicks)} clicks${memory.gc ? ' (after GC)' : ' (no GC available)'}`,
      result: mebibytes(memory.after.heapUsed),
      reference: `${mebibytes(memory.before.heapUsed)} before: ${count((memory.after.heapUsed - memory.before.heapUsed) / memory.clicks)} B per click; ${count(memory.stored)} clicks stored, ${memory.failed} failed`,
    },
    {
      area: 'Memory',
      measure: `RSS after ${count(memory.clicks)} clicks`,
      result: mebibytes(memory.after.rss),
      reference: `${mebibytes(memory.before.rss)} before; ${count(memory.clicks / memory.seconds)} clicks/s through app.fetch`,
    },
  ];
}

function methods(results: AllResults): string[] {
  const { mainThread } = results.browser;
  return [
    `**Size.** \`npm run build\` first. The \`<script>\` build is two files as built: the loader \`dist/affitor.global.js\`, which every page view downloads, and the tracker \`dist/affitor.tracker.js\`, which the loader fetches from its own folder only when the page view has work (a new \`?aff=\` landing, not a reload of the stored one; undelivered events, a legacy cookie, debug, a missing program id, or a call such as \`signup\`). A landing downloads both, one after the other; its row adds the two files' sizes, each compressed on its own as a server sends them. \`import { init, signup }\` is \`export { init, signup } from './dist/index.js'\` bundled by esbuild (minify, ESM, browser, es2022). gzip is zlib level 9, brotli quality 11. Budgets and the pass/fail come from \`size-limit --json\` over \`.size-limit.json\`; size-limit compresses with its own settings, so its gzip figure can differ from gzip -9 by tens of bytes. The goal and the competitor's base script are compared with the loader's gzip -9: like that base script, it is what every page view downloads; a landing downloads the tracker on top.`,
    `**Main thread.** Headless Chromium (playwright-core, Debian's chromium). A page on \`http://www.shop.localhost\` (loopback) reads \`performance.now()\` in an inline script, then runs the SDK inlined, then reads the clock again; the bare page has the two reads and nothing between. Without \`?aff=\` the loader \`dist/affitor.global.js\` alone is inlined, in a \`<script data-affitor-…>\` tag: it finds no work, fetches nothing, and the span ends with its \`init()\` returning. With \`?aff=\` the loader is inlined and \`dist/affitor.tracker.js\` in a second \`<script>\` right after it, as the browser runs them once the tracker has arrived: the loader asks for the tracker, the inline tracker hands itself over, and the span ends with the tracker's \`init()\` returning (the queue replay is empty). On a real landing the two run as separate tasks with the tracker's download between them; the span is their sum without that wait. The spans cover parsing, compiling and running the scripts; the network time of the tracker and of the click request is not in them. The loader also adds \`<script src="/affitor.tracker.js">\` (relative to the page, as the inline tag has no src), which the page server answers, so no 404 is logged (the bench fails on any console error, and checks that only the \`?aff=\` page fetches the tracker). That copy runs once it has arrived and its handover is ignored; it notes when it has run, and ran inside the span in ${mainThread.fetchedTrackerInSpan} of ${mainThread.loads} \`?aff=\` loads${mainThread.fetchedTrackerInSpan > 0 ? ' (in those the span holds both copies, one of them ignored)' : ''}. The pages are served with COOP/COEP, so the clock has 5 µs resolution (cross-origin isolated: ${mainThread.isolated ? 'yes, on every load' : 'NO, 100 µs resolution'}). Each load is a fresh browser context (new renderer, cold V8, empty jar); the three variants take turns, ${mainThread.loads} measured loads each after 5 warm-up rounds. The cost is the difference to the bare page. Median and p95 are nearest-rank order statistics.`,
    `**Cookie.** The landing page as the README sets it up (\`<script async src=…/dist/affitor.global.js>\` with \`?aff=\`), with \`/dist/affitor.tracker.js\` beside it, served from loopback with \`Cache-Control: no-store\`, the tracking server on another loopback port. The loader arrives and runs, finds the \`?aff=\`, fetches the tracker; the tracker runs and sends the click, and writes the cookie from the answer. An inline script wraps \`document.cookie\`'s setter and notes \`performance.now()\` (ms since navigation start) when \`affitor_click_id\` is first written and readable. Resource timing gives when the loader and the tracker arrived (\`responseEnd\`) and when the click request was sent and answered. A fresh context per landing, ${results.browser.cookie.loads} landings after 3 warm-up ones. On loopback the tracker's request costs little; on a real network it adds a round trip and the tracker's download between the loader running and the click being sent.`,
    `**Requests.** One cookie jar: first visit with \`?aff=PARTNER123\`, reload, \`?aff=PARTNER456\`, then a page without \`?aff=\`. Each step waits for its cookie (or load) and then for 500 ms of network quiet. Counted where requests arrive (the server, by method and path, so CORS preflights would show as OPTIONS) and where they leave (Chromium's \`request\` events to the API origin). The SDK files are the \`affitor.*.js\` requests Chromium sent to the page's origin; pages and files are served with \`no-store\`, so each page view fetches the files it needs (with a cache, the loader would mostly come from it).`,
    `**Load.** autocannon ${CONNECTIONS} connections, a 2 s warm-up, then ${results.load.seconds} s, against a target in its own Node process (the server and autocannon do not share an event loop, but they share the machine's ${cpus().length} cores). The reference server is \`createTrackingServer\` on @hono/node-server as in \`examples/server/src/node.ts\`, except that browser-call rate limits are keyed by \`X-Forwarded-For\` (the fetch handler's default), which the bench sets to a different 10.x.y.z address per click: from one socket address the 600-per-minute limit would answer almost every click with 429. The program's own limits are raised in the bench seed for the same reason (sales). Sales carry a unique \`transaction_id\` per request (autocannon's \`setupRequest\`) for a click id made before the run. The last two runs repeat click and sale against a server that first took ${count(FILL_CLICKS)} clicks (from as many visitor addresses) and ${count(FILL_SALES)} sales through \`app.fetch\` in its own process, to show whether a call costs more as the store grows; the figure in brackets is the change from the empty server's run. The bare handler is \`node:http\` reading the body and answering the JSON the reference server answered to the same request. Requests/s is total/duration; p99 latency is autocannon's, whose resolution is 1 ms.`,
    `**Memory.** ${count(results.memory.clicks)} clicks through \`app.fetch\` in a separate \`node --expose-gc\` process, 100 at a time, each from a different visitor address; heapUsed and RSS from \`process.memoryUsage()\` after two \`gc()\` calls, before (after 200 warm-up clicks) and after. The server keeps every click, customer and rate-limit window in memory, so growth per click is the figure to watch.`,
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
  log('sizes');
  const sizes = await measureSizes();
  const browser = await measureBrowser();
  log(`load: ${CONNECTIONS} connections, 6 runs of 2 s + ${SECONDS} s`);
  const load = await measureLoad(CONNECTIONS, SECONDS);
  log(`memory: ${count(CLICKS)} clicks`);
  const memory = await measureMemory();
  const results: AllResults = { sizes, browser, load, memory };
  // A build by someone else in the same tree during the run would mix two builds in one table.
  if ((await scriptBuild()) !== build) throw new Error('dist/ changed during the run: run the bench again');

  const cpu = cpus();
  const loadAfter = loadavg()[0]!;
  const busy = Math.max(loadBefore, loadAfter) > cpu.length;
  const environment = [
    `Run ${new Date().toISOString()} at commit \`${commit}\`${dirty ? ' (with uncommitted changes in src/, examples/server, tsup.config.ts or .size-limit.json)' : ''}, in ${((performance.now() - started) / 1000).toFixed(0)} s`,
    `Script build measured: ${build}`,
    `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}; Node ${process.version}; Chromium ${browser.chromium}`,
    `1-minute load average ${loadBefore.toFixed(1)} at the start, ${loadAfter.toFixed(1)} at the end${busy ? ': other work shared the CPUs, so times are slower and noisier than on an idle machine' : ''}`,
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
