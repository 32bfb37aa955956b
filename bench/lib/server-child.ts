// Runs the real API server in its own process, so the bench's clients do not share its event loop.
// argv: <dataDir> <datastore>. Talks to the parent over IPC: 'ready', then answers 'stats' and 'close'.

import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startApiServer } from '../../src/apiserver/server.js';
import type { ChildMessage, ParentMessage } from './server-ipc.js';

const [dataDir, datastore] = process.argv.slice(2);
if (!dataDir || !datastore || !process.send) {
  console.error('usage: server-child <dataDir> <datastore> (forked with IPC)');
  process.exit(2);
}
const send = (m: ChildMessage) => process.send!(m);
const loop = monitorEventLoopDelay({ resolution: 5 });
loop.enable();

const server = await startApiServer({ dataDir, datastore, listen: '127.0.0.1:0' });
let closing: Promise<void> | undefined;
const close = () => (closing ??= server.close().then(() => process.exit(0), () => process.exit(1)));

process.on('message', (m: ParentMessage) => {
  if (m.type === 'stats') {
    const mem = process.memoryUsage();
    const cpu = process.cpuUsage();
    const loopDelay = { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 };
    loop.reset();
    send({ type: 'stats', rssBytes: mem.rss, heapUsedBytes: mem.heapUsed, cpuMicros: cpu.user + cpu.system, loopDelay, runQueueWaitMicros: runQueueWait() });
  } else if (m.type === 'close') {
    void close();
  }
});
/** Main thread's run-queue wait in µs (field 2 of /proc/self/schedstat, ns); undefined off Linux. */
function runQueueWait(): number | undefined {
  try {
    return Number(readFileSync('/proc/self/schedstat', 'utf8').split(' ')[1]) / 1000;
  } catch {
    return undefined;
  }
}

process.on('disconnect', () => void close());
send({ type: 'ready', url: server.url, kubeconfigPath: server.kubeconfigPath });
