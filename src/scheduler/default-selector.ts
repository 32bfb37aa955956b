// The selector PodTopologySpread's default constraints (system defaults or a configured list) use for
// a pod that has no constraints of its own: the union of what the pod's "owners" select. Services and
// ReplicationControllers contribute their selector maps; ReplicaSets and StatefulSets contribute the
// requirements of their label selectors. Only objects in the pod's namespace whose selector matches the
// pod count; an object with an empty selector selects nothing here (as the upstream listers treat it).

import type { Pod, ReplicationController, Service } from 'kubernetes-types/core/v1.js';
import type { ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import { LabelSelector, labelSelectorFromObject, requirement, type Labels, type Requirement } from '../api/selectors/index.js';

export type OwnerKind = 'Service' | 'ReplicationController' | 'ReplicaSet' | 'StatefulSet';

interface MapSelecting {
  /** The selector map (Services, RCs). */
  set: Labels;
}
interface SelectorSelecting {
  /** The parsed label selector (ReplicaSets, StatefulSets). */
  selector: LabelSelector;
}

function mapMatches(set: Labels, labels: Labels | undefined): boolean {
  for (const k in set) if (labels?.[k] !== set[k]) return false;
  return true;
}

/** Services, RCs, ReplicaSets and StatefulSets by namespace, kept from informer events. */
export class OwnerSelectors {
  private readonly maps = new Map<string, Map<string, MapSelecting>>();
  private readonly selectors = new Map<string, Map<string, SelectorSelecting>>();

  private static key(kind: OwnerKind, name: string): string {
    return `${kind}/${name}`;
  }

  /** Add or replace an object (informer add/update). */
  set(kind: OwnerKind, obj: Service | ReplicationController | ReplicaSet | StatefulSet): void {
    const ns = obj.metadata?.namespace ?? '';
    const key = OwnerSelectors.key(kind, obj.metadata?.name ?? '');
    this.delete(kind, obj);
    if (kind === 'Service' || kind === 'ReplicationController') {
      const set = ((obj as Service | ReplicationController).spec?.selector ?? {}) as Labels;
      if (Object.keys(set).length === 0) return;
      let m = this.maps.get(ns);
      if (!m) this.maps.set(ns, (m = new Map()));
      m.set(key, { set });
      return;
    }
    const sel = (obj as ReplicaSet | StatefulSet).spec?.selector;
    let selector: LabelSelector;
    try {
      selector = labelSelectorFromObject(sel);
    } catch {
      return;
    }
    if (selector.empty() || selector.matchesNothing) return;
    let m = this.selectors.get(ns);
    if (!m) this.selectors.set(ns, (m = new Map()));
    m.set(key, { selector });
  }

  delete(kind: OwnerKind, obj: { metadata?: { namespace?: string; name?: string } }): void {
    const ns = obj.metadata?.namespace ?? '';
    const key = OwnerSelectors.key(kind, obj.metadata?.name ?? '');
    const m = kind === 'Service' || kind === 'ReplicationController' ? this.maps.get(ns) : this.selectors.get(ns);
    m?.delete(key);
  }

  /** The default spreading selector of `pod`, or undefined when nothing selects it. */
  defaultSelector(pod: Pod): LabelSelector | undefined {
    const ns = pod.metadata?.namespace ?? '';
    const labels = pod.metadata?.labels;
    const maps = this.maps.get(ns);
    const sels = this.selectors.get(ns);
    if (!maps?.size && !sels?.size) return undefined;
    const merged: Record<string, string> = {};
    let any = false;
    for (const { set } of maps?.values() ?? []) {
      if (!mapMatches(set, labels)) continue;
      Object.assign(merged, set);
      any = true;
    }
    const reqs: Requirement[] = [];
    for (const k of Object.keys(merged)) reqs.push(requirement(k, '=', [merged[k]!]));
    for (const { selector } of sels?.values() ?? []) {
      if (!selector.matches(labels)) continue;
      reqs.push(...selector.requirements);
      any = true;
    }
    return any && reqs.length > 0 ? LabelSelector.of(reqs) : undefined;
  }
}
