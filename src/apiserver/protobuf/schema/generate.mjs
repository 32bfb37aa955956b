// Extracts facts (message/field names, numbers, wire types; Go pointer/omitempty/inline) from upstream
// generated.proto + types.go and writes k8ts's own schema modules. 
// Usage: node generate.mjs <updir> <outdir>, where <updir> holds, per package short name P below,
// P.proto (upstream generated.proto) and P.types.go (upstream types.go), e.g. from k8s.io/api and
// k8s.io/apimachinery at the same release tag.
import fs from 'node:fs';
const [up, outDir] = process.argv.slice(2);
const pkgs = [
  ['meta', 'k8s.io.apimachinery.pkg.apis.meta.v1'],
  ['runtime', 'k8s.io.apimachinery.pkg.runtime'],
  ['intstr', 'k8s.io.apimachinery.pkg.util.intstr'],
  ['resource', 'k8s.io.apimachinery.pkg.api.resource'],
  ['core', 'k8s.io.api.core.v1'], ['apps', 'k8s.io.api.apps.v1'], ['batch', 'k8s.io.api.batch.v1'],
  ['authorization', 'k8s.io.api.authorization.v1'], ['authentication', 'k8s.io.api.authentication.v1'],
  ['policy', 'k8s.io.api.policy.v1'], ['rbac', 'k8s.io.api.rbac.v1'], ['networking', 'k8s.io.api.networking.v1'],
  ['scheduling', 'k8s.io.api.scheduling.v1'],
];
const roots = {
  core: ['Namespace', 'ConfigMap', 'Secret', 'ServiceAccount', 'Service', 'Pod', 'Endpoints', 'PersistentVolumeClaim', 'PersistentVolume', 'ReplicationController', 'PodTemplate', 'ResourceQuota', 'LimitRange', 'Node', 'Event', 'Binding'],
  apps: ['Deployment', 'DaemonSet', 'StatefulSet', 'ReplicaSet', 'ControllerRevision'],
  batch: ['Job', 'CronJob'],
  authorization: ['SelfSubjectAccessReview', 'SubjectAccessReview', 'LocalSubjectAccessReview', 'SelfSubjectRulesReview'],
  authentication: ['TokenRequest', 'TokenReview', 'SelfSubjectReview'],
  policy: ['Eviction', 'PodDisruptionBudget'],
  rbac: ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'],
  networking: ['Ingress', 'IngressClass', 'NetworkPolicy'],
  scheduling: ['PriorityClass'],
  meta: ['DeleteOptions'],
};
const special = new Set(['Time', 'MicroTime', 'Duration', 'FieldsV1', 'IntOrString', 'Quantity', 'RawExtension'].map((n) => n));
const scalars = new Set(['string', 'int32', 'int64', 'bool', 'bytes', 'double', 'float', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64', 'sfixed32', 'sfixed64']);
const msgs = new Map(); // full name -> {pkg, name, fields:[{label,type,key,name,num}]}
for (const [short, pkg] of pkgs) {
  const src = fs.readFileSync(`${up}/${short}.proto`, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  for (const m of src.matchAll(/message\s+(\w+)\s*\{([^{}]*)\}/g)) {
    const fields = [];
    for (const f of m[2].matchAll(/(?:(optional|repeated)\s+([\w.]+)|map<\s*([\w.]+)\s*,\s*([\w.]+)\s*>)\s+(\w+)\s*=\s*(\d+)/g)) {
      if (f[1]) fields.push({ label: f[1], type: f[2], name: f[5], num: +f[6] });
      else fields.push({ label: 'map', key: f[3], type: f[4], name: f[5], num: +f[6] });
    }
    msgs.set(`${pkg}.${m[1]}`, { pkg, short, name: m[1], fields });
  }
}
function resolve(pkg, t) {
  t = t.replace(/^\./, "");
  if (scalars.has(t)) return t;
  if (msgs.has(t)) return t;
  if (msgs.has(`${pkg}.${t}`)) return `${pkg}.${t}`;
  throw new Error(`cannot resolve ${t} in ${pkg}`);
}
// Go facts
const goStructs = new Map(); // `${short}.${Name}` -> Map(num -> {ptr, omitempty, inline, json})
const goSlices = new Set();
for (const [short] of pkgs) {
  const p = `${up}/${short}.types.go`;
  if (!fs.existsSync(p)) continue;
  const src = fs.readFileSync(p, 'utf8');
  for (const m of src.matchAll(/^type (\w+) \[\]/gm)) goSlices.add(`${short}.${m[1]}`);
  for (const m of src.matchAll(/^type (\w+) struct \{\n([\s\S]*?)^\}/gm)) {
    const fields = new Map();
    for (const line of m[2].split('\n')) {
      const l = line.trim();
      if (!l || l.startsWith('//')) continue;
      const fm = l.match(/^(?:(\w+)\s+)?([*\[\]\w.]+(?:\[[\w.]+\][*\w.\[\]]+)?)\s+`(.*)`/);
      if (!fm) continue;
      const tags = fm[3];
      const pt = tags.match(/protobuf:"\w+,(\d+),\w+(?:,[^"]*?name=(\w+))?/);
      if (!pt) continue;
      const jt = (tags.match(/json:"([^"]*)"/) || [, ''])[1].split(',');
      const embedded = !fm[1];
      fields.set(+pt[1], { ptr: fm[2].startsWith('*'), omitempty: jt.includes('omitempty') || jt.includes('omitzero'), inline: embedded && jt[0] === '', json: jt[0], protoName: pt[2], goType: fm[2], order: fields.size });
    }
    goStructs.set(`${short}.${m[1]}`, fields);
  }
}
// reachability
const need = new Set();
const queue = [];
for (const [short, names] of Object.entries(roots)) for (const n of names) queue.push(`${pkgs.find((p) => p[0] === short)[1]}.${n}`);
queue.push('k8s.io.apimachinery.pkg.runtime.Unknown');
while (queue.length) {
  const n = queue.pop();
  if (need.has(n)) continue;
  if (!msgs.has(n)) throw new Error(`missing ${n}`);
  need.add(n);
  const m = msgs.get(n);
  for (const f of m.fields) { const t = resolve(m.pkg, f.type); if (!scalars.has(t)) queue.push(t); }
}
const problems = [];
const byPkg = new Map();
for (const n of [...need].sort()) {
  const m = msgs.get(n);
  const go = goStructs.get(`${m.short}.${m.name}`);
  const isSpecial = special.has(m.name) && m.pkg.startsWith('k8s.io.apimachinery');
  const isList = goSlices.has(`${m.short}.${m.name}`);
  if (!go && !isSpecial && !isList && m.name !== 'Unknown' && m.name !== 'TypeMeta') problems.push(`no Go struct for ${n}`);
  const lines = [];
  lines.push(`message ${m.name} {`);
  if (isList) lines.push('  option (list) = true;');
  const ord = (f) => go?.get(f.num)?.order ?? 1000 + f.num;
  for (const f of m.fields.sort((a, b) => ord(a) - ord(b))) {
    const g = go?.get(f.num);
    const opts = [];
    if (go && !g) { problems.push(`no Go field ${n}.${f.name}=${f.num}`); }
    if (g) {
      if (g.protoName && g.protoName !== f.name) problems.push(`name mismatch ${n} ${g.protoName} ${f.name}`);
      if (g.inline) opts.push('(inline) = true');
      else if (g.json !== f.name) opts.push(`(json) = "${g.json}"`);
      if (g.ptr) opts.push('(ptr) = true');
      if (!g.omitempty && !g.inline) opts.push('(emit) = true');
    }
    const o = opts.length ? ` [${opts.join(', ')}]` : '';
    const t = f.type.replace(/^\./, "");
    if (f.label === 'map') lines.push(`  map<${f.key}, ${t}> ${f.name} = ${f.num}${o};`);
    else lines.push(`  ${f.label} ${t} ${f.name} = ${f.num}${o};`);
  }
  lines.push('}');
  if (!byPkg.has(m.short)) byPkg.set(m.short, []);
  byPkg.get(m.short).push(lines.join('\n'));
}
if (problems.length) console.error(problems.join('\n'));
fs.mkdirSync(outDir, { recursive: true });
for (const [short, pkg] of pkgs) {
  const body = byPkg.get(short);
  if (!body) continue;
  const text = `syntax = "proto2";\npackage ${pkg};\n\n${body.join('\n\n')}\n`;
  fs.writeFileSync(`${outDir}/${short}.proto.ts`,
    `// k8ts's protobuf schema for ${pkg}. Generated by ./generate.mjs from upstream facts (${process.env.UPSTREAM_TAG ?? 'upstream'}):\n` +
    `// field names, numbers and wire types, and the Go struct's JSON tags. Do not edit by hand.\n` +
    `// Field options: (ptr) the Go field is a pointer (set iff on the wire); (emit) JSON has no omitempty;\n` +
    `// (inline) the message's JSON fields are merged into the parent; (json) JSON name differs; (list) a Go slice type.\n` +
    `export default String.raw\`\n${text}\`;\n`);
}
const kinds = Object.fromEntries(Object.entries(roots).map(([short, names]) => [pkgs.find((p) => p[0] === short)[1], names]));
fs.writeFileSync(`${outDir}/kinds.ts`, `// Top-level kinds per protobuf package that the schema covers. Generated by ./generate.mjs.\n` +
  `export const KINDS: Record<string, readonly string[]> = ${JSON.stringify(kinds, null, 2)};\n`);
console.log('messages', need.size);
