/**
 * Formatting and the results table: pure functions, so `bench/run.ts` only measures and
 * the printed table and bench/results.md cannot differ.
 */

export interface Row {
  area: string;
  measure: string;
  result: string;
  reference: string;
}

/** `3990` -> `3,990 B` */
export const bytes = (n: number): string => `${Math.round(n).toLocaleString('en-US')} B`;

/** Milliseconds with a precision that suits the value: `0.042 ms`, `1.23 ms`, `12.3 ms`, `123 ms`. */
export function ms(n: number): string {
  const abs = Math.abs(n);
  const digits = abs < 1 ? 3 : abs < 10 ? 2 : abs < 100 ? 1 : 0;
  return `${n.toFixed(digits)} ms`;
}

/** A difference with its sign: `+1.23 ms`, `-0.010 ms`. */
export const signedMs = (n: number): string => (n >= 0 ? `+${ms(n)}` : ms(n));

/** A byte gap against a target: `2,390 B over`, `110 B under`. */
export const gap = (size: number, target: number): string =>
  size > target ? `${bytes(size - target)} over` : `${bytes(target - size)} under`;

/** `12345.6` -> `12,346` */
export const count = (n: number): string => Math.round(n).toLocaleString('en-US');

/** `0.4567` -> `45.7 %` */
export const percent = (ratio: number): string => `${(ratio * 100).toFixed(1)} %`;

/** `1048576` -> `1.0 MiB` */
export const mebibytes = (n: number): string => `${(n / 1_048_576).toFixed(1)} MiB`;

/** Escapes what would break a Markdown table cell. */
const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** A Markdown table with padded columns, readable both in a terminal and rendered. */
export function renderTable(rows: readonly Row[]): string {
  const header: Row = { area: 'Area', measure: 'Measure', result: 'Result', reference: 'Reference / budget' };
  const keys = ['area', 'measure', 'result', 'reference'] as const;
  const all = [header, ...rows].map((row) => keys.map((key) => cell(row[key])));
  const widths = keys.map((_, column) => Math.max(3, ...all.map((cells) => cells[column]!.length)));
  const line = (cells: string[]) => `| ${cells.map((text, column) => text.padEnd(widths[column]!)).join(' | ')} |`;
  const [head, ...body] = all;
  return [line(head!), `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`, ...body.map(line)].join('\n');
}

export interface ResultsDocument {
  title: string;
  /** Lines describing where and when it ran. */
  environment: string[];
  rows: Row[];
  /** Markdown paragraphs on how each figure was measured. */
  methods: string[];
}

export function renderResults(doc: ResultsDocument): string {
  return [
    `# ${doc.title}`,
    '',
    '<!-- Written by `npm run bench` (bench/run.ts). Do not edit by hand: run it again. -->',
    '',
    ...doc.environment.map((line) => `- ${line}`),
    '',
    renderTable(doc.rows),
    '',
    '## How each figure is measured',
    '',
    ...doc.methods.flatMap((paragraph) => [paragraph, '']),
  ].join('\n');
}
