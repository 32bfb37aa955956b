// Loading a kubeconfig for API clients: one context resolved to server + credentials.

import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';

/** The credentials one context of a kubeconfig resolves to. */
export interface ClientConfig {
  server: string;
  contextName?: string;
  /** The context's default namespace. */
  namespace?: string;
  caPem?: string;
  certPem?: string;
  keyPem?: string;
  token?: string;
  insecure?: boolean;
  tlsServerName?: string;
}

export class KubeconfigError extends Error {
  override name = 'KubeconfigError';
}

/** `$KUBECONFIG` (its first entry) or `~/.kube/config`. */
export function defaultKubeconfigPath(): string {
  const env = process.env['KUBECONFIG'];
  if (env) return env.split(':').filter(Boolean)[0] ?? env;
  return join(homedir(), '.kube', 'config');
}

/** Read and resolve a kubeconfig file (file references are relative to its directory). */
export async function loadKubeconfig(path: string = defaultKubeconfigPath(), opts: { context?: string } = {}): Promise<ClientConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new KubeconfigError(`cannot read kubeconfig ${path}: ${(err as Error).message}`, { cause: err });
  }
  return parseKubeconfig(text, { ...opts, baseDir: dirname(resolve(path)) });
}

export async function parseKubeconfig(text: string, opts: { context?: string; baseDir?: string } = {}): Promise<ClientConfig> {
  const doc = (parse(text) ?? {}) as Record<string, any>;
  const contextName: string | undefined = opts.context ?? doc['current-context'];
  if (!contextName) throw new KubeconfigError('kubeconfig has no current-context');
  const ctx = named(doc['contexts'], contextName)?.['context'];
  if (!ctx) throw new KubeconfigError(`context "${contextName}" not found in kubeconfig`);
  const cluster = named(doc['clusters'], ctx.cluster)?.['cluster'];
  if (!cluster) throw new KubeconfigError(`cluster "${ctx.cluster}" not found in kubeconfig`);
  const user = (named(doc['users'], ctx.user ?? '')?.['user'] ?? {}) as Record<string, any>;
  const base = opts.baseDir ?? process.cwd();
  const file = async (p: string | undefined) => (p ? readFile(isAbsolute(p) ? p : resolve(base, p), 'utf8') : undefined);

  const server = String(cluster.server ?? '');
  if (!server) throw new KubeconfigError(`cluster "${ctx.cluster}" has no server`);
  const out: ClientConfig = { server, contextName };
  if (ctx.namespace) out.namespace = ctx.namespace;
  const ca = cluster['certificate-authority-data'] ? unb64(cluster['certificate-authority-data']) : await file(cluster['certificate-authority']);
  if (ca) out.caPem = ca;
  if (cluster['insecure-skip-tls-verify']) out.insecure = true;
  if (cluster['tls-server-name']) out.tlsServerName = cluster['tls-server-name'];
  const cert = user['client-certificate-data'] ? unb64(user['client-certificate-data']) : await file(user['client-certificate']);
  if (cert) out.certPem = cert;
  const key = user['client-key-data'] ? unb64(user['client-key-data']) : await file(user['client-key']);
  if (key) out.keyPem = key;
  const token = user['token'] ?? (await file(user['tokenFile']))?.trim();
  if (token) out.token = token;
  return out;
}

function named(list: unknown, name: string): Record<string, any> | undefined {
  if (!Array.isArray(list)) return undefined;
  return list.find((e) => e && typeof e === 'object' && e.name === name);
}

function unb64(s: string): string {
  return Buffer.from(s, 'base64').toString('utf8');
}
