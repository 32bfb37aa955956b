// A StatefulSet pod's identity and storage: the name `<set>-<ordinal>`, the pod-name and pod-index
// labels, hostname and subdomain, the claims `<template>-<set>-<ordinal>` its volumes point at, and
// the owner references those claims carry under persistentVolumeClaimRetentionPolicy. Pure.

import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Pod, Volume } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { podFromTemplate, type OwnerKind } from '../common/index.js';
import { POD_REVISION_LABEL } from '../history/index.js';

export const STATEFUL_SET_KIND: OwnerKind = { apiVersion: 'apps/v1', kind: 'StatefulSet' };
const POD_KIND: OwnerKind = { apiVersion: 'v1', kind: 'Pod' };

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
/** StatefulSet pods carry their revision's name under this label. */
export const STATEFUL_SET_REVISION_LABEL = POD_REVISION_LABEL;

const ORDINAL_NAME = /^(.*)-([0-9]+)$/;

/** The set name and ordinal encoded in a pod's name (ordinal -1 when it has none). */
export function parentNameAndOrdinal(pod: Pod): { parent: string; ordinal: number } {
  const m = ORDINAL_NAME.exec(pod.metadata?.name ?? '');
  if (!m) return { parent: '', ordinal: -1 };
  const n = Number(m[2]);
  return Number.isSafeInteger(n) ? { parent: m[1]!, ordinal: n } : { parent: '', ordinal: -1 };
}

export function getOrdinal(pod: Pod): number {
  return parentNameAndOrdinal(pod).ordinal;
}

/** The pod is named as one of this set's (`<set>-<n>`). */
export function isMemberOf(set: StatefulSet, pod: Pod): boolean {
  return parentNameAndOrdinal(pod).parent === set.metadata?.name;
}

export function podName(set: StatefulSet, ordinal: number): string {
  return `${set.metadata?.name ?? ''}-${ordinal}`;
}

export function claimName(set: StatefulSet, template: PersistentVolumeClaim, ordinal: number): string {
  return `${template.metadata?.name ?? ''}-${set.metadata?.name ?? ''}-${ordinal}`;
}

export function startOrdinal(set: StatefulSet): number {
  return set.spec?.ordinals?.start ?? 0;
}

export function replicasOf(set: StatefulSet): number {
  return set.spec?.replicas ?? 1;
}

/** [start, start + replicas) */
export function inOrdinalRange(ordinal: number, set: StatefulSet): boolean {
  const start = startOrdinal(set);
  return ordinal >= start && ordinal < start + replicasOf(set);
}

/** The claims of the pod with `ordinal`, by template name: named per pod, labelled with the selector's matchLabels. */
export function claimsFor(set: StatefulSet, ordinal: number): Map<string, PersistentVolumeClaim> {
  const out = new Map<string, PersistentVolumeClaim>();
  const matchLabels = set.spec?.selector?.matchLabels ?? {};
  for (const t of set.spec?.volumeClaimTemplates ?? []) {
    const { status: _status, ...rest } = structuredClone(t) as PersistentVolumeClaim;
    const claim: PersistentVolumeClaim = rest;
    claim.apiVersion = 'v1';
    claim.kind = 'PersistentVolumeClaim';
    claim.metadata = {
      ...(claim.metadata ?? {}),
      name: claimName(set, t, ordinal),
      namespace: set.metadata?.namespace ?? '',
      labels: { ...(claim.metadata?.labels ?? {}), ...matchLabels },
    };
    out.set(t.metadata?.name ?? '', claim);
  }
  return out;
}

/** Name, namespace and the pod-name / pod-index labels. */
export function updateIdentity(set: StatefulSet, pod: Pod, ordinal = getOrdinal(pod)): void {
  pod.metadata ??= {};
  pod.metadata.name = podName(set, ordinal);
  pod.metadata.namespace = set.metadata?.namespace ?? '';
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [POD_NAME_LABEL]: pod.metadata.name, [POD_INDEX_LABEL]: String(ordinal) };
}

/** Volumes for the set's claims first (replacing same-named ones), then the pod's other volumes. */
export function updateStorage(set: StatefulSet, pod: Pod, ordinal = getOrdinal(pod)): void {
  const claims = claimsFor(set, ordinal);
  const volumes: Volume[] = [];
  for (const [name, claim] of claims) volumes.push({ name, persistentVolumeClaim: { claimName: claim.metadata!.name! } });
  for (const v of pod.spec?.volumes ?? []) if (!claims.has(v.name)) volumes.push(v);
  pod.spec ??= { containers: [] };
  if (volumes.length) pod.spec.volumes = volumes;
}

export function identityMatches(set: StatefulSet, pod: Pod): boolean {
  const { parent, ordinal } = parentNameAndOrdinal(pod);
  const labels = pod.metadata?.labels ?? {};
  return (
    ordinal >= 0 &&
    parent === set.metadata?.name &&
    pod.metadata?.name === podName(set, ordinal) &&
    pod.metadata?.namespace === set.metadata?.namespace &&
    labels[POD_NAME_LABEL] === pod.metadata?.name &&
    labels[POD_INDEX_LABEL] === String(ordinal)
  );
}

export function storageMatches(set: StatefulSet, pod: Pod): boolean {
  const ordinal = getOrdinal(pod);
  if (ordinal < 0) return false;
  const volumes = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v]));
  for (const [name, claim] of claimsFor(set, ordinal)) {
    const v = volumes.get(name);
    if (!v || v.persistentVolumeClaim?.claimName !== claim.metadata?.name) return false;
  }
  return true;
}

/** The pod for `ordinal`: from the template, named, labelled, with hostname, subdomain and claim volumes. */
export function newStatefulSetPod(set: StatefulSet, ordinal: number): Pod {
  const pod = podFromTemplate(set.spec?.template ?? {}, set as never, STATEFUL_SET_KIND);
  delete pod.metadata!.generateName;
  updateIdentity(set, pod, ordinal);
  pod.spec!.hostname = pod.metadata!.name!;
  if (set.spec?.serviceName) pod.spec!.subdomain = set.spec.serviceName;
  updateStorage(set, pod, ordinal);
  return pod;
}

export function getPodRevision(pod: Pod): string {
  return pod.metadata?.labels?.[STATEFUL_SET_REVISION_LABEL] ?? '';
}

function setPodRevision(pod: Pod, revision: string): void {
  pod.metadata ??= {};
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [STATEFUL_SET_REVISION_LABEL]: revision };
}

/**
 * The pod for `ordinal` at the right revision: below the partition (RollingUpdate) it stays at the
 * current revision, otherwise it is made from the update revision.
 */
export function newVersionedPod(currentSet: StatefulSet, updateSet: StatefulSet, currentRevision: string, updateRevision: string, ordinal: number): Pod {
  const us = currentSet.spec?.updateStrategy;
  const start = startOrdinal(currentSet);
  const rolling = (us?.type ?? 'RollingUpdate') === 'RollingUpdate';
  const keepCurrent =
    rolling &&
    (us?.rollingUpdate?.partition === undefined
      ? ordinal < start + (currentSet.status?.currentReplicas ?? 0)
      : ordinal < start + us.rollingUpdate.partition);
  const pod = newStatefulSetPod(keepCurrent ? currentSet : updateSet, ordinal);
  setPodRevision(pod, keepCurrent ? currentRevision : updateRevision);
  return pod;
}

// ── PVC retention ─────────────────────────────────────────────────────────────

type Policy = 'Retain' | 'Delete';

function retentionPolicy(set: StatefulSet): { whenDeleted: Policy; whenScaled: Policy } {
  const p = set.spec?.persistentVolumeClaimRetentionPolicy;
  return { whenDeleted: p?.whenDeleted === 'Delete' ? 'Delete' : 'Retain', whenScaled: p?.whenScaled === 'Delete' ? 'Delete' : 'Retain' };
}

interface Named {
  metadata?: { name?: string; uid?: string };
}

function matchesRef(ref: OwnerReference, obj: Named, kind: OwnerKind): boolean {
  return ref.name === obj.metadata?.name && ref.apiVersion === kind.apiVersion && ref.kind === kind.kind;
}

function hasOwnerRef(claim: PersistentVolumeClaim, owner: Named): boolean {
  const uid = owner.metadata?.uid;
  return !!uid && (claim.metadata?.ownerReferences ?? []).some((r) => r.uid === uid);
}

/** A reference to this object by name and kind, but another UID (left by an earlier incarnation). */
export function hasStaleOwnerRef(claim: PersistentVolumeClaim, obj: Named, kind: OwnerKind): boolean {
  for (const r of claim.metadata?.ownerReferences ?? []) if (matchesRef(r, obj, kind)) return r.uid !== obj.metadata?.uid;
  return false;
}

function hasUnexpectedController(claim: PersistentVolumeClaim, set: Named, pod: Named): boolean {
  for (const r of claim.metadata?.ownerReferences ?? []) {
    if (!r.controller) continue;
    if (matchesRef(r, set, STATEFUL_SET_KIND) || matchesRef(r, pod, POD_KIND)) continue;
    return true;
  }
  return false;
}

function hasNonControllerOwner(claim: PersistentVolumeClaim, set: Named, pod: Named): boolean {
  for (const r of claim.metadata?.ownerReferences ?? []) {
    if ((r.uid === set.metadata?.uid || r.uid === pod.metadata?.uid) && !r.controller) return true;
  }
  return false;
}

/** Whether the claim's owner references already follow the retention policy for this pod. */
export function claimOwnerMatchesSetAndPod(claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod): boolean {
  if (hasStaleOwnerRef(claim, set, STATEFUL_SET_KIND) || hasStaleOwnerRef(claim, pod, POD_KIND)) return true;
  if (hasUnexpectedController(claim, set, pod)) return !(hasOwnerRef(claim, set) || hasOwnerRef(claim, pod));
  if (hasNonControllerOwner(claim, set, pod)) return false;
  const { whenDeleted, whenScaled } = retentionPolicy(set);
  const scaledDown = !inOrdinalRange(getOrdinal(pod), set);
  const setRef = hasOwnerRef(claim, set);
  const podRef = hasOwnerRef(claim, pod);
  if (whenScaled === 'Retain' && whenDeleted === 'Retain') return !setRef && !podRef;
  if (whenScaled === 'Retain' && whenDeleted === 'Delete') return setRef && !podRef;
  if (whenScaled === 'Delete' && whenDeleted === 'Retain') return !setRef && scaledDown === podRef;
  return scaledDown !== setRef && scaledDown === podRef;
}

function controllerRefTo(obj: Named, kind: OwnerKind): OwnerReference {
  return { apiVersion: kind.apiVersion, kind: kind.kind, name: obj.metadata?.name ?? '', uid: obj.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true };
}

/** The claim's owner references as the retention policy wants them for this pod (a new array). */
export function claimOwnerRefs(claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod): OwnerReference[] {
  const unexpected = hasUnexpectedController(claim, set, pod);
  let refs = (claim.metadata?.ownerReferences ?? []).filter((r) => !matchesRef(r, set, STATEFUL_SET_KIND) && !matchesRef(r, pod, POD_KIND));
  if (unexpected) return refs;
  const add = (obj: Named, kind: OwnerKind) => {
    if (!obj.metadata?.uid || refs.some((r) => r.uid === obj.metadata?.uid)) return;
    refs = [...refs, controllerRefTo(obj, kind)];
  };
  const { whenDeleted, whenScaled } = retentionPolicy(set);
  const scaledDown = !inOrdinalRange(getOrdinal(pod), set);
  if (whenScaled === 'Retain' && whenDeleted === 'Delete') add(set, STATEFUL_SET_KIND);
  else if (whenScaled === 'Delete' && whenDeleted === 'Retain') {
    if (scaledDown) add(pod, POD_KIND);
  } else if (whenScaled === 'Delete' && whenDeleted === 'Delete') {
    if (scaledDown) add(pod, POD_KIND);
    else add(set, STATEFUL_SET_KIND);
  }
  return refs;
}

/**
 * A pod about to be (re)created whose claims still point at an earlier pod of the same name: wait
 * until they are gone (only when claims are deleted on scale-down; retained claims are reused).
 */
export function podClaimIsStale(set: StatefulSet, pod: Pod, existing: (name: string) => PersistentVolumeClaim | undefined): boolean {
  if (retentionPolicy(set).whenScaled === 'Retain') return false;
  for (const claim of claimsFor(set, getOrdinal(pod)).values()) {
    const pvc = existing(claim.metadata!.name!);
    if (pvc && hasStaleOwnerRef(pvc, pod, POD_KIND)) return true;
  }
  return false;
}
