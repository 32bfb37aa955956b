// Options shared by several commands.

import { homedir } from 'node:os';
import { join } from 'node:path';

/** Default data directory: $K8TS_DATA_DIR, else ~/.k8ts. */
export function defaultDataDir(): string {
  return process.env.K8TS_DATA_DIR || join(homedir(), '.k8ts');
}

export const DEFAULT_LISTEN = '127.0.0.1:6443';
