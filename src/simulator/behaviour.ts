// What a pod asks of the simulator through its annotations (documented in README.md).
// Each key may also be given per container as `<key>.<container name>`, which wins over the pod-wide key.

import { parseDuration } from './duration.js';

export const ANNOTATION_PREFIX = 'sim.k8ts.io/';
export const A_START_AFTER = 'sim.k8ts.io/start-after';
export const A_READY_AFTER = 'sim.k8ts.io/ready-after';
export const A_SUCCEED_AFTER = 'sim.k8ts.io/succeed-after';
export const A_FAIL_AFTER = 'sim.k8ts.io/fail-after';
export const A_EXIT_CODE = 'sim.k8ts.io/exit-code';
export const A_TERMINATE_AFTER = 'sim.k8ts.io/terminate-after';

export interface ContainerBehaviour {
  /** Ready this long after each (re)start. */
  readyAfterMs: number;
  /** Exits this long after each (re)start; undefined: runs until stopped. */
  exitAfterMs?: number;
  /** The exit code when it exits by itself. */
  exitCode: number;
}

export interface PodBehaviour {
  /** Containers start (and the pod gets its IP) this long after the simulator first sees the pod. */
  startAfterMs: number;
  /** On deletion, containers take this long to stop (capped by the grace period). */
  terminateAfterMs: number;
  container(name: string): ContainerBehaviour;
  /** Annotations that could not be parsed, as human-readable messages (the keys are then ignored). */
  errors: string[];
}

type Annotations = Record<string, string> | undefined | null;

function lookup(a: Annotations, key: string, container?: string): string | undefined {
  if (!a) return undefined;
  if (container !== undefined) {
    const own = a[`${key}.${container}`];
    if (own !== undefined) return own;
  }
  return a[key];
}

function duration(a: Annotations, key: string, errors: string[], container?: string): number | undefined {
  const raw = lookup(a, key, container);
  if (raw === undefined) return undefined;
  try {
    const ms = parseDuration(raw);
    if (ms < 0 || !Number.isFinite(ms)) throw new Error('negative');
    return ms;
  } catch {
    const k = container !== undefined && a?.[`${key}.${container}`] !== undefined ? `${key}.${container}` : key;
    const msg = `${k}: invalid duration ${JSON.stringify(raw)}`;
    if (!errors.includes(msg)) errors.push(msg);
    return undefined;
  }
}

/** Parses the simulator annotations of a pod (its metadata.annotations). */
export function podBehaviour(annotations: Annotations): PodBehaviour {
  const errors: string[] = [];
  const cache = new Map<string, ContainerBehaviour>();
  const startAfterMs = duration(annotations, A_START_AFTER, errors) ?? 0;
  const terminateAfterMs = duration(annotations, A_TERMINATE_AFTER, errors) ?? 0;
  const container = (name: string): ContainerBehaviour => {
    let b = cache.get(name);
    if (b) return b;
    const succeed = duration(annotations, A_SUCCEED_AFTER, errors, name);
    const fail = duration(annotations, A_FAIL_AFTER, errors, name);
    let exitCode = 1;
    const rawCode = lookup(annotations, A_EXIT_CODE, name);
    if (rawCode !== undefined) {
      const n = Number(rawCode);
      if (Number.isInteger(n) && n >= 1 && n <= 255) exitCode = n;
      else {
        const msg = `${A_EXIT_CODE}: want an integer 1-255, got ${JSON.stringify(rawCode)}`;
        if (!errors.includes(msg)) errors.push(msg);
      }
    }
    b = { readyAfterMs: duration(annotations, A_READY_AFTER, errors, name) ?? 0, exitCode };
    // Both given: whichever comes first.
    if (succeed !== undefined && (fail === undefined || succeed <= fail)) {
      b.exitAfterMs = succeed;
      b.exitCode = 0;
    } else if (fail !== undefined) {
      b.exitAfterMs = fail;
    }
    cache.set(name, b);
    return b;
  };
  return { startAfterMs, terminateAfterMs, container, errors };
}
