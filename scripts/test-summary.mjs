/* global console */
// Prints a vitest JSON report as each browser engine's pass and fail counts and wall time,
// then the plain "N passed, N failed, N skipped" line CI ends with. Exits 1 on an empty run.
// An end-to-end test belongs to the engine its top-level describe names: "[chromium] ...".
import { existsSync, readFileSync } from 'node:fs';
import process from 'node:process';

const path = process.argv[2] ?? '.tmp/vitest.json';
if (!existsSync(path)) {
  // A step before vitest (lint, typecheck, build, size, quality) failed: no test ran.
  console.log(`no test report at ${path}: a step before the tests failed`);
  console.log('0 passed, 0 failed, 0 skipped');
  process.exit(1);
}
const report = JSON.parse(readFileSync(path, 'utf8'));
const engines = new Map();
for (const file of report.testResults) {
  for (const test of file.assertionResults) {
    const engine = /^\[(\w+)\]/.exec(test.ancestorTitles[0] ?? '')?.[1];
    if (!engine) continue;
    const counts = engines.get(engine) ?? { passed: 0, failed: 0, skipped: 0, files: new Map() };
    if (test.status === 'passed') counts.passed += 1;
    else if (test.status === 'failed') counts.failed += 1;
    else counts.skipped += 1;
    counts.files.set(file.name, (file.endTime - file.startTime) / 1000);
    engines.set(engine, counts);
  }
}
for (const [engine, counts] of [...engines].sort(([a], [b]) => a.localeCompare(b))) {
  const seconds = [...counts.files.values()].reduce((sum, duration) => sum + duration, 0);
  console.log(`${engine}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped (${counts.files.size} files, ${seconds.toFixed(0)} s)`);
}
console.log(`${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests + report.numTodoTests} skipped`);
if (report.numTotalTests === 0) process.exit(1);
