// The message of a pod that fits nowhere, in upstream's shape:
// "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {k: v}. preemption: …"

import type { NodeToStatus } from './framework/types.js';

export interface FitDiagnosis {
  numAllNodes: number;
  statuses: NodeToStatus;
  /** PreFilter's rejection message; when set, node statuses are not listed (they would repeat it). */
  preFilterMessage?: string;
  /** PostFilter's (preemption's) message. */
  postFilterMessage?: string;
}

/** "N reason" entries, counted over the nodes and sorted as strings (as upstream). */
export function reasonHistogram(statuses: NodeToStatus): string[] {
  const counts = new Map<string, number>();
  for (const st of statuses.values()) for (const r of st.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts].map(([r, n]) => `${n} ${r}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function sentence(s: string): string {
  return s.endsWith('.') ? ` ${s}` : ` ${s}.`;
}

export function fitErrorMessage(d: FitDiagnosis): string {
  let msg = `0/${d.numAllNodes} nodes are available:`;
  if (d.preFilterMessage) {
    msg += sentence(d.preFilterMessage);
  } else {
    const h = reasonHistogram(d.statuses);
    if (h.length > 0) msg += sentence(h.join(', '));
  }
  if (d.postFilterMessage) msg += sentence(d.postFilterMessage);
  return msg;
}

/** The scheduling failed because no node fits; carries what the event and the pod condition need. */
export class FitError extends Error {
  override name = 'FitError';
  constructor(
    readonly diagnosis: FitDiagnosis,
    readonly unschedulablePlugins: Set<string>,
  ) {
    super(fitErrorMessage(diagnosis));
  }
}

export const ErrNoNodesAvailable = 'no nodes available to schedule pods';
