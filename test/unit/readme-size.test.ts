/**
 * The README's size claims for the <script> build follow the built files: "(`dist/affitor.global.js`,
 * about 5 KB gzipped)", "(`affitor.main.js`, about 7 KB)" and "(`affitor.more.js`, about 1.6 KB)" in the README's first bullet list
 * are each file's gzip -9 size as `npm run build` made it, rounded to the precision written, and
 * each file is within its gzip budget in .size-limit.json. `npm test` builds before it runs this.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readBuilt } from '../support/built';

const root = new URL('../../', import.meta.url);

/** The lines of the first Markdown bullet list: from its first `- ` line to the next blank line. */
function firstBulletList(markdown: string): string {
  const lines = markdown.split(/\r?\n/);
  const start = lines.findIndex((line) => /^[-*] /.test(line));
  if (start === -1) return '';
  const end = lines.findIndex((line, index) => index > start && line.trim() === '');
  return lines.slice(start, end === -1 ? undefined : end).join('\n');
}

/** "about 4 KB" next to a file's name: the number and how many decimals it was written with. */
function readSizeClaim(list: string, file = 'dist/affitor.global.js'): { kb: number; decimals: number } | undefined {
  const name = file.replace(/[./]/g, (char) => '\\' + char);
  const match = new RegExp('`' + name + '`,\\s+about\\s+(\\d+(?:\\.(\\d+))?)\\s*KB').exec(list.replace(/\s+/g, ' '));
  if (!match) return undefined;
  return { kb: Number(match[1]), decimals: match[2]?.length ?? 0 };
}

/** A built file's size as `gzip -9` gives it. */
function gzipSize(path: string): number {
  return gzipSync(readBuilt(path), { level: 9 }).length;
}

/** A size-limit limit in bytes, as size-limit reads it (bytes-iec, metric: kB = KB = 1000, KiB = 1024). */
function parseLimit(limit: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(B|kB|KB|KiB)?\s*$/.exec(limit);
  if (!match) throw new Error(`unreadable size-limit limit: ${limit}`);
  const factor = { B: 1, kB: 1000, KB: 1000, KiB: 1024 }[match[2] ?? 'B'] ?? 1;
  return Number(match[1]) * factor;
}

const round = (value: number, decimals: number) => Number(value.toFixed(decimals));

interface SizeLimitEntry {
  path: string;
  limit: string;
  gzip?: boolean;
}

describe.each([
  ['dist/affitor.global.js', 'dist/affitor.global.js'],
  ['affitor.main.js', 'dist/affitor.main.js'],
  ['affitor.more.js', 'dist/affitor.more.js'],
])('the README size claim for %s', (named, path) => {
  const list = firstBulletList(readFileSync(new URL('README.md', root), 'utf8'));
  const claim = readSizeClaim(list, named);
  const entries = JSON.parse(readFileSync(new URL('.size-limit.json', root), 'utf8')) as SizeLimitEntry[];
  const budget = entries.find((entry) => entry.path === path);

  it('is stated in the first bullet list as "(`' + named + '`, about N KB"', () => {
    expect(claim, `first bullet list of README.md:\n${list}`).toBeDefined();
  });

  it('is the built file gzipped, rounded to the precision the README uses', () => {
    const builtKb = round(gzipSize(path) / 1000, claim!.decimals);
    expect(claim!.kb, `README says about ${claim!.kb} KB; the built file is ${gzipSize(path)} B`).toBe(builtKb);
  });

  it('is budgeted gzipped in .size-limit.json, and the built file is within the budget', () => {
    expect(budget, `.size-limit.json has no entry for ${path}`).toBeDefined();
    expect(budget!.gzip).toBe(true);
    expect(gzipSize(path)).toBeLessThanOrEqual(parseLimit(budget!.limit));
  });
});

describe('reading the claim and the budget', () => {
  it('finds the claim only in the first bullet list, across a line break', () => {
    const markdown = 'Intro\n\n- **Browser SDK**: a `<script>` build\n  (`dist/affitor.global.js`, about 1.6 KB gzipped) and more.\n- Server\n\n- (`dist/affitor.global.js`, about 9 KB gzipped)\n';
    expect(readSizeClaim(firstBulletList(markdown))).toEqual({ kb: 1.6, decimals: 1 });
    expect(readSizeClaim('- the rest (`affitor.more.js`, about 2 KB)', 'affitor.more.js')).toEqual({ kb: 2, decimals: 0 });
  });

  it('reads size-limit limits in bytes the way size-limit does', () => {
    expect(parseLimit('4100 B')).toBe(4100);
    expect(parseLimit('4.1 kB')).toBe(4100);
    expect(parseLimit('4 KB')).toBe(4000);
    expect(parseLimit('4 KiB')).toBe(4096);
    expect(() => parseLimit('four')).toThrow(/unreadable/);
  });
});
