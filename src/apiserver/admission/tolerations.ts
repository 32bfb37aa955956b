// DefaultTolerationSeconds admission: every pod tolerates the not-ready and unreachable NoExecute
// taints for 300 s unless it says otherwise, so taint-based eviction waits before evicting.

import type { AdmissionPlugin } from './types.js';

export const DEFAULT_TOLERATION_SECONDS = 300;
const TAINTS = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'];

interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export const defaultTolerationSecondsAdmission: AdmissionPlugin = {
  name: 'DefaultTolerationSeconds',
  handles: (req) => req.def.group === '' && req.def.kind === 'Pod' && req.operation === 'CREATE' && !req.subresource,
  admit(req) {
    const spec = ((req.object as { spec?: { tolerations?: Toleration[] } }).spec ??= {});
    const tolerations = (spec.tolerations ??= []);
    for (const key of TAINTS) {
      // A toleration that already covers NoExecute for this key (or all keys) wins.
      const covered = tolerations.some((t) => (t.effect === 'NoExecute' || !t.effect) && (t.key === key || !t.key));
      if (!covered) {
        tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_TOLERATION_SECONDS });
      }
    }
  },
};
