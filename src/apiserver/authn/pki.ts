// The cluster PKI: a CA generated at first start, the apiserver's serving certificate and client
// certificates (CN = user name, O = groups) for the admin and for components.
//
// Keys are ECDSA P-256 in PKCS#8 PEM ("PRIVATE KEY"); Go's crypto/tls (kubectl, client-go) and
// Node's tls both accept them. Key files are written 0600.

import { webcrypto, X509Certificate as NodeX509, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile, chmod, rename } from 'node:fs/promises';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import './reflect-shim.js';
import * as x509 from '@peculiar/x509';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const crypto = webcrypto;
x509.cryptoProvider.set(crypto as any);

const ALG: webcrypto.EcKeyGenParams & webcrypto.EcKeyImportParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGN: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
const DAY_MS = 24 * 60 * 60 * 1000;

/** A CA able to sign: its certificate (PEM) and its private key. */
export interface CertificateAuthority {
  certPem: string;
  keyPem: string;
  /** Parsed forms, for signing without re-parsing. */
  cert: x509.X509Certificate;
  key: CryptoKey;
}

/** A certificate and its private key, both PEM. */
export interface CertKeyPair {
  certPem: string;
  keyPem: string;
}

export interface Pki {
  dir: string;
  ca: CertificateAuthority;
  serving: CertKeyPair;
  admin: CertKeyPair;
  /** File paths, for servers and kubeconfigs that want paths. */
  files: {
    caCert: string;
    caKey: string;
    servingCert: string;
    servingKey: string;
    adminCert: string;
    adminKey: string;
  };
}

export interface EnsurePkiOptions {
  /** Extra DNS names / IP addresses for the serving certificate. */
  hosts?: string[];
}

/** The names every serving certificate carries, plus the machine's hostname. */
export function defaultServingHosts(): string[] {
  return [
    'localhost',
    '127.0.0.1',
    '::1',
    hostname(),
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    'kubernetes.default.svc.cluster.local',
  ];
}

/**
 * Make sure `<dataDir>/pki/` holds the cluster CA, the serving certificate and the admin client
 * certificate; generate what is missing. The serving certificate is re-issued when it lacks a
 * requested host, was not signed by the current CA, or expires within 30 days.
 */
export async function ensurePki(dataDir: string, opts: EnsurePkiOptions = {}): Promise<Pki> {
  const dir = join(dataDir, 'pki');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const files = {
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    servingCert: join(dir, 'apiserver.crt'),
    servingKey: join(dir, 'apiserver.key'),
    adminCert: join(dir, 'admin.crt'),
    adminKey: join(dir, 'admin.key'),
  };

  let ca: CertificateAuthority;
  const existingCa = await readPair(files.caCert, files.caKey);
  if (existingCa) {
    ca = await loadCa(existingCa.certPem, existingCa.keyPem);
  } else {
    ca = await createCa({ cn: 'k8ts-ca', days: 3650 });
    await writePair(files.caCert, files.caKey, ca);
  }

  const hosts = uniq([...defaultServingHosts(), ...(opts.hosts ?? [])]);
  let serving = await readPair(files.servingCert, files.servingKey);
  if (!serving || !servingCertCovers(serving.certPem, ca.certPem, hosts)) {
    serving = await issueServingCert(ca, { cn: 'kube-apiserver', hosts, days: 365 });
    await writePair(files.servingCert, files.servingKey, serving);
  }

  let admin = await readPair(files.adminCert, files.adminKey);
  if (!admin || !signedBy(admin.certPem, ca.certPem, 0)) {
    admin = await issueClientCert(ca, { cn: 'admin', orgs: ['system:masters'], days: 365 });
    await writePair(files.adminCert, files.adminKey, admin);
  }

  return { dir, ca, serving, admin, files };
}

/** A new self-signed CA. */
export async function createCa(opts: { cn: string; days: number }): Promise<CertificateAuthority> {
  const keys = await generateKeys();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: [{ CN: [opts.cn] }],
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + opts.days * DAY_MS),
    keys,
    signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const keyPem = await exportKeyPem(keys.privateKey);
  return { certPem: cert.toString('pem') + '\n', keyPem, cert, key: keys.privateKey };
}

/** Parse a CA from PEM (certificate and PKCS#8 key). */
export async function loadCa(certPem: string, keyPem: string): Promise<CertificateAuthority> {
  const cert = new x509.X509Certificate(certPem);
  const der = x509.PemConverter.decodeFirst(keyPem);
  const key = await crypto.subtle.importKey('pkcs8', der, ALG, false, ['sign']);
  return { certPem, keyPem, cert, key };
}

/** Read a CA from `<dataDir>/pki/ca.crt` and `ca.key` (for components that sign certificates). */
export async function readCa(dataDir: string): Promise<CertificateAuthority> {
  const dir = join(dataDir, 'pki');
  return loadCa(await readFile(join(dir, 'ca.crt'), 'utf8'), await readFile(join(dir, 'ca.key'), 'utf8'));
}

export interface ClientCertOptions {
  /** Common name: the user name (e.g. `system:kube-scheduler`, `system:node:n1`). */
  cn: string;
  /** Organizations: the user's groups (e.g. `system:masters`, `system:nodes`). */
  orgs?: string[];
  /** Validity in days; default 365. */
  days?: number;
}

/** A client certificate (clientAuth) for `cn`/`orgs`, signed by `ca`. */
export async function issueClientCert(ca: CertificateAuthority, opts: ClientCertOptions): Promise<CertKeyPair> {
  const subject: x509.JsonName = [{ CN: [opts.cn] }];
  // One RDN per organization (not one multi-valued RDN): what Go and Node parse as a list of O.
  for (const o of opts.orgs ?? []) subject.push({ O: [o] });
  return issue(ca, subject, opts.days ?? 365, [x509.ExtendedKeyUsage.clientAuth], []);
}

/** A serving certificate (serverAuth) for DNS names and IP addresses in `hosts`, signed by `ca`. */
export async function issueServingCert(
  ca: CertificateAuthority,
  opts: { cn: string; hosts: string[]; days?: number },
): Promise<CertKeyPair> {
  const names: x509.JsonGeneralName[] = uniq(opts.hosts).map((h) => ({ type: isIP(h) ? 'ip' : 'dns', value: h }));
  return issue(ca, [{ CN: [opts.cn] }], opts.days ?? 365, [x509.ExtendedKeyUsage.serverAuth], names);
}

/** True when `certPem` was signed by `caPem`, is valid now and for `minDays` more days. */
export function signedBy(certPem: string, caPem: string, minDays = 30): boolean {
  try {
    const cert = new NodeX509(certPem);
    const ca = new NodeX509(caPem);
    if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return false;
    const until = Date.parse(cert.validTo);
    return until - Date.now() > minDays * DAY_MS;
  } catch {
    return false;
  }
}

/** True when the serving cert is signed by the CA, not about to expire, and names every host. */
export function servingCertCovers(certPem: string, caPem: string, hosts: string[]): boolean {
  if (!signedBy(certPem, caPem)) return false;
  const cert = new NodeX509(certPem);
  return hosts.every((h) => (isIP(h) ? cert.checkIP(h) !== undefined : cert.checkHost(h, { wildcards: false }) !== undefined));
}

// --- internals ---

async function issue(
  ca: CertificateAuthority,
  subject: x509.JsonName,
  days: number,
  usages: x509.ExtendedKeyUsage[],
  sans: x509.JsonGeneralName[],
): Promise<CertKeyPair> {
  const keys = await generateKeys();
  const now = Date.now();
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension(usages, false),
    await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
  ];
  if (sans.length) extensions.push(new x509.SubjectAlternativeNameExtension(sans, false));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject,
    issuer: ca.cert.subjectName,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(Math.min(now + days * DAY_MS, ca.cert.notAfter.getTime())),
    publicKey: keys.publicKey,
    signingKey: ca.key,
    signingAlgorithm: SIGN,
    extensions,
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await exportKeyPem(keys.privateKey) };
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function exportKeyPem(key: CryptoKey): Promise<string> {
  const der = await crypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY') + '\n';
}

/** A positive 128-bit serial number in hex (high bit cleared so DER needs no sign byte). */
function serial(): string {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x01;
  return b.toString('hex');
}

async function readPair(certPath: string, keyPath: string): Promise<CertKeyPair | undefined> {
  try {
    return { certPem: await readFile(certPath, 'utf8'), keyPem: await readFile(keyPath, 'utf8') };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

async function writePair(certPath: string, keyPath: string, pair: CertKeyPair): Promise<void> {
  await writeFileAtomic(keyPath, pair.keyPem, 0o600);
  await writeFileAtomic(certPath, pair.certPem, 0o644);
}

/** Write via a temporary file and rename, so a crash never leaves half a key. */
export async function writeFileAtomic(path: string, data: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, data, { mode });
  await chmod(tmp, mode);
  await rename(tmp, path);
}

function uniq(xs: string[]): string[] {
  return [...new Set(xs.filter((x) => x.length > 0))];
}
