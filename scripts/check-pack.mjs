#!/usr/bin/env node
/**
 * Checks what `npm publish` would ship: only dist/, README.md, CHANGELOG.md and LICENSE
 * (plus package.json, which npm always includes), and every file package.json points at.
 * Reads `npm pack --dry-run --json`; exits 1 naming each extra or missing file.
 * Run after `npm run build`: the entries live in dist/.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import console from 'node:console';
import process from 'node:process';
import { URL, fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// react/ and server/ hold only a package.json pointing into dist/: a resolver that reads no `exports`
// (Parcel 2 unless told to) finds `@affitor/sdk/react` and `@affitor/sdk/server` there.
const ALLOWED = [/^dist\//, /^(react|server)\/package\.json$/, /^README\.md$/, /^CHANGELOG\.md$/, /^LICENSE$/, /^package\.json$/];
const REQUIRED_DOCS = ['README.md', 'CHANGELOG.md', 'LICENSE'];

/** Every file path in an `exports` value (strings, condition objects, nested). */
function exportTargets(value) {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(exportTargets);
  return [];
}

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const pointed = [manifest.main, manifest.module, manifest.types, manifest.unpkg, manifest.jsdelivr, ...exportTargets(manifest.exports)]
  .filter((path) => typeof path === 'string')
  .map((path) => path.replace(/^\.\//, ''));

const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
const [pack] = JSON.parse(output);
const shipped = new Set(pack.files.map((file) => file.path));

const problems = [];
for (const path of shipped) {
  if (!ALLOWED.some((pattern) => pattern.test(path))) problems.push(`ships ${path}: only dist/, react/package.json, server/package.json, README.md, CHANGELOG.md and LICENSE belong in the package (see "files" in package.json)`);
}
for (const path of REQUIRED_DOCS) {
  if (!shipped.has(path)) problems.push(`does not ship ${path}`);
}
for (const path of new Set(pointed)) {
  if (!shipped.has(path)) problems.push(`does not ship ${path}, which package.json points at${path.startsWith('dist/') ? ' (run npm run build first?)' : ''}`);
}

if (problems.length > 0) {
  console.error(`check-pack: ${pack.filename}\n${problems.map((line) => `  - ${line}`).join('\n')}`);
  process.exit(1);
}
console.log(`check-pack: ${pack.filename} ships ${shipped.size} files (${(pack.size / 1000).toFixed(1)} kB packed, ${(pack.unpackedSize / 1000).toFixed(1)} kB unpacked): ok`);
