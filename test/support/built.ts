/** The package's built files, as `npm run build` made them: `npm test` builds before the suites run. */
import { existsSync, readFileSync } from 'node:fs';

const root = new URL('../../', import.meta.url);

/** The bytes of `path` (e.g. `dist/affitor.global.js`); a clear error when it is not built. */
export function readBuilt(path: string): Buffer {
  const url = new URL(path, root);
  if (!existsSync(url)) throw new Error(`${path} is not built: run npm run build first (npm test does)`);
  return readFileSync(url);
}
