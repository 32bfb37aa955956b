import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildImageTars } from '../images/build.js';
import { ImageStore } from './images.js';
import { run } from './util.js';

const canRun = process.getuid?.() === 0 && existsSync('/bin/busybox') && (await run('umoci', ['--version'], { check: false }).catch(() => null))?.code === 0;

describe('process runtime image store', { skip: !canRun && 'needs root, umoci and busybox-static' }, () => {
  it('unpacks images from OCI layout tars in the import dir, and builds busybox when none has it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'k8ts-process-images-'));
    try {
      const importDir = join(dir, 'import');
      await buildImageTars(importDir);
      const store = new ImageStore({ root: join(dir, 'store'), importDir });
      const pause = await store.pull('localhost/pause:1');
      assert.equal(pause.source, join(importDir, 'pause.tar'));
      assert.deepEqual(pause.config.entrypoint, ['sleep', 'infinity']);
      assert.match(pause.id, /^sha256:[0-9a-f]{64}$/);
      assert.ok(existsSync(join(pause.rootfs, 'bin/busybox')));
      const bb = await store.pull('localhost/busybox:1');
      assert.equal(bb.source, join(importDir, 'busybox.tar'));
      assert.deepEqual(bb.config.entrypoint, [], 'no entrypoint, like the public busybox image');
      assert.match(await readFile(join(bb.rootfs, 'etc/passwd'), 'utf8'), /^root:/);
      // Persisted: a new store sees both without unpacking again.
      const again = new ImageStore({ root: join(dir, 'store'), importDir });
      assert.deepEqual((await again.list()).map((i) => i.ref).sort(), ['localhost/busybox:1', 'localhost/pause:1']);
      // Nothing provides it and it is not busybox: a clear error, no network.
      await assert.rejects(again.pull('docker.io/library/nginx:1'), { name: 'NotFoundError' });
      const built = await again.pull('busybox');
      assert.equal(built.ref, 'busybox:latest');
      assert.equal(built.source, '/bin/busybox');
      await again.remove('busybox');
      assert.equal(await again.get('busybox'), null);
      assert.equal(existsSync(built.rootfs), false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
