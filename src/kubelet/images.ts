// Image pulls per imagePullPolicy: Always pulls, IfNotPresent pulls when ImageStatus has nothing,
// Never fails when the image is absent. Defaulting: ':latest' or no tag means Always.

import type { ContainerRuntime } from '../runtime/types.js';
import type { Container } from './types.js';

export class ImagePullError extends Error {
  override name = 'ImagePullError';
  constructor(
    message: string,
    /** ErrImagePull or ErrImageNeverPull. */
    readonly reason: 'ErrImagePull' | 'ErrImageNeverPull',
  ) {
    super(message);
  }
}

export function pullPolicy(c: Container): 'Always' | 'IfNotPresent' | 'Never' {
  if (c.imagePullPolicy === 'Always' || c.imagePullPolicy === 'IfNotPresent' || c.imagePullPolicy === 'Never') return c.imagePullPolicy;
  const image = c.image ?? '';
  const last = image.split('/').pop() ?? '';
  if (image.includes('@')) return 'IfNotPresent';
  return !last.includes(':') || last.endsWith(':latest') ? 'Always' : 'IfNotPresent';
}

/** Makes sure the image is present; returns whether it was pulled. */
export async function ensureImage(runtime: ContainerRuntime, c: Container, onPull: () => void = () => {}): Promise<boolean> {
  const image = c.image ?? '';
  const policy = pullPolicy(c);
  if (policy !== 'Always') {
    const st = await runtime.imageStatus(image);
    if (st) return false;
    if (policy === 'Never') throw new ImagePullError(`Container image "${image}" is not present with pull policy of Never`, 'ErrImageNeverPull');
  }
  try {
    onPull();
    await runtime.pullImage(image);
    return true;
  } catch (err) {
    // Always: a failed pull of an image we already have is not fatal (air-gapped nodes).
    if (policy === 'Always' && (await runtime.imageStatus(image))) return false;
    throw new ImagePullError(`Failed to pull image "${image}": ${(err as Error).message}`, 'ErrImagePull');
  }
}
