// Upstream's DefaultNormalizeScore: scale scores so the highest becomes maxPriority (integer division),
// optionally reversed (maxPriority - score). All-zero scores become 0, or maxPriority when reversed.

import { MaxNodeScore, type NodeScore } from '../../framework/index.js';

export function defaultNormalizeScore(scores: NodeScore[], reverse: boolean, maxPriority: number = MaxNodeScore): void {
  let max = 0;
  for (const s of scores) if (s.score > max) max = s.score;
  if (max === 0) {
    if (reverse) for (const s of scores) s.score = maxPriority;
    return;
  }
  for (const s of scores) {
    let v = Math.trunc((maxPriority * s.score) / max);
    if (reverse) v = maxPriority - v;
    s.score = v;
  }
}
