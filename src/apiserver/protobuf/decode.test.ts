import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { StatusError } from '../../api/status.js';
import { decodeProtobufObject } from './decode.js';
import { encodeProtobufObject } from './encode.js';
import { readEnvelope, writeEnvelope } from './envelope.js';

const dir = new URL('./testdata/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, dir));
const readJson = (name: string) => JSON.parse(read(name).toString('utf8'));

// Bodies captured from real kubectl (1.32; 1.33 sends identical bytes). Each .json is what kubectl
// itself prints/sends as JSON for the same command (1.27 sends JSON; `--dry-run=client -o json`).
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.pb'));

test('there are kubectl fixtures', () => {
  assert.ok(fixtures.length >= 25, `only ${fixtures.length} fixtures`);
});

for (const pb of fixtures) {
  const name = pb.replace(/\.kubectl-[\d.]+\.pb$/, '');
  test(`kubectl fixture ${name} decodes to exactly upstream's JSON`, () => {
    const want = readJson(`${name}.json`);
    const got = decodeProtobufObject(read(pb), { apiVersion: want.apiVersion, kind: want.kind });
    assert.deepEqual(got, want);
    assert.equal(JSON.stringify(got), JSON.stringify(want), 'same key order as Go');
  });
}

test('every fixture re-encodes to bytes that decode the same', () => {
  for (const pb of fixtures) {
    const first = decodeProtobufObject(read(pb));
    assert.deepEqual(decodeProtobufObject(encodeProtobufObject(first)), first, pb);
  }
});

test('a rich Pod (probes, volumes, affinity, tolerations, status …) round-trips to kubectl 1.32 JSON', () => {
  const want = readJson('pod-rich.kubectl-1.32.json');
  const got = decodeProtobufObject(encodeProtobufObject(want), { apiVersion: 'v1', kind: 'Pod' });
  assert.equal(JSON.stringify(got), JSON.stringify(want));
});

test('the Job kubectl builds from a CronJob keeps pointer zeros, IntOrString, Quantity, bytes', () => {
  const job = decodeProtobufObject(read('job-from-cronjob.kubectl-1.33.pb')) as any;
  const spec = job.spec.template.spec;
  assert.equal(job.spec.backoffLimit, 0); // *int32 set to 0 stays
  assert.equal(spec.terminationGracePeriodSeconds, 0);
  assert.equal(spec.securityContext.runAsUser, 0);
  assert.equal(spec.securityContext.runAsNonRoot, false);
  assert.equal(spec.tolerations[0].tolerationSeconds, 0);
  assert.equal(spec.containers[0].livenessProbe.httpGet.port, 'http');
  assert.equal(spec.containers[0].readinessProbe.tcpSocket.port, 80);
  assert.deepEqual(spec.containers[0].resources.limits, { cpu: '500m', memory: '128Mi', 'nvidia.com/gpu': '1' });
  assert.equal(spec.volumes.find((v: any) => v.name === 'ed').emptyDir.sizeLimit, '64Mi');
  assert.deepEqual(spec.volumes.find((v: any) => v.name === 'ed2').emptyDir, {});
  assert.deepEqual(spec.containers[0].env[1], { name: 'EMPTY' });
});

function statusOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof StatusError, `not a StatusError: ${e}`);
    return e;
  }
  assert.fail('did not throw');
}

test('unknown kinds are 400 BadRequest worded as upstream', () => {
  const body = writeEnvelope('v1', 'Frob', new Uint8Array(0));
  const e = statusOf(() => decodeProtobufObject(body, { apiVersion: 'v1', kind: 'Namespace' }));
  assert.equal(e.code, 400);
  assert.equal(e.reason, 'BadRequest');
  assert.equal(
    e.message,
    'Frob in version "v1" cannot be handled as a Namespace: no kind "Frob" is registered for version "v1" in scheme "pkg/api/legacyscheme/scheme.go:30"',
  );
  const grouped = statusOf(() => decodeProtobufObject(writeEnvelope('apps/v1', 'Frob', new Uint8Array(0))));
  assert.equal(grouped.message, 'no kind "Frob" is registered for version "apps/v1" in scheme "pkg/api/legacyscheme/scheme.go:30"');
});

test('a kind other than the endpoint expects is refused', () => {
  const cm = read('configmap.kubectl-1.32.pb');
  const e = statusOf(() => decodeProtobufObject(cm, { apiVersion: 'v1', kind: 'Namespace' }));
  assert.equal(e.code, 400);
  assert.match(e.message, /^ConfigMap in version "v1" cannot be handled as a Namespace: /);
  const g = statusOf(() => decodeProtobufObject(cm, { apiVersion: 'apps/v1', kind: 'ConfigMap' }));
  assert.equal(g.message, 'the API version in the data (v1) does not match the expected API version (apps/v1)');
});

test('missing apiVersion/kind in the envelope default to the endpoint', () => {
  const { raw } = readEnvelope(encodeProtobufObject({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa' } }));
  const body = writeEnvelope('', '', raw);
  const got = decodeProtobufObject(body, { apiVersion: 'v1', kind: 'ServiceAccount' });
  assert.deepEqual(got, { kind: 'ServiceAccount', apiVersion: 'v1', metadata: { name: 'sa', creationTimestamp: null } });
});

test('DeleteOptions is accepted under any group-version', () => {
  const body = encodeProtobufObject({ apiVersion: 'apps/v1', kind: 'DeleteOptions', propagationPolicy: 'Foreground', gracePeriodSeconds: 0, dryRun: ['All'] });
  assert.deepEqual(decodeProtobufObject(body, { kind: 'DeleteOptions' }), {
    kind: 'DeleteOptions',
    apiVersion: 'apps/v1',
    gracePeriodSeconds: 0,
    propagationPolicy: 'Foreground',
    dryRun: ['All'],
  });
});

test('malformed bodies are 400s, never crashes', () => {
  const good = read('deployment.kubectl-1.32.pb');
  const cases: Array<[string, Uint8Array]> = [
    ['empty', new Uint8Array(0)],
    ['json', Buffer.from('{"kind":"Namespace"}')],
    ['magic only', Buffer.from('k8s\0', 'binary')],
    ['bad wire type', Buffer.concat([Buffer.from('k8s\0', 'binary'), Buffer.from([0x0f, 0x01])])],
  ];
  for (let n = 5; n < good.length; n += 7) cases.push([`truncated at ${n}`, good.subarray(0, n)]);
  for (let i = 4; i < good.length; i += 3) {
    const b = Buffer.from(good);
    b[i] ^= 0xa5;
    cases.push([`flipped byte ${i}`, b]);
  }
  for (const [what, body] of cases) {
    try {
      decodeProtobufObject(body, { apiVersion: 'apps/v1', kind: 'Deployment' });
    } catch (e) {
      assert.ok(e instanceof StatusError, `${what}: ${e}`);
      assert.equal(e.code, 400, what);
      assert.equal(e.reason, 'BadRequest', what);
    }
  }
  const e = statusOf(() => decodeProtobufObject(Buffer.from('{"kind":"Namespace"}'), { apiVersion: 'v1', kind: 'Namespace' }));
  assert.equal(
    e.message,
    'the object provided is unrecognized (must be of type Namespace): provided data does not appear to be a protobuf message, expected prefix [107 56 115 0] ({"kind":"Namespace"})',
  );
});
