// ObjectSource over the API: ConfigMaps and Secrets by GET with a short cache (so a ConfigMap change
// reaches mounted files within the TTL plus a resync), and ServiceAccount tokens through TokenRequest.

import type { KubeObject } from '../api/registry.js';
import { CONFIGMAPS, isNotFound, SECRETS, SERVICE_ACCOUNTS, type RestClient } from '../client/index.js';
import type { ConfigMap, ObjectSource, Secret } from './types.js';

export class ApiObjectSource implements ObjectSource {
  private readonly cache = new Map<string, { at: number; value: Promise<KubeObject | undefined> }>();
  private readonly tokens = new Map<string, { token: string; refreshAt: number }>();

  constructor(
    private readonly client: RestClient,
    private readonly ttlMs = 2000,
  ) {}

  private get(kind: 'cm' | 'secret', ns: string, name: string): Promise<KubeObject | undefined> {
    const key = `${kind}/${ns}/${name}`;
    const hit = this.cache.get(key);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.value;
    const value = this.client
      .resource<KubeObject>(kind === 'cm' ? CONFIGMAPS : SECRETS)
      .get(ns, name)
      .catch((err) => {
        if (isNotFound(err)) return undefined;
        this.cache.delete(key);
        throw err;
      });
    this.cache.set(key, { at: Date.now(), value });
    return value;
  }

  /** Drop a cached object (an informer saw it change). */
  invalidate(kind: 'cm' | 'secret', ns: string, name: string): void {
    this.cache.delete(`${kind}/${ns}/${name}`);
  }

  async configMap(ns: string, name: string): Promise<ConfigMap | undefined> {
    return (await this.get('cm', ns, name)) as ConfigMap | undefined;
  }

  async secret(ns: string, name: string): Promise<Secret | undefined> {
    return (await this.get('secret', ns, name)) as Secret | undefined;
  }

  async serviceAccountToken(ns: string, sa: string, audience: string | undefined, expirationSeconds: number, pod: { name: string; uid: string }): Promise<string | undefined> {
    const key = `${ns}/${sa}/${audience ?? ''}/${pod.uid}`;
    const hit = this.tokens.get(key);
    if (hit && Date.now() < hit.refreshAt) return hit.token;
    try {
      const req = {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { audiences: audience ? [audience] : [], expirationSeconds, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.name, uid: pod.uid } },
      };
      const res = await this.client.resource<KubeObject>(SERVICE_ACCOUNTS).createSubresource<{ status?: { token?: string } }>(ns, sa, 'token', req);
      const token = res.status?.token;
      if (!token) return hit?.token;
      // Refresh at 80 % of the lifetime, as upstream's token manager.
      this.tokens.set(key, { token, refreshAt: Date.now() + expirationSeconds * 800 });
      return token;
    } catch {
      return hit?.token;
    }
  }
}
