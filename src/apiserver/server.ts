// Assembles the API server: store, PKI and credentials, registry, watch caches, handlers, HTTPS.

import { createServer, type Server } from 'node:https';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeObject, Registry, ResourceDef } from '../api/registry.js';
import { StatusError } from '../api/status.js';
import { storagePrefix } from '../api/registry.js';
import { registry as defaultRegistry } from '../api/resources/index.js';
import { openStore } from '../storage/open.js';
import { startCompactor } from '../storage/compactor.js';
import type { Store } from '../storage/store.js';
import { ensurePki, issueClientCert } from './authn/pki.js';
import { createStreamingHandler } from './streaming/index.js';
import { writeKubeconfig } from './authn/kubeconfig.js';
import { createAuthenticator, ensureNodeToken, NODE_TOKEN_USER } from './authn/authenticator.js';
import { discoveryHandler } from './discovery/handler.js';
import { HealthChecks } from './health/checks.js';
import { healthHandler } from './health/handler.js';
import { versionHandler } from './health/version.js';
import { createApiserverMetrics } from './metrics/metrics.js';
import { metricsHandler } from './metrics/handler.js';
import { createOpenApiHandler } from './openapi/handler.js';
import { loadSchemas } from '../api/schema/load.js';
import { createPipeline } from './http/pipeline.js';
import { createAdmission, firstServiceIP, SYSTEM_PRIORITY_CLASSES } from './admission/index.js';
import type { ApiContext } from './handlers/context.js';
import { ObjectStore, type ObjectHooks } from './handlers/objectstore.js';
import { decodeKeyValue } from './handlers/codec.js';
import { WatchCacheSet } from './watch/index.js';
import { createPatcher } from './handlers/patching.js';
import { decodeProtobufObject } from './protobuf/index.js';
import { findUnknownFields, pruneUnknownFields } from '../api/schema/unknown.js';

export interface ApiServerOptions {
  dataDir: string;
  /** host:port to listen on; port 0 picks a free one. */
  listen: string;
  /** sqlite (default) | memory | etcd://host:port[,host:port] */
  datastore: string;
  /** Log one line per request to stderr. */
  verbose?: boolean;
  /**
   * Most events the watch cache keeps per resource (default 100,000). It keeps the last 1,000 and grows
   * toward this while bursts are younger than 75 s, so clients can resume watches without relisting.
   */
  watchCacheMaxEvents?: number;
}

/** Events the watch cache keeps at least, and at most by default, per resource. */
export const WATCH_CACHE_MIN_EVENTS = 1000;
export const WATCH_CACHE_MAX_EVENTS = 100_000;

export interface RunningApiServer {
  url: string;
  port: number;
  kubeconfigPath: string;
  store: Store;
  close(): Promise<void>;
}

/** The namespaces upstream's apiserver keeps present. */
const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

async function ensureSystemNamespaces(namespaces: ObjectStore): Promise<void> {
  for (const name of SYSTEM_NAMESPACES) {
    try {
      await namespaces.create(undefined, { metadata: { name } }, { fieldManager: 'kube-apiserver' });
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 409)) throw e;
    }
  }
}

async function ensureSystemPriorityClasses(classes: ObjectStore): Promise<void> {
  for (const pc of SYSTEM_PRIORITY_CLASSES) {
    try {
      await classes.create(undefined, { metadata: { name: pc.name }, value: pc.value, description: pc.description }, { fieldManager: 'kube-apiserver' });
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 409)) throw e;
    }
  }
}

/**
 * The `default/kubernetes` Service (the first service IP, port 443) and its Endpoints pointing at
 * this API server, as upstream's apiserver maintains them; refreshed on every start.
 */
async function ensureKubernetesService(api: ApiContext, reg: Registry, address: string, port: number): Promise<void> {
  const svc = api.objects(reg.get('', 'v1', 'services')!);
  const existing = await svc.get('default', 'kubernetes').catch((e: unknown) => {
    if (e instanceof StatusError && e.code === 404) return null;
    throw e;
  });
  if (!existing) {
    await svc.create(
      'default',
      {
        metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
        spec: { type: 'ClusterIP', clusterIP: firstServiceIP(), ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }] },
      },
      { fieldManager: 'kube-apiserver' },
    );
  }
  const desired = { addresses: [{ ip: address }], ports: [{ name: 'https', port, protocol: 'TCP' }] };
  await api.objects(reg.get('', 'v1', 'endpoints')!).guaranteedUpdate('default', 'kubernetes', { fieldManager: 'kube-apiserver', allowCreate: true }, (cur) => ({
    ...(cur ?? {}),
    metadata: { ...(cur?.metadata ?? {}), name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [desired],
  }));
}

export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(listen);
  if (!m) throw new Error(`--listen must be HOST:PORT, got ${JSON.stringify(listen)}`);
  return { host: m[1] ?? m[2] ?? '127.0.0.1', port: Number(m[3]) };
}

export async function startApiServer(opts: ApiServerOptions): Promise<RunningApiServer> {
  const { host, port } = parseListen(opts.listen);
  await mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
  const registry = defaultRegistry;
  const store = await openStore(opts.datastore, opts.dataDir);
  const compactor = startCompactor(store);
  const pki = await ensurePki(opts.dataDir, { hosts: host && host !== '0.0.0.0' && host !== '::' ? [host] : [] });
  const nodeToken = await ensureNodeToken(opts.dataDir, pki.ca.certPem);
  const schemas = loadSchemas();

  const objectStores = new Map<ResourceDef, ObjectStore>();
  const maxEvents = opts.watchCacheMaxEvents ?? WATCH_CACHE_MAX_EVENTS;
  const sources = new WatchCacheSet(store, {
    inProcessStore: !opts.datastore.startsWith('etcd'),
    capacity: Math.min(WATCH_CACHE_MIN_EVENTS, maxEvents),
    maxCapacity: maxEvents,
  });
  const patcher = createPatcher(schemas);
  const namespaces = registry.get('', 'v1', 'namespaces')!;
  // pods/log, exec, attach, portforward: proxied to the pod's kubelet with our own client certificate.
  const kubeletClient = await issueClientCert(pki.ca, { cn: 'kube-apiserver-kubelet-client', orgs: ['system:masters'] });
  const authenticate = createAuthenticator({ tokens: { [nodeToken]: NODE_TOKEN_USER } });
  // An object from the watch cache; a remote store's cache may lag by a moment, so a miss there is
  // confirmed with the store.
  const getCached = async (def: ResourceDef, ns: string | undefined, name: string): Promise<KubeObject | null> => {
    const key = `${storagePrefix(def, ns)}${name}`;
    const cache = await sources.get(storagePrefix(def));
    const hit = cache.get(key);
    if (hit || cache.tracksStoreProgress) return hit ?? null;
    const kv = await store.get(key);
    return kv ? decodeKeyValue(kv) : null;
  };
  const podsDef = registry.get('', 'v1', 'pods')!;
  const nodesDef = registry.get('', 'v1', 'nodes')!;
  const streaming = createStreamingHandler({
    getPod: (ns, name) => getCached(podsDef, ns, name),
    getNode: (name) => getCached(nodesDef, undefined, name),
    clientCertPem: kubeletClient.certPem,
    clientKeyPem: kubeletClient.keyPem,
    authenticate,
    fallback: (req, res) => pipeline(req, res),
  });
  const api: ApiContext = {
    registry,
    store,
    objects(def) {
      let s = objectStores.get(def);
      if (!s) {
        s = new ObjectStore(def, store, hooks);
        objectStores.set(def, s);
      }
      return s;
    },
    watchSource: (def) => sources.get(storagePrefix(def)),
    decodeProtobuf: (body, expected) => decodeProtobufObject(body, expected),
    unknownFields: (def, obj) => {
      const node = schemas.forKind(def.group, def.version, def.kind);
      return node ? findUnknownFields(node, obj) : [];
    },
    pruneUnknownFields: (def, obj) => {
      const node = schemas.forKind(def.group, def.version, def.kind);
      if (node) pruneUnknownFields(node, obj);
    },
    applyPatch: (req) => patcher.applyPatch(req),
    podStreaming: (rr, req, res, url) => streaming.handleRequest(rr, req, res, url),
  };
  const priorityClasses = registry.get('scheduling.k8s.io', 'v1', 'priorityclasses')!;
  const services = registry.get('', 'v1', 'services')!;
  const priorityCache = () => sources.get(storagePrefix(priorityClasses));
  const admit = createAdmission({
    async getPriorityClass(name) {
      return (await priorityCache()).get(`${storagePrefix(priorityClasses)}${name}`) ?? null;
    },
    async listPriorityClasses() {
      return (await priorityCache()).list().items;
    },
    async listServices() {
      return (await sources.get(storagePrefix(services))).list().items;
    },
  });
  const hooks: ObjectHooks = {
    admit,
    trackFields: patcher.trackFields,
    getNamespace: (name) => getCached(namespaces, undefined, name),
  };

  const checks = new HealthChecks();
  checks.add('etcd', async () => {
    await store.currentRevision();
  });
  const metrics = createApiserverMetrics();
  const pipeline = createPipeline({
    registry,
    authenticate,
    pathHandlers: [
      healthHandler(checks),
      (req, res, url) => {
        if (url.pathname !== '/cacerts' || req.method !== 'GET') return false;
        res.writeHead(200, { 'Content-Type': 'application/x-pem-file' });
        res.end(pki.ca.certPem);
        return true;
      },
      versionHandler(),
      discoveryHandler(registry),
      createOpenApiHandler(registry, schemas),
      metricsHandler(metrics),
    ],
    api,
    metrics,
  });

  const server: Server = createServer(
    {
      cert: pki.serving.certPem,
      key: pki.serving.keyPem,
      ca: pki.ca.certPem,
      requestCert: true,
      rejectUnauthorized: false,
    },
    pipeline,
  );
  server.keepAliveTimeout = 120_000;
  server.on('upgrade', (req, socket, head) => void streaming.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  const actualPort = typeof addr === 'object' && addr ? addr.port : port;
  const urlHost = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `https://${urlHost}:${actualPort}`;
  const kubeconfigPath = join(opts.dataDir, 'kubeconfig.yaml');
  await writeKubeconfig(kubeconfigPath, {
    server: url,
    caPem: pki.ca.certPem,
    clientCertPem: pki.admin.certPem,
    clientKeyPem: pki.admin.keyPem,
  });
  // Warm the caches the create path needs, so the first request does not pay for it.
  await sources.get(storagePrefix(namespaces));
  await ensureSystemNamespaces(api.objects(namespaces));
  await ensureSystemPriorityClasses(api.objects(priorityClasses));
  await ensureKubernetesService(api, registry, host === '0.0.0.0' || host === '' || host === '::' ? '127.0.0.1' : host, actualPort);

  let closed = false;
  return {
    url,
    port: actualPort,
    kubeconfigPath,
    store,
    async close() {
      if (closed) return;
      closed = true;
      checks.setShuttingDown();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      compactor.stop();
      sources.stop();
      await store.close();
    },
  };
}
