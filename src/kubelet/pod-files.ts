// Files the kubelet provides to every container besides volumes: the pod's /etc/hosts and each
// container's termination-message file (read back into the terminated state's message).

import { existsSync, mkdirSync, openSync, readSync, closeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Mount } from '../runtime/types.js';
import type { ObservedPod } from './observed.js';
import type { Container, Pod } from './types.js';

const MAX_MESSAGE = 4096;

/** The managed hosts file: localhost entries, the pod's own name, and spec.hostAliases. */
export function hostsFile(pod: Pod, podIP: string, hostname: string): string {
  const lines = [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
  ];
  if (podIP) {
    const sub = pod.spec?.subdomain;
    const ns = pod.metadata?.namespace ?? 'default';
    lines.push(sub ? `${podIP}\t${hostname}.${sub}.${ns}.svc.cluster.local\t${hostname}` : `${podIP}\t${hostname}`);
  }
  const aliases = pod.spec?.hostAliases ?? [];
  if (aliases.length) {
    lines.push('', '# Entries added by HostAliases.');
    for (const a of aliases) lines.push(`${a.ip}\t${(a.hostnames ?? []).join('\t')}`);
  }
  return lines.join('\n') + '\n';
}

export class PodFiles {
  constructor(private readonly podDir: (uid: string) => string) {}

  private termPath(uid: string, name: string, restartCount: number): string {
    return join(this.podDir(uid), 'containers', name, String(restartCount));
  }

  /** The extra mounts of one container instance (writing the files they point at). */
  mounts(pod: Pod, c: Container, restartCount: number, podIP: string, hostname: string): Mount[] {
    const uid = pod.metadata?.uid ?? '';
    const out: Mount[] = [];
    const own = new Set((c.volumeMounts ?? []).map((m) => m.mountPath));
    if (!pod.spec?.hostNetwork && !own.has('/etc/hosts')) {
      const p = join(this.podDir(uid), 'etc-hosts');
      mkdirSync(this.podDir(uid), { recursive: true });
      writeFileSync(p, hostsFile(pod, podIP, hostname), { mode: 0o644 });
      out.push({ containerPath: '/etc/hosts', hostPath: p, readonly: false });
    }
    const termTarget = c.terminationMessagePath || '/dev/termination-log';
    if (!own.has(termTarget)) {
      const t = this.termPath(uid, c.name, restartCount);
      mkdirSync(join(t, '..'), { recursive: true });
      writeFileSync(t, '', { mode: 0o666 });
      out.push({ containerPath: termTarget, hostPath: t, readonly: false });
    }
    return out;
  }

  /** Fill in terminated containers' messages from their termination-message files. */
  addMessages(pod: Pod, observed: ObservedPod): void {
    const uid = pod.metadata?.uid ?? '';
    for (const c of observed.containers) {
      if (c.state !== 'CONTAINER_EXITED' || c.message) continue;
      const p = this.termPath(uid, c.name, c.restartCount);
      if (!existsSync(p)) continue;
      const buf = Buffer.alloc(MAX_MESSAGE);
      const fd = openSync(p, 'r');
      try {
        const n = readSync(fd, buf, 0, MAX_MESSAGE, 0);
        if (n > 0) c.message = buf.subarray(0, n).toString('utf8');
      } finally {
        closeSync(fd);
      }
    }
  }
}
