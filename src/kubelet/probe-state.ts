// Probe results as upstream counts them: a result flips only after successThreshold successes or
// failureThreshold failures in a row. Pure.

import type { Probe } from './types.js';

export type ProbeKind = 'startup' | 'liveness' | 'readiness';
export type ProbeResult = 'success' | 'failure' | 'unknown';

export interface ProbeState {
  result: ProbeResult;
  successes: number;
  failures: number;
  /** The last failure's output, for events. */
  lastMessage?: string;
}

export interface ProbeTiming {
  initialDelayMs: number;
  periodMs: number;
  timeoutSeconds: number;
  successThreshold: number;
  failureThreshold: number;
}

export function probeTiming(p: Probe): ProbeTiming {
  return {
    initialDelayMs: (p.initialDelaySeconds ?? 0) * 1000,
    periodMs: Math.max(1, p.periodSeconds ?? 10) * 1000,
    timeoutSeconds: Math.max(1, p.timeoutSeconds ?? 1),
    successThreshold: Math.max(1, p.successThreshold ?? 1),
    failureThreshold: Math.max(1, p.failureThreshold ?? 3),
  };
}

/** The result before any probe ran: liveness assumes success, readiness failure, startup unknown. */
export function initialState(kind: ProbeKind): ProbeState {
  return { result: kind === 'liveness' ? 'success' : kind === 'readiness' ? 'failure' : 'unknown', successes: 0, failures: 0 };
}

export function applyProbe(state: ProbeState, ok: boolean, t: Pick<ProbeTiming, 'successThreshold' | 'failureThreshold'>, message?: string): ProbeState {
  if (ok) {
    const successes = state.successes + 1;
    return { result: successes >= t.successThreshold ? 'success' : state.result, successes, failures: 0 };
  }
  const failures = state.failures + 1;
  const next: ProbeState = { result: failures >= t.failureThreshold ? 'failure' : state.result, successes: 0, failures };
  if (message !== undefined) next.lastMessage = message;
  return next;
}
