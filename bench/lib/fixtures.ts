// Objects and paths the suites create: small ConfigMaps carrying a sequence number.

import type { BenchClient } from './client.js';

/** The data key holding each object's sequence number (watchers find it with scanIntField). */
export const SEQ_FIELD = 'benchSeq';

const PAYLOAD = 'x'.repeat(128);

export function configMap(name: string, seq: number): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, labels: { app: 'k8ts-bench' } },
    data: { [SEQ_FIELD]: String(seq), payload: PAYLOAD },
  };
}

export const configMapsPath = (ns: string) => `/api/v1/namespaces/${ns}/configmaps`;

/** Creates a namespace; returns the resourceVersion of the create (a point to watch from). */
export async function createNamespace(client: BenchClient, name: string): Promise<string> {
  const ns = await client.call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return String(ns.metadata.resourceVersion);
}

/** Creates `count` ConfigMaps named `<prefix><i>` with `concurrency` requests in flight (not timed). */
export async function fill(client: BenchClient, ns: string, prefix: string, count: number, concurrency: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      await client.call('POST', configMapsPath(ns), configMap(`${prefix}${i}`, i));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
