// Simulator options: defaults and the parsers for the command line's label and taint lists.

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface NodeShape {
  /** Quantities as the API spells them. */
  cpu: string;
  memory: string;
  pods: string;
  ephemeralStorage: string;
  labels: Record<string, string>;
  taints: Taint[];
}

export interface Timings {
  /** Lease renewal period (upstream: 10 s) and lease duration (upstream: 40 s). */
  leaseRenewMs: number;
  leaseDurationSeconds: number;
  /** How often a node's status is re-posted when nothing changed (upstream: 5 min). */
  nodeStatusReportMs: number;
  /** Crash-loop back-off: first delay and cap (upstream: 10 s doubling to 5 min). */
  backoffInitialMs: number;
  backoffMaxMs: number;
}

export const DEFAULT_SHAPE: NodeShape = {
  cpu: '32',
  memory: '256Gi',
  pods: '110',
  ephemeralStorage: '100Gi',
  labels: {},
  taints: [],
};

export const DEFAULT_TIMINGS: Timings = {
  leaseRenewMs: 10_000,
  leaseDurationSeconds: 40,
  nodeStatusReportMs: 5 * 60_000,
  backoffInitialMs: 10_000,
  backoffMaxMs: 5 * 60_000,
};

export class OptionError extends Error {
  override name = 'OptionError';
}

/** `k=v,k2=v2` (empty values allowed: `k=`). */
export function parseLabels(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text) return out;
  for (const part of text.split(',')) {
    const item = part.trim();
    if (!item) continue;
    const eq = item.indexOf('=');
    if (eq <= 0) throw new OptionError(`invalid label ${JSON.stringify(item)}: want key=value`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

/** `k=v:NoSchedule,k:NoExecute` — kubectl taint's spelling. */
export function parseTaints(text: string | undefined): Taint[] {
  const out: Taint[] = [];
  if (!text) return out;
  for (const part of text.split(',')) {
    const item = part.trim();
    if (!item) continue;
    const colon = item.lastIndexOf(':');
    if (colon <= 0) throw new OptionError(`invalid taint ${JSON.stringify(item)}: want key[=value]:Effect`);
    const effect = item.slice(colon + 1);
    if (!(EFFECTS as readonly string[]).includes(effect)) {
      throw new OptionError(`invalid taint effect ${JSON.stringify(effect)}: want one of ${EFFECTS.join(', ')}`);
    }
    const kv = item.slice(0, colon);
    const eq = kv.indexOf('=');
    const taint: Taint = { key: eq < 0 ? kv : kv.slice(0, eq), effect: effect as Taint['effect'] };
    if (eq >= 0 && kv.slice(eq + 1) !== '') taint.value = kv.slice(eq + 1);
    if (!taint.key) throw new OptionError(`invalid taint ${JSON.stringify(item)}: empty key`);
    out.push(taint);
  }
  return out;
}
