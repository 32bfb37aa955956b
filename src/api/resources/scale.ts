// ScaleSpecs: how `/scale` reads and writes replicas, and the selector it reports.

import type { ScaleSpec } from '../registry.js';
import { labelSelectorFromMap, labelSelectorFromObject } from '../selectors/index.js';

function replicasScale(selector: (obj: any) => string): ScaleSpec {
  return {
    // spec.replicas defaults to 1 for every scalable kind.
    specReplicas: (obj) => obj?.spec?.replicas ?? 1,
    setSpecReplicas: (obj, n) => {
      obj.spec ??= {};
      obj.spec.replicas = n;
    },
    statusReplicas: (obj) => obj?.status?.replicas ?? 0,
    selector: (obj) => {
      try {
        return selector(obj);
      } catch {
        return '';
      }
    },
  };
}

/** Deployments, ReplicaSets, StatefulSets: `spec.selector` is a metav1.LabelSelector. */
export const labelSelectorScale: ScaleSpec = replicasScale((obj) => labelSelectorFromObject(obj?.spec?.selector).toString());

/** ReplicationControllers: `spec.selector` is a plain label map. */
export const mapSelectorScale: ScaleSpec = replicasScale((obj) => labelSelectorFromMap(obj?.spec?.selector).toString());
