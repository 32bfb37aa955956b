// Building blocks for Table columns: the Age column, container lists, selectors, access modes.

import type { TableColumn } from '../../registry.js';
import { ageSince } from '../../duration.js';

type Cell = TableColumn['cell'];

/** A column shown by default. */
export function column(name: string, type: TableColumn['type'], description: string, cell: Cell): TableColumn {
  return { name, type, description, priority: 0, cell };
}

/** A column shown only with `-o wide`. */
export function wideColumn(name: string, type: TableColumn['type'], description: string, cell: Cell): TableColumn {
  return { name, type, description, priority: 1, cell };
}

/** Time since the object was created ("5m", "2d3h"). */
export function ageColumn(): TableColumn {
  return column('Age', 'string', 'Time since the object was created.', (o, now) => ageSince(o?.metadata?.creationTimestamp, now));
}

/** The generic column of kinds without their own printer (roles, limit ranges): the creation time itself. */
export function createdAtColumn(): TableColumn {
  return {
    name: 'Created At',
    type: 'date',
    description: 'When the object was created (RFC 3339, UTC).',
    priority: 0,
    cell: (o) => createdAt(o?.metadata?.creationTimestamp),
  };
}

function createdAt(ts: string | undefined): string | null {
  if (!ts) return null;
  const t = Date.parse(ts);
  if (Number.isNaN(t)) return ts;
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

interface NamedImage {
  name?: string;
  image?: string;
}

/** CONTAINERS and IMAGES (wide) for a kind whose pod template sits at `containersOf(obj)`. */
export function containerColumns(containersOf: (obj: any) => NamedImage[] | undefined, priority: 0 | 1 = 1): TableColumn[] {
  return [
    { name: 'Containers', type: 'string', description: 'Names of the containers in the template.', priority, cell: (o) => (containersOf(o) ?? []).map((c) => c.name ?? '').join(',') },
    { name: 'Images', type: 'string', description: 'Images of the containers in the template.', priority, cell: (o) => (containersOf(o) ?? []).map((c) => c.image ?? '').join(',') },
  ];
}

/** "<none>" for empty strings, as the printers show unset identity fields. */
export function orNone(s: string | undefined | null): string {
  return s ? s : '<none>';
}

export function boolString(b: boolean | undefined | null): string {
  if (b === undefined || b === null) return '<unset>';
  return b ? 'True' : 'False';
}

/** An IntOrString as text (PDB minAvailable, ports). */
export function intOrString(v: number | string | undefined | null): string {
  return v === undefined || v === null ? '' : String(v);
}

const ACCESS_MODES: [string, string][] = [
  ['ReadWriteOnce', 'RWO'],
  ['ReadOnlyMany', 'ROX'],
  ['ReadWriteMany', 'RWX'],
  ['ReadWriteOncePod', 'RWOP'],
];

/** Access modes abbreviated in a fixed order: "RWO,ROX,RWX,RWOP". */
export function accessModes(modes: string[] | undefined): string {
  const have = new Set(modes ?? []);
  return ACCESS_MODES.filter(([m]) => have.has(m))
    .map(([, short]) => short)
    .join(',');
}

/** "a,b,c + 2 more..." after `max` items; `empty` when there are none. */
export function listWithMore(items: string[], total: number, max: number, empty: string): string {
  if (total > max) return `${items.slice(0, max).join(',')} + ${total - max} more...`;
  return items.length === 0 ? empty : items.join(',');
}

/** host:port with IPv6 literals bracketed. */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Load-balancer ingress points (IP, else hostname), de-duplicated and sorted. */
export function loadBalancerAddresses(ingress: { ip?: string; hostname?: string }[] | undefined): string {
  const set = new Set<string>();
  for (const i of ingress ?? []) {
    if (i.ip) set.add(i.ip);
    else if (i.hostname) set.add(i.hostname);
  }
  return [...set].sort().join(',');
}

/** "kind/name", lower-case kind; the group follows the kind when given ("daemonset.apps/x"). */
export function kindSlashName(kind: string, name: string | undefined, group?: string): string {
  const k = (group ? `${kind}.${group}` : kind).toLowerCase();
  return name ? `${k}/${name}` : k;
}
