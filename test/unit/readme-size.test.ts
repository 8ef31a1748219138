/**
 * The README's size claim for the <script> build follows the size-limit budget, so neither
 * can move without the other: "(`dist/affitor.global.js`, about 4 KB gzipped)" in the README's
 * first bullet list, against the gzip budget of that file in .size-limit.json.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const SCRIPT = 'dist/affitor.global.js';

/** The lines of the first Markdown bullet list: from its first `- ` line to the next blank line. */
function firstBulletList(markdown: string): string {
  const lines = markdown.split(/\r?\n/);
  const start = lines.findIndex((line) => /^[-*] /.test(line));
  if (start === -1) return '';
  const end = lines.findIndex((line, index) => index > start && line.trim() === '');
  return lines.slice(start, end === -1 ? undefined : end).join('\n');
}

/** "about 4 KB gzipped" next to the script's path: the number and how many decimals it was written with. */
function readSizeClaim(list: string): { kb: number; decimals: number } | undefined {
  const match = /`dist\/affitor\.global\.js`,\s+about\s+(\d+(?:\.(\d+))?)\s*KB\s+gzipped/.exec(list.replace(/\s+/g, ' '));
  if (!match) return undefined;
  return { kb: Number(match[1]), decimals: match[2]?.length ?? 0 };
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

describe('the README size claim', () => {
  const list = firstBulletList(readFileSync(new URL('README.md', root), 'utf8'));
  const claim = readSizeClaim(list);
  const entries = JSON.parse(readFileSync(new URL('.size-limit.json', root), 'utf8')) as SizeLimitEntry[];
  const budget = entries.find((entry) => entry.path === SCRIPT);

  it('states the script build size in the first bullet list as "(`dist/affitor.global.js`, about N KB gzipped)"', () => {
    expect(claim, `first bullet list of README.md:\n${list}`).toBeDefined();
  });

  it('measures the script build gzipped in .size-limit.json, as the README says', () => {
    expect(budget, `.size-limit.json has no entry for ${SCRIPT}`).toBeDefined();
    expect(budget!.gzip).toBe(true);
  });

  it('does not claim less than the budget allows (both rounded to the precision the README uses)', () => {
    const budgetKb = round(parseLimit(budget!.limit) / 1000, claim!.decimals);
    expect(claim!.kb, `README says about ${claim!.kb} KB; the budget is ${budget!.limit}`).toBeGreaterThanOrEqual(budgetKb);
  });

  it('does not claim more than the budget either, so the README follows a budget that shrinks', () => {
    const budgetKb = round(parseLimit(budget!.limit) / 1000, claim!.decimals);
    expect(claim!.kb, `README says about ${claim!.kb} KB; the budget is ${budget!.limit}`).toBeLessThanOrEqual(budgetKb);
  });
});

describe('reading the claim and the budget', () => {
  it('finds the claim only in the first bullet list, across a line break', () => {
    const markdown = 'Intro\n\n- **Browser SDK**: a `<script>` build\n  (`dist/affitor.global.js`, about 1.6 KB gzipped) and more.\n- Server\n\n- (`dist/affitor.global.js`, about 9 KB gzipped)\n';
    expect(readSizeClaim(firstBulletList(markdown))).toEqual({ kb: 1.6, decimals: 1 });
  });

  it('reads size-limit limits in bytes the way size-limit does', () => {
    expect(parseLimit('4100 B')).toBe(4100);
    expect(parseLimit('4.1 kB')).toBe(4100);
    expect(parseLimit('4 KB')).toBe(4000);
    expect(parseLimit('4 KiB')).toBe(4096);
    expect(() => parseLimit('four')).toThrow(/unreadable/);
  });
});
