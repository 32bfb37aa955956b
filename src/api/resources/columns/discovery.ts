// Table columns for discovery.k8s.io/v1 EndpointSlices.

import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { TableColumn } from '../../registry.js';
import { ageColumn, column, listWithMore } from './format.js';

const MAX = 3;

function slicePorts(s: EndpointSlice): string {
  const ports = s.ports ?? [];
  const shown = ports.slice(0, MAX).map((p) => (p.port !== undefined && p.port !== null ? String(p.port) : (p.name ?? '*')));
  return listWithMore(shown, ports.length, MAX, '<unset>');
}

function sliceEndpoints(s: EndpointSlice): string {
  const addrs = (s.endpoints ?? []).flatMap((e) => e.addresses ?? []);
  return listWithMore(addrs.slice(0, MAX), addrs.length, MAX, '<unset>');
}

export const endpointSliceColumns: TableColumn[] = [
  column('AddressType', 'string', 'IPv4, IPv6 or FQDN.', (s: EndpointSlice) => s.addressType ?? ''),
  column('Ports', 'string', 'Ports of the slice, the first three.', slicePorts),
  column('Endpoints', 'string', 'Endpoint addresses, the first three.', sliceEndpoints),
  ageColumn(),
];
