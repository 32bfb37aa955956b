import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CONFIG_MIRROR, isMirrorPod, isStaticPod, mirrorPodFor, readStaticPods } from './static-pods.js';

test('manifests become static pods with stable uids, and mirror pods', () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-static-'));
  try {
    writeFileSync(join(dir, 'a.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: [{name: c, image: x}]}\n');
    writeFileSync(join(dir, 'bad.yaml'), 'kind: Deployment\nmetadata: {name: d}\n');
    writeFileSync(join(dir, 'ignored.txt'), 'nope');
    const errors: string[] = [];
    const pods = readStaticPods(dir, 'n1', (m) => errors.push(m));
    assert.equal(pods.size, 1);
    assert.equal(errors.length, 1);
    const p = [...pods.values()][0]!;
    assert.equal(p.metadata?.name, 'a-n1');
    assert.equal(p.metadata?.namespace, 'default');
    assert.equal(p.spec?.nodeName, 'n1');
    assert.equal(p.spec?.restartPolicy, 'Always');
    assert.ok(isStaticPod(p));
    assert.equal([...readStaticPods(dir, 'n1').keys()][0], p.metadata?.uid, 'uid is stable');
    const m = mirrorPodFor(p, { name: 'n1', uid: 'node-uid' });
    assert.ok(isMirrorPod(m));
    assert.equal(m.metadata?.annotations?.[CONFIG_MIRROR], p.metadata?.annotations?.['kubernetes.io/config.hash']);
    assert.equal(m.metadata?.uid, undefined);
    assert.deepEqual(m.metadata?.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'node-uid', controller: true }]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
