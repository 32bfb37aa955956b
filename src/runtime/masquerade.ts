// Outbound NAT for a node's pods: one MASQUERADE rule for the whole pod CIDR, ensured once at start.
// The CNI bridge plugin's own `ipMasq` would instead create a chain and run iptables several times for
// every pod on each ADD and DEL — a large share of sandbox start-up CPU when many pods start at once.

import { execFile } from 'node:child_process';

/** The rule's arguments after `-t nat <-C|-A>`. Traffic between pods (and to Service backends) is not NATed. */
export function masqueradeRule(podCidr: string, bridge: string): string[] {
  return ['POSTROUTING', '-s', podCidr, '!', '-d', podCidr, '-m', 'comment', '--comment', `k8ts: pods on ${bridge}`, '-j', 'MASQUERADE'];
}

type Run = (args: string[]) => Promise<number>;

const iptables: Run = (args) =>
  new Promise((resolve, reject) =>
    execFile('iptables', ['-w', '5', ...args], (err) => {
      if (!err) resolve(0);
      else if ((err as NodeJS.ErrnoException).code === 'ENOENT') reject(new Error('iptables is not installed: pods cannot reach outside the node'));
      else resolve(typeof err.code === 'number' ? err.code : 1);
    }),
  );

/** Adds the rule unless it is there already (a restart keeps it). */
export async function ensureMasquerade(podCidr: string, bridge: string, run: Run = iptables): Promise<void> {
  const rule = masqueradeRule(podCidr, bridge);
  if ((await run(['-t', 'nat', '-C', ...rule])) === 0) return;
  const code = await run(['-t', 'nat', '-A', ...rule]);
  if (code !== 0) throw new Error(`iptables -t nat -A ${rule.join(' ')} failed (exit ${code})`);
}

/** Deletes the rule (tests and throw-away nodes; a node keeps it across restarts). */
export async function removeMasquerade(podCidr: string, bridge: string, run: Run = iptables): Promise<void> {
  const rule = masqueradeRule(podCidr, bridge);
  while ((await run(['-t', 'nat', '-D', ...rule])) === 0) {
    /* once per copy */
  }
}
