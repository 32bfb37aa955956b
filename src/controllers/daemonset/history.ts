// The DaemonSet's ControllerRevisions (upstream's constructHistory / snapshot / dedup / cleanup):
// one revision matches the current template, older ones are kept up to revisionHistoryLimit
// unless live pods still run them. Revisions and pods carry the `controller-revision-hash` label.

import type { ControllerRevision, DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/registry.js';
import { isAlreadyExists, isNotFound, type ResourceClient, type RestClient } from '../../client/index.js';
import {
  CONTROLLER_REVISIONS,
  POD_REVISION_LABEL,
  canonicalJSON,
  controllerRevisionName,
  deleteControllerRevision,
  hashRevisionData,
  maxRevision,
  revisionData,
  sortControllerRevisions,
  templatePatch,
  updateControllerRevision,
} from '../history/index.js';
import { DAEMON_SET_KIND } from './kind.js';

type Obj<T> = T & KubeObject;

/** Whether a revision records the DaemonSet's current template. */
export function matchesTemplate(ds: DaemonSet, rev: ControllerRevision): boolean {
  return canonicalJSON(templatePatch(ds)) === revisionData(rev);
}

/** The revision `snapshot` would create (pure): `<ds>-<hash>`, the template's labels and the hash label. */
export function newDaemonSetRevision(ds: DaemonSet, revision: number): ControllerRevision {
  const data = templatePatch(ds);
  const hash = hashRevisionData(canonicalJSON(data), ds.status?.collisionCount);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: controllerRevisionName(ds.metadata?.name ?? '', hash),
      namespace: ds.metadata?.namespace ?? '',
      labels: { ...(ds.spec?.template?.metadata?.labels ?? {}), [POD_REVISION_LABEL]: hash },
      ...(ds.metadata?.annotations ? { annotations: { ...ds.metadata.annotations } } : {}),
      ownerReferences: [
        {
          apiVersion: DAEMON_SET_KIND.apiVersion,
          kind: DAEMON_SET_KIND.kind,
          name: ds.metadata?.name ?? '',
          uid: ds.metadata?.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    data: data as ControllerRevision['data'],
    revision,
  };
}

export interface HistoryDeps {
  client: RestClient;
  dsClient: ResourceClient<Obj<DaemonSet>>;
  podClient: ResourceClient<Obj<Pod>>;
}

export interface ConstructedHistory {
  current: ControllerRevision;
  old: ControllerRevision[];
}

/** Thrown after a hash collision bumped status.collisionCount: the next sync retries with a new name. */
export class HashCollisionError extends Error {
  override name = 'HashCollisionError';
}

/**
 * Find or create the revision for the current template among the DaemonSet's own revisions
 * (`owned`), give it the highest number, and fold duplicates into one.
 */
export async function constructHistory(d: HistoryDeps, ds: DaemonSet, owned: ControllerRevision[], pods: Pod[]): Promise<ConstructedHistory> {
  const revApi = d.client.resource<Obj<ControllerRevision>>(CONTROLLER_REVISIONS);
  const ns = ds.metadata?.namespace ?? '';
  const current: ControllerRevision[] = [];
  const old: ControllerRevision[] = [];
  for (let h of owned) {
    if (h.metadata?.labels?.[POD_REVISION_LABEL] === undefined) {
      const labels = { ...(h.metadata?.labels ?? {}), [POD_REVISION_LABEL]: h.metadata?.name ?? '' };
      h = await revApi.patch(ns, h.metadata?.name ?? '', { metadata: { labels } }, 'merge');
    }
    (matchesTemplate(ds, h) ? current : old).push(h);
  }
  const next = maxRevision(old) + 1;
  let cur: ControllerRevision;
  if (current.length === 0) {
    cur = await snapshot(d, ds, next);
  } else {
    cur = await dedup(d, ds, current, pods);
    if ((cur.revision ?? 0) < next) cur = await updateControllerRevision(d.client, cur, next);
  }
  return { current: cur, old };
}

async function snapshot(d: HistoryDeps, ds: DaemonSet, revision: number): Promise<ControllerRevision> {
  const revApi = d.client.resource<Obj<ControllerRevision>>(CONTROLLER_REVISIONS);
  const ns = ds.metadata?.namespace ?? '';
  const rev = newDaemonSetRevision(ds, revision);
  try {
    return await revApi.create(ns, rev as Obj<ControllerRevision>);
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
  const existing = await revApi.get(ns, rev.metadata!.name!);
  if (matchesTemplate(ds, existing)) return existing;
  // A different revision holds the name: bump the collision count so the next name differs.
  const fresh = await d.dsClient.get(ns, ds.metadata?.name ?? '');
  const collisionCount = (fresh.status?.collisionCount ?? 0) + 1;
  await d.dsClient.updateStatus(ns, { ...fresh, status: { ...(fresh.status ?? {}), collisionCount } } as Obj<DaemonSet>);
  throw new HashCollisionError(`hash collision for DaemonSet ${ns}/${ds.metadata?.name}: collisionCount now ${collisionCount}`);
}

/** Keep the highest-numbered of several equal revisions; relabel pods to it and delete the rest. */
async function dedup(d: HistoryDeps, ds: DaemonSet, revs: ControllerRevision[], pods: Pod[]): Promise<ControllerRevision> {
  if (revs.length === 1) return revs[0]!;
  let keep = revs[0]!;
  for (const r of revs) if ((r.revision ?? 0) >= (keep.revision ?? 0)) keep = r;
  const keepHash = keep.metadata?.labels?.[POD_REVISION_LABEL] ?? '';
  for (const r of revs) {
    if (r === keep) continue;
    for (const p of pods) {
      if (p.metadata?.labels?.[POD_REVISION_LABEL] === keepHash) continue;
      try {
        await d.podClient.patch(p.metadata?.namespace ?? '', p.metadata?.name ?? '', { metadata: { labels: { [POD_REVISION_LABEL]: keepHash } } }, 'merge');
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    await deleteControllerRevision(d.client, r);
  }
  return keep;
}

/** Old revisions to delete (pure): beyond revisionHistoryLimit, oldest first, never one a pod still runs. */
export function revisionsToClean(ds: DaemonSet, old: ControllerRevision[], pods: Pod[]): ControllerRevision[] {
  const limit = ds.spec?.revisionHistoryLimit ?? 10;
  let toKill = old.length - limit;
  if (toKill <= 0) return [];
  const live = new Set<string>();
  for (const p of pods) {
    const h = p.metadata?.labels?.[POD_REVISION_LABEL];
    if (h) live.add(h);
  }
  const out: ControllerRevision[] = [];
  for (const r of sortControllerRevisions(old)) {
    if (toKill <= 0) break;
    if (live.has(r.metadata?.labels?.[POD_REVISION_LABEL] ?? '')) continue;
    out.push(r);
    toKill--;
  }
  return out;
}
