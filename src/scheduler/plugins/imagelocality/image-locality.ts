// ImageLocality: favours nodes that already have the pod's images, weighting each image's size by the
// share of nodes that have it (so an image present everywhere counts for little), then mapping the sum
// from [23MB, 1000MB × containers] onto 0..100.

import type { CycleState, Handle, NodeInfo, PodInfo, ScorePlugin } from '../../framework/index.js';
import { MaxNodeScore, Status } from '../../framework/index.js';

export const Name = 'ImageLocality';

const mb = 1024 * 1024;
export const minThreshold = 23 * mb;
export const maxContainerThreshold = 1000 * mb;

/** An image reference without a tag gets ":latest" (digests and tags are left alone). */
export function normalizedImageName(name: string): string {
  if (name.lastIndexOf(':') <= name.lastIndexOf('/')) return name + ':latest';
  return name;
}

export function calculatePriority(sumScores: number, numContainers: number): number {
  const maxThreshold = maxContainerThreshold * numContainers;
  if (sumScores < minThreshold) sumScores = minThreshold;
  else if (sumScores > maxThreshold) sumScores = maxThreshold;
  if (maxThreshold <= minThreshold) return 0;
  return Math.trunc((MaxNodeScore * (sumScores - minThreshold)) / (maxThreshold - minThreshold));
}

export function sumImageScores(nodeInfo: NodeInfo, pod: PodInfo, totalNumNodes: number): number {
  let sum = 0;
  const spec = pod.pod.spec;
  for (const list of [spec?.initContainers ?? [], spec?.containers ?? []]) {
    for (const c of list) {
      const st = c.image ? nodeInfo.imageStates.get(normalizedImageName(c.image)) : undefined;
      if (st && totalNumNodes > 0) sum += Math.trunc(st.size * (st.numNodes / totalNumNodes));
    }
  }
  return sum;
}

export class ImageLocality implements ScorePlugin {
  readonly name = Name;

  constructor(private readonly handle: Handle) {}

  score(_state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): number | Status {
    if (!nodeInfo.node) return Status.error('node not found');
    if (nodeInfo.imageStates.size === 0) return 0; // nothing to sum: below the minimum threshold
    const total = this.handle.snapshot().list().length;
    const spec = pod.pod.spec;
    const numContainers = (spec?.initContainers?.length ?? 0) + (spec?.containers?.length ?? 0);
    return calculatePriority(sumImageScores(nodeInfo, pod, total), numContainers);
  }
}
