// The CNI bridge device of a node. The CNI bridge plugin refuses a second subnet on one bridge, so
// two nodes on one machine (`k8ts up` + `k8ts agent`, each with its own pod CIDR) need a bridge each:
// the default pod CIDR keeps `k8ts0`, any other CIDR gets `k8ts` + its network address in hex.

export const DEFAULT_POD_CIDR = '10.42.0.0/24';
export const DEFAULT_BRIDGE = 'k8ts0';

export function bridgeFor(podCidr: string = DEFAULT_POD_CIDR): string {
  if (podCidr === DEFAULT_POD_CIDR) return DEFAULT_BRIDGE;
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/\d+$/.exec(podCidr);
  if (!m) throw new Error(`pod CIDR ${podCidr} is not an IPv4 CIDR`);
  return 'k8ts' + m.slice(1, 5).map((o) => Number(o).toString(16).padStart(2, '0')).join('');
}

/** A Linux interface name: 1–15 characters, no '/', ':' or whitespace. */
export function checkBridgeName(name: string): string {
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(name)) throw new Error(`bridge name ${JSON.stringify(name)} must be 1–15 letters, digits, '_', '.' or '-'`);
  return name;
}
