import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPod, defaultPodSpec, imageTag, podQOSClass } from './pod-defaults.js';
import { validatePod, validatePodUpdate } from './pod-validation.js';

const msgs = (errs: { field: string; detail: string }[]) => errs.map((e) => `${e.field}: ${e.detail}`);

function pod(spec: any): any {
  const p = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec };
  defaultPod(p);
  return p;
}

test('image tags decide the pull policy', () => {
  assert.equal(imageTag('nginx'), 'latest');
  assert.equal(imageTag('nginx:1.25'), '1.25');
  assert.equal(imageTag('localhost:5000/app'), 'latest');
  assert.equal(imageTag('localhost:5000/app:v1'), 'v1');
  assert.equal(imageTag('nginx@sha256:abc'), '');
  assert.equal(pod({ containers: [{ name: 'a', image: 'nginx' }] }).spec.containers[0].imagePullPolicy, 'Always');
  assert.equal(pod({ containers: [{ name: 'a', image: 'nginx:latest' }] }).spec.containers[0].imagePullPolicy, 'Always');
  assert.equal(pod({ containers: [{ name: 'a', image: 'nginx:1.25' }] }).spec.containers[0].imagePullPolicy, 'IfNotPresent');
});

test('pod defaults', () => {
  const p = pod({
    containers: [
      {
        name: 'web',
        image: 'nginx:1.25',
        ports: [{ containerPort: 80 }],
        resources: { limits: { cpu: '500m', memory: '128Mi' } },
        livenessProbe: { httpGet: { port: 80 } },
        env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
      },
    ],
    volumes: [{ name: 'data' }, { name: 'cfg', configMap: { name: 'c' } }],
  });
  assert.deepEqual(
    { ...p.spec, containers: undefined, volumes: undefined },
    {
      containers: undefined,
      volumes: undefined,
      dnsPolicy: 'ClusterFirst',
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
      securityContext: {},
      terminationGracePeriodSeconds: 30,
      enableServiceLinks: true,
      serviceAccountName: 'default',
      serviceAccount: 'default',
    },
  );
  const c = p.spec.containers[0];
  assert.equal(c.terminationMessagePath, '/dev/termination-log');
  assert.equal(c.terminationMessagePolicy, 'File');
  assert.deepEqual(c.ports, [{ containerPort: 80, protocol: 'TCP' }]);
  assert.deepEqual(c.resources.requests, { cpu: '500m', memory: '128Mi' });
  assert.deepEqual(c.livenessProbe, { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  assert.equal(c.env[0].valueFrom.fieldRef.apiVersion, 'v1');
  assert.deepEqual(p.spec.volumes, [
    { name: 'data', emptyDir: {} },
    { name: 'cfg', configMap: { name: 'c', defaultMode: 420 } },
  ]);
  assert.equal(podQOSClass(p), 'Guaranteed');
  assert.deepEqual(validatePod(p), []);
});

test('templates get PodSpec defaults but not Pod-only ones', () => {
  const spec: any = { containers: [{ name: 'a', image: 'x', resources: { limits: { cpu: '1' } } }] };
  defaultPodSpec(spec);
  assert.equal(spec.enableServiceLinks, undefined);
  assert.equal(spec.serviceAccountName, undefined);
  assert.equal(spec.containers[0].resources.requests, undefined);
  assert.equal(spec.restartPolicy, 'Always');
});

test('QoS classes', () => {
  assert.equal(podQOSClass(pod({ containers: [{ name: 'a', image: 'x' }] })), 'BestEffort');
  assert.equal(podQOSClass(pod({ containers: [{ name: 'a', image: 'x', resources: { requests: { cpu: '100m' } } }] })), 'Burstable');
  assert.equal(
    podQOSClass(pod({ containers: [{ name: 'a', image: 'x', resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1000m', memory: '1Gi' } } }] })),
    'Guaranteed',
  );
});

test('containers are required', () => {
  assert.deepEqual(msgs(validatePod(pod({}))), ['spec.containers: Required value']);
});

test('container checks with upstream paths', () => {
  const p = pod({
    containers: [
      { name: 'Web', image: '', ports: [{ containerPort: 70000, name: 'http' }] },
      { name: 'b', image: 'x', ports: [{ containerPort: 80, name: 'http', protocol: 'ICMP' }], env: [{ name: '' }, { name: 'A=B' }] },
      { name: 'b', image: 'x', volumeMounts: [{ name: 'nope', mountPath: '/a' }] },
    ],
    restartPolicy: 'Sometimes',
  });
  assert.deepEqual(msgs(validatePod(p)), [
    `spec.containers[0].name: Invalid value: "Web": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    'spec.containers[0].image: Required value',
    'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
    'spec.containers[1].ports[0].name: Duplicate value: "http"',
    'spec.containers[1].ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
    'spec.containers[1].env[0].name: Required value',
    `spec.containers[1].env[1].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='`,
    'spec.containers[2].volumeMounts[0].name: Not found: "nope"',
    'spec.containers[2].name: Duplicate value: "b"',
    'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
  ]);
});

test('resources: quantities parse and requests stay within limits', () => {
  const p = pod({
    containers: [{ name: 'a', image: 'x', resources: { requests: { cpu: '2', memory: 'lots' }, limits: { cpu: '1', 'foo': '1' } } }],
  });
  assert.deepEqual(msgs(validatePod(p)), [
    'spec.containers[0].resources.limits[foo]: Invalid value: "foo": must be a standard resource for containers',
    `spec.containers[0].resources.requests[memory]: Invalid value: "lots": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    'spec.containers[0].resources.requests[foo]: Invalid value: "foo": must be a standard resource for containers',
    'spec.containers[0].resources.requests[cpu]: Invalid value: "2": must be less than or equal to cpu limit of 1',
  ]);
});

test('volumes: unique DNS-label names, one source', () => {
  const p = pod({
    containers: [{ name: 'a', image: 'x' }],
    volumes: [{ name: 'v', emptyDir: {} }, { name: 'v', emptyDir: {}, hostPath: { path: '/x' } }, { name: 'V_', secret: {} }],
  });
  assert.deepEqual(
    msgs(validatePod(p)).map((m) => m.slice(0, 50)),
    [
      'spec.volumes[1].name: Duplicate value: "v"',
      'spec.volumes[1].emptyDir: Forbidden: may not specify more than 1 volume type',
      'spec.volumes[2].name: Invalid value: "V_": a lowercase RFC 1123 label',
      'spec.volumes[2].secret.secretName: Required value',
    ].map((m) => m.slice(0, 50)),
  );
});

test('pod updates may change images only', () => {
  const old = pod({ containers: [{ name: 'a', image: 'x:1' }] });
  const img = structuredClone(old);
  img.spec.containers[0].image = 'x:2';
  assert.deepEqual(validatePodUpdate(img, old), []);
  const bad = structuredClone(old);
  bad.spec.containers[0].name = 'b';
  const errs = validatePodUpdate(bad, old);
  assert.equal(errs.length, 1);
  assert.equal(errs[0]!.field, 'spec');
  assert.match(errs[0]!.detail, /^Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`/);
});
