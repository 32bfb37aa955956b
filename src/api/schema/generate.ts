// Builds the API schema definitions from the installed kubernetes-types declarations: every
// interface becomes a definition named as upstream's OpenAPI does (io.k8s.api.core.v1.Pod …), with
// property types, required fields, descriptions (the package's JSDoc) and the group/version/kind of
// top-level kinds. Run as a script (`node dist/src/api/schema/generate.js`) it writes
// dist/schema/definitions.json; load.ts reads that file or calls generateDefinitions() itself.

import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import type * as TS from 'typescript';

// The compiler is loaded only when definitions are generated, not by every importer.
let ts: typeof TS;
import { INT_OR_STRING, definitionPrefix } from './names.js';
import { definitionsPath, kubernetesTypesDir } from './paths.js';
import type { RawDefinitions, RawSchema } from './types.js';

/** Bump when the shape of the generated definitions changes (stale files are then regenerated). */
export const GENERATOR_VERSION = 1;

/** Definitions whose wire form is not what their TypeScript declaration says. */
const SPECIAL: Record<string, RawSchema> = {
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { type: 'string', format: 'quantity' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': { type: 'string', format: 'date-time' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': { type: 'string', format: 'date-time' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1': { type: 'object', preserveUnknownFields: true },
  'io.k8s.apimachinery.pkg.runtime.RawExtension': { type: 'object', preserveUnknownFields: true },
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON': { preserveUnknownFields: true },
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray': { preserveUnknownFields: true },
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool': { preserveUnknownFields: true },
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray': { preserveUnknownFields: true },
};

/** Numeric fields that are floating point upstream (every other `number` is an integer). */
const FLOAT_FIELDS = new Set([
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps.maximum',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps.minimum',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps.multipleOf',
]);

function listDeclarationFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...listDeclarationFiles(p));
    else if (entry.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** The text of a JSDoc block without its delimiters and leading asterisks. */
function docText(node: TS.Node, source: TS.SourceFile): string | undefined {
  const docs = (node as { jsDoc?: TS.JSDoc[] }).jsDoc;
  if (!docs?.length) return undefined;
  const doc = docs[docs.length - 1]!;
  const raw = source.text.slice(doc.getStart(source), doc.end);
  const lines = raw
    .replace(/^\/\*\*/, '')
    .replace(/\*\/$/, '')
    .split('\n')
    .map((l) => l.replace(/^\s*\* ?/, ''));
  const text = lines.join('\n').trim();
  return text || undefined;
}

function propertyName(name: TS.PropertyName): string {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  return name.getText();
}

interface FileContext {
  prefix: string;
  /** Imported or locally declared type name → definition name. */
  names: Map<string, string>;
}

class Converter {
  constructor(private readonly ctx: FileContext) {}

  type(node: TS.TypeNode, field: string): RawSchema {
    switch (node.kind) {
      case ts.SyntaxKind.StringKeyword:
        return { type: 'string' };
      case ts.SyntaxKind.BooleanKeyword:
        return { type: 'boolean' };
      case ts.SyntaxKind.NumberKeyword:
        return FLOAT_FIELDS.has(field) ? { type: 'number', format: 'double' } : { type: 'integer' };
      case ts.SyntaxKind.AnyKeyword:
      case ts.SyntaxKind.UnknownKeyword:
        return { preserveUnknownFields: true };
    }
    if (ts.isLiteralTypeNode(node)) {
      if (ts.isStringLiteral(node.literal)) return { type: 'string' };
      if (ts.isNumericLiteral(node.literal)) return { type: 'integer' };
      return { type: 'boolean' };
    }
    if (ts.isParenthesizedTypeNode(node)) return this.type(node.type, field);
    if (ts.isArrayTypeNode(node)) return { type: 'array', items: this.type(node.elementType, field) };
    if (ts.isUnionTypeNode(node)) {
      const kinds = node.types.map((t) => t.kind).sort();
      if (kinds.length === 2 && kinds[0] === ts.SyntaxKind.NumberKeyword && kinds[1] === ts.SyntaxKind.StringKeyword) {
        return { $ref: INT_OR_STRING };
      }
      return { preserveUnknownFields: true };
    }
    if (ts.isTypeLiteralNode(node)) {
      const index = node.members.find(ts.isIndexSignatureDeclaration);
      if (index) return { type: 'object', additionalProperties: this.type(index.type, field) };
      return { type: 'object' };
    }
    if (ts.isTypeReferenceNode(node)) {
      const name = ts.isIdentifier(node.typeName) ? node.typeName.text : node.typeName.right.text;
      if ((name === 'Array' || name === 'ReadonlyArray') && node.typeArguments?.length === 1) {
        return { type: 'array', items: this.type(node.typeArguments[0]!, field) };
      }
      if (name === 'Record' && node.typeArguments?.length === 2) {
        return { type: 'object', additionalProperties: this.type(node.typeArguments[1]!, field) };
      }
      const def = this.ctx.names.get(name);
      if (def) return { $ref: def };
      throw new Error(`${field}: unresolved type ${name}`);
    }
    throw new Error(`${field}: unsupported type ${ts.SyntaxKind[node.kind]}`);
  }

  interface(decl: TS.InterfaceDeclaration, source: TS.SourceFile): RawSchema {
    const defName = `${this.ctx.prefix}.${decl.name.text}`;
    const out: RawSchema = { type: 'object' };
    const description = docText(decl, source);
    if (description) out.description = description;
    const properties: Record<string, RawSchema> = {};
    const required: string[] = [];
    let apiVersion: string | undefined;
    let kind: string | undefined;
    for (const member of decl.members) {
      if (!ts.isPropertySignature(member) || !member.type) continue;
      const name = propertyName(member.name);
      const schema = this.type(member.type, `${defName}.${name}`);
      const desc = docText(member, source);
      if (desc) schema.description = desc;
      properties[name] = schema;
      if (!member.questionToken) required.push(name);
      if (ts.isLiteralTypeNode(member.type) && ts.isStringLiteral(member.type.literal)) {
        if (name === 'apiVersion') apiVersion = member.type.literal.text;
        if (name === 'kind') kind = member.type.literal.text;
      }
    }
    if (Object.keys(properties).length) out.properties = properties;
    if (required.length) out.required = required;
    if (apiVersion && kind) {
      const i = apiVersion.indexOf('/');
      out.gvk = [
        i < 0
          ? { group: '', version: apiVersion, kind }
          : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1), kind },
      ];
    }
    return out;
  }
}

/** Module path of an import specifier relative to the package ('../meta/v1' from 'core/v1' → 'meta/v1'). */
function resolveModule(fromModule: string, spec: string): string {
  return relative('/', resolve('/', dirname(fromModule), spec)).replace(/\\/g, '/');
}

/** Reads every kubernetes-types declaration file and returns the definitions by name. */
export function generateDefinitions(dir: string = kubernetesTypesDir()): RawDefinitions {
  ts ??= createRequire(import.meta.url)('typescript') as typeof TS;
  const files = listDeclarationFiles(dir).map((path) => {
    const module = relative(dir, path).replace(/\\/g, '/').replace(/\.d\.ts$/, '');
    const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
    return { module, source };
  });
  const definitions: Record<string, RawSchema> = {};
  for (const { module, source } of files) {
    const prefix = definitionPrefix(module);
    const names = new Map<string, string>();
    for (const st of source.statements) {
      if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
        const from = definitionPrefix(resolveModule(module, st.moduleSpecifier.text));
        const bindings = st.importClause?.namedBindings;
        if (bindings && ts.isNamedImports(bindings)) {
          for (const el of bindings.elements) names.set(el.name.text, `${from}.${(el.propertyName ?? el.name).text}`);
        }
      } else if (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) {
        names.set(st.name.text, `${prefix}.${st.name.text}`);
      }
    }
    const conv = new Converter({ prefix, names });
    for (const st of source.statements) {
      if (!ts.isInterfaceDeclaration(st) && !ts.isTypeAliasDeclaration(st)) continue;
      const name = `${prefix}.${st.name.text}`;
      const special = SPECIAL[name];
      let def: RawSchema;
      if (special) def = { ...special };
      else if (ts.isInterfaceDeclaration(st)) def = conv.interface(st, source);
      else def = conv.type(st.type, name);
      const description = docText(st, source);
      if (description) def.description = description;
      definitions[name] = def;
    }
  }
  definitions[INT_OR_STRING] = { type: 'string', format: 'int-or-string' };
  const sorted: Record<string, RawSchema> = {};
  for (const name of Object.keys(definitions).sort()) sorted[name] = definitions[name]!;
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string };
  return { generator: GENERATOR_VERSION, source: pkg.version, definitions: sorted };
}

/** Generates the definitions and writes them to `path` (default dist/schema/definitions.json). */
export function writeDefinitions(path: string = definitionsPath()): RawDefinitions {
  const defs = generateDefinitions();
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(defs));
  return defs;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const path = process.argv[2] ?? definitionsPath();
  const defs = writeDefinitions(path);
  console.log(`wrote ${Object.keys(defs.definitions).length} definitions to ${relative(process.cwd(), path) || path}`);
}
