// Durability of the sqlite store through the real server: a write the API server acknowledged
// (201/200) survives `kill -9` of the server, a clean SIGINT keeps everything, and the revision
// (resourceVersion) keeps increasing across restarts.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request as httpsRequest } from 'node:https';
import { rmSync } from 'node:fs';
import { loadKubeconfig } from '../../src/apiserver/authn/kubeconfig.js';
import { kubectlOk, newDataDir, startServer, type ServerProcess } from './harness.js';

interface Reply {
  status: number;
  body: string;
}

interface Meta {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
}

interface Obj {
  metadata: Meta;
  data?: Record<string, string>;
}

async function connect(server: ServerProcess) {
  const kc = await loadKubeconfig(server.kubeconfig);
  const agent = new Agent({ ca: kc.caPem, cert: kc.clientCertPem, key: kc.clientKeyPem, keepAlive: true, maxSockets: 64 });
  const base = new URL(kc.server);
  /** Sends a request; `onReply` runs synchronously as soon as the whole reply has arrived. */
  const send = (method: string, path: string, body?: unknown, onReply?: (r: Reply) => void, contentType = 'application/json'): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const headers: Record<string, string> = { Accept: 'application/json' };
      if (payload) {
        headers['Content-Type'] = contentType;
        headers['Content-Length'] = String(payload.length);
      }
      const req = httpsRequest({ host: base.hostname, port: base.port, method, path, headers, agent, timeout: 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const r = { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') };
          onReply?.(r);
          resolve(r);
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on('error', reject);
      req.end(payload);
    });
  return { send, close: () => agent.destroy() };
}

type Conn = Awaited<ReturnType<typeof connect>>;

const cm = (name: string, i: number) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { i: String(i), pad: 'p'.repeat(i % 200) } });

async function createNamespace(c: Conn, name: string): Promise<void> {
  const r = await c.send('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  assert.equal(r.status, 201, r.body);
}

async function listAll(c: Conn, path: string): Promise<{ items: Obj[]; resourceVersion: number }> {
  const r = await c.send('GET', path);
  assert.equal(r.status, 200, r.body);
  const list = JSON.parse(r.body) as { items: Obj[]; metadata: { resourceVersion: string } };
  return { items: list.items, resourceVersion: Number(list.metadata.resourceVersion) };
}

/** Every acknowledged object is stored exactly as acknowledged; nothing unknown appeared. */
async function assertSurvived(c: Conn, ns: string, acked: Map<string, Obj>, inFlight: Set<string>): Promise<void> {
  const { items } = await listAll(c, `/api/v1/namespaces/${ns}/configmaps`);
  const stored = new Map(items.map((o) => [o.metadata.name, o]));
  for (const [name, obj] of acked) {
    const got = stored.get(name);
    assert.ok(got, `configmap ${ns}/${name} was acknowledged with 201 (rv ${obj.metadata.resourceVersion}) but is gone after kill -9`);
    assert.equal(got.metadata.uid, obj.metadata.uid, `${name}: uid`);
    assert.equal(got.metadata.resourceVersion, obj.metadata.resourceVersion, `${name}: resourceVersion`);
    assert.deepEqual(got.data, obj.data, `${name}: data`);
  }
  for (const name of stored.keys()) {
    assert.ok(acked.has(name) || inFlight.has(name), `configmap ${ns}/${name} was never acknowledged nor in flight`);
  }
}

describe('durability (sqlite)', () => {
  const dataDir = newDataDir();
  let server: ServerProcess | undefined;
  let conn: Conn | undefined;
  /** Highest resourceVersion any reply carried so far. */
  let maxRv = 0;

  async function restart(): Promise<Conn> {
    conn?.close();
    server = await startServer({ dataDir, datastore: 'sqlite' });
    conn = await connect(server);
    return conn;
  }

  function noteRv(o: Obj): void {
    maxRv = Math.max(maxRv, Number(o.metadata.resourceVersion));
  }

  after(async () => {
    conn?.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every create acknowledged before kill -9 (one at a time)', async () => {
    let c = await restart();
    for (const [round, killAfter] of [7, 23, 1, 40].entries()) {
      const ns = `seq-${round}`;
      await createNamespace(c, ns);
      const acked = new Map<string, Obj>();
      const inFlight = new Set<string>();
      const srv = server!;
      const unexpected: string[] = [];
      let killed = false;
      for (let i = 0; !killed; i++) {
        const name = `cm-${i}`;
        inFlight.add(name);
        try {
          await c.send('POST', `/api/v1/namespaces/${ns}/configmaps`, cm(name, i), (r) => {
            if (r.status !== 201) return void unexpected.push(`${name}: HTTP ${r.status} ${r.body}`);
            const obj = JSON.parse(r.body) as Obj;
            acked.set(name, obj);
            noteRv(obj);
            if (acked.size === killAfter) {
              // Right after the 201 arrived: no chance for the server to do anything else first.
              srv.proc.kill('SIGKILL');
              killed = true;
            }
          });
        } catch (e) {
          if (!killed) throw e;
        }
        assert.deepEqual(unexpected, []);
      }
      await srv.kill9();
      assert.equal(acked.size, killAfter);
      c = await restart();
      await assertSurvived(c, ns, acked, inFlight);
      // Earlier rounds are intact too.
      const { resourceVersion } = await listAll(c, '/api/v1/configmaps');
      assert.ok(resourceVersion >= maxRv, `list resourceVersion ${resourceVersion} went back below ${maxRv}`);
    }
  });

  it('keeps every create acknowledged before kill -9 with creates in flight', async () => {
    let c = conn!;
    for (const [round, killAfter] of [50, 13, 120].entries()) {
      const ns = `par-${round}`;
      await createNamespace(c, ns);
      const acked = new Map<string, Obj>();
      const attempted = new Set<string>();
      const unexpected: string[] = [];
      const srv = server!;
      let killed = false;
      let next = 0;
      const worker = async () => {
        while (!killed) {
          const i = next++;
          const name = `cm-${i}`;
          attempted.add(name);
          try {
            await c.send('POST', `/api/v1/namespaces/${ns}/configmaps`, cm(name, i), (r) => {
              // Replies that arrive after the kill was sent are 201s the client saw too: recorded.
              if (r.status !== 201) return void unexpected.push(`${name}: HTTP ${r.status} ${r.body}`);
              const obj = JSON.parse(r.body) as Obj;
              acked.set(name, obj);
              noteRv(obj);
              if (acked.size === killAfter) {
                srv.proc.kill('SIGKILL');
                killed = true;
              }
            });
          } catch (e) {
            if (!killed) throw e;
          }
        }
      };
      await Promise.all(Array.from({ length: 12 }, worker));
      await srv.kill9();
      assert.deepEqual(unexpected, []);
      assert.ok(attempted.size > acked.size, 'some creates were still in flight at the kill');
      c = await restart();
      await assertSurvived(c, ns, acked, attempted);
    }
  });

  it('keeps acknowledged updates and deletes across kill -9', async () => {
    let c = conn!;
    const ns = 'upd';
    await createNamespace(c, ns);
    const base = `/api/v1/namespaces/${ns}/configmaps`;
    for (const name of ['a', 'b']) {
      const r = await c.send('POST', base, cm(name, 1));
      assert.equal(r.status, 201, r.body);
    }
    // A PUT acknowledged with 200, then kill -9.
    const a = JSON.parse((await c.send('GET', `${base}/a`)).body) as Obj;
    let updated: Reply | undefined;
    await c.send('PUT', `${base}/a`, { ...a, data: { i: 'updated' } }, (r) => {
      updated = r;
      server!.proc.kill('SIGKILL');
    });
    await server!.kill9();
    assert.equal(updated?.status, 200, updated?.body);
    c = await restart();
    const gotA = JSON.parse((await c.send('GET', `${base}/a`)).body) as Obj;
    assert.deepEqual(gotA.data, { i: 'updated' });
    assert.equal(gotA.metadata.resourceVersion, (JSON.parse(updated!.body) as Obj).metadata.resourceVersion);
    noteRv(gotA);
    // A merge PATCH acknowledged with 200, then kill -9.
    let patched: Reply | undefined;
    await c.send('PATCH', `${base}/a`, { data: { extra: 'x' } }, (r) => {
      patched = r;
      server!.proc.kill('SIGKILL');
    }, 'application/merge-patch+json');
    await server!.kill9();
    assert.equal(patched?.status, 200, patched?.body);
    c = await restart();
    const gotA2 = JSON.parse((await c.send('GET', `${base}/a`)).body) as Obj;
    assert.equal(gotA2.metadata.resourceVersion, (JSON.parse(patched!.body) as Obj).metadata.resourceVersion);
    assert.equal(gotA2.data?.['extra'], 'x');
    noteRv(gotA2);
    // A DELETE acknowledged with 200, then kill -9.
    let deleted: Reply | undefined;
    await c.send('DELETE', `${base}/b`, undefined, (r) => {
      deleted = r;
      server!.proc.kill('SIGKILL');
    });
    await server!.kill9();
    assert.equal(deleted?.status, 200, deleted?.body);
    c = await restart();
    const gone = await c.send('GET', `${base}/b`);
    assert.equal(gone.status, 404, gone.body);
  });

  it('a clean SIGINT restart keeps everything, and the revision keeps increasing', async () => {
    let c = conn!;
    kubectlOk(server!, ['create', 'namespace', 'clean']);
    kubectlOk(server!, ['-n', 'clean', 'create', 'configmap', 'cfg', '--from-literal=a=b']);
    kubectlOk(server!, ['-n', 'clean', 'create', 'secret', 'generic', 'sec', '--from-literal=k=v']);
    kubectlOk(server!, ['-n', 'clean', 'create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=2']);
    kubectlOk(server!, ['-n', 'clean', 'label', 'configmap', 'cfg', 'tier=front']);
    const snapshot = async (conn: Conn) => {
      const out: Record<string, Obj[]> = {};
      for (const path of [
        '/api/v1/namespaces',
        '/api/v1/configmaps',
        '/api/v1/secrets',
        '/apis/apps/v1/deployments',
      ]) {
        const { items, resourceVersion } = await listAll(conn, path);
        maxRv = Math.max(maxRv, resourceVersion);
        out[path] = items
          .map((o) => ({
            metadata: {
              name: o.metadata.name,
              namespace: o.metadata.namespace,
              uid: o.metadata.uid,
              // Workload status may be rewritten by controllers once they run in `server`.
              resourceVersion: path.includes('deployments') ? '' : o.metadata.resourceVersion,
            },
            data: o.data,
          }))
          .sort((x, y) => `${x.metadata.namespace}/${x.metadata.name}`.localeCompare(`${y.metadata.namespace}/${y.metadata.name}`));
      }
      return out;
    };
    const before = await snapshot(c);
    assert.ok(before['/api/v1/configmaps']!.length > 150, 'the earlier rounds are all still there');
    const rvBefore = maxRv;
    const code = await server!.stop();
    assert.equal(code, 0, `SIGINT should exit cleanly:\n${server!.stderr().slice(-2000)}`);
    c = await restart();
    assert.deepEqual(await snapshot(c), before);
    const dep = JSON.parse(kubectlOk(server!, ['-n', 'clean', 'get', 'deployment', 'web', '-o', 'json']));
    assert.equal(dep.spec.replicas, 2);
    assert.equal(kubectlOk(server!, ['-n', 'clean', 'get', 'cm', '-l', 'tier=front', '-o', 'name']).trim(), 'configmap/cfg');
    // New writes get revisions above anything handed out before the restart.
    const r = await c.send('POST', '/api/v1/namespaces/clean/configmaps', cm('after-restart', 1));
    assert.equal(r.status, 201, r.body);
    const created = JSON.parse(r.body) as Obj;
    assert.ok(Number(created.metadata.resourceVersion) > rvBefore, `new resourceVersion ${created.metadata.resourceVersion} must exceed ${rvBefore}`);
    const upd = await c.send('PATCH', '/api/v1/namespaces/clean/configmaps/cfg', { data: { a: 'c' } }, undefined, 'application/merge-patch+json');
    assert.equal(upd.status, 200, upd.body);
    assert.ok(Number((JSON.parse(upd.body) as Obj).metadata.resourceVersion) > Number(created.metadata.resourceVersion));
  });
});
