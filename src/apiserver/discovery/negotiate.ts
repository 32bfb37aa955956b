// Which discovery format an Accept header asks for: aggregated (apidiscovery.k8s.io v2 or
// v2beta1) or legacy JSON. Clients list preferences in order; the first one we serve wins.

import type { AggregatedVersion } from './documents.js';

export type DiscoveryFormat = { aggregated: AggregatedVersion } | { aggregated: false };

const JSON_TYPES = new Set(['application/json', 'application/*', '*/*']);

export const AGGREGATED_CONTENT_TYPE: Record<AggregatedVersion, string> = {
  v2: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
  v2beta1: 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList',
};

interface MediaRange {
  type: string;
  params: Map<string, string>;
  q: number;
}

export function parseAccept(accept: string): MediaRange[] {
  const out: MediaRange[] = [];
  for (const raw of accept.split(',')) {
    const [type, ...rest] = raw.split(';').map((s) => s.trim());
    if (!type) continue;
    const params = new Map<string, string>();
    let q = 1;
    for (const p of rest) {
      const i = p.indexOf('=');
      if (i <= 0) continue;
      const k = p.slice(0, i).trim().toLowerCase();
      const v = p.slice(i + 1).trim().replace(/^"(.*)"$/, '$1');
      if (k === 'q') q = Number(v);
      else params.set(k, v);
    }
    out.push({ type: type.toLowerCase(), params, q: Number.isFinite(q) ? q : 1 });
  }
  // Stable sort by q, keeping the client's order among equals.
  return out.map((m, i) => ({ m, i })).sort((a, b) => b.m.q - a.m.q || a.i - b.i).map((x) => x.m);
}

/** The format to answer `/api` or `/apis` with. Unknown or missing Accept → legacy JSON. */
export function chooseDiscoveryFormat(accept: string | undefined): DiscoveryFormat {
  if (!accept) return { aggregated: false };
  for (const m of parseAccept(accept)) {
    if (m.q <= 0 || !JSON_TYPES.has(m.type)) continue;
    const as = m.params.get('as');
    if (!as && !m.params.has('g') && !m.params.has('v')) return { aggregated: false };
    if (as === 'APIGroupDiscoveryList' && m.params.get('g') === 'apidiscovery.k8s.io') {
      const v = m.params.get('v');
      if (v === 'v2' || v === 'v2beta1') return { aggregated: v };
    }
  }
  return { aggregated: false };
}
