// The containerd runtime, ready to use: start (or take over) containerd on the data dir, wait for CRI,
// import `<data-dir>/agent/images/*.tar` and make sure the pause image exists.

import { join } from 'node:path';
import { importImages } from '../images/import.js';
import { CriRuntime, type CriRuntimeOptions } from './client.js';
import { startContainerd, type ContainerdHandle, type ContainerdOptions } from './containerd.js';

export { CriRuntime, CriError, isNotFound, type CriRuntimeOptions } from './client.js';
export { startContainerd, containerdPaths, ContainerdError, type ContainerdHandle, type ContainerdOptions } from './containerd.js';

export interface ContainerdRuntime {
  runtime: CriRuntime;
  containerd: ContainerdHandle;
  /** The images imported at start. */
  imported: string[];
  /** Closes the client and stops containerd. Pods keep running (their shims own them). */
  stop(): Promise<void>;
}

export async function startContainerdRuntime(
  opts: ContainerdOptions & { imagesDir?: string; client?: CriRuntimeOptions; readyTimeoutMs?: number },
): Promise<ContainerdRuntime> {
  const containerd = await startContainerd(opts);
  const runtime = new CriRuntime(containerd.socket, { enableHostPorts: () => containerd.enableHostPorts(), ...opts.client });
  const stop = async () => {
    await runtime.close();
    await containerd.stop();
  };
  try {
    await runtime.waitReady(opts.readyTimeoutMs ?? 10_000);
    const imported = await importImages(containerd, opts.imagesDir ?? join(opts.dataDir, 'agent', 'images'), {
      runtime,
      pauseImage: opts.sandboxImage,
    });
    return { runtime, containerd, imported, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
