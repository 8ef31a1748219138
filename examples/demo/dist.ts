/** Makes sure the SDK's `dist/` is there before the examples are served. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DIST_DIR, REPO_ROOT } from './static-server';

/** The builds the examples load: the ES module (SPA) and the `<script>` build (loader and tracker). */
export const DIST_FILES = ['index.js', 'affitor.global.js', 'affitor.main.js', 'affitor.more.js'];

/** Runs `npm run build` when a build the examples need is missing; throws with the reason if that fails. */
export function ensureDist(log: (line: string) => void = console.log): void {
  const missing = DIST_FILES.filter((file) => !existsSync(join(DIST_DIR, file)));
  if (missing.length === 0) return;
  log(`dist/ lacks ${missing.join(', ')}: running npm run build`);
  try {
    execFileSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  } catch (error) {
    throw new Error(`npm run build failed, so the examples have no SDK to load: ${(error as Error).message}`, { cause: error });
  }
  const stillMissing = DIST_FILES.filter((file) => !existsSync(join(DIST_DIR, file)));
  if (stillMissing.length > 0) throw new Error(`npm run build did not write dist/${stillMissing.join(', dist/')}`);
}
