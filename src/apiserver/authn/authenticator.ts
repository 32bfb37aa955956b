// Request authentication: x509 client certificates verified by the TLS layer, and static bearer
// tokens (the node-join token, test tokens, a token file). The router answers 401 when every
// authenticator returns null.
//
// The https server must be created with `requestCert: true, rejectUnauthorized: false` and
// `ca: <cluster CA>`: the handshake then succeeds without a certificate (so token and anonymous
// requests still reach us) and `socket.authorized` tells whether a presented one chains to the CA.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { TLSSocket, type PeerCertificate } from 'node:tls';
import type { Authenticator, UserInfo } from '../http/types.js';

export const AUTHENTICATED_GROUP = 'system:authenticated';

/** Add `system:authenticated` to a user's groups (once). */
export function withAuthenticatedGroup(user: UserInfo): UserInfo {
  if (user.groups.includes(AUTHENTICATED_GROUP)) return user;
  return { ...user, groups: [...user.groups, AUTHENTICATED_GROUP] };
}

/** The user of a peer certificate: CN → name, each O → a group. Null without a usable CN. */
export function userFromCertificate(cert: PeerCertificate): UserInfo | null {
  const subject = (cert?.subject ?? {}) as unknown as Record<string, string | string[] | undefined>;
  const cn = first(subject['CN']);
  if (!cn) return null;
  const orgs = subject['O'];
  const groups = orgs === undefined ? [] : Array.isArray(orgs) ? [...orgs] : [orgs];
  return withAuthenticatedGroup({ name: cn, groups });
}

/**
 * Authenticates by the TLS client certificate. Only certificates the TLS layer verified against
 * the server's `ca` (`socket.authorized`) count. The result is cached per connection.
 */
export function x509Authenticator(): Authenticator {
  const cache = new WeakMap<TLSSocket, UserInfo | null>();
  return (req: IncomingMessage) => {
    const socket = req.socket;
    if (!(socket instanceof TLSSocket)) return null;
    if (cache.has(socket)) return cache.get(socket)!;
    let user: UserInfo | null = null;
    if (socket.authorized) {
      const cert = socket.getPeerCertificate();
      if (cert && Object.keys(cert).length > 0) user = userFromCertificate(cert);
    }
    cache.set(socket, user);
    return user;
  };
}

/** The bearer token of a request, or undefined. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1] : undefined;
}

/**
 * Authenticates `Authorization: Bearer <token>` against a fixed set of tokens. Tokens are kept
 * only as SHA-256 digests and compared in constant time.
 */
export function tokenAuthenticator(tokens: Map<string, UserInfo> | Record<string, UserInfo>): Authenticator {
  const byDigest = new Map<string, { digest: Buffer; user: UserInfo }>();
  const entries = tokens instanceof Map ? [...tokens] : Object.entries(tokens);
  for (const [token, user] of entries) {
    const digest = sha256(token);
    byDigest.set(digest.toString('hex'), { digest, user: withAuthenticatedGroup(user) });
  }
  return (req: IncomingMessage) => {
    const token = bearerToken(req);
    if (!token) return null;
    const digest = sha256(token);
    const hit = byDigest.get(digest.toString('hex'));
    if (!hit || !timingSafeEqual(hit.digest, digest)) return null;
    return hit.user;
  };
}

/** Tries each authenticator in turn; the first user found wins. */
export function unionAuthenticator(...authenticators: Authenticator[]): Authenticator {
  return (req) => {
    for (const a of authenticators) {
      const u = a(req);
      if (u) return u;
    }
    return null;
  };
}

export interface AuthenticatorOptions {
  /** Accept verified client certificates; default true. */
  clientCertificates?: boolean;
  /** Static bearer tokens. */
  tokens?: Map<string, UserInfo> | Record<string, UserInfo>;
  /** More authenticators (e.g. service-account JWTs), tried after certificates and tokens. */
  extra?: Authenticator[];
}

/** The apiserver's authenticator: client certificates, then static tokens, then `extra`. */
export function createAuthenticator(opts: AuthenticatorOptions = {}): Authenticator {
  const chain: Authenticator[] = [];
  if (opts.clientCertificates !== false) chain.push(x509Authenticator());
  if (opts.tokens) chain.push(tokenAuthenticator(opts.tokens));
  chain.push(...(opts.extra ?? []));
  return unionAuthenticator(...chain);
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

// Token files live in tokens.ts; re-exported here because they are part of setting authn up.
export { createTokenFile, ensureNodeToken, loadTokenFile, NODE_TOKEN_USER } from './tokens.js';
