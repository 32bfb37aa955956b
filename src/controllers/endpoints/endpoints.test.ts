import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findPort, managesService } from './pods.js';
import { pod, svc } from './fixtures.js';
import { desiredEndpoints, desiredSubsets, endpointsUpToDate, truncateSubsets } from './subsets.js';

test('subsets: ready and not-ready addresses, named ports resolved per pod, terminal/terminating/IP-less pods out', () => {
  const pods = [
    pod('a', '10.0.0.2'),
    pod('b', '10.0.0.1', { ready: false }),
    pod('c', '10.0.0.3', { ports: [{ name: 'http', containerPort: 9090 }] }),
    pod('d', '10.0.0.4', { deleting: true }),
    pod('e', '10.0.0.5', { phase: 'Succeeded' }),
    pod('f', '', {}),
    pod('g', '10.0.0.7', { ports: [{ name: 'other', containerPort: 1 }] }),
  ];
  const subsets = desiredSubsets(svc(), pods);
  assert.deepEqual(subsets, [
    {
      addresses: [{ ip: '10.0.0.2', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'ns', name: 'a', uid: 'uid-a' } }],
      notReadyAddresses: [{ ip: '10.0.0.1', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'ns', name: 'b', uid: 'uid-b' } }],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    },
    {
      addresses: [{ ip: '10.0.0.3', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'ns', name: 'c', uid: 'uid-c' } }],
      ports: [{ name: 'http', port: 9090, protocol: 'TCP' }],
    },
  ]);
});

test('subsets: publishNotReadyAddresses lists every pod (terminating too) as ready; numeric targetPort; hostname', () => {
  const s = svc({ publishNotReadyAddresses: true, ports: [{ port: 80, targetPort: 8000, protocol: 'UDP' }] });
  const subsets = desiredSubsets(s, [pod('a', '10.0.0.1', { ready: false, hostname: 'h', subdomain: 'web' }), pod('b', '10.0.0.2', { deleting: true })]);
  assert.equal(subsets.length, 1);
  assert.deepEqual(subsets[0]!.addresses!.map((a) => [a.ip, a.hostname]), [['10.0.0.1', 'h'], ['10.0.0.2', undefined]]);
  assert.deepEqual(subsets[0]!.ports, [{ port: 8000, protocol: 'UDP' }]);
  assert.equal(subsets[0]!.notReadyAddresses, undefined);
});

test('subsets: headless without ports lists addresses only; a non-headless service without ports gets none', () => {
  assert.deepEqual(desiredSubsets(svc({ clusterIP: 'None', ports: [] }), [pod('a', '10.0.0.1')]).map((s) => [s.addresses?.length, s.ports]), [[1, undefined]]);
  assert.deepEqual(desiredSubsets(svc({ ports: [] }), [pod('a', '10.0.0.1')]), []);
  const ep = desiredEndpoints(svc({ clusterIP: 'None' }), []);
  assert.deepEqual(ep.metadata?.labels, { app: 'web', 'service.kubernetes.io/headless': '' });
  assert.deepEqual(ep.subsets, []);
});

test('findPort, managesService, truncation, up-to-date comparison', () => {
  const p = pod('a', '10.0.0.1', { ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }] });
  assert.equal(findPort(p, { port: 53, targetPort: 'dns', protocol: 'UDP' }), 53);
  assert.equal(findPort(p, { port: 53, targetPort: 'dns', protocol: 'TCP' }), undefined);
  assert.equal(findPort(p, { port: 80 }), 80);
  assert.ok(managesService(svc()));
  assert.ok(!managesService(svc({ selector: {} })));
  assert.ok(!managesService(svc({ type: 'ExternalName' })));
  assert.ok(!managesService({ metadata: { name: 'kubernetes', namespace: 'default' }, spec: { selector: { a: 'b' } } }));

  const many = Array.from({ length: 1005 }, (_, i) => pod(`p${i}`, `10.0.${Math.floor(i / 250)}.${i % 250}`, { ready: i % 2 === 0 }));
  const ep = desiredEndpoints(svc(), many);
  const total = (ep.subsets ?? []).reduce((n, s) => n + (s.addresses?.length ?? 0) + (s.notReadyAddresses?.length ?? 0), 0);
  assert.equal(total, 1000);
  assert.equal(ep.subsets![0]!.addresses!.length, 503, 'ready addresses are kept first');
  assert.equal(ep.metadata?.annotations?.['endpoints.kubernetes.io/over-capacity'], 'truncated');
  assert.equal(truncateSubsets([{ addresses: [{ ip: '1.1.1.1' }] }]).truncated, false);

  const want = desiredEndpoints(svc(), [pod('a', '10.0.0.1')]);
  const stored = JSON.parse(JSON.stringify({ ...want, metadata: { ...want.metadata, resourceVersion: '5', uid: 'x' } }));
  assert.ok(endpointsUpToDate(stored, want));
  assert.ok(!endpointsUpToDate(stored, desiredEndpoints(svc(), [pod('a', '10.0.0.1', { ready: false })])));
  assert.ok(!endpointsUpToDate(stored, desiredEndpoints({ ...svc(), metadata: { ...svc().metadata, labels: { app: 'x' } } }, [pod('a', '10.0.0.1')])));
});
