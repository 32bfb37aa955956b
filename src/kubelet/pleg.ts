// The pod lifecycle event generator: one relist of the runtime per period (two CRI calls for the
// whole node), compared with the previous one; pods whose sandboxes or containers changed state
// are handed to their workers. This replaces per-pod polling of the runtime.

import type { ContainerRuntime } from '../runtime/types.js';
import { MANAGED_BY, POD_UID } from './labels.js';

/** Pod uid → a fingerprint of its sandboxes' and containers' ids and states. */
export type Snapshot = Map<string, string>;

export function fingerprint(sandboxes: Array<{ id: string; state: string; labels: Record<string, string> }>, containers: Array<{ id: string; state: string; labels: Record<string, string> }>): Snapshot {
  const parts = new Map<string, string[]>();
  const add = (uid: string | undefined, s: string) => {
    if (!uid) return;
    let l = parts.get(uid);
    if (!l) parts.set(uid, (l = []));
    l.push(s);
  };
  for (const s of sandboxes) add(s.labels[POD_UID], `s:${s.id}:${s.state}`);
  for (const c of containers) add(c.labels[POD_UID], `c:${c.id}:${c.state}`);
  const out: Snapshot = new Map();
  for (const [uid, l] of parts) out.set(uid, l.sort().join(','));
  return out;
}

/** Uids whose fingerprint differs between two snapshots (appeared, changed or vanished). */
export function changed(prev: Snapshot, next: Snapshot): string[] {
  const out: string[] = [];
  for (const [uid, f] of next) if (prev.get(uid) !== f) out.push(uid);
  for (const uid of prev.keys()) if (!next.has(uid)) out.push(uid);
  return out;
}

export class Pleg {
  private prev: Snapshot = new Map();
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  /** Relists done (tests). */
  relists = 0;

  constructor(
    private readonly runtime: ContainerRuntime,
    private readonly nodeName: string,
    /** A pod whose runtime state changed, with its new fingerprint ('' when it vanished). */
    private readonly onChange: (uid: string, fingerprint: string) => void,
    private readonly log: (msg: string) => void = () => {},
  ) {}

  async relist(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const labels = { [MANAGED_BY]: this.nodeName };
      const [sbs, cs] = await Promise.all([this.runtime.listPodSandboxes({ labels }), this.runtime.listContainers({ labels })]);
      const next = fingerprint(sbs, cs);
      const diff = changed(this.prev, next);
      this.prev = next;
      this.relists++;
      for (const uid of diff) this.onChange(uid, next.get(uid) ?? '');
    } catch (err) {
      this.log(`relist: ${(err as Error).message}`);
    } finally {
      this.busy = false;
    }
  }

  start(periodMs: number): void {
    this.timer = setInterval(() => void this.relist(), periodMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
