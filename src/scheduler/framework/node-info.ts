// NodeInfo: a node plus what the scheduler knows is placed on it (pods incl. assumed ones, requested
// resources, host ports, images). PodInfo: a pod with its requests and affinity terms parsed once.

import type { Container, Node, Pod, PodAffinityTerm, Taint, WeightedPodAffinityTerm } from 'kubernetes-types/core/v1.js';
import { LabelSelector, labelSelectorFromObject, type Labels } from '../../api/selectors/index.js';
import { Resource, isSidecar, podNonZeroRequests, podRequests } from './resources.js';

let generationCounter = 0;
/** A process-wide increasing number; every NodeInfo change takes the next one. */
export function nextGeneration(): number {
  return ++generationCounter;
}

/** The identity of a pod in the cache: its uid, or namespace/name when it has none. */
export function podKey(pod: Pod): string {
  return pod.metadata?.uid || `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

/** A parsed PodAffinityTerm. */
export class AffinityTerm {
  readonly namespaces: ReadonlySet<string>;
  readonly selector: LabelSelector;
  readonly namespaceSelector: LabelSelector;
  readonly topologyKey: string;
  /** The term has a namespaceSelector, so it may select pods of any namespace. */
  readonly hasNamespaceSelector: boolean;

  /** `ownNamespace` is the namespace of the pod that carries the term. Throws on an invalid selector. */
  constructor(term: PodAffinityTerm, ownNamespace: string) {
    this.selector = labelSelectorFromObject(term.labelSelector);
    this.namespaceSelector = labelSelectorFromObject(term.namespaceSelector);
    const ns = new Set(term.namespaces ?? []);
    if (ns.size === 0 && term.namespaceSelector == null) ns.add(ownNamespace);
    this.namespaces = ns;
    this.hasNamespaceSelector = term.namespaceSelector != null;
    this.topologyKey = term.topologyKey;
  }

  /** Whether `pod` is selected by the term; `nsLabels` are the labels of the pod's namespace. */
  matches(pod: Pod, nsLabels: Labels | undefined): boolean {
    const ns = pod.metadata?.namespace ?? '';
    if (!this.namespaces.has(ns) && !this.namespaceSelector.matches(nsLabels)) return false;
    return this.selector.matches(pod.metadata?.labels);
  }
}

export interface WeightedAffinityTerm {
  term: AffinityTerm;
  weight: number;
}

/** A pod with its scheduling-relevant parts parsed. Treat as immutable. */
export class PodInfo {
  readonly pod: Pod;
  readonly key: string;
  /** Requests incl. init containers, sidecars and overhead. */
  readonly requests: Resource;
  /** CPU/memory requests with the scoring defaults for containers that request nothing. */
  readonly nonZeroRequests: { readonly milliCPU: number; readonly memory: number };
  readonly requiredAffinityTerms: readonly AffinityTerm[];
  readonly requiredAntiAffinityTerms: readonly AffinityTerm[];
  readonly preferredAffinityTerms: readonly WeightedAffinityTerm[];
  readonly preferredAntiAffinityTerms: readonly WeightedAffinityTerm[];
  /** Set when an affinity term could not be parsed (its terms are then empty). */
  readonly parseError?: Error;
  /**
   * The containers whose host ports the pod holds for its lifetime: app containers and restartable
   * init containers (sidecars). Ordinary init containers finish before the app starts, so their ports
   * are not in use (NodePorts counts the same containers for the incoming pod).
   */
  readonly hostPortContainers: readonly Container[];

  constructor(pod: Pod) {
    this.pod = pod;
    this.key = podKey(pod);
    this.requests = podRequests(pod);
    this.nonZeroRequests = podNonZeroRequests(pod);
    const withPorts: Container[] = [];
    for (const c of pod.spec?.initContainers ?? []) if (isSidecar(c) && c.ports?.length) withPorts.push(c);
    for (const c of pod.spec?.containers ?? []) if (c.ports?.length) withPorts.push(c);
    this.hostPortContainers = withPorts;
    const ns = pod.metadata?.namespace ?? '';
    const aff = pod.spec?.affinity;
    let req: AffinityTerm[] = [];
    let anti: AffinityTerm[] = [];
    let pref: WeightedAffinityTerm[] = [];
    let prefAnti: WeightedAffinityTerm[] = [];
    let parseError: Error | undefined;
    try {
      const terms = (ts: PodAffinityTerm[] | undefined) => (ts ?? []).map((t) => new AffinityTerm(t, ns));
      const weighted = (ts: WeightedPodAffinityTerm[] | undefined) =>
        (ts ?? []).map((t) => ({ term: new AffinityTerm(t.podAffinityTerm, ns), weight: t.weight }));
      req = terms(aff?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution);
      anti = terms(aff?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution);
      pref = weighted(aff?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution);
      prefAnti = weighted(aff?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution);
    } catch (e) {
      parseError = e instanceof Error ? e : new Error(String(e));
      req = anti = [];
      pref = prefAnti = [];
    }
    this.requiredAffinityTerms = req;
    this.requiredAntiAffinityTerms = anti;
    this.preferredAffinityTerms = pref;
    this.preferredAntiAffinityTerms = prefAnti;
    if (parseError) this.parseError = parseError;
  }

  hasAffinity(): boolean {
    return (
      this.requiredAffinityTerms.length > 0 ||
      this.requiredAntiAffinityTerms.length > 0 ||
      this.preferredAffinityTerms.length > 0 ||
      this.preferredAntiAffinityTerms.length > 0
    );
  }

  hasRequiredAntiAffinity(): boolean {
    return this.requiredAntiAffinityTerms.length > 0;
  }
}

const DEFAULT_BIND_ALL = '0.0.0.0';

/** Host ports in use on a node: ip → set of "protocol/port". 0.0.0.0 conflicts with every ip. */
export class HostPortInfo {
  private readonly byIP = new Map<string, Set<string>>();

  private static norm(ip: string | undefined, protocol: string | undefined): [string, string] {
    return [ip || DEFAULT_BIND_ALL, protocol || 'TCP'];
  }

  add(ip: string | undefined, protocol: string | undefined, port: number): void {
    if (port <= 0) return;
    const [i, p] = HostPortInfo.norm(ip, protocol);
    let s = this.byIP.get(i);
    if (!s) this.byIP.set(i, (s = new Set()));
    s.add(`${p}/${port}`);
  }

  remove(ip: string | undefined, protocol: string | undefined, port: number): void {
    if (port <= 0) return;
    const [i, p] = HostPortInfo.norm(ip, protocol);
    const s = this.byIP.get(i);
    if (!s) return;
    s.delete(`${p}/${port}`);
    if (s.size === 0) this.byIP.delete(i);
  }

  /** Whether (ip, protocol, port) conflicts with a port in use. */
  checkConflict(ip: string | undefined, protocol: string | undefined, port: number): boolean {
    if (port <= 0) return false;
    const [i, p] = HostPortInfo.norm(ip, protocol);
    const pp = `${p}/${port}`;
    if (i === DEFAULT_BIND_ALL) {
      for (const s of this.byIP.values()) if (s.has(pp)) return true;
      return false;
    }
    return !!(this.byIP.get(i)?.has(pp) || this.byIP.get(DEFAULT_BIND_ALL)?.has(pp));
  }

  get size(): number {
    let n = 0;
    for (const s of this.byIP.values()) n += s.size;
    return n;
  }

  clone(): HostPortInfo {
    const c = new HostPortInfo();
    for (const [k, v] of this.byIP) c.byIP.set(k, new Set(v));
    return c;
  }
}

/** An image on a node: its size and on how many nodes of the cluster it is. */
export interface ImageStateSummary {
  size: number;
  numNodes: number;
}

const NO_TAINTS: readonly Taint[] = Object.freeze([]);
const NO_LABELS: Labels = Object.freeze({});

/**
 * A node and what is placed on it. Mutated only by the cache; plugins see snapshot clones.
 *
 * A cycle filters hundreds of nodes, each a fresh memory region the CPU has to fetch, so what the
 * Filter and Score plugins read for every node is copied onto the NodeInfo itself: the node's name,
 * labels, taints and unschedulable flag (instead of the large Node object), and plain-number copies
 * of the pod count and of the cpu / memory / storage / pods amounts (`fit`, kept in step with the
 * Resource objects by setNode and update), so the common case reads one object.
 */
export class NodeInfo {
  node: Node | undefined;
  name = '';
  labels: Labels = NO_LABELS;
  taints: readonly Taint[] = NO_TAINTS;
  unschedulable = false;
  numPods = 0;
  allocMilliCPU = 0;
  allocMemory = 0;
  allocEphemeralStorage = 0;
  allowedPodNumber = 0;
  reqMilliCPU = 0;
  reqMemory = 0;
  reqEphemeralStorage = 0;
  nonZeroMilliCPU = 0;
  nonZeroMemory = 0;
  pods: PodInfo[] = [];
  podsWithAffinity: PodInfo[] = [];
  podsWithRequiredAntiAffinity: PodInfo[] = [];
  usedPorts = new HostPortInfo();
  /** Sum of the pods' requests. */
  requested = new Resource();
  /** Sum of the pods' requests with the scoring defaults (cpu and memory only). */
  nonZeroRequested = new Resource();
  allocatable = new Resource();
  /**
   * Image name (every name the node reports for an image) → summary. The cache shares one summary
   * object per image across all nodes, so numNodes stays current; treat as read-only.
   */
  imageStates = new Map<string, ImageStateSummary>();
  /** Changes whenever the NodeInfo changes (see nextGeneration). */
  generation = nextGeneration();

  constructor(node?: Node, ...pods: Pod[]) {
    if (node) this.setNode(node);
    for (const p of pods) this.addPod(p);
  }

  setNode(node: Node): void {
    this.node = node;
    this.name = node.metadata?.name ?? '';
    this.labels = node.metadata?.labels ?? NO_LABELS;
    this.taints = node.spec?.taints ?? NO_TAINTS;
    this.unschedulable = !!node.spec?.unschedulable;
    const a = (this.allocatable = Resource.fromList(node.status?.allocatable as Record<string, unknown> | undefined));
    this.allocMilliCPU = a.milliCPU;
    this.allocMemory = a.memory;
    this.allocEphemeralStorage = a.ephemeralStorage;
    this.allowedPodNumber = a.allowedPodNumber;
    this.generation = nextGeneration();
  }

  removeNode(): void {
    this.node = undefined;
    this.name = '';
    this.labels = NO_LABELS;
    this.taints = NO_TAINTS;
    this.unschedulable = false;
    this.imageStates = new Map();
    this.generation = nextGeneration();
  }

  addPod(pod: Pod | PodInfo): PodInfo {
    const pi = pod instanceof PodInfo ? pod : new PodInfo(pod);
    this.pods.push(pi);
    if (pi.hasAffinity()) this.podsWithAffinity.push(pi);
    if (pi.hasRequiredAntiAffinity()) this.podsWithRequiredAntiAffinity.push(pi);
    this.update(pi, 1);
    return pi;
  }

  /** Remove the pod with the same key; false when it is not on the node. */
  removePod(pod: Pod | PodInfo): boolean {
    const key = pod instanceof PodInfo ? pod.key : podKey(pod);
    const i = this.pods.findIndex((p) => p.key === key);
    if (i < 0) return false;
    const pi = this.pods[i]!;
    this.pods.splice(i, 1);
    removeByKey(this.podsWithAffinity, key);
    removeByKey(this.podsWithRequiredAntiAffinity, key);
    this.update(pi, -1);
    return true;
  }

  private update(pi: PodInfo, sign: 1 | -1): void {
    if (sign > 0) this.requested.add(pi.requests);
    else this.requested.sub(pi.requests);
    this.nonZeroRequested.milliCPU += sign * pi.nonZeroRequests.milliCPU;
    this.nonZeroRequested.memory += sign * pi.nonZeroRequests.memory;
    this.numPods = this.pods.length;
    this.reqMilliCPU = this.requested.milliCPU;
    this.reqMemory = this.requested.memory;
    this.reqEphemeralStorage = this.requested.ephemeralStorage;
    this.nonZeroMilliCPU = this.nonZeroRequested.milliCPU;
    this.nonZeroMemory = this.nonZeroRequested.memory;
    for (const c of pi.hostPortContainers) {
      for (const p of c.ports ?? []) {
        if (!p.hostPort) continue;
        if (sign > 0) this.usedPorts.add(p.hostIP, p.protocol, p.hostPort);
        else this.usedPorts.remove(p.hostIP, p.protocol, p.hostPort);
      }
    }
    this.generation = nextGeneration();
  }

  /** A copy that shares the (immutable) PodInfos and the node object but no mutable state. */
  clone(): NodeInfo {
    const c = new NodeInfo();
    c.node = this.node;
    c.name = this.name;
    c.labels = this.labels;
    c.taints = this.taints;
    c.unschedulable = this.unschedulable;
    c.numPods = this.numPods;
    c.allocMilliCPU = this.allocMilliCPU;
    c.allocMemory = this.allocMemory;
    c.allocEphemeralStorage = this.allocEphemeralStorage;
    c.allowedPodNumber = this.allowedPodNumber;
    c.reqMilliCPU = this.reqMilliCPU;
    c.reqMemory = this.reqMemory;
    c.reqEphemeralStorage = this.reqEphemeralStorage;
    c.nonZeroMilliCPU = this.nonZeroMilliCPU;
    c.nonZeroMemory = this.nonZeroMemory;
    c.pods = this.pods.slice();
    c.podsWithAffinity = this.podsWithAffinity.slice();
    c.podsWithRequiredAntiAffinity = this.podsWithRequiredAntiAffinity.slice();
    c.usedPorts = this.usedPorts.clone();
    c.requested = this.requested.clone();
    c.nonZeroRequested = this.nonZeroRequested.clone();
    c.allocatable = this.allocatable.clone();
    c.imageStates = new Map(this.imageStates);
    c.generation = this.generation;
    return c;
  }
}

function removeByKey(list: PodInfo[], key: string): void {
  const i = list.findIndex((p) => p.key === key);
  if (i >= 0) list.splice(i, 1);
}
