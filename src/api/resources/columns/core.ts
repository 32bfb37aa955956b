// Table columns for core/v1 kinds other than pods.

import type {
  ConfigMap,
  EndpointAddress,
  Endpoints,
  Event,
  Namespace,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  PodTemplate,
  ReplicationController,
  ResourceQuota,
  Secret,
  Service,
  ServiceAccount,
} from 'kubernetes-types/core/v1.js';
import type { TableColumn } from '../../registry.js';
import { formatLabels } from '../../selectors/index.js';
import { ageSince } from '../../duration.js';
import {
  accessModes,
  ageColumn,
  column,
  containerColumns,
  createdAtColumn,
  joinHostPort,
  kindSlashName,
  loadBalancerAddresses,
  orNone,
  wideColumn,
} from './format.js';

export const namespaceColumns: TableColumn[] = [
  column('Status', 'string', 'The namespace phase (Active or Terminating).', (n: Namespace) => n.status?.phase ?? ''),
  ageColumn(),
];

const NODE_ROLE_PREFIX = 'node-role.kubernetes.io/';
const NODE_ROLE_LABEL = 'kubernetes.io/role';

function nodeStatus(n: Node): string {
  const ready = (n.status?.conditions ?? []).find((c) => c.type === 'Ready');
  const out = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (n.spec?.unschedulable) out.push('SchedulingDisabled');
  return out.join(',');
}

function nodeRoles(n: Node): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(n.metadata?.labels ?? {})) {
    if (k.startsWith(NODE_ROLE_PREFIX)) {
      const role = k.slice(NODE_ROLE_PREFIX.length);
      if (role) roles.add(role);
    } else if (k === NODE_ROLE_LABEL && v) {
      roles.add(v);
    }
  }
  return orNone([...roles].sort().join(','));
}

const nodeAddress = (n: Node, type: string): string => orNone((n.status?.addresses ?? []).find((a) => a.type === type)?.address);
const unknownIfEmpty = (s: string | undefined): string => (s ? s : '<unknown>');

export const nodeColumns: TableColumn[] = [
  column('Status', 'string', 'Ready, NotReady or Unknown, and SchedulingDisabled when cordoned.', nodeStatus),
  column('Roles', 'string', 'Roles from node-role.kubernetes.io/<role> labels.', nodeRoles),
  ageColumn(),
  column('Version', 'string', 'The kubelet version.', (n: Node) => n.status?.nodeInfo?.kubeletVersion ?? ''),
  wideColumn('Internal-IP', 'string', 'The first InternalIP address.', (n: Node) => nodeAddress(n, 'InternalIP')),
  wideColumn('External-IP', 'string', 'The first ExternalIP address.', (n: Node) => nodeAddress(n, 'ExternalIP')),
  wideColumn('OS-Image', 'string', 'The operating system image.', (n: Node) => unknownIfEmpty(n.status?.nodeInfo?.osImage)),
  wideColumn('Kernel-Version', 'string', 'The kernel version.', (n: Node) => unknownIfEmpty(n.status?.nodeInfo?.kernelVersion)),
  wideColumn('Container-Runtime', 'string', 'The container runtime and its version.', (n: Node) => unknownIfEmpty(n.status?.nodeInfo?.containerRuntimeVersion)),
];

function serviceExternalIP(s: Service): string {
  const external = s.spec?.externalIPs ?? [];
  switch (s.spec?.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return external.length > 0 ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerAddresses(s.status?.loadBalancer?.ingress);
      if (external.length > 0) return [...(lb ? lb.split(',') : []), ...external].join(',');
      return lb ? lb : '<pending>';
    }
    case 'ExternalName':
      return s.spec?.externalName ?? '';
    default:
      return '<unknown>';
  }
}

function servicePorts(s: Service): string {
  const ports = (s.spec?.ports ?? []).map((p) =>
    p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`,
  );
  return orNone(ports.join(','));
}

export const serviceColumns: TableColumn[] = [
  column('Type', 'string', 'How the service is exposed.', (s: Service) => s.spec?.type ?? 'ClusterIP'),
  column('Cluster-IP', 'string', 'The virtual IP, or None for a headless service.', (s: Service) => orNone(s.spec?.clusterIPs?.[0] ?? s.spec?.clusterIP)),
  column('External-IP', 'string', 'External IPs, load-balancer addresses, or the external name.', serviceExternalIP),
  column('Port(s)', 'string', 'port[:nodePort]/protocol for each port.', servicePorts),
  ageColumn(),
  wideColumn('Selector', 'string', 'Labels of the pods behind the service.', (s: Service) => formatLabels(s.spec?.selector)),
];

function formatEndpoints(e: Endpoints): string {
  const subsets = e.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let count = 0;
  const add = (addrs: EndpointAddress[], port?: number): void => {
    count += addrs.length;
    for (const a of addrs) {
      if (list.length === max) break;
      list.push(port === undefined ? a.ip : joinHostPort(a.ip, port));
    }
  };
  for (const ss of subsets) {
    const addrs = ss.addresses ?? [];
    if ((ss.ports ?? []).length === 0) add(addrs);
    else for (const p of ss.ports!) add(addrs, p.port);
  }
  return count > max ? `${list.join(',')} + ${count - max} more...` : list.join(',');
}

export const endpointsColumns: TableColumn[] = [
  column('Endpoints', 'string', 'Ready addresses (ip:port), the first three.', formatEndpoints),
  ageColumn(),
];

export const configMapColumns: TableColumn[] = [
  column('Data', 'integer', 'Number of keys in data and binaryData.', (c: ConfigMap) => Object.keys(c.data ?? {}).length + Object.keys(c.binaryData ?? {}).length),
  ageColumn(),
];

export const secretColumns: TableColumn[] = [
  column('Type', 'string', 'The secret type.', (s: Secret) => s.type ?? 'Opaque'),
  column('Data', 'integer', 'Number of keys in data.', (s: Secret) => Object.keys(s.data ?? {}).length),
  ageColumn(),
];

export const serviceAccountColumns: TableColumn[] = [
  column('Secrets', 'integer', 'Number of secrets listed on the service account.', (s: ServiceAccount) => (s.secrets ?? []).length),
  ageColumn(),
];

function eventTimes(e: Event, now: number): { first: string; last: string; count: number } {
  const first = e.firstTimestamp ? ageSince(e.firstTimestamp, now) : ageSince(e.eventTime, now);
  let last = e.lastTimestamp ? ageSince(e.lastTimestamp, now) : first;
  let count = e.count ?? 0;
  if (e.series) {
    last = ageSince(e.series.lastObservedTime, now);
    count = e.series.count ?? 0;
  } else if (count === 0) {
    count = 1;
  }
  return { first, last, count };
}

/** "component, host" using reportingController/Instance when source is empty. */
export function eventSource(component: string | undefined, host: string | undefined): string {
  const c = component ?? '';
  return host ? `${c}, ${host}` : c;
}

// Upstream shows NAME last (wide) for events; the server puts NAME first for every kind.
export const eventColumns: TableColumn[] = [
  column('Last Seen', 'string', 'Time since the event was last observed.', (e: Event, now) => eventTimes(e, now).last),
  column('Type', 'string', 'Normal or Warning.', (e: Event) => e.type ?? ''),
  column('Reason', 'string', 'Short machine-readable reason.', (e: Event) => e.reason ?? ''),
  column('Object', 'string', 'The object the event is about (kind/name).', (e: Event) => kindSlashName(e.involvedObject?.kind ?? '', e.involvedObject?.name)),
  wideColumn('Subobject', 'string', 'The part of the object, e.g. a container.', (e: Event) => e.involvedObject?.fieldPath ?? ''),
  wideColumn('Source', 'string', 'The component (and host) that reported the event.', (e: Event) =>
    eventSource(e.source?.component || e.reportingComponent, e.source?.host || e.reportingInstance),
  ),
  column('Message', 'string', 'Human-readable description.', (e: Event) => (e.message ?? '').trim()),
  wideColumn('First Seen', 'string', 'Time since the event was first observed.', (e: Event, now) => eventTimes(e, now).first),
  wideColumn('Count', 'string', 'How many times the event was observed.', (e: Event, now) => eventTimes(e, now).count),
];

export const limitRangeColumns: TableColumn[] = [createdAtColumn()];

function quotaCells(q: ResourceQuota): { request: string; limit: string } {
  const hard = q.status?.hard ?? {};
  const used = q.status?.used ?? {};
  const request: string[] = [];
  const limit: string[] = [];
  for (const name of Object.keys(hard).sort()) {
    const entry = `${name}: ${used[name] ?? '0'}/${hard[name]}`;
    const parts = name.split('.');
    (parts.length > 1 && parts[0] === 'limits' ? limit : request).push(entry);
  }
  return { request: request.join(', '), limit: limit.join(', ') };
}

export const resourceQuotaColumns: TableColumn[] = [
  column('Request', 'string', 'Used/hard for every quota item except limits.*.', (q: ResourceQuota) => quotaCells(q).request),
  column('Limit', 'string', 'Used/hard for limits.* quota items.', (q: ResourceQuota) => quotaCells(q).limit),
  ageColumn(),
];

const BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';

function pvClass(pv: PersistentVolume): string {
  return pv.metadata?.annotations?.[BETA_STORAGE_CLASS] ?? pv.spec?.storageClassName ?? '';
}

function pvcClass(pvc: PersistentVolumeClaim): string {
  return pvc.metadata?.annotations?.[BETA_STORAGE_CLASS] ?? pvc.spec?.storageClassName ?? '';
}

export const persistentVolumeColumns: TableColumn[] = [
  column('Capacity', 'string', 'Storage capacity.', (pv: PersistentVolume) => pv.spec?.capacity?.['storage'] ?? '0'),
  column('Access Modes', 'string', 'RWO, ROX, RWX, RWOP.', (pv: PersistentVolume) => accessModes(pv.spec?.accessModes)),
  column('Reclaim Policy', 'string', 'What happens to the volume when its claim is released.', (pv: PersistentVolume) => pv.spec?.persistentVolumeReclaimPolicy ?? ''),
  column('Status', 'string', 'The volume phase, or Terminating.', (pv: PersistentVolume) => (pv.metadata?.deletionTimestamp ? 'Terminating' : (pv.status?.phase ?? ''))),
  column('Claim', 'string', 'namespace/name of the bound claim.', (pv: PersistentVolume) => (pv.spec?.claimRef ? `${pv.spec.claimRef.namespace ?? ''}/${pv.spec.claimRef.name ?? ''}` : '')),
  column('StorageClass', 'string', 'The storage class of the volume.', pvClass),
  column('VolumeAttributesClass', 'string', 'The volume attributes class.', (pv: PersistentVolume) => pv.spec?.volumeAttributesClassName ?? '<unset>'),
  column('Reason', 'string', 'Why the volume is in its phase.', (pv: PersistentVolume) => pv.status?.reason ?? ''),
  ageColumn(),
  wideColumn('VolumeMode', 'string', 'Filesystem or Block.', (pv: PersistentVolume) => pv.spec?.volumeMode ?? '<unset>'),
];

export const persistentVolumeClaimColumns: TableColumn[] = [
  column('Status', 'string', 'The claim phase, or Terminating.', (c: PersistentVolumeClaim) => (c.metadata?.deletionTimestamp ? 'Terminating' : (c.status?.phase ?? ''))),
  column('Volume', 'string', 'The bound volume.', (c: PersistentVolumeClaim) => c.spec?.volumeName ?? ''),
  column('Capacity', 'string', 'Capacity of the bound volume.', (c: PersistentVolumeClaim) => (c.spec?.volumeName ? (c.status?.capacity?.['storage'] ?? '0') : '')),
  column('Access Modes', 'string', 'Access modes of the bound volume.', (c: PersistentVolumeClaim) => (c.spec?.volumeName ? accessModes(c.status?.accessModes) : '')),
  column('StorageClass', 'string', 'The storage class of the claim.', pvcClass),
  column('VolumeAttributesClass', 'string', 'The volume attributes class.', (c: PersistentVolumeClaim) => c.spec?.volumeAttributesClassName ?? '<unset>'),
  ageColumn(),
  wideColumn('VolumeMode', 'string', 'Filesystem or Block.', (c: PersistentVolumeClaim) => c.spec?.volumeMode ?? '<unset>'),
];

export const podTemplateColumns: TableColumn[] = [
  ...containerColumns((t: PodTemplate) => t.template?.spec?.containers, 0),
  column('Pod Labels', 'string', 'Labels of the pod template.', (t: PodTemplate) => formatLabels(t.template?.metadata?.labels)),
];

export const replicationControllerColumns: TableColumn[] = [
  column('Desired', 'integer', 'Desired replicas.', (r: ReplicationController) => r.spec?.replicas ?? 1),
  column('Current', 'integer', 'Observed replicas.', (r: ReplicationController) => r.status?.replicas ?? 0),
  column('Ready', 'integer', 'Ready replicas.', (r: ReplicationController) => r.status?.readyReplicas ?? 0),
  ageColumn(),
  ...containerColumns((r: ReplicationController) => r.spec?.template?.spec?.containers),
  wideColumn('Selector', 'string', 'Labels of the pods the controller manages.', (r: ReplicationController) => formatLabels(r.spec?.selector)),
];
