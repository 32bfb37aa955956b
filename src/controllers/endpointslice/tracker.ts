// Remembers the slice writes not yet seen in the informer cache, per Service, so a sync never
// works from a cache that misses our own writes (which would create duplicate slices).
// Upstream keeps generations; our resourceVersions are store revisions, so they order writes.

import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';

type Expect = { kind: 'written'; rv: bigint } | { kind: 'deleted' };

function rvOf(s: EndpointSlice | undefined): bigint | undefined {
  const rv = s?.metadata?.resourceVersion;
  if (!rv || !/^\d+$/.test(rv)) return undefined;
  return BigInt(rv);
}

export class SliceTracker {
  private readonly byService = new Map<string, Map<string, Expect>>();

  written(serviceKey: string, slice: EndpointSlice): void {
    const name = slice.metadata?.name;
    const rv = rvOf(slice);
    if (!name || rv === undefined) return;
    this.entries(serviceKey).set(name, { kind: 'written', rv });
  }

  deleted(serviceKey: string, name: string): void {
    this.entries(serviceKey).set(name, { kind: 'deleted' });
  }

  /** Whether the cache (lookup by slice name) shows every write made for the Service; forgets those it shows. */
  caughtUp(serviceKey: string, lookup: (name: string) => EndpointSlice | undefined): boolean {
    const m = this.byService.get(serviceKey);
    if (!m) return true;
    for (const [name, e] of m) {
      const cached = lookup(name);
      const seen = e.kind === 'deleted' ? !cached : (rvOf(cached) ?? -1n) >= e.rv;
      if (seen) m.delete(name);
    }
    if (m.size === 0) this.byService.delete(serviceKey);
    return m.size === 0;
  }

  forget(serviceKey: string): void {
    this.byService.delete(serviceKey);
  }

  private entries(key: string): Map<string, Expect> {
    let m = this.byService.get(key);
    if (!m) this.byService.set(key, (m = new Map()));
    return m;
  }
}
