// The scheduler cache: NodeInfos kept up to date incrementally from pod and node events, plus pods
// "assumed" onto a node between the scheduling decision and the informer confirming the binding.
// NodeInfos live in a most-recently-changed list so that updating a snapshot touches only the nodes
// changed since (generation numbers), never the whole cluster.

import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { NodeInfo, PodInfo, podKey, type ImageStateSummary } from '../framework/node-info.js';
import { ExistingTermIndex } from '../framework/term-index.js';
import { Snapshot } from './snapshot.js';

interface Item {
  info: NodeInfo;
  prev: Item | undefined;
  next: Item | undefined;
}

interface PodState {
  podInfo: PodInfo;
  nodeName: string;
  /** When an assumed pod expires (after its binding finished); undefined while binding. */
  deadline?: number;
}

export interface CacheOptions {
  /** How long an assumed pod whose binding finished may wait for the informer before it is dropped. Default 30 s. */
  assumedTTLMs?: number;
  now?: () => number;
}

const ZONE_LABEL = 'topology.kubernetes.io/zone';
const REGION_LABEL = 'topology.kubernetes.io/region';

function zoneOf(node: Node | undefined): string {
  const l = node?.metadata?.labels ?? {};
  return `${l[REGION_LABEL] ?? ''}:${l[ZONE_LABEL] ?? ''}`;
}

export class SchedulerCache {
  private readonly nodes = new Map<string, Item>();
  private head: Item | undefined;
  private readonly podStates = new Map<string, PodState>();
  private readonly assumed = new Set<string>();
  /**
   * Image name → the nodes that have it, and one summary object per name that every NodeInfo holding
   * the image shares (cache and snapshot copies alike), so numNodes is current on every node the
   * moment another node gains or loses the image, without re-copying those nodes.
   */
  private readonly images = new Map<string, { summary: ImageStateSummary; nodes: Set<string> }>();
  /** The namespace reach of the cached pods' affinity terms. */
  private readonly terms = new ExistingTermIndex();
  /** Node names interleaved by zone (upstream's node tree order); undefined when it must be rebuilt. */
  private order: string[] | undefined;
  private readonly ttl: number;
  private readonly now: () => number;

  constructor(opts: CacheOptions = {}) {
    this.ttl = opts.assumedTTLMs ?? 30_000;
    this.now = opts.now ?? Date.now;
  }

  // ---- nodes ----

  addNode(node: Node): void {
    const name = node.metadata!.name!;
    let item = this.nodes.get(name);
    if (!item) {
      item = { info: new NodeInfo(), prev: undefined, next: undefined };
      this.nodes.set(name, item);
      this.order = undefined;
    } else {
      if (zoneOf(item.info.node) !== zoneOf(node) || !item.info.node) this.order = undefined;
      this.removeNodeImages(item.info.node);
    }
    item.info.setNode(node);
    this.addNodeImages(node, item.info);
    this.moveToHead(item);
  }

  updateNode(_old: Node | undefined, node: Node): void {
    this.addNode(node);
  }

  removeNode(node: Node): void {
    const name = node.metadata!.name!;
    const item = this.nodes.get(name);
    if (!item) return;
    this.removeNodeImages(item.info.node);
    // Pods may still point at the node; keep a ghost NodeInfo until they go.
    if (item.info.pods.length === 0) {
      this.unlink(item);
      this.nodes.delete(name);
      item.info.generation = Number.MAX_SAFE_INTEGER; // never matches a snapshot
    } else {
      item.info.removeNode();
      this.moveToHead(item);
    }
    this.order = undefined;
    this.removedNodes.add(name);
  }

  /** Node names removed since the last snapshot update. */
  private readonly removedNodes = new Set<string>();

  nodeCount(): number {
    let n = 0;
    for (const it of this.nodes.values()) if (it.info.node) n++;
    return n;
  }

  // ---- pods ----

  /** Put `pod` on `nodeName` at the scheduling decision, before binding. */
  assumePod(podInfo: PodInfo, nodeName: string): void {
    const key = podInfo.key;
    if (this.podStates.has(key)) throw new Error(`pod ${key} is in the cache, so can't be assumed`);
    this.addPodToNode(podInfo, nodeName);
    this.podStates.set(key, { podInfo, nodeName });
    this.assumed.add(key);
  }

  /** The binding call returned; start the assumed pod's expiry clock. */
  finishBinding(key: string): void {
    const st = this.podStates.get(key);
    if (st && this.assumed.has(key)) st.deadline = this.now() + this.ttl;
  }

  /** Undo an assumption (binding failed). */
  forgetPod(key: string): void {
    const st = this.podStates.get(key);
    if (!st || !this.assumed.has(key)) return;
    this.removePodFromNode(st.podInfo, st.nodeName);
    this.podStates.delete(key);
    this.assumed.delete(key);
  }

  isAssumed(key: string): boolean {
    return this.assumed.has(key);
  }

  /** An assigned pod appeared (informer add); confirms an assumed pod. */
  addPod(pod: Pod): void {
    const key = podKey(pod);
    const nodeName = pod.spec?.nodeName ?? '';
    const st = this.podStates.get(key);
    const pi = new PodInfo(pod);
    if (st && this.assumed.has(key)) {
      // Confirmed: replace the assumed copy with the real one (possibly on another node).
      this.removePodFromNode(st.podInfo, st.nodeName);
      this.addPodToNode(pi, nodeName);
      this.assumed.delete(key);
      this.podStates.set(key, { podInfo: pi, nodeName });
      return;
    }
    if (st) return this.updatePod(st.podInfo.pod, pod);
    this.addPodToNode(pi, nodeName);
    this.podStates.set(key, { podInfo: pi, nodeName });
  }

  updatePod(_old: Pod | undefined, pod: Pod): void {
    const key = podKey(pod);
    const st = this.podStates.get(key);
    if (!st) return this.addPod(pod);
    if (this.assumed.has(key)) return this.addPod(pod);
    const pi = new PodInfo(pod);
    this.removePodFromNode(st.podInfo, st.nodeName);
    const nodeName = pod.spec?.nodeName ?? '';
    this.addPodToNode(pi, nodeName);
    this.podStates.set(key, { podInfo: pi, nodeName });
  }

  removePod(pod: Pod): void {
    const key = podKey(pod);
    const st = this.podStates.get(key);
    if (!st) return;
    this.removePodFromNode(st.podInfo, st.nodeName);
    this.podStates.delete(key);
    this.assumed.delete(key);
  }

  /** Drop assumed pods whose binding finished more than the TTL ago without confirmation. Returns their keys. */
  cleanupExpiredAssumedPods(): string[] {
    const now = this.now();
    const out: string[] = [];
    for (const key of this.assumed) {
      const st = this.podStates.get(key)!;
      if (st.deadline !== undefined && st.deadline < now) {
        this.removePodFromNode(st.podInfo, st.nodeName);
        this.podStates.delete(key);
        this.assumed.delete(key);
        out.push(key);
      }
    }
    return out;
  }

  podCount(): number {
    return this.podStates.size;
  }

  /** The node a cached (assumed or bound) pod is on. */
  nodeOf(key: string): string | undefined {
    return this.podStates.get(key)?.nodeName;
  }

  // ---- snapshots ----

  /**
   * Bring `snap` up to date: copy the NodeInfos changed since its generation (walking the
   * most-recently-changed list from its head) and rebuild the lists only when the node set or a node's
   * affinity status changed.
   */
  updateSnapshot(snap: Snapshot): void {
    const base = snap.generation;
    let rebuild = this.removedNodes.size > 0 || this.order === undefined;
    let affinityMoved = false;
    for (const name of this.removedNodes) {
      if (!this.nodes.get(name)?.info.node) snap.nodeInfoMap.delete(name);
    }
    this.removedNodes.clear();
    for (let it = this.head; it && it.info.generation > base; it = it.next) {
      const info = it.info;
      if (info.generation > snap.generation) snap.generation = info.generation;
      if (!info.node) {
        if (snap.nodeInfoMap.delete(info.name)) rebuild = true;
        continue;
      }
      const name = info.name;
      const existing = snap.nodeInfoMap.get(name);
      const copy = info.clone();
      if (existing) {
        const hadAff = existing.podsWithAffinity.length > 0;
        const hadAnti = existing.podsWithRequiredAntiAffinity.length > 0;
        Object.assign(existing, copy);
        if (hadAff !== existing.podsWithAffinity.length > 0 || hadAnti !== existing.podsWithRequiredAntiAffinity.length > 0) affinityMoved = true;
      } else {
        snap.nodeInfoMap.set(name, copy);
        rebuild = true;
      }
    }
    if (rebuild) snap.rebuildLists(this.nodeOrder());
    else if (affinityMoved) snap.rebuildAffinityLists();
    if (snap.terms.version !== this.terms.version) snap.terms.copyFrom(this.terms);
  }

  /** A new snapshot of the current state. */
  snapshot(): Snapshot {
    const s = new Snapshot();
    this.updateSnapshot(s);
    return s;
  }

  /** Node names interleaved across zones, as upstream's node tree lists them. */
  nodeOrder(): string[] {
    if (this.order) return this.order;
    const byZone = new Map<string, string[]>();
    for (const [name, it] of this.nodes) {
      if (!it.info.node) continue;
      const z = zoneOf(it.info.node);
      let l = byZone.get(z);
      if (!l) byZone.set(z, (l = []));
      l.push(name);
    }
    const zones = [...byZone.values()];
    const out: string[] = [];
    for (let i = 0; out.length < zones.reduce((n, z) => n + z.length, 0); i++) {
      for (const z of zones) if (i < z.length) out.push(z[i]!);
    }
    this.order = out;
    return out;
  }

  // ---- internals ----

  private addPodToNode(pi: PodInfo, nodeName: string): void {
    let item = this.nodes.get(nodeName);
    if (!item) {
      // The pod's node is not known yet: a ghost NodeInfo without a node.
      item = { info: new NodeInfo(), prev: undefined, next: undefined };
      this.nodes.set(nodeName, item);
    }
    item.info.addPod(pi);
    this.terms.addPod(pi, 1);
    this.moveToHead(item);
  }

  private removePodFromNode(pi: PodInfo, nodeName: string): void {
    const item = this.nodes.get(nodeName);
    if (!item) return;
    if (item.info.removePod(pi)) this.terms.addPod(pi, -1);
    if (!item.info.node && item.info.pods.length === 0) {
      this.unlink(item);
      this.nodes.delete(nodeName);
      this.removedNodes.add(nodeName);
    } else {
      this.moveToHead(item);
    }
  }

  private moveToHead(item: Item): void {
    if (this.head === item) return;
    this.unlink(item);
    item.next = this.head;
    if (this.head) this.head.prev = item;
    this.head = item;
  }

  private unlink(item: Item): void {
    if (item.prev) item.prev.next = item.next;
    if (item.next) item.next.prev = item.prev;
    if (this.head === item) this.head = item.next;
    item.prev = item.next = undefined;
  }

  /** Index the node's images (every name of each image) and give its NodeInfo the shared summaries. */
  private addNodeImages(node: Node, info: NodeInfo): void {
    const name = node.metadata!.name!;
    const states = new Map<string, ImageStateSummary>();
    for (const img of node.status?.images ?? []) {
      for (const n of img.names ?? []) {
        let st = this.images.get(n);
        if (!st) this.images.set(n, (st = { summary: { size: img.sizeBytes ?? 0, numNodes: 0 }, nodes: new Set() }));
        if (!st.nodes.has(name)) {
          st.nodes.add(name);
          st.summary.numNodes = st.nodes.size;
        }
        states.set(n, st.summary);
      }
    }
    info.imageStates = states;
  }

  private removeNodeImages(node: Node | undefined): void {
    if (!node) return;
    const name = node.metadata!.name!;
    for (const img of node.status?.images ?? []) {
      for (const n of img.names ?? []) {
        const st = this.images.get(n);
        if (!st || !st.nodes.delete(name)) continue;
        st.summary.numNodes = st.nodes.size;
        if (st.nodes.size === 0) this.images.delete(n);
      }
    }
  }

  /** How many nodes have the image (by any of its names); for tests and debugging. */
  imageNumNodes(name: string): number {
    return this.images.get(name)?.nodes.size ?? 0;
  }
}
