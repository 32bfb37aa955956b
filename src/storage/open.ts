// Choose and open a store backend from the `--datastore` flag:
//   sqlite (the default)      <dataDir>/state.db
//   memory                    nothing persists
//   etcd://h:p[,h:p…]         an etcd v3 cluster

import { mkdir } from 'node:fs/promises';

import { openEtcdStore } from './etcd/etcd-store.js';
import { MemoryStore } from './memory/memory-store.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import { StoreError, type Store } from './store.js';

export type DatastoreSpec =
  | { kind: 'sqlite' }
  | { kind: 'memory' }
  | { kind: 'etcd'; endpoints: string[] };

const ETCD_SCHEME = 'etcd://';

/** Parse a `--datastore` value; throws StoreError with the accepted forms for anything else. */
export function parseDatastore(datastore: string): DatastoreSpec {
  const value = datastore.trim();
  if (value === '' || value === 'sqlite') return { kind: 'sqlite' };
  if (value === 'memory') return { kind: 'memory' };
  if (value.startsWith(ETCD_SCHEME)) {
    const endpoints = value.slice(ETCD_SCHEME.length).split(',').map((e) => e.trim());
    const bad = endpoints.filter((e) => !/^[^\s/:,]+:\d{1,5}$/.test(e) && !/^\[[0-9a-fA-F:.]+\]:\d{1,5}$/.test(e));
    if (endpoints.length === 0 || bad.length > 0) {
      throw new StoreError(
        `invalid etcd endpoints in --datastore ${JSON.stringify(datastore)}: expected etcd://host:port[,host:port…]`,
      );
    }
    return { kind: 'etcd', endpoints };
  }
  throw new StoreError(
    `unknown --datastore ${JSON.stringify(datastore)}: expected sqlite, memory or etcd://host:port[,host:port…]`,
  );
}

/** Open the store named by `datastore`; sqlite keeps its file in `dataDir` (created if missing). */
export async function openStore(datastore: string, dataDir: string): Promise<Store> {
  const spec = parseDatastore(datastore);
  switch (spec.kind) {
    case 'memory':
      return new MemoryStore();
    case 'sqlite':
      await mkdir(dataDir, { recursive: true });
      return openSqliteStore(dataDir);
    case 'etcd': {
      const store = openEtcdStore(spec.endpoints);
      try {
        await store.currentRevision(); // fail now, not on the first request, if etcd is unreachable
      } catch (err) {
        await store.close();
        throw new StoreError(`cannot reach etcd at ${spec.endpoints.join(',')}`, { cause: err });
      }
      return store;
    }
  }
}
