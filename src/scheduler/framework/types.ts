// The plugin contract of the scheduling framework: statuses, per-cycle state, the snapshot a cycle
// reads, and one interface per extension point. Plugins are pure: objects in, decisions out. All I/O
// (binding, deleting victims, events) belongs to the scheduler, never to Filter or Score.
//
// Conventions for plugin authors:
// - A `null` (or undefined) status means Success. Return a Status only to reject, skip or fail.
// - Filter and Score are synchronous and hot (run once per node per pod): precompute in PreFilter /
//   PreScore and keep it in CycleState under a key of your own (usually `PreFilter<Name>`).
// - Extension points receive the pod being scheduled as a PodInfo (pod + parsed requests and affinity
//   terms), so nothing is parsed twice.

import type { Pod } from 'kubernetes-types/core/v1.js';
import type { LabelSelector, Labels } from '../../api/selectors/index.js';
import type { NodeInfo, PodInfo } from './node-info.js';
import type { ExistingTermIndex } from './term-index.js';

export const MaxNodeScore = 100;
export const MinNodeScore = 0;
export const MaxTotalScore = Number.MAX_SAFE_INTEGER;

/** Result codes, as upstream's framework.Code. */
export type Code =
  | 'Success'
  | 'Error'
  | 'Unschedulable'
  /** Unschedulable, and preemption on this node would not help. */
  | 'UnschedulableAndUnresolvable'
  /** Permit only: the pod waits before binding. */
  | 'Wait'
  /** PreFilter/PreScore: the plugin has nothing to do for this pod; its Filter/Score are skipped. Bind: try the next binder. */
  | 'Skip'
  /** The pod is waiting on something outside scheduling (e.g. a PreEnqueue gate). */
  | 'Pending';

/** The outcome of a plugin call. `null` is Success; construct the others with the static helpers. */
export class Status {
  /** Name of the plugin that produced the status; the runtime fills it in. */
  plugin = '';

  constructor(
    readonly code: Code,
    readonly reasons: readonly string[] = [],
    readonly error?: Error,
  ) {}

  static success(): Status {
    return new Status('Success');
  }
  static unschedulable(...reasons: string[]): Status {
    return new Status('Unschedulable', reasons);
  }
  static unresolvable(...reasons: string[]): Status {
    return new Status('UnschedulableAndUnresolvable', reasons);
  }
  static error(err: Error | string): Status {
    const e = typeof err === 'string' ? new Error(err) : err;
    return new Status('Error', [e.message], e);
  }
  static skip(): Status {
    return new Status('Skip');
  }
  static wait(...reasons: string[]): Status {
    return new Status('Wait', reasons);
  }

  withPlugin(name: string): this {
    this.plugin = name;
    return this;
  }

  isSuccess(): boolean {
    return this.code === 'Success';
  }
  /** Unschedulable or UnschedulableAndUnresolvable. */
  isRejected(): boolean {
    return this.code === 'Unschedulable' || this.code === 'UnschedulableAndUnresolvable' || this.code === 'Pending';
  }
  isSkip(): boolean {
    return this.code === 'Skip';
  }
  isWait(): boolean {
    return this.code === 'Wait';
  }
  message(): string {
    return this.reasons.join(', ');
  }
  toString(): string {
    return `${this.code}${this.plugin ? ` (${this.plugin})` : ''}: ${this.message()}`;
  }
}

/** A status or nothing: null/undefined mean Success. */
export type MaybeStatus = Status | null | undefined;

export function isSuccess(s: MaybeStatus): boolean {
  return s == null || s.code === 'Success';
}

/** Data kept in CycleState. `clone` is needed only for mutable data (preemption clones the state per node). */
export interface StateData {
  clone?(): StateData;
}

/** Per-cycle key/value store shared by the plugins of one scheduling attempt. */
export class CycleState {
  private readonly data = new Map<string, StateData>();
  /** Plugins whose PreFilter returned Skip: their Filter is not run this cycle. */
  readonly skipFilterPlugins = new Set<string>();
  /** Plugins whose PreScore returned Skip: their Score is not run this cycle. */
  readonly skipScorePlugins = new Set<string>();
  /** True while the state is used to evaluate preemption victims (plugins may relax nothing else). */
  preemption = false;

  write(key: string, value: StateData): void {
    this.data.set(key, value);
  }
  read<T extends StateData>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }
  delete(key: string): void {
    this.data.delete(key);
  }
  clone(): CycleState {
    const c = new CycleState();
    for (const [k, v] of this.data) c.data.set(k, v.clone ? v.clone() : v);
    for (const p of this.skipFilterPlugins) c.skipFilterPlugins.add(p);
    for (const p of this.skipScorePlugins) c.skipScorePlugins.add(p);
    c.preemption = this.preemption;
    return c;
  }
}

/** Read access to the node infos of the cycle's snapshot. Lists are in a stable order (do not mutate them). */
export interface NodeInfoLister {
  list(): readonly NodeInfo[];
  get(nodeName: string): NodeInfo | undefined;
  /** Nodes that have at least one pod with (anti-)affinity terms. */
  havePodsWithAffinity(): readonly NodeInfo[];
  /** Nodes that have at least one pod with required anti-affinity terms. */
  havePodsWithRequiredAntiAffinity(): readonly NodeInfo[];
  /** The namespaces the placed pods' affinity terms can select. */
  existingTerms(): ExistingTermIndex;
}

/** What a plugin may use from the scheduler besides its call arguments. */
export interface Handle {
  /** The snapshot of the current cycle (valid during a call; do not keep it across cycles). */
  snapshot(): NodeInfoLister;
  /** Labels of a namespace, for namespaceSelector in pod (anti-)affinity; undefined when unknown. */
  namespaceLabels(namespace: string): Labels | undefined;
  /**
   * The selector default topology spread constraints use for `pod`: what the Services,
   * ReplicationControllers, ReplicaSets and StatefulSets selecting it select (upstream's
   * DefaultSelector). Undefined when nothing selects the pod, or when the scheduler has no such
   * informers (then default constraints do not apply).
   */
  defaultSelector?(pod: Pod): LabelSelector | undefined;
}

export interface Plugin {
  readonly name: string;
}

/** PreFilter's way of restricting the nodes to evaluate (e.g. NodeName, NodeAffinity on metadata.name). */
export class PreFilterResult {
  constructor(readonly nodeNames: ReadonlySet<string>) {}
}

export interface PreFilterPlugin extends Plugin {
  /**
   * Called once per cycle before Filter. Return null for success, a Status to reject or Skip (Skip also
   * skips this plugin's Filter), or a PreFilterResult to restrict evaluation to some nodes.
   */
  preFilter(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status | PreFilterResult | null | undefined;
  /** Update precomputed state as if `podToAdd` ran on `nodeInfo` (used by preemption). */
  addPod?(state: CycleState, podToSchedule: PodInfo, podToAdd: PodInfo, nodeInfo: NodeInfo): MaybeStatus;
  /** Update precomputed state as if `podToRemove` were gone from `nodeInfo` (used by preemption). */
  removePod?(state: CycleState, podToSchedule: PodInfo, podToRemove: PodInfo, nodeInfo: NodeInfo): MaybeStatus;
}

export interface FilterPlugin extends Plugin {
  /** Whether the pod fits on the node. Unschedulable, UnschedulableAndUnresolvable or Error to reject. */
  filter(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): MaybeStatus;
}

/** Filter statuses of the nodes that did not pass, by node name. */
export type NodeToStatus = Map<string, Status>;

export interface PostFilterResult {
  status: MaybeStatus;
  /** The node the pod is nominated to (after preemption). */
  nominatedNodeName?: string;
}

export interface PostFilterPlugin extends Plugin {
  /** Called when no node passed Filter (e.g. preemption). */
  postFilter(state: CycleState, pod: PodInfo, filteredNodeStatuses: NodeToStatus): Promise<PostFilterResult>;
}

export interface PreScorePlugin extends Plugin {
  /** Called once with the feasible nodes before Score. Return Skip to skip this plugin's Score. */
  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): MaybeStatus;
}

export interface NodeScore {
  name: string;
  score: number;
}

export interface ScorePlugin extends Plugin {
  /** Score of one feasible node: an integer (after NormalizeScore, 0..MaxNodeScore), or a Status on error. */
  score(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): number | Status;
  /** Rescale the scores in place to 0..MaxNodeScore. */
  normalizeScore?(state: CycleState, pod: PodInfo, scores: NodeScore[]): MaybeStatus;
}

export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: PodInfo, nodeName: string): MaybeStatus;
  /** Must be idempotent; called when a later phase fails. */
  unreserve(state: CycleState, pod: PodInfo, nodeName: string): void;
}

export interface PermitPlugin extends Plugin {
  /** Success, a rejection, or Wait with a promise that settles (Success/rejection) before `timeoutMs`. */
  permit(state: CycleState, pod: PodInfo, nodeName: string): MaybeStatus | Promise<MaybeStatus>;
}

export interface PreBindPlugin extends Plugin {
  preBind(state: CycleState, pod: PodInfo, nodeName: string): MaybeStatus | Promise<MaybeStatus>;
}

export interface BindPlugin extends Plugin {
  /** Bind the pod; return Skip to let the next bind plugin do it. */
  bind(state: CycleState, pod: PodInfo, nodeName: string): Promise<MaybeStatus>;
}

export interface PostBindPlugin extends Plugin {
  postBind(state: CycleState, pod: PodInfo, nodeName: string): void;
}

// ---- cluster events (which events may make a rejected pod schedulable) ----

/** Bit flags of what changed, as upstream's framework.ActionType. */
export const ActionType = {
  Add: 1,
  Delete: 2,
  UpdateNodeAllocatable: 4,
  UpdateNodeLabel: 8,
  UpdateNodeTaint: 16,
  UpdateNodeCondition: 32,
  UpdateNodeAnnotation: 64,
  UpdatePodLabel: 128,
  UpdatePodScaleDown: 256,
  UpdatePodTolerations: 512,
  UpdatePodSchedulingGatesEliminated: 1024,
  UpdatePodGeneratedResourceClaim: 2048,
  /** Any other update. */
  UpdateOther: 4096,
  Update: 4 | 8 | 16 | 32 | 64 | 128 | 256 | 512 | 1024 | 2048 | 4096,
  All: 8191,
} as const;

/** 'Pod' = assigned pods (other pods on nodes); 'UnscheduledPod' = the pending pod itself. */
export type EventResource = 'Pod' | 'UnscheduledPod' | 'Node' | 'Namespace' | 'PersistentVolume' | 'PersistentVolumeClaim' | 'StorageClass' | '*';

export interface ClusterEvent {
  resource: EventResource;
  /** ActionType bits. */
  actionType: number;
  label?: string;
}

export type QueueingHint = 'Queue' | 'QueueSkip';

/** Decides whether an event may make `pod` (rejected by this plugin) schedulable. Objects in, decision out. */
export type QueueingHintFn = (pod: Pod, oldObj: unknown, newObj: unknown) => QueueingHint;

export interface ClusterEventWithHint {
  event: ClusterEvent;
  /** Omitted: always Queue. */
  queueingHint?: QueueingHintFn;
}

/** Plugins that reject pods may declare the events after which a retry makes sense. */
export interface EnqueueExtensions {
  eventsToRegister(): ClusterEventWithHint[];
}

// ---- profile wiring ----

export interface WeightedScorePlugin {
  plugin: ScorePlugin;
  weight: number;
}

/**
 * The plugins of a profile, per extension point, in the order they run. One plugin object may appear
 * at several extension points. Unlisted points are empty.
 */
export interface ProfilePlugins {
  preFilter?: PreFilterPlugin[];
  filter?: FilterPlugin[];
  postFilter?: PostFilterPlugin[];
  preScore?: PreScorePlugin[];
  score?: WeightedScorePlugin[];
  reserve?: ReservePlugin[];
  permit?: PermitPlugin[];
  preBind?: PreBindPlugin[];
  bind?: BindPlugin[];
  postBind?: PostBindPlugin[];
}

/** How src/scheduler/plugins exposes its default set: built once per profile, with the scheduler's handle. */
export type PluginsFactory = (handle: Handle) => ProfilePlugins;
