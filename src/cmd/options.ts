// Options shared by several commands.

import { homedir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { WATCH_CACHE_MAX_EVENTS, WATCH_CACHE_MIN_EVENTS } from '../apiserver/server.js';

/** Default data directory: $K8TS_DATA_DIR, else ~/.k8ts. */
export function defaultDataDir(): string {
  return process.env.K8TS_DATA_DIR || join(homedir(), '.k8ts');
}

export const DEFAULT_LISTEN = '127.0.0.1:6443';

/** --watch-cache-max-events, for every command that runs the API server. */
export function addWatchCacheOption(cmd: Command): Command {
  return cmd.option(
    '--watch-cache-max-events <n>',
    `most events the watch cache keeps per resource for resuming watches (it keeps at least ${WATCH_CACHE_MIN_EVENTS} and grows toward this during bursts)`,
    parsePositiveInt,
    WATCH_CACHE_MAX_EVENTS,
  );
}

function parsePositiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}
