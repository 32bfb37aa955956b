import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BUSYBOX_DEFAULT_CMD, BUSYBOX_IMAGE, PAUSE_IMAGE, buildImageTars } from './build.js';

const run = promisify(execFile);

function missingTools(): string | undefined {
  try {
    execFileSync('sh', ['-c', 'command -v umoci'], { stdio: 'ignore' });
  } catch {
    return 'umoci is not installed (apt-get install umoci)';
  }
  return existsSync('/bin/busybox') ? undefined : 'busybox-static is not installed';
}

interface ImageConfig {
  os: string;
  config: { Entrypoint?: string[]; Cmd?: string[] | null; Env?: string[]; WorkingDir?: string };
}

/** Unpacks an OCI layout tar and reads what a runtime would: the ref names, config and layer files. */
async function inspect(tarPath: string, work: string): Promise<{ refs: string[]; config: ImageConfig; files: string[] }> {
  const dir = await mkdtemp(join(work, 'x-'));
  await run('tar', ['-C', dir, '-xf', tarPath]);
  const blob = (digest: string) => join(dir, 'blobs', ...digest.split(':'));
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as {
    manifests: { digest: string; annotations?: Record<string, string> }[];
  };
  const refs = index.manifests.map((m) => m.annotations?.['org.opencontainers.image.ref.name'] ?? '');
  const manifest = JSON.parse(await readFile(blob(index.manifests[0]!.digest), 'utf8')) as {
    config: { digest: string };
    layers: { digest: string; mediaType: string }[];
  };
  const config = JSON.parse(await readFile(blob(manifest.config.digest), 'utf8')) as ImageConfig;
  assert.equal(manifest.layers.length, 1);
  const { stdout } = await run('tar', ['-tvzf', blob(manifest.layers[0]!.digest)], { maxBuffer: 16 << 20 });
  return { refs, config, files: stdout.split('\n').filter(Boolean) };
}

const skip = missingTools();

describe('offline test images', { skip }, () => {
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'k8ts-images-test-'));
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  const checkBusybox = (img: Awaited<ReturnType<typeof inspect>>) => {
    assert.deepEqual(img.refs, [BUSYBOX_IMAGE]);
    assert.equal(img.config.os, 'linux');
    assert.equal(img.config.config.Entrypoint ?? null, null, 'no entrypoint, like the public busybox image');
    assert.deepEqual(img.config.config.Cmd, BUSYBOX_DEFAULT_CMD);
    assert.ok(img.config.config.Env?.some((e) => e.startsWith('PATH=') && e.includes('/bin')));
    const has = (re: RegExp) => assert.ok(img.files.some((l) => re.test(l)), `layer has ${re}`);
    has(/ bin\/busybox$/);
    has(/ bin\/sh -> \/bin\/busybox$/);
    has(/ usr\/bin\/wget -> \/bin\/busybox$/);
    has(/ etc\/passwd$/);
    has(/^drwxrwxrwt .* tmp\/$/);
  };
  const checkPause = (img: Awaited<ReturnType<typeof inspect>>) => {
    assert.deepEqual(img.refs, [PAUSE_IMAGE]);
    assert.deepEqual(img.config.config.Entrypoint, ['sleep', 'infinity']);
    assert.ok(!img.config.config.Cmd || img.config.config.Cmd.length === 0);
  };

  test('buildImageTars writes busybox.tar and pause.tar', async () => {
    const out = join(work, 'ts');
    const t0 = Date.now();
    const tars = await buildImageTars(out);
    assert.ok(Date.now() - t0 < 10_000);
    assert.deepEqual(tars, { busybox: join(out, 'busybox.tar'), pause: join(out, 'pause.tar') });
    checkBusybox(await inspect(tars.busybox, work));
    checkPause(await inspect(tars.pause, work));
  });

  test('scripts/build-test-image.sh builds the same images', async () => {
    const out = join(work, 'sh');
    await mkdir(out);
    const script = new URL('../../../scripts/build-test-image.sh', import.meta.url);
    const { stdout } = await run('bash', [script.pathname, out]);
    assert.match(stdout, /busybox\.tar \(localhost\/busybox:1\)/);
    checkBusybox(await inspect(join(out, 'busybox.tar'), work));
    checkPause(await inspect(join(out, 'pause.tar'), work));
  });
});
