// Token files: the node-join token (`<data-dir>/node-token`) and static token files in upstream's
// `--token-auth-file` CSV format (`token,user,uid,"group1,group2"`).

import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { UserInfo } from '../http/types.js';
import { writeFileAtomic } from './pki.js';

/**
 * Who the node token authenticates as. `k8ts agent` uses it to join; authorization decides what
 * this identity may do (at least: create CSRs / register as a node).
 */
export const NODE_TOKEN_USER: UserInfo = {
  name: 'system:k8ts:node-join',
  groups: ['system:bootstrappers', 'system:nodes'],
};

/** A random token: 64 hex characters (256 bits). */
export function randomToken(): string {
  return randomBytes(32).toString('hex');
}

/**
 * A node-join token. With the cluster CA it has k3s' shape, `K10<sha256 of CA DER>::node:<secret>`,
 * so an agent holding only the token can check the CA it is offered (see `parseNodeToken`).
 */
export function newNodeToken(caPem?: string): string {
  const secret = randomToken();
  return caPem ? `K10${caHash(caPem)}::node:${secret}` : secret;
}

/** Hex SHA-256 of the CA certificate's DER (the hash a node token carries). */
export function caHash(caPem: string): string {
  return createHash('sha256').update(new X509Certificate(caPem).raw).digest('hex');
}

/** The parts of a node token; `caHash` is undefined for a bare secret. */
export function parseNodeToken(token: string): { caHash?: string; secret: string } {
  const m = /^K10([0-9a-f]{64})::[^:]+:(.+)$/.exec(token.trim());
  return m ? { caHash: m[1]!, secret: m[2]! } : { secret: token.trim() };
}

/**
 * Read `path`, or create it (mode 0600) holding a new token; returns the token either way.
 * `make` builds the new token (default: `randomToken`).
 */
export async function createTokenFile(path: string, make: () => string = randomToken): Promise<string> {
  try {
    const existing = (await readFile(path, 'utf8')).trim();
    if (existing) return existing;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const token = make();
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, token + '\n', 0o600);
  return token;
}

/** `<dataDir>/node-token`, created at first start; pass the CA to get a CA-pinning token. */
export async function ensureNodeToken(dataDir: string, caPem?: string): Promise<string> {
  return createTokenFile(join(dataDir, 'node-token'), () => newNodeToken(caPem));
}

/** Parse a static token file: `token,user,uid[,"group1,group2"]` per line; `#` comments. */
export function parseTokenCsv(text: string): Map<string, UserInfo> {
  const out = new Map<string, UserInfo>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const cols = splitCsv(line);
    if (cols.length < 3) throw new Error(`token file line has fewer than 3 columns: ${line.slice(0, 20)}…`);
    const [token, name, uid, groups] = cols as [string, string, string, string | undefined];
    const user: UserInfo = { name, groups: groups ? groups.split(',').map((g) => g.trim()).filter(Boolean) : [] };
    if (uid) user.uid = uid;
    out.set(token, user);
  }
  return out;
}

export async function loadTokenFile(path: string): Promise<Map<string, UserInfo>> {
  return parseTokenCsv(await readFile(path, 'utf8'));
}

function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}
