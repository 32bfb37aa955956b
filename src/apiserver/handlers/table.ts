// Server-side printing: meta.k8s.io/v1 Table output for `kubectl get`, with the columns each
// resource declares in the registry.

import type { KubeObject, ResourceDef, TableColumn } from '../../api/registry.js';
import { humanDuration } from '../../api/duration.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

const NAME_COLUMN: TableColumnDefinition = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace. It is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically.',
  priority: 0,
};

const AGE_COLUMN: TableColumn = {
  name: 'Age',
  type: 'string',
  description: 'Time since the object was created.',
  priority: 0,
  cell: (obj: KubeObject, now: number) => {
    const ts = obj.metadata?.creationTimestamp;
    return ts ? humanDuration(now - Date.parse(ts)) : '<unknown>';
  },
};

/** Columns after Name; resources without declared columns print Name and Age as upstream does. */
function columnsOf(def: ResourceDef): TableColumn[] {
  return def.columns && def.columns.length > 0 ? def.columns : [AGE_COLUMN];
}

export function columnDefinitions(def: ResourceDef): TableColumnDefinition[] {
  return [
    NAME_COLUMN,
    ...columnsOf(def).map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: c.description,
      priority: c.priority,
    })),
  ];
}

export function tableRow(def: ResourceDef, obj: KubeObject, include: IncludeObject, now: number): Record<string, unknown> {
  const cells: unknown[] = [obj.metadata?.name ?? ''];
  for (const c of columnsOf(def)) {
    let v: unknown;
    try {
      v = c.cell(obj, now);
    } catch {
      v = '<error>';
    }
    cells.push(v ?? '<none>');
  }
  const row: Record<string, unknown> = { cells };
  if (include === 'Object') row.object = obj;
  else if (include === 'Metadata') row.object = partialMetadata(obj);
  return row;
}

export function partialMetadata(obj: KubeObject): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

export function toTable(
  def: ResourceDef,
  items: KubeObject[],
  listMeta: Record<string, unknown>,
  include: IncludeObject,
  withColumns = true,
): Record<string, unknown> {
  const now = Date.now();
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: withColumns ? columnDefinitions(def) : null,
    rows: items.map((o) => tableRow(def, o, include, now)),
  };
}
