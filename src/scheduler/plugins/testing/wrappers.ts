// Small fluent builders for the objects plugin tests feed in (pods and nodes), in the spirit of
// upstream's st.MakePod()/st.MakeNode(). Test-only: nothing outside *.test.ts should import this.

import type {
  Container,
  ContainerPort,
  Node,
  NodeSelectorRequirement,
  NodeSelectorTerm,
  Pod,
  PodAffinityTerm,
  Taint,
  Toleration,
  TopologySpreadConstraint,
} from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';

type ResourceList = Record<string, string>;

/** kubernetes-types marks server-set metadata readonly; tests set it directly. */
function mut(p: Pod): { uid?: string; deletionTimestamp?: string } {
  return p.metadata as { uid?: string; deletionTimestamp?: string };
}

export class PodWrapper {
  readonly obj: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: '', namespace: 'default', labels: {} }, spec: { containers: [] } };

  name(n: string): this {
    this.obj.metadata!.name = n;
    if (!this.obj.metadata!.uid) mut(this.obj).uid = `${this.obj.metadata!.namespace}/${n}`;
    return this;
  }
  uid(u: string): this {
    mut(this.obj).uid = u;
    return this;
  }
  namespace(ns: string): this {
    this.obj.metadata!.namespace = ns;
    if (this.obj.metadata!.name) mut(this.obj).uid = `${ns}/${this.obj.metadata!.name}`;
    return this;
  }
  label(k: string, v: string): this {
    this.obj.metadata!.labels![k] = v;
    return this;
  }
  labels(l: Record<string, string>): this {
    Object.assign(this.obj.metadata!.labels!, l);
    return this;
  }
  terminating(): this {
    mut(this.obj).deletionTimestamp = '2024-01-01T00:00:00Z';
    return this;
  }
  node(n: string): this {
    this.obj.spec!.nodeName = n;
    return this;
  }
  nodeSelector(s: Record<string, string>): this {
    this.obj.spec!.nodeSelector = s;
    return this;
  }
  /** A container with the given requests (and optional ports / image). */
  container(requests: ResourceList = {}, extra: Partial<Container> = {}): this {
    const c: Container = { name: `c${this.obj.spec!.containers.length}`, image: 'pause', ...extra };
    if (Object.keys(requests).length > 0) c.resources = { requests };
    this.obj.spec!.containers.push(c);
    return this;
  }
  req(requests: ResourceList): this {
    return this.container(requests);
  }
  image(image: string): this {
    return this.container({}, { image });
  }
  initReq(requests: ResourceList, sidecar = false): this {
    const spec = this.obj.spec!;
    const list = (spec.initContainers ??= []);
    const c: Container = { name: `init${list.length}`, image: 'pause', resources: { requests } };
    if (sidecar) c.restartPolicy = 'Always';
    list.push(c);
    return this;
  }
  overhead(o: ResourceList): this {
    this.obj.spec!.overhead = o;
    return this;
  }
  hostPort(port: number, protocol = 'TCP', hostIP = ''): this {
    const p: ContainerPort = { containerPort: port, hostPort: port, protocol };
    if (hostIP) p.hostIP = hostIP;
    return this.container({}, { ports: [p] });
  }
  toleration(t: Toleration): this {
    (this.obj.spec!.tolerations ??= []).push(t);
    return this;
  }
  private nodeAffinity() {
    const aff = (this.obj.spec!.affinity ??= {});
    return (aff.nodeAffinity ??= {});
  }
  /** A required node selector term (terms are ORed). */
  nodeAffinityTerm(matchExpressions: NodeSelectorRequirement[], matchFields?: NodeSelectorRequirement[]): this {
    const na = this.nodeAffinity();
    const req = (na.requiredDuringSchedulingIgnoredDuringExecution ??= { nodeSelectorTerms: [] });
    const term: NodeSelectorTerm = {};
    if (matchExpressions.length) term.matchExpressions = matchExpressions;
    if (matchFields) term.matchFields = matchFields;
    req.nodeSelectorTerms.push(term);
    return this;
  }
  nodeAffinityIn(key: string, values: string[]): this {
    return this.nodeAffinityTerm([{ key, operator: 'In', values }]);
  }
  preferredNodeAffinity(weight: number, matchExpressions: NodeSelectorRequirement[]): this {
    const na = this.nodeAffinity();
    (na.preferredDuringSchedulingIgnoredDuringExecution ??= []).push({ weight, preference: { matchExpressions } });
    return this;
  }
  private term(selector: LabelSelector | undefined, topologyKey: string, extra: Partial<PodAffinityTerm> = {}): PodAffinityTerm {
    const t: PodAffinityTerm = { topologyKey, ...extra };
    if (selector) t.labelSelector = selector;
    return t;
  }
  podAffinity(topologyKey: string, selector: LabelSelector | undefined, extra: Partial<PodAffinityTerm> = {}): this {
    const aff = (this.obj.spec!.affinity ??= {});
    const pa = (aff.podAffinity ??= {});
    (pa.requiredDuringSchedulingIgnoredDuringExecution ??= []).push(this.term(selector, topologyKey, extra));
    return this;
  }
  podAntiAffinity(topologyKey: string, selector: LabelSelector | undefined, extra: Partial<PodAffinityTerm> = {}): this {
    const aff = (this.obj.spec!.affinity ??= {});
    const pa = (aff.podAntiAffinity ??= {});
    (pa.requiredDuringSchedulingIgnoredDuringExecution ??= []).push(this.term(selector, topologyKey, extra));
    return this;
  }
  preferredPodAffinity(weight: number, topologyKey: string, selector: LabelSelector | undefined): this {
    const aff = (this.obj.spec!.affinity ??= {});
    const pa = (aff.podAffinity ??= {});
    (pa.preferredDuringSchedulingIgnoredDuringExecution ??= []).push({ weight, podAffinityTerm: this.term(selector, topologyKey) });
    return this;
  }
  preferredPodAntiAffinity(weight: number, topologyKey: string, selector: LabelSelector | undefined): this {
    const aff = (this.obj.spec!.affinity ??= {});
    const pa = (aff.podAntiAffinity ??= {});
    (pa.preferredDuringSchedulingIgnoredDuringExecution ??= []).push({ weight, podAffinityTerm: this.term(selector, topologyKey) });
    return this;
  }
  spreadConstraint(
    maxSkew: number,
    topologyKey: string,
    whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway',
    selector: LabelSelector | undefined,
    extra: Partial<TopologySpreadConstraint> = {},
  ): this {
    const c: TopologySpreadConstraint = { maxSkew, topologyKey, whenUnsatisfiable, ...extra };
    if (selector) c.labelSelector = selector;
    (this.obj.spec!.topologySpreadConstraints ??= []).push(c);
    return this;
  }
}

export function makePod(name = 'p'): PodWrapper {
  return new PodWrapper().name(name);
}

export class NodeWrapper {
  readonly obj: Node = { apiVersion: 'v1', kind: 'Node', metadata: { name: '', labels: {} }, spec: {}, status: { allocatable: {} } };

  name(n: string): this {
    this.obj.metadata!.name = n;
    this.obj.metadata!.labels!['kubernetes.io/hostname'] = n;
    return this;
  }
  label(k: string, v: string): this {
    this.obj.metadata!.labels![k] = v;
    return this;
  }
  labels(l: Record<string, string>): this {
    Object.assign(this.obj.metadata!.labels!, l);
    return this;
  }
  /** Allocatable resources, e.g. {cpu: '4', memory: '8Gi', pods: '110'}. */
  capacity(r: ResourceList): this {
    this.obj.status!.allocatable = { ...r };
    this.obj.status!.capacity = { ...r };
    return this;
  }
  taint(key: string, value: string, effect: string): this {
    const t: Taint = { key, effect };
    if (value) t.value = value;
    (this.obj.spec!.taints ??= []).push(t);
    return this;
  }
  unschedulable(u = true): this {
    this.obj.spec!.unschedulable = u;
    return this;
  }
  images(images: { names: string[]; sizeBytes: number }[]): this {
    this.obj.status!.images = images;
    return this;
  }
}

export function makeNode(name = 'n'): NodeWrapper {
  return new NodeWrapper().name(name);
}

/** `{matchLabels}` shorthand. */
export function sel(matchLabels: Record<string, string>): LabelSelector {
  return { matchLabels };
}

/** `{matchExpressions: [{key, operator, values}]}` shorthand. */
export function selExpr(key: string, operator: string, values?: string[]): LabelSelector {
  return { matchExpressions: [values ? { key, operator, values } : { key, operator }] };
}
