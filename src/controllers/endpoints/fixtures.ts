// Test fixtures: a Service selecting app=web in namespace ns, and its pods.

import type { Pod, Service } from 'kubernetes-types/core/v1.js';

export function svc(extra: Partial<NonNullable<Service['spec']>> = {}, name = 'web'): Service {
  return {
    metadata: { name, namespace: 'ns', uid: 'svc-uid', labels: { app: 'web' } },
    spec: { selector: { app: 'web' }, clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }], ...extra },
  };
}

export function pod(name: string, ip: string, opts: { ready?: boolean; node?: string; deleting?: boolean; phase?: string; ports?: Array<{ name: string; containerPort: number; protocol?: string }>; hostname?: string; subdomain?: string } = {}): Pod {
  return {
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, labels: { app: 'web' }, ...(opts.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: {
      nodeName: opts.node ?? 'n1',
      containers: [{ name: 'c', image: 'x', ports: opts.ports ?? [{ name: 'http', containerPort: 8080 }] }],
      ...(opts.hostname ? { hostname: opts.hostname } : {}),
      ...(opts.subdomain ? { subdomain: opts.subdomain } : {}),
    },
    status: { phase: opts.phase ?? 'Running', podIP: ip, conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
  };
}
