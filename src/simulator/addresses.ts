// Fake addresses: each simulated node gets an InternalIP from 172.16.0.0/12 and a /24 pod CIDR
// from 10.64.0.0/10 … 10.255.255.0, both derived from the node's index.

/** Nodes one process (or several with distinct offsets) can address: 10.64.0.0 – 10.255.255.0 in /24s. */
export const MAX_NODE_INDEX = (256 - 64) * 256 - 1;

export function nodeInternalIP(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index > MAX_NODE_INDEX) throw new RangeError(`node index ${index} out of range`);
  const n = index + 2; // 172.16.0.0 is the network, skip .1 too
  return `172.${16 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
}

export function nodePodCIDR(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index > MAX_NODE_INDEX) throw new RangeError(`node index ${index} out of range`);
  return `10.${64 + (index >> 8)}.${index & 255}.0/24`;
}

/**
 * Pod IPs within one node's /24 (or the first /24 of a wider IPv4 CIDR): .2 – .254, handed out round-robin
 * (as host-local IPAM does, so a freed address is not reused at once),
 * keyed by pod UID so a pod keeps its address across status writes.
 */
export class PodIPAllocator {
  private readonly base: string;
  private readonly byUid = new Map<string, number>();
  private readonly used = new Set<number>();
  private next = 2;

  constructor(cidr: string) {
    const m = /^(\d+)\.(\d+)\.(\d+)\.\d+\/\d+$/.exec(cidr);
    if (!m) throw new RangeError(`unsupported pod CIDR ${JSON.stringify(cidr)} (want IPv4)`);
    this.base = `${m[1]}.${m[2]}.${m[3]}.`;
  }

  /** The pod's address, allocating one if it has none; wraps around (reusing addresses) past 253 pods. */
  allocate(uid: string): string {
    const have = this.byUid.get(uid);
    if (have !== undefined) return this.base + have;
    let host = -1;
    for (let tries = 0; tries < 253; tries++) {
      const h = this.next;
      this.next = h >= 254 ? 2 : h + 1;
      if (!this.used.has(h)) {
        host = h;
        break;
      }
    }
    if (host < 0) host = this.next; // full: share an address rather than stall the pod
    this.used.add(host);
    this.byUid.set(uid, host);
    return this.base + host;
  }

  /** Records an address already in a pod's status (after a restart of the simulator). */
  adopt(uid: string, ip: string): boolean {
    if (!ip.startsWith(this.base)) return false;
    const host = Number(ip.slice(this.base.length));
    if (!Number.isInteger(host) || host < 1 || host > 254) return false;
    this.byUid.set(uid, host);
    this.used.add(host);
    return true;
  }

  release(uid: string): void {
    const h = this.byUid.get(uid);
    if (h === undefined) return;
    this.byUid.delete(uid);
    this.used.delete(h);
  }

  get size(): number {
    return this.byUid.size;
  }
}
