// Options every suite gets from the command line.

import type { Backend } from '../lib/server.js';

export interface SuiteOptions {
  backends: Backend[];
  /** Multiplies counts and durations (1 = the documented sizes; --quick = 0.1). */
  scale: number;
}

export const scaled = (n: number, opts: SuiteOptions, min = 1) => Math.max(min, Math.round(n * opts.scale));
