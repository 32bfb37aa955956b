// Benchmark entry: `npm run bench -- [suite…] [--backends=memory,sqlite,etcd] [--quick] [--fanout-rate=N]`.
// Suites: apiserver (default), fanout, writes, all. Prints Markdown tables; asserts nothing.

import { cpus, totalmem } from 'node:os';
import { BACKENDS, type Backend } from './lib/server.js';
import { runApiserver } from './suites/apiserver.js';
import { runFanout } from './suites/fanout.js';
import { runWrites } from './suites/writes.js';
import { runScheduler } from './suites/scheduler.js';
import { runControllers } from './suites/controllers.js';
import { runWriteload } from './suites/writeload.js';
import { runPodStartup } from './suites/podstartup.js';
import type { SuiteOptions } from './suites/options.js';

const SUITES = ['apiserver', 'fanout', 'writes', 'scheduler', 'writeload', 'controllers', 'podstartup'] as const;
type Suite = (typeof SUITES)[number];

/** writeload knobs: --nodes=N --lease-rate=R --status-rate=S --pod-rate=P --seconds=D */
const writeload = { nodes: 5000, podRate: 100, seconds: 20, leaseRate: undefined as number | undefined, statusRate: undefined as number | undefined };

function parseArgs(argv: string[]): { suites: Suite[]; opts: SuiteOptions; fanoutRate: number } {
  const suites: Suite[] = [];
  let backends: Backend[] = BACKENDS;
  let scale = 1;
  let fanoutRate = 100;
  for (const a of argv) {
    if (a === '--quick') scale = 0.1;
    else if (a.startsWith('--scale=')) scale = Number(a.slice(8));
    else if (a.startsWith('--backends=')) {
      backends = a.slice(11).split(',').filter(Boolean) as Backend[];
      const bad = backends.filter((b) => !BACKENDS.includes(b));
      if (bad.length) usage(`unknown backend ${bad.join(', ')}`);
    } else if (a.startsWith('--fanout-rate=')) fanoutRate = Number(a.slice(14));
    else if (a.startsWith('--nodes=')) writeload.nodes = Number(a.slice(8));
    else if (a.startsWith('--lease-rate=')) writeload.leaseRate = Number(a.slice(13));
    else if (a.startsWith('--status-rate=')) writeload.statusRate = Number(a.slice(14));
    else if (a.startsWith('--pod-rate=')) writeload.podRate = Number(a.slice(11));
    else if (a.startsWith('--seconds=')) writeload.seconds = Number(a.slice(10));
    else if (a === 'all') suites.push(...SUITES);
    else if ((SUITES as readonly string[]).includes(a)) suites.push(a as Suite);
    else if (a === '-h' || a === '--help') usage();
    else usage(`unknown argument ${a}`);
  }
  if (!(scale > 0) || !(fanoutRate >= 0)) usage('bad --scale or --fanout-rate');
  return { suites: suites.length ? [...new Set(suites)] : ['apiserver'], opts: { backends, scale }, fanoutRate };
}

function usage(err?: string): never {
  if (err) console.error(`bench: ${err}`);
  console.error(
    'usage: npm run bench -- [apiserver|fanout|writes|all …] [--backends=memory,sqlite,etcd] [--quick | --scale=F] [--fanout-rate=N (0 = unpaced)]',
  );
  process.exit(err ? 2 : 0);
}

const { suites, opts, fanoutRate } = parseArgs(process.argv.slice(2));
console.log(`# k8ts bench ${new Date().toISOString()}`);
console.log(`node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM; scale ${opts.scale}`);
for (const suite of suites) {
  if (suite === 'apiserver') await runApiserver(opts);
  else if (suite === 'fanout') await runFanout({ ...opts, updateRate: fanoutRate });
  else if (suite === 'writes') await runWrites(opts);
  else if (suite === 'scheduler') await runScheduler(opts);
  else if (suite === 'controllers') await runControllers(opts);
  else if (suite === 'writeload') await runWriteload({ ...opts, ...writeload });
  else if (suite === 'podstartup') await runPodStartup(opts);
}
