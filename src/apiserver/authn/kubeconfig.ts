// Writing and reading kubeconfig files (the admin's `<data-dir>/kubeconfig.yaml`, components').

import { mkdir, readFile } from 'node:fs/promises';
import { dirname, resolve, isAbsolute } from 'node:path';
import { parse, stringify } from 'yaml';
import { writeFileAtomic } from './pki.js';

export interface WriteKubeconfigOptions {
  /** `https://host:port` */
  server: string;
  caPem: string;
  /** Client certificate credentials (omit for token-only configs). */
  clientCertPem?: string;
  clientKeyPem?: string;
  /** Bearer token credentials. */
  token?: string;
  /** Name of the user entry; default 'admin'. */
  user?: string;
  cluster?: string;
  context?: string;
  /** Default namespace of the context. */
  namespace?: string;
}

/** The kubeconfig document (as an object) for these credentials. */
export function buildKubeconfig(opts: WriteKubeconfigOptions): Record<string, unknown> {
  const cluster = opts.cluster ?? 'k8ts';
  const context = opts.context ?? 'k8ts';
  const user = opts.user ?? 'admin';
  const userEntry: Record<string, string> = {};
  if (opts.clientCertPem) userEntry['client-certificate-data'] = b64(opts.clientCertPem);
  if (opts.clientKeyPem) userEntry['client-key-data'] = b64(opts.clientKeyPem);
  if (opts.token) userEntry['token'] = opts.token;
  const ctx: Record<string, string> = { cluster, user };
  if (opts.namespace) ctx['namespace'] = opts.namespace;
  return {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [{ name: cluster, cluster: { server: opts.server, 'certificate-authority-data': b64(opts.caPem) } }],
    users: [{ name: user, user: userEntry }],
    contexts: [{ name: context, context: ctx }],
    'current-context': context,
  };
}

/** Write a kubeconfig (mode 0600), creating its directory. */
export async function writeKubeconfig(path: string, opts: WriteKubeconfigOptions): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, stringify(buildKubeconfig(opts)), 0o600);
}

/** The credentials one context of a kubeconfig resolves to. */
export interface LoadedKubeconfig {
  server: string;
  contextName: string;
  clusterName: string;
  userName: string;
  namespace?: string;
  /** CA bundle PEM (from `certificate-authority-data` or the `certificate-authority` file). */
  caPem?: string;
  insecureSkipTlsVerify?: boolean;
  tlsServerName?: string;
  clientCertPem?: string;
  clientKeyPem?: string;
  token?: string;
  username?: string;
  password?: string;
}

export class KubeconfigError extends Error {
  override name = 'KubeconfigError';
}

/**
 * Parse a kubeconfig and resolve a context (default: `current-context`). File references
 * (`certificate-authority`, `client-certificate`, `client-key`, `tokenFile`) are read relative
 * to the kubeconfig's directory.
 */
export async function loadKubeconfig(path: string, opts: { context?: string } = {}): Promise<LoadedKubeconfig> {
  const text = await readFile(path, 'utf8');
  return parseKubeconfig(text, { ...opts, baseDir: dirname(resolve(path)) });
}

export async function parseKubeconfig(
  text: string,
  opts: { context?: string; baseDir?: string } = {},
): Promise<LoadedKubeconfig> {
  const doc = (parse(text) ?? {}) as Record<string, any>;
  const contextName: string | undefined = opts.context ?? doc['current-context'];
  if (!contextName) throw new KubeconfigError('kubeconfig has no current-context');
  const ctx = named(doc['contexts'], contextName)?.context;
  if (!ctx) throw new KubeconfigError(`context "${contextName}" not found in kubeconfig`);
  const clusterName: string = ctx.cluster;
  const cluster = named(doc['clusters'], clusterName)?.cluster;
  if (!cluster) throw new KubeconfigError(`cluster "${clusterName}" not found in kubeconfig`);
  const userName: string = ctx.user ?? '';
  const user = (named(doc['users'], userName)?.user ?? {}) as Record<string, any>;
  const base = opts.baseDir ?? process.cwd();
  const file = async (p: string | undefined) => (p ? readFile(isAbsolute(p) ? p : resolve(base, p), 'utf8') : undefined);

  const out: LoadedKubeconfig = {
    server: String(cluster.server ?? ''),
    contextName,
    clusterName,
    userName,
  };
  if (!out.server) throw new KubeconfigError(`cluster "${clusterName}" has no server`);
  if (ctx.namespace) out.namespace = ctx.namespace;
  const ca = cluster['certificate-authority-data'] ? unb64(cluster['certificate-authority-data']) : await file(cluster['certificate-authority']);
  if (ca) out.caPem = ca;
  if (cluster['insecure-skip-tls-verify']) out.insecureSkipTlsVerify = true;
  if (cluster['tls-server-name']) out.tlsServerName = cluster['tls-server-name'];
  const cert = user['client-certificate-data'] ? unb64(user['client-certificate-data']) : await file(user['client-certificate']);
  if (cert) out.clientCertPem = cert;
  const key = user['client-key-data'] ? unb64(user['client-key-data']) : await file(user['client-key']);
  if (key) out.clientKeyPem = key;
  const token = user['token'] ?? (await file(user['tokenFile']))?.trim();
  if (token) out.token = token;
  if (user['username']) out.username = user['username'];
  if (user['password']) out.password = user['password'];
  return out;
}

function named(list: unknown, name: string): Record<string, any> | undefined {
  if (!Array.isArray(list)) return undefined;
  return list.find((e) => e && typeof e === 'object' && e.name === name);
}

function b64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

function unb64(s: string): string {
  return Buffer.from(s, 'base64').toString('utf8');
}
