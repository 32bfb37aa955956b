// ImageLocality: favours nodes that already have the pod's images, weighting each image's size by the
// share of nodes that have it (so an image present everywhere counts for little), then mapping the sum
// from [23MB, 1000MB × containers] onto 0..100.

import type { CycleState, Handle, NodeInfo, PodInfo, ScorePlugin, StateData } from '../../framework/index.js';
import { MaxNodeScore, Status } from '../../framework/index.js';

export const Name = 'ImageLocality';
const scoreStateKey = 'Score' + Name;

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

/** The pod's images (init containers and containers), normalised once per pod. */
function podImages(pod: PodInfo): string[] {
  const spec = pod.pod.spec;
  const out: string[] = [];
  for (const list of [spec?.initContainers ?? [], spec?.containers ?? []]) {
    for (const c of list) if (c.image) out.push(normalizedImageName(c.image));
  }
  return out;
}

export function sumImageScores(nodeInfo: NodeInfo, images: readonly string[], totalNumNodes: number): number {
  if (totalNumNodes === 0) return 0;
  let sum = 0;
  for (const image of images) {
    const st = nodeInfo.imageStates.get(image);
    if (st) sum += Math.trunc(st.size * (st.numNodes / totalNumNodes));
  }
  return sum;
}

interface ScoreState extends StateData {
  images: string[];
  numContainers: number;
  totalNumNodes: number;
}

export class ImageLocality implements ScorePlugin {
  readonly name = Name;

  constructor(private readonly handle: Handle) {}

  score(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): number | Status {
    if (!nodeInfo.node) return Status.error('node not found');
    if (nodeInfo.imageStates.size === 0) return 0; // nothing to sum: below the minimum threshold
    // Upstream has no PreScore here; what every node's score needs is worked out on the first call
    // of the cycle and kept in the cycle state.
    let s = state.read<ScoreState>(scoreStateKey);
    if (!s) state.write(scoreStateKey, (s = this.stateFor(pod)));
    return calculatePriority(sumImageScores(nodeInfo, s.images, s.totalNumNodes), s.numContainers);
  }

  private stateFor(pod: PodInfo): ScoreState {
    const spec = pod.pod.spec;
    return {
      images: podImages(pod),
      numContainers: (spec?.initContainers?.length ?? 0) + (spec?.containers?.length ?? 0),
      totalNumNodes: this.handle.snapshot().list().length,
    };
  }
}
