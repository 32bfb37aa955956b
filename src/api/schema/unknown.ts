// Fields an object carries that its schema does not declare. Upstream's strict decoding rejects
// them (fieldValidation=Strict: `strict decoding error: unknown field "spec.foo"`), and decoding
// into Go structs drops them otherwise. Both walks run on every write, so they build a path string
// only when they find something.

import type { SchemaNode } from './types.js';

type Visit = (parent: Record<string, unknown>, key: string, path: readonly (string | number)[]) => void;

const hasOwn = Object.prototype.hasOwnProperty;

function walk(node: SchemaNode, value: unknown, path: (string | number)[], visit: Visit): void {
  if (value === null || typeof value !== 'object' || node.preserveUnknownFields) return;
  if (Array.isArray(value)) {
    const items = node.items;
    if (!items) return;
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      if (v === null || typeof v !== 'object') continue;
      path.push(i);
      walk(items, v, path, visit);
      path.pop();
    }
    return;
  }
  const obj = value as Record<string, unknown>;
  const props = node.properties;
  if (props) {
    for (const key of Object.keys(obj)) {
      const child = hasOwn.call(props, key) ? props[key] : undefined;
      if (child === undefined) {
        path.push(key);
        visit(obj, key, path);
        path.pop();
        continue;
      }
      const v = obj[key];
      if (v === null || typeof v !== 'object') continue;
      path.push(key);
      walk(child, v, path, visit);
      path.pop();
    }
    return;
  }
  const values = node.additionalProperties;
  if (values) {
    for (const key of Object.keys(obj)) {
      const v = obj[key];
      if (v === null || typeof v !== 'object') continue;
      path.push(key);
      walk(values, v, path, visit);
      path.pop();
    }
    return;
  }
  // A struct without fields (not a free-form map): every key is unknown.
  if (node.type === 'object') {
    for (const key of Object.keys(obj)) {
      path.push(key);
      visit(obj, key, path);
      path.pop();
    }
  }
}

/** A path in the form `.spec.containers[0].bogus`. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `.${p}`;
  return out;
}

/** Paths of the fields `obj` has that `node` does not declare, e.g. `.spec.containers[0].bogus`. */
export function findUnknownFields(node: SchemaNode, obj: unknown): string[] {
  const out: string[] = [];
  walk(node, obj, [], (_parent, _key, path) => out.push(formatPath(path)));
  return out;
}

/** Deletes the undeclared fields from `obj` in place; returns their paths (as findUnknownFields). */
export function pruneUnknownFields(node: SchemaNode, obj: unknown): string[] {
  const out: string[] = [];
  walk(node, obj, [], (parent, key, path) => {
    out.push(formatPath(path));
    delete parent[key];
  });
  return out;
}

/** `unknown field "spec.foo"`, as upstream words each one (in errors and Warn-mode warnings). */
export function unknownFieldMessage(path: string): string {
  return `unknown field "${path.startsWith('.') ? path.slice(1) : path}"`;
}

/** Upstream's Strict-mode error message: `strict decoding error: unknown field "a", unknown field "b"`. */
export function strictDecodingMessage(paths: readonly string[]): string {
  return `strict decoding error: ${paths.map(unknownFieldMessage).join(', ')}`;
}
