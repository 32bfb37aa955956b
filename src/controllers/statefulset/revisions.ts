// The StatefulSet's current and update revisions (upstream's getStatefulSetRevisions and
// truncateHistory), on top of history/.

import type { ControllerRevision, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/registry.js';
import type { RestClient } from '../../client/index.js';
import {
  createControllerRevision,
  equalRevision,
  findEqualRevisions,
  newControllerRevision,
  nextRevision,
  revisionsToTruncate,
  sortControllerRevisions,
  templatePatch,
  updateControllerRevision,
} from '../history/index.js';
import { STATEFUL_SET_KIND, getPodRevision } from './identity.js';

/** The revision recording the set's current template (not yet created): template patch, set annotations. */
export function newRevision(set: StatefulSet, revision: number, collisionCount: number): ControllerRevision {
  const cr = newControllerRevision(set as unknown as KubeObject, STATEFUL_SET_KIND, set.spec?.template?.metadata?.labels, templatePatch(set), revision, collisionCount);
  cr.metadata!.annotations = { ...(cr.metadata!.annotations ?? {}), ...(set.metadata?.annotations ?? {}) };
  return cr;
}

export interface RevisionDecision {
  /** The latest revision already records the template. */
  reuse?: ControllerRevision;
  /** An older revision records it: renumber it to `revision`. */
  renumber?: { rev: ControllerRevision; revision: number };
  /** No revision records it: create this one. */
  create?: ControllerRevision;
}

/** Pure: how to get the update revision from the existing ones. */
export function decideUpdateRevision(set: StatefulSet, revisions: readonly ControllerRevision[]): RevisionDecision {
  const sorted = sortControllerRevisions(revisions);
  const candidate = newRevision(set, nextRevision(sorted), set.status?.collisionCount ?? 0);
  const equal = findEqualRevisions(sorted, candidate);
  const latest = sorted[sorted.length - 1];
  if (equal.length > 0 && equalRevision(latest, equal[equal.length - 1])) return { reuse: latest! };
  if (equal.length > 0) return { renumber: { rev: equal[equal.length - 1]!, revision: candidate.revision } };
  return { create: candidate };
}

export interface SetRevisions {
  current: ControllerRevision;
  update: ControllerRevision;
  collisionCount: number;
}

/** Find or make the update revision; the current one is status.currentRevision (or the update one). */
export async function getStatefulSetRevisions(client: RestClient, set: StatefulSet, revisions: ControllerRevision[]): Promise<SetRevisions> {
  let collisionCount = set.status?.collisionCount ?? 0;
  const d = decideUpdateRevision(set, revisions);
  let update: ControllerRevision;
  if (d.reuse) update = d.reuse;
  else if (d.renumber) update = await updateControllerRevision(client, d.renumber.rev, d.renumber.revision);
  else {
    const created = await createControllerRevision(client, set as unknown as KubeObject, d.create!, collisionCount);
    update = created.revision;
    collisionCount = created.collisionCount;
  }
  const current = revisions.find((r) => r.metadata?.name === set.status?.currentRevision) ?? update;
  return { current, update, collisionCount };
}

/** Revisions beyond revisionHistoryLimit, never the current or update one or one a pod runs. */
export function revisionsToDelete(set: StatefulSet, pods: readonly Pod[], revisions: readonly ControllerRevision[], current: string, update: string): ControllerRevision[] {
  const keep = new Set<string>([current, update]);
  for (const p of pods) {
    const r = getPodRevision(p);
    if (r) keep.add(r);
  }
  return revisionsToTruncate(revisions, keep, set.spec?.revisionHistoryLimit ?? 10);
}
