// Test helper: play kubelet for pods nobody runs — mark every pod Running and Ready through the
// pods/status subresource (optionally after a delay), so workload controllers can be tested
// against a real API server without nodes.

import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/registry.js';
import { PODS, SharedInformer, isConflict, isNotFound, type RestClient } from '../../client/index.js';
import { isPodReady } from './pods.js';

export interface FakeKubelet {
  /** Stop marking pods ready (pods already ready stay ready). */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

export function startFakeKubelet(client: RestClient, opts: { delayMs?: number; namespace?: string } = {}): FakeKubelet {
  const inf = new SharedInformer<Pod & KubeObject>(client, PODS, opts.namespace ? { namespace: opts.namespace } : {});
  const pods = client.resource<Pod & KubeObject>(PODS);
  let paused = false;
  const pending = new Set<string>();
  const markReady = async (p: Pod & KubeObject) => {
    const key = `${p.metadata?.namespace}/${p.metadata?.name}`;
    if (paused || pending.has(key) || isPodReady(p) || p.metadata?.deletionTimestamp) return;
    pending.add(key);
    try {
      if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
      const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      for (let i = 0; i < 5; i++) {
        const cur = i === 0 ? p : await pods.get(p.metadata?.namespace, p.metadata!.name!);
        const containers = (cur.spec?.containers ?? []).map((c) => ({
          name: c.name,
          image: c.image ?? '',
          imageID: '',
          ready: true,
          started: true,
          restartCount: 0,
          state: { running: { startedAt: now } },
        }));
        try {
          await pods.updateStatus(p.metadata?.namespace, {
            ...cur,
            status: {
              phase: 'Running',
              startTime: now,
              podIP: '10.0.0.1',
              conditions: [
                { type: 'Initialized', status: 'True', lastTransitionTime: now },
                { type: 'ContainersReady', status: 'True', lastTransitionTime: now },
                { type: 'Ready', status: 'True', lastTransitionTime: now },
                { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
              ],
              containerStatuses: containers,
            },
          });
          break;
        } catch (err) {
          if (isNotFound(err)) break;
          if (!isConflict(err)) throw err;
        }
      }
    } catch {
      // the next event retries
    } finally {
      pending.delete(key);
    }
  };
  inf.addEventHandler({ onAdd: (p) => void markReady(p), onUpdate: (_o, p) => void markReady(p) });
  inf.start();
  return {
    pause: () => (paused = true),
    resume: () => {
      paused = false;
      for (const p of inf.indexer.list()) void markReady(p);
    },
    stop: () => inf.stop(),
  };
}
