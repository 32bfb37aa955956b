// `GET /version`. kubectl's dispatcher picks `kubectl.1.<minor>` from `minor`, so it must stay
// "32" while we implement 1.32's API; gitVersion stays valid semver with major.minor 1.32.

import { arch, platform } from 'node:process';
import { errors } from '../../api/status.js';
import type { PathHandler } from '../http/types.js';

export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
  platform: string;
}

export const KUBE_MAJOR = '1';
export const KUBE_MINOR = '32';
export const GIT_VERSION = `v${KUBE_MAJOR}.${KUBE_MINOR}.0-k8ts`;

const GOARCH: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

/** Upstream's date format: RFC 3339 in UTC without fractional seconds. */
function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function versionInfo(overrides: Partial<VersionInfo> = {}): VersionInfo {
  return {
    major: KUBE_MAJOR,
    minor: KUBE_MINOR,
    gitVersion: GIT_VERSION,
    gitCommit: process.env['K8TS_GIT_COMMIT'] ?? '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: process.env['K8TS_BUILD_DATE'] ?? rfc3339(new Date(Date.now() - process.uptime() * 1000)),
    goVersion: process.version,
    compiler: 'k8ts',
    platform: `${platform}/${GOARCH[arch] ?? arch}`,
    ...overrides,
  };
}

export function versionHandler(info: VersionInfo = versionInfo()): PathHandler {
  const body = JSON.stringify(info, null, 2);
  return (req, res, url) => {
    if (url.pathname !== '/version' && url.pathname !== '/version/') return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') throw errors.methodNotAllowed('the server does not allow this method on the requested resource');
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}
