// Table columns for networking.k8s.io/v1 kinds.

import type { Ingress, IngressClass, NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import type { TableColumn } from '../../registry.js';
import { formatLabelSelector } from '../../selectors/index.js';
import { ageColumn, column, loadBalancerAddresses } from './format.js';

function ingressHosts(i: Ingress): string {
  const rules = i.spec?.rules ?? [];
  const max = 3;
  const hosts: string[] = [];
  let more = false;
  for (const r of rules) {
    if (hosts.length === max) more = true;
    if (!more && r.host) hosts.push(r.host);
  }
  if (hosts.length === 0) return '*';
  return more ? `${hosts.join(',')} + ${rules.length - max} more...` : hosts.join(',');
}

export const ingressColumns: TableColumn[] = [
  column('Class', 'string', 'The IngressClass handling this ingress.', (i: Ingress) => i.spec?.ingressClassName ?? '<none>'),
  column('Hosts', 'string', 'Hosts the rules match, the first three.', ingressHosts),
  column('Address', 'string', 'Load-balancer addresses.', (i: Ingress) => loadBalancerAddresses(i.status?.loadBalancer?.ingress)),
  column('Ports', 'string', '80, and 443 when TLS is configured.', (i: Ingress) => ((i.spec?.tls ?? []).length > 0 ? '80, 443' : '80')),
  ageColumn(),
];

function ingressClassParameters(c: IngressClass): string {
  const p = c.spec?.parameters;
  if (!p) return '<none>';
  return `${p.kind}${p.apiGroup ? `.${p.apiGroup}` : ''}/${p.name}`;
}

export const ingressClassColumns: TableColumn[] = [
  column('Controller', 'string', 'The controller implementing the class.', (c: IngressClass) => c.spec?.controller ?? ''),
  column('Parameters', 'string', 'kind.group/name of the parameters object.', ingressClassParameters),
  ageColumn(),
];

export const networkPolicyColumns: TableColumn[] = [
  column('Pod-Selector', 'string', 'The pods the policy applies to.', (n: NetworkPolicy) => formatLabelSelector(n.spec?.podSelector ?? {})),
  ageColumn(),
];
