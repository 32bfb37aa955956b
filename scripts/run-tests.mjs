#!/usr/bin/env node
// Runs every *.test.ts under the given roots (directories or files; default: src and test/e2e) with node's test runner.
// Node 20's --test takes no globs, so we find the files ourselves. End-to-end files that bring up a
// whole node (`k8ts up`: kubelet port 10250, the k8ts0 bridge, the default pod range) run one at a
// time after the others, since two of them cannot share a machine.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const NODE_LEVEL = new Set(['test/e2e/kubelet.test.ts', 'test/e2e/streaming.test.ts', 'test/e2e/up-process.test.ts']);

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
for (const root of roots.length ? roots : ['src', 'test/e2e']) {
  if (statSync(root).isDirectory()) walk(root);
  else files.push(root);
}
files.sort();

function run(list, concurrency) {
  if (list.length === 0) return 0;
  // A test that leaks a timer or socket must not hold CI hostage: every test has a time limit and
  // the runner exits once the files are done.
  const res = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-timeout=300000', '--test-force-exit', ...flags, ...list],
    { stdio: 'inherit' },
  );
  return res.status ?? 1;
}

const parallel = files.filter((f) => !NODE_LEVEL.has(f));
const serial = files.filter((f) => NODE_LEVEL.has(f));
const first = run(parallel, 2);
const second = run(serial, 1);
process.exit(first || second);
