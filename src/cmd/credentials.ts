// Credentials for the control-plane components `k8ts server` runs in-process: each talks to the API
// server as its own user (a client certificate signed by the cluster CA), through its own kubeconfig.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { issueClientCert, readCa } from '../apiserver/authn/pki.js';
import { writeKubeconfig } from '../apiserver/authn/kubeconfig.js';

export interface ComponentIdentity {
  /** File name stem: `<data-dir>/<name>.kubeconfig`. */
  name: string;
  /** The user name, as upstream's components use. */
  user: string;
  groups?: string[];
}

export const SCHEDULER: ComponentIdentity = { name: 'scheduler', user: 'system:kube-scheduler' };
export const CONTROLLER_MANAGER: ComponentIdentity = { name: 'controller-manager', user: 'system:kube-controller-manager' };

/** Writes (or rewrites, when the server URL changed) a component's kubeconfig; returns its path. */
export async function componentKubeconfig(dataDir: string, serverUrl: string, who: ComponentIdentity): Promise<string> {
  const path = join(dataDir, `${who.name}.kubeconfig`);
  const ca = await readCa(dataDir);
  // A fresh certificate each start is cheap (ECDSA) and keeps expiry out of the picture.
  const cert = await issueClientCert(ca, { cn: who.user, orgs: who.groups ?? [] });
  await writeKubeconfig(path, {
    server: serverUrl,
    caPem: ca.certPem,
    clientCertPem: cert.certPem,
    clientKeyPem: cert.keyPem,
    user: who.user,
  });
  return path;
}

export function hasKubeconfig(dataDir: string, who: ComponentIdentity): boolean {
  return existsSync(join(dataDir, `${who.name}.kubeconfig`));
}
