#!/usr/bin/env node
// `pnpm test`: every suite, then one closing line with the totals: `N passed, N failed, N skipped`.
// Tests use PostgreSQL when TEST_DATABASE_URL is set (CI does), embedded PGlite otherwise.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, '.courtyard', 'test-results');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const totals = { passed: 0, failed: 0, skipped: 0 };
let exitCode = 0;

function runVitest(name, args) {
  const file = join(out, `${name}.json`);
  const result = spawnSync('pnpm', ['exec', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${file}`, ...args], {
    cwd: root,
    stdio: 'inherit',
  });
  let report;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    console.error(`\n${name}: the test run produced no report (exit ${result.status}).`);
    totals.failed += 1;
    exitCode = 1;
    return;
  }
  totals.passed += report.numPassedTests;
  totals.failed += report.numFailedTests;
  totals.skipped += report.numPendingTests + report.numTodoTests;
  // A suite file that failed to load counts as a failure even though it ran no test.
  const brokenFiles = report.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
  totals.failed += brokenFiles;
  if (result.status !== 0) exitCode = 1;
}

// The admin's typed operations are generated, and the browser tests load its build.
const build = spawnSync('pnpm', ['--filter', '@courtyard/admin', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  console.error('\nThe admin did not build.');
  totals.failed += 1;
  exitCode = 1;
}

runVitest('all', process.argv.slice(2));

console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(exitCode || (totals.failed ? 1 : 0));
