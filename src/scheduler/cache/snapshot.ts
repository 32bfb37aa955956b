// The read-only view of the cluster one scheduling cycle sees. The cache updates it in place, copying
// only the NodeInfos whose generation moved since the previous update.

import type { NodeInfo } from '../framework/node-info.js';
import type { NodeInfoLister } from '../framework/types.js';
import { ExistingTermIndex } from '../framework/term-index.js';

export class Snapshot implements NodeInfoLister {
  /** Node name → NodeInfo (a copy of the cache's). */
  readonly nodeInfoMap = new Map<string, NodeInfo>();
  nodeInfoList: NodeInfo[] = [];
  havePodsWithAffinityList: NodeInfo[] = [];
  havePodsWithRequiredAntiAffinityList: NodeInfo[] = [];
  /** The namespace reach of the placed pods' affinity terms (copied from the cache when it moves). */
  readonly terms = new ExistingTermIndex();
  /** The highest NodeInfo generation included. */
  generation = 0;

  /** A snapshot of fixed NodeInfos (for tests and preemption dry runs). */
  static of(nodeInfos: NodeInfo[]): Snapshot {
    const s = new Snapshot();
    for (const ni of nodeInfos) s.nodeInfoMap.set(ni.name, ni);
    s.rebuildLists([...s.nodeInfoMap.keys()]);
    s.terms.copyFrom(ExistingTermIndex.of(nodeInfos.flatMap((ni) => ni.podsWithAffinity)));
    return s;
  }

  /** Rebuild the lists in the given node order. */
  rebuildLists(order: readonly string[]): void {
    this.nodeInfoList = [];
    for (const name of order) {
      const ni = this.nodeInfoMap.get(name);
      if (ni?.node) this.nodeInfoList.push(ni);
    }
    this.rebuildAffinityLists();
  }

  /** Rebuild only the affinity lists (the node set is unchanged; a node's affinity status moved). */
  rebuildAffinityLists(): void {
    this.havePodsWithAffinityList = [];
    this.havePodsWithRequiredAntiAffinityList = [];
    for (const ni of this.nodeInfoList) {
      if (ni.podsWithAffinity.length > 0) this.havePodsWithAffinityList.push(ni);
      if (ni.podsWithRequiredAntiAffinity.length > 0) this.havePodsWithRequiredAntiAffinityList.push(ni);
    }
  }

  list(): readonly NodeInfo[] {
    return this.nodeInfoList;
  }
  get(nodeName: string): NodeInfo | undefined {
    return this.nodeInfoMap.get(nodeName);
  }
  havePodsWithAffinity(): readonly NodeInfo[] {
    return this.havePodsWithAffinityList;
  }
  havePodsWithRequiredAntiAffinity(): readonly NodeInfo[] {
    return this.havePodsWithRequiredAntiAffinityList;
  }
  existingTerms(): ExistingTermIndex {
    return this.terms;
  }
  numNodes(): number {
    return this.nodeInfoList.length;
  }
}
