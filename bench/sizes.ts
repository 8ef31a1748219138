/**
 * Bundle sizes: the two files of the <script> build as shipped (the loader every page view
 * downloads, the tracker it fetches when the page has work), and `import { init, signup }`
 * bundled from dist/index.js with esbuild (minified), each minified / gzip -9 / brotli
 * (quality 11), next to the size-limit budgets in .size-limit.json and size-limit's own verdict.
 */
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
// esbuild comes with tsup and @size-limit/esbuild (both devDependencies); the bench uses it directly.
import { build } from 'esbuild';
import { REPO_ROOT } from '../examples/demo/static-server';

export interface Sizes {
  minified: number;
  gzip: number;
  brotli: number;
}

export interface SizeCheck {
  name: string;
  sizes: Sizes;
  /** The budget in .size-limit.json, bytes. */
  budget: number;
  /** What size-limit itself measured for that entry (gzip), bytes. */
  sizeLimitSays: number;
  passed: boolean;
}

export function measure(code: Uint8Array): Sizes {
  return {
    minified: code.byteLength,
    gzip: gzipSync(code, { level: 9 }).byteLength,
    brotli: brotliCompressSync(code, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: code.byteLength },
    }).byteLength,
  };
}

/** `import { init, signup }` from the built ES module, as an app's bundler would keep it. */
async function bundleImport(): Promise<Uint8Array> {
  const result = await build({
    stdin: { contents: "export { init, signup } from './dist/index.js';", resolveDir: REPO_ROOT, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.contents;
}

interface SizeLimitAnswer {
  name: string;
  passed: boolean;
  size: number;
  sizeLimit: number;
}

export interface SizeResults {
  /** dist/affitor.global.js: downloaded on every page view, and all a landing downloads. */
  first: SizeCheck;
  /** dist/affitor.main.js: loaded by the first file for anything beyond a plain landing (a signup, consent, kept events). */
  main: SizeCheck;
  /** dist/affitor.more.js: loaded by the main file only when asked (diagnose, debug, the Stripe decoration, a failed try). */
  more: SizeCheck;
  importInitSignup: SizeCheck;
}

export async function measureSizes(): Promise<SizeResults> {
  // size-limit exits 1 when an entry is over budget; its JSON still says by how much, and the table shows it.
  const run = spawnSync(join(REPO_ROOT, 'node_modules', '.bin', 'size-limit'), ['--json'], { cwd: REPO_ROOT, encoding: 'utf8' });
  let answers: SizeLimitAnswer[];
  try {
    answers = JSON.parse(run.stdout) as SizeLimitAnswer[];
  } catch {
    throw new Error(`size-limit --json gave no JSON (exit ${run.status}): ${run.stderr}`);
  }
  const config = JSON.parse(await readFile(join(REPO_ROOT, '.size-limit.json'), 'utf8')) as { name: string; path: string; import?: string }[];
  const answerFor = (find: (entry: { path: string; import?: string }) => boolean): SizeLimitAnswer => {
    const entry = config.find(find);
    const answer = entry && answers.find((a) => a.name === entry.name);
    if (!answer) throw new Error('.size-limit.json lacks an entry the bench reports on');
    return answer;
  };
  const fileAnswer = (path: string) => answerFor((entry) => entry.path === path && !entry.import);
  const importAnswer = answerFor((entry) => entry.path === 'dist/index.js' && /\binit\b/.test(entry.import ?? '') && /\bsignup\b/.test(entry.import ?? ''));
  const check = (name: string, code: Uint8Array, answer: SizeLimitAnswer): SizeCheck => ({
    name,
    sizes: measure(code),
    budget: answer.sizeLimit,
    sizeLimitSays: answer.size,
    passed: answer.passed,
  });
  return {
    first: check('script first file', await readFile(join(REPO_ROOT, 'dist', 'affitor.global.js')), fileAnswer('dist/affitor.global.js')),
    main: check('script main file', await readFile(join(REPO_ROOT, 'dist', 'affitor.main.js')), fileAnswer('dist/affitor.main.js')),
    more: check('script rest', await readFile(join(REPO_ROOT, 'dist', 'affitor.more.js')), fileAnswer('dist/affitor.more.js')),
    importInitSignup: check('import { init, signup }', await bundleImport(), importAnswer),
  };
}
