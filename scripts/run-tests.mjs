#!/usr/bin/env node
// Runs every *.test.ts under the given roots (default: src and test/e2e) with node's test runner.
// Node 20's --test takes no globs, so we find the files ourselves.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const roots = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const flags = process.argv.slice(2).filter((a) => a.startsWith('-'));
const files = [];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.ts')) files.push(p);
  }
}
for (const root of roots.length ? roots : ['src', 'test/e2e']) walk(root);
files.sort();
const res = spawnSync(
  process.execPath,
  // A test that leaks a timer or socket must not hold CI hostage: every test has a time limit and
  // the runner exits once the files are done.
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=300000', '--test-force-exit', ...flags, ...files],
  { stdio: 'inherit' },
);
process.exit(res.status ?? 1);
