// The framework runtime: runs one profile's plugins at each extension point, in order, with weights,
// and finds the feasible nodes of a pod the way upstream does (a bounded number of feasible nodes
// per cycle, starting where the previous cycle stopped).

import type { NodeInfo, PodInfo } from './node-info.js';
import {
  MaxNodeScore,
  MinNodeScore,
  PreFilterResult,
  Status,
  type CycleState,
  type FilterPlugin,
  type NodeInfoLister,
  type NodeScore,
  type NodeToStatus,
  type PostFilterResult,
  type ProfilePlugins,
  type WeightedScorePlugin,
} from './types.js';

/** Upstream's floor on feasible nodes to find, and the adaptive percentage's floor. */
export const MinFeasibleNodesToFind = 100;
export const MinFeasibleNodesPercentageToFind = 5;

/**
 * How many feasible nodes to look for among `numAllNodes`. `percentage` 0 means adaptive:
 * 50% minus 1% per 125 nodes, at least 5%; and never fewer than 100 nodes.
 */
export function numFeasibleNodesToFind(percentage: number, numAllNodes: number): number {
  if (numAllNodes < MinFeasibleNodesToFind || percentage >= 100) return numAllNodes;
  let adaptive = percentage;
  if (adaptive <= 0) {
    adaptive = 50 - Math.trunc(numAllNodes / 125);
    if (adaptive < MinFeasibleNodesPercentageToFind) adaptive = MinFeasibleNodesPercentageToFind;
  }
  const n = Math.trunc((numAllNodes * adaptive) / 100);
  return n < MinFeasibleNodesToFind ? MinFeasibleNodesToFind : n;
}

/** Time spent per extension point and plugin, in milliseconds (sampled cycles only). */
export class PluginMetrics {
  readonly totals = new Map<string, { ms: number; calls: number }>();
  /** Measure one cycle in `sampleEvery` (1 = all). */
  constructor(readonly sampleEvery = 1) {}

  record(point: string, plugin: string, ms: number, calls = 1): void {
    const key = `${point}/${plugin}`;
    const t = this.totals.get(key);
    if (t) {
      t.ms += ms;
      t.calls += calls;
    } else this.totals.set(key, { ms, calls });
  }

  /** Rows sorted by time, for printing. */
  rows(): { point: string; plugin: string; ms: number; calls: number }[] {
    return [...this.totals]
      .map(([k, v]) => {
        const [point, plugin] = k.split('/') as [string, string];
        return { point, plugin, ...v };
      })
      .sort((a, b) => b.ms - a.ms);
  }
}

export interface FrameworkOptions {
  profileName?: string;
  /** 0 (default) is adaptive; 100 evaluates all nodes. */
  percentageOfNodesToScore?: number;
  metrics?: PluginMetrics;
  /** For ties between best nodes; default Math.random. */
  random?: () => number;
  /** Pods nominated to nodes by preemption (the scheduling queue). */
  nominator?: Nominator;
}

/** Where preemptors are headed: Filter counts them on their node as if they ran there. */
export interface Nominator {
  /** Whether any pod is nominated anywhere (a fast path for the common case). */
  hasNominatedPods(): boolean;
  nominatedPodsForNode(nodeName: string): readonly PodInfo[];
}

export interface FindNodesResult {
  feasible: NodeInfo[];
  /** Statuses of the nodes that were rejected (by PreFilter or Filter). */
  statuses: NodeToStatus;
  /** Set when PreFilter rejected the pod: its message. */
  preFilterMessage?: string;
  /** Plugins that rejected the pod on some node (for requeueing). */
  unschedulablePlugins: Set<string>;
  /** Set when a plugin returned Error. */
  error?: Status;
}

const now = (): number => performance.now();

export class Framework {
  readonly profileName: string;
  readonly plugins: Required<ProfilePlugins>;
  private readonly percentage: number;
  private readonly metrics: PluginMetrics | undefined;
  private readonly random: () => number;
  private readonly nominator: Nominator | undefined;
  private nextStartNodeIndex = 0;
  private readonly scoreLists: NodeScore[][] = [];
  private cycles = 0;
  private sampling = false;

  constructor(plugins: ProfilePlugins, opts: FrameworkOptions = {}) {
    this.profileName = opts.profileName ?? 'default-scheduler';
    this.plugins = {
      preFilter: plugins.preFilter ?? [],
      filter: plugins.filter ?? [],
      postFilter: plugins.postFilter ?? [],
      preScore: plugins.preScore ?? [],
      score: plugins.score ?? [],
      reserve: plugins.reserve ?? [],
      permit: plugins.permit ?? [],
      preBind: plugins.preBind ?? [],
      bind: plugins.bind ?? [],
      postBind: plugins.postBind ?? [],
    };
    this.percentage = opts.percentageOfNodesToScore ?? 0;
    this.metrics = opts.metrics;
    this.random = opts.random ?? Math.random;
    this.nominator = opts.nominator;
  }

  /** Call at the start of each scheduling cycle (decides whether the cycle is measured). */
  beginCycle(): void {
    this.cycles++;
    this.sampling = !!this.metrics && this.cycles % this.metrics.sampleEvery === 0;
  }

  private time<T>(point: string, plugin: string, fn: () => T): T {
    if (!this.sampling) return fn();
    const t0 = now();
    const r = fn();
    this.metrics!.record(point, plugin, now() - t0);
    return r;
  }

  // ---- PreFilter / Filter ----

  /**
   * Run PreFilter plugins. Returns the node names to restrict to (intersection of all results;
   * undefined = all) and a non-success status when one rejected the pod or failed.
   */
  runPreFilterPlugins(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): { nodeNames?: Set<string>; restrictedBy?: string[]; status?: Status } {
    let names: Set<string> | undefined;
    const restrictedBy: string[] = [];
    for (const p of this.plugins.preFilter) {
      const r = this.time('PreFilter', p.name, () => p.preFilter(state, pod, nodes));
      if (r == null) continue;
      if (r instanceof PreFilterResult) {
        names = names ? new Set([...names].filter((n) => r.nodeNames.has(n))) : new Set(r.nodeNames);
        restrictedBy.push(p.name);
        if (names.size === 0) {
          const msg = restrictedBy.length > 1 ? `node(s) didn't satisfy plugin(s) [${restrictedBy.join(' ')}] simultaneously` : `node(s) didn't satisfy plugin(s) [${p.name}]`;
          return { nodeNames: names, status: Status.unresolvable(msg).withPlugin(p.name) };
        }
        continue;
      }
      if (r.isSkip()) {
        state.skipFilterPlugins.add(p.name);
        continue;
      }
      if (r.isSuccess()) continue;
      return { status: r.withPlugin(p.name) };
    }
    return names ? { nodeNames: names, restrictedBy } : {};
  }

  /** Run the Filter plugins on one node; the first rejection wins. Null when the pod fits. */
  runFilterPlugins(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): Status | null {
    return this.filterWith(this.activeFilters(state), state, pod, nodeInfo);
  }

  /** The Filter plugins PreFilter did not skip (worked out once per cycle, not once per node). */
  private activeFilters(state: CycleState): readonly FilterPlugin[] {
    const all = this.plugins.filter;
    if (state.skipFilterPlugins.size === 0) return all;
    return all.filter((p) => !state.skipFilterPlugins.has(p.name));
  }

  private filterWith(filters: readonly FilterPlugin[], state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): Status | null {
    const sampling = this.sampling;
    for (let i = 0; i < filters.length; i++) {
      const p = filters[i]!;
      const s = sampling ? this.time('Filter', p.name, () => p.filter(state, pod, nodeInfo)) : p.filter(state, pod, nodeInfo);
      if (s == null || s.code === 'Success') continue;
      return s.withPlugin(p.name);
    }
    return null;
  }

  /**
   * Filter with the pods nominated to the node that are at least as important as `pod` (other than
   * `pod` itself), as upstream's RunFilterPluginsWithNominatedPods: the pod must fit both with them
   * (so two preemptors do not count on the same space) and without them (they may never arrive, and
   * e.g. anti-affinity to a nominated pod must not make the node look worse than it is).
   */
  runFilterPluginsWithNominatedPods(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): Status | null {
    const nominated = this.nominator?.hasNominatedPods() ? this.nominator.nominatedPodsForNode(nodeInfo.name) : undefined;
    if (nominated && nominated.length > 0) {
      const prio = pod.pod.spec?.priority ?? 0;
      let s2: CycleState | undefined;
      let ni2: NodeInfo | undefined;
      for (const p of nominated) {
        if (p.key === pod.key || (p.pod.spec?.priority ?? 0) < prio) continue;
        if (!s2) {
          s2 = state.clone();
          ni2 = nodeInfo.clone();
        }
        ni2!.addPod(p);
        const st = this.runPreFilterExtensionAddPod(s2, pod, p, ni2!);
        if (st) return st;
      }
      if (s2) {
        const st = this.runFilterPlugins(s2, pod, ni2!);
        if (st) return st;
      }
    }
    return this.runFilterPlugins(state, pod, nodeInfo);
  }

  /**
   * PreFilter, then Filter over the snapshot's nodes from the round-robin start index until enough
   * feasible nodes are found.
   */
  findNodesThatFitPod(state: CycleState, pod: PodInfo, snapshot: NodeInfoLister): FindNodesResult {
    const all = snapshot.list();
    const statuses: NodeToStatus = new Map();
    const unschedulablePlugins = new Set<string>();
    const pre = this.runPreFilterPlugins(state, pod, all);
    if (pre.status) {
      if (pre.status.code === 'Error') return { feasible: [], statuses, unschedulablePlugins, error: pre.status };
      for (const ni of all) statuses.set(ni.name, pre.status);
      unschedulablePlugins.add(pre.status.plugin);
      return { feasible: [], statuses, unschedulablePlugins, preFilterMessage: pre.status.message() };
    }

    let nodes: readonly NodeInfo[] = all;
    if (pre.nodeNames) {
      const restricted: NodeInfo[] = [];
      for (const ni of all) {
        if (pre.nodeNames.has(ni.name)) restricted.push(ni);
      }
      nodes = restricted;
    }
    // Nominated node first (set by an earlier preemption), as upstream.
    const nominated = pod.pod.status?.nominatedNodeName;
    if (nominated) {
      const ni = snapshot.get(nominated);
      if (ni?.node && (!pre.nodeNames || pre.nodeNames.has(nominated))) {
        const s = this.runFilterPluginsWithNominatedPods(state, pod, ni);
        if (s == null) return { feasible: [ni], statuses, unschedulablePlugins };
        if (s.code === 'Error') return { feasible: [], statuses, unschedulablePlugins, error: s };
      }
    }

    const n = nodes.length;
    const want = this.plugins.score.length === 0 ? Math.min(n, 1) : numFeasibleNodesToFind(this.percentage, n);
    const feasible: NodeInfo[] = [];
    const start = n === 0 ? 0 : this.nextStartNodeIndex % n;
    const withNominated = !!this.nominator?.hasNominatedPods();
    const filters = this.activeFilters(state);
    let processed = 0;
    for (; processed < n && feasible.length < want; processed++) {
      const ni = nodes[(start + processed) % n]!;
      const s = withNominated ? this.runFilterPluginsWithNominatedPods(state, pod, ni) : this.filterWith(filters, state, pod, ni);
      if (s == null) {
        feasible.push(ni);
        continue;
      }
      if (s.code === 'Error') return { feasible: [], statuses, unschedulablePlugins, error: s };
      statuses.set(ni.name, s);
      unschedulablePlugins.add(s.plugin);
    }
    this.nextStartNodeIndex = n === 0 ? 0 : (start + processed) % n;
    if (pre.nodeNames) {
      // Nodes PreFilter left out count as rejected by it.
      const st = Status.unresolvable(`node(s) didn't satisfy plugin(s) [${(pre.restrictedBy ?? []).join(' ')}]`);
      for (const ni of all) if (!pre.nodeNames.has(ni.name)) statuses.set(ni.name, st);
    }
    return { feasible, statuses, unschedulablePlugins };
  }

  async runPostFilterPlugins(state: CycleState, pod: PodInfo, statuses: NodeToStatus): Promise<PostFilterResult> {
    let last: PostFilterResult = { status: Status.unschedulable() };
    const messages: string[] = [];
    for (const p of this.plugins.postFilter) {
      const t0 = now();
      const r = await p.postFilter(state, pod, statuses);
      if (this.sampling) this.metrics?.record('PostFilter', p.name, now() - t0);
      if (r.status == null || r.status.isSuccess()) return r;
      r.status.withPlugin(p.name);
      if (r.status.code === 'Error') return r;
      if (r.status.message()) messages.push(r.status.message());
      last = r;
    }
    if (messages.length > 0 && last.status) {
      return { ...last, status: new Status(last.status.code, [messages.join(' ')]).withPlugin(last.status.plugin) };
    }
    return last;
  }

  // ---- PreScore / Score ----

  runPreScorePlugins(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status | null {
    for (const p of this.plugins.preScore) {
      const s = this.time('PreScore', p.name, () => p.preScore(state, pod, nodes));
      if (s == null || s.isSuccess()) continue;
      if (s.isSkip()) {
        state.skipScorePlugins.add(p.name);
        continue;
      }
      return s.withPlugin(p.name);
    }
    return null;
  }

  /** Weighted total score per node (same order as `nodes`), or an error status. */
  runScorePlugins(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): NodeScore[] | Status {
    const totals: NodeScore[] = nodes.map((n) => ({ name: n.name, score: 0 }));
    const active: WeightedScorePlugin[] = this.plugins.score.filter((w) => !state.skipScorePlugins.has(w.plugin.name));
    for (let a = 0; a < active.length; a++) {
      const { plugin, weight } = active[a]!;
      const t0 = this.sampling ? now() : 0;
      const scores = this.scoreScratch(a, nodes);
      for (let i = 0; i < nodes.length; i++) {
        const r = plugin.score(state, pod, nodes[i]!);
        if (typeof r !== 'number') return r.withPlugin(plugin.name);
        scores[i]!.score = r;
      }
      if (plugin.normalizeScore) {
        const s = plugin.normalizeScore(state, pod, scores);
        if (s && !s.isSuccess()) return s.withPlugin(plugin.name);
      }
      for (let i = 0; i < scores.length; i++) {
        const sc = scores[i]!.score;
        if (sc > MaxNodeScore || sc < MinNodeScore) {
          return Status.error(`plugin "${plugin.name}" returns an invalid score ${sc}, it should in the range of [${MinNodeScore}, ${MaxNodeScore}] after normalizing`).withPlugin(plugin.name);
        }
        totals[i]!.score += sc * weight;
      }
      if (this.sampling) this.metrics!.record('Score', plugin.name, now() - t0, nodes.length);
    }
    return totals;
  }

  /**
   * The `index`th plugin's score list for `nodes`, reused from cycle to cycle (hundreds of nodes times
   * every score plugin would otherwise be that many new objects per cycle). Only valid during the
   * runScorePlugins call that asked for it.
   */
  private scoreScratch(index: number, nodes: readonly NodeInfo[]): NodeScore[] {
    let list = this.scoreLists[index];
    if (!list) this.scoreLists[index] = list = [];
    for (let i = list.length; i < nodes.length; i++) list.push({ name: '', score: 0 });
    list.length = nodes.length;
    for (let i = 0; i < nodes.length; i++) list[i]!.name = nodes[i]!.name;
    return list;
  }

  /** The node with the highest score; ties broken uniformly at random. */
  selectHost(scores: readonly NodeScore[]): string | undefined {
    let best: string | undefined;
    let bestScore = -Infinity;
    let ties = 0;
    for (const s of scores) {
      if (s.score > bestScore) {
        best = s.name;
        bestScore = s.score;
        ties = 1;
      } else if (s.score === bestScore) {
        ties++;
        if (this.random() * ties < 1) best = s.name;
      }
    }
    return best;
  }

  // ---- Reserve / Permit / PreBind / Bind / PostBind ----

  runReservePluginsReserve(state: CycleState, pod: PodInfo, nodeName: string): Status | null {
    for (const p of this.plugins.reserve) {
      const s = this.time('Reserve', p.name, () => p.reserve(state, pod, nodeName));
      if (s && !s.isSuccess()) return s.withPlugin(p.name);
    }
    return null;
  }

  /** Unreserve in reverse order. */
  runReservePluginsUnreserve(state: CycleState, pod: PodInfo, nodeName: string): void {
    for (let i = this.plugins.reserve.length - 1; i >= 0; i--) {
      try {
        this.plugins.reserve[i]!.unreserve(state, pod, nodeName);
      } catch {
        // Unreserve must not fail the caller.
      }
    }
  }

  async runPermitPlugins(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status | null> {
    for (const p of this.plugins.permit) {
      const s = await p.permit(state, pod, nodeName);
      if (s && !s.isSuccess()) return s.withPlugin(p.name);
    }
    return null;
  }

  async runPreBindPlugins(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status | null> {
    for (const p of this.plugins.preBind) {
      const s = await p.preBind(state, pod, nodeName);
      if (s && !s.isSuccess()) return s.withPlugin(p.name);
    }
    return null;
  }

  async runBindPlugins(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status | null> {
    if (this.plugins.bind.length === 0) return Status.error('no bind plugin');
    for (const p of this.plugins.bind) {
      const t0 = now();
      const s = await p.bind(state, pod, nodeName);
      if (this.sampling) this.metrics?.record('Bind', p.name, now() - t0);
      if (s?.isSkip()) continue;
      if (s && !s.isSuccess()) return s.withPlugin(p.name);
      return null;
    }
    return Status.error('all bind plugins skipped the pod');
  }

  runPostBindPlugins(state: CycleState, pod: PodInfo, nodeName: string): void {
    for (const p of this.plugins.postBind) p.postBind(state, pod, nodeName);
  }

  /** Re-run the PreFilter extensions' AddPod for preemption dry runs. */
  runPreFilterExtensionAddPod(state: CycleState, pod: PodInfo, toAdd: PodInfo, nodeInfo: NodeInfo): Status | null {
    for (const p of this.plugins.preFilter) {
      if (state.skipFilterPlugins.has(p.name) || !p.addPod) continue;
      const s = p.addPod(state, pod, toAdd, nodeInfo);
      if (s && !s.isSuccess()) return s.withPlugin(p.name);
    }
    return null;
  }

  runPreFilterExtensionRemovePod(state: CycleState, pod: PodInfo, toRemove: PodInfo, nodeInfo: NodeInfo): Status | null {
    for (const p of this.plugins.preFilter) {
      if (state.skipFilterPlugins.has(p.name) || !p.removePod) continue;
      const s = p.removePod(state, pod, toRemove, nodeInfo);
      if (s && !s.isSuccess()) return s.withPlugin(p.name);
    }
    return null;
  }
}
