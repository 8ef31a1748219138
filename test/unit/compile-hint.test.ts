/**
 * Both files of the `<script>` build start with V8's compile hint, so Chromium compiles them off
 * the main thread while they download (tsup.config.ts says what it saves). A minifier or build
 * change that drops or moves the comment would quietly give that back. `npm test` builds before
 * it runs this.
 */
import { describe, expect, it } from 'vitest';
import { readBuilt } from '../support/built';

describe.each(['dist/affitor.global.js', 'dist/affitor.more.js'])('%s as built', (path) => {
  it('opens with //# allFunctionsCalledOnLoad on its first line', () => {
    expect(readBuilt(path).toString('utf8').split('\n', 1)[0]).toBe('//# allFunctionsCalledOnLoad');
  });
});
