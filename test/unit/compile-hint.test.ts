/**
 * Both files of the `<script>` build start with V8's compile hint, so Chromium compiles them off
 * the main thread while they download (tsup.config.ts says what it saves). A minifier or build
 * change that drops or moves the comment would quietly give that back. `npm test` builds before
 * it runs this.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);

describe.each(['dist/affitor.global.js', 'dist/affitor.more.js'])('%s as built', (path) => {
  it('opens with //# allFunctionsCalledOnLoad on its first line', () => {
    const url = new URL(path, root);
    if (!existsSync(url)) throw new Error(`${path} is not built: run npm run build first (npm test does)`);
    expect(readFileSync(url, 'utf8').split('\n', 1)[0]).toBe('//# allFunctionsCalledOnLoad');
  });
});
