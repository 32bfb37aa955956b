// SQLite store: durable MVCC on one file, `<dataDir>/state.db`, through better-sqlite3.
//
// Writes run on a worker thread with its own connection (writer.ts, writer-worker.ts): the commit's
// fsync (synchronous=FULL) never blocks this thread, so reads, watches and every other request go
// on while a batch commits. Writes submitted while a batch is committing wait and go together as the
// next batch (group commit: one transaction, one fsync). A write's promise resolves only after its
// batch committed; the batch's events are published to in-process watchers, in revision order,
// just before.
//
// Reads run here on a second connection (WAL: readers see committed transactions only, never half a
// batch). `revision` is what this thread has been told was committed; the worker may be one batch
// ahead, so reads "at the current revision" check the log's head and fall back to a read at
// `revision` when a newer commit is already visible, and watch replays stop at `revision` (later
// events arrive through publish). A watch that starts in the past replays from the log in the same
// tick it registers, so replay and live events meet without a gap or a duplicate.

import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

import type Database from 'better-sqlite3';

import { prefixEnd, rangeStart } from '../keys.js';
import {
  CompactedError,
  ConflictError,
  KeyExistsError,
  KeyNotFoundError,
  StoreError,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type Store,
  type Watch,
  type WatchEvent,
  type WatchHandlers,
} from '../store.js';
import { WatchHub } from '../watch-hub.js';
import { openDatabase } from './schema.js';
import type { OpResult, WriteOp } from './writer.js';
import type { WriterReply, WriterRequest } from './writer-worker.js';

/** Ops per batch at most (one transaction). */
const MAX_BATCH = 1000;

interface PendingOp {
  op: WriteOp;
  resolve: (kv: KeyValue) => void;
  reject: (err: Error) => void;
}

/** Starts the writer thread: writer-worker.js next to this module, or from source through tsx. */
function startWriter(file: string): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./writer-worker.js', import.meta.url), { workerData: { file } });
  // Running from source (tests, `node --import tsx`): Node 20 does not pass the tsx loader on to
  // worker threads, so the worker registers it before importing the .ts entry.
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./writer-worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, workerData: { file } });
}

interface KvRow {
  key: string;
  value: string;
  createRevision: number;
  modRevision: number;
}

interface LogRow extends KvRow {
  deleted: number;
  prevValue: string | null;
}

// Each range query exists in two forms: bounded above (a non-empty prefix) or not (the empty prefix).
type Ranged<T> = { bounded: T; open: T };

function ranged<T>(make: (upper: string) => T): Ranged<T> {
  return { bounded: make('AND key < @end'), open: make('') };
}

export class SqliteStore implements Store {
  /** Committed revision as this thread knows it (the writer may be one batch ahead). */
  private revision: number;
  private compacted: number;
  private closed = false;
  private closing: Promise<void> | null = null;
  private readonly hub = new WatchHub();
  private readonly worker: Worker;
  private workerError: Error | null = null;
  /** Ops waiting for the next batch. */
  private pending: PendingOp[] = [];
  private flushTimer: NodeJS.Immediate | null = null;
  /** The batch the worker is committing (null: none). */
  private inFlight: PendingOp[] | null = null;
  private nextRequestId = 1;
  /** Replies awaited for compact/close requests (batches use inFlight). */
  private readonly requests = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  private batchRequestId = 0;
  private idleWaiters: (() => void)[] = [];

  private readonly stmt;

  constructor(
    private readonly db: Database.Database,
    file: string,
  ) {
    const kvCols = 'l.key AS key, l.value AS value, l.create_revision AS createRevision, l.id AS modRevision';
    // Newest row per key at or before @rev, via the (key, id) index.
    // Ordered by key so that the outer ORDER BY streams (no sort of the whole range before LIMIT).
    const latestAt = (upper: string) =>
      `SELECT key, MAX(id) AS id FROM log WHERE key >= @start ${upper} AND id <= @rev GROUP BY key ORDER BY key`;
    this.stmt = {
      getCurrent: db.prepare<[string], KvRow>(
        `SELECT ${kvCols} FROM current c JOIN log l ON l.id = c.id WHERE c.key = ?`,
      ),
      listCurrent: ranged((upper) =>
        db.prepare<Record<string, unknown>, KvRow>(
          `SELECT ${kvCols} FROM current c JOIN log l ON l.id = c.id
           WHERE c.key >= @start ${upper.replace('key', 'c.key')} ORDER BY c.key LIMIT @limit`,
        ),
      ),
      countCurrent: ranged((upper) =>
        db.prepare<Record<string, unknown>, { n: number }>(
          `SELECT COUNT(*) AS n FROM current WHERE key >= @start ${upper}`,
        ),
      ),
      listAt: ranged((upper) =>
        db.prepare<Record<string, unknown>, KvRow>(
          `SELECT ${kvCols} FROM (${latestAt(upper)}) m JOIN log l ON l.id = m.id
           WHERE l.deleted = 0 ORDER BY m.key LIMIT @limit`,
        ),
      ),
      countAt: ranged((upper) =>
        db.prepare<Record<string, unknown>, { n: number }>(
          `SELECT COUNT(*) AS n FROM (${latestAt(upper)}) m JOIN log l ON l.id = m.id WHERE l.deleted = 0`,
        ),
      ),
      // `+l.key` keeps the planner on the primary key: replays usually start near the head of the log.
      replay: ranged((upper) =>
        db.prepare<Record<string, unknown>, LogRow>(
          `SELECT ${kvCols}, l.deleted AS deleted, p.value AS prevValue
           FROM log l LEFT JOIN log p ON p.id = l.prev_revision
           WHERE l.id > @after AND l.id <= @upto AND +l.key >= @start ${upper.replace('key', '+l.key')} ORDER BY l.id`,
        ),
      ),
      maxRevision: db.prepare<[], { n: number | null }>('SELECT MAX(id) AS n FROM log'),
      getMeta: db.prepare<[string], { value: number }>('SELECT value FROM meta WHERE name = ?'),
    };
    // Like etcd, an empty store is at revision 1: no object ever has resourceVersion "0".
    this.compacted = this.stmt.getMeta.get('compacted')?.value ?? 1;
    this.revision = Math.max(this.stmt.maxRevision.get()?.n ?? 1, this.compacted);
    this.worker = startWriter(file);
    this.worker.unref(); // referenced only while it has work (see track)
    this.worker.on('message', (reply: WriterReply) => this.onReply(reply));
    this.worker.on('error', (err) => this.onWorkerGone(err));
    this.worker.on('exit', (code) => {
      if (!this.closed || this.inFlight || this.requests.size > 0) this.onWorkerGone(new StoreError(`sqlite writer exited (code ${code})`));
    });
  }

  async get(key: string): Promise<KeyValue | null> {
    this.checkOpen();
    return this.stmt.getCurrent.get(key) ?? null;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const revision = this.readRevision(opts.revision);
    const end = prefixEnd(prefix);
    const form = end === null ? 'open' : 'bounded';
    const params: Record<string, unknown> = {
      start: rangeStart(prefix, opts.startKey),
      limit: opts.limit && opts.limit > 0 ? opts.limit : -1,
    };
    if (end !== null) params['end'] = end;
    // One read transaction: the head check and the rows come from the same snapshot.
    const { items, total } = this.db.transaction(() => {
      // The `current` table is the state at the log's head; the writer may have committed past
      // `this.revision` already, and then the read goes through the log at `revision`.
      if (revision === this.revision && (this.stmt.maxRevision.get()?.n ?? 1) <= revision) {
        const items = this.stmt.listCurrent[form].all(params);
        return { items, total: opts.limit ? this.stmt.countCurrent[form].get(params)!.n : items.length };
      }
      params['rev'] = revision;
      const items = this.stmt.listAt[form].all(params);
      return { items, total: opts.limit ? this.stmt.countAt[form].get(params)!.n : items.length };
    })();
    const remaining = total - items.length;
    return { items, revision, more: remaining > 0, remaining };
  }

  async count(prefix: string): Promise<number> {
    this.checkOpen();
    const end = prefixEnd(prefix);
    const params: Record<string, unknown> = { start: prefix };
    if (end !== null) params['end'] = end;
    return this.stmt.countCurrent[end === null ? 'open' : 'bounded'].get(params)!.n;
  }

  create(key: string, value: string): Promise<KeyValue> {
    return this.write({ kind: 'create', key, value });
  }

  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    return this.write({ kind: 'update', key, value, expected: expectedModRevision });
  }

  delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    return this.write({ kind: 'delete', key, expected: expectedModRevision });
  }

  watch(prefix: string, afterRevision: number, handlers: WatchHandlers): Watch {
    if (this.closed) return this.hub.failed(new StoreError('store is closed'), handlers);
    if (afterRevision + 1 < this.compacted) {
      return this.hub.failed(new CompactedError(afterRevision + 1, this.compacted), handlers);
    }
    let replay: WatchEvent[] = [];
    if (afterRevision < this.revision) {
      const end = prefixEnd(prefix);
      const params: Record<string, unknown> = { after: afterRevision, upto: this.revision, start: prefix };
      if (end !== null) params['end'] = end;
      replay = this.stmt.replay[end === null ? 'open' : 'bounded'].all(params).map(toEvent);
    }
    return this.hub.watch(prefix, afterRevision, replay, handlers);
  }

  async currentRevision(): Promise<number> {
    return this.revision;
  }

  async compactedRevision(): Promise<number> {
    return this.compacted;
  }

  async compact(revision: number): Promise<void> {
    this.checkOpen();
    if (revision > this.revision) throw new StoreError(`cannot compact to future revision ${revision}`);
    if (revision <= this.compacted) return;
    // Reads below `revision` are refused from now on, so none reads rows the writer is deleting.
    const before = this.compacted;
    this.compacted = revision;
    try {
      await this.request({ kind: 'compact', revision });
    } catch (err) {
      if (this.compacted === revision) this.compacted = before;
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = (async () => {
      // Everything submitted before close is committed (or failed) before the writer goes.
      this.flush();
      while (this.inFlight || this.pending.length > 0) await new Promise<void>((r) => this.idleWaiters.push(r));
      this.closed = true;
      this.hub.closeAll(new StoreError('store is closed'));
      if (!this.workerError) {
        try {
          await this.request({ kind: 'close' });
        } catch {
          // the writer is gone already; nothing left to close there
        }
      }
      await this.worker.terminate();
      this.db.close();
    })();
    return this.closing;
  }

  private write(op: WriteOp): Promise<KeyValue> {
    if (this.closed || this.closing) return Promise.reject(new StoreError('store is closed'));
    if (this.workerError) return Promise.reject(this.workerError);
    return new Promise<KeyValue>((resolve, reject) => {
      this.pending.push({ op, resolve, reject });
      if (!this.inFlight) this.flushTimer ??= setImmediate(() => this.flush());
    });
  }

  /** Sends the next batch unless one is committing (its reply sends the next). */
  private flush(): void {
    if (this.flushTimer) clearImmediate(this.flushTimer);
    this.flushTimer = null;
    if (this.inFlight || this.pending.length === 0) return;
    if (this.workerError) {
      for (const p of this.pending.splice(0)) p.reject(this.workerError);
      return this.settleIdle();
    }
    const batch = this.pending.splice(0, MAX_BATCH);
    this.inFlight = batch;
    this.batchRequestId = this.nextRequestId++;
    this.post({ id: this.batchRequestId, kind: 'batch', ops: batch.map((p) => p.op) });
  }

  private request(req: { kind: 'compact'; revision: number } | { kind: 'close' }): Promise<void> {
    if (this.workerError) return Promise.reject(this.workerError);
    const id = this.nextRequestId++;
    return new Promise<void>((resolve, reject) => {
      this.requests.set(id, { resolve, reject });
      this.post({ id, ...req } as WriterRequest);
    });
  }

  private post(req: WriterRequest): void {
    this.worker.ref();
    this.worker.postMessage(req);
  }

  private onReply(reply: WriterReply): void {
    if (reply.id === this.batchRequestId && this.inFlight) {
      const batch = this.inFlight;
      this.inFlight = null;
      if (!reply.ok) {
        const err = new StoreError(`sqlite write failed: ${reply.error.message}`);
        for (const p of batch) p.reject(err);
      } else {
        const { results, events, revision } = reply.batch!;
        this.revision = revision;
        this.hub.publish(events);
        batch.forEach((p, i) => {
          const r = results[i]!;
          if (r.ok) p.resolve(r.value);
          else p.reject(toError(r));
        });
      }
    } else {
      const req = this.requests.get(reply.id);
      this.requests.delete(reply.id);
      if (req) {
        if (reply.ok) req.resolve();
        else req.reject(new StoreError(reply.error.message));
      }
    }
    if (this.pending.length > 0) this.flush();
    else this.settleIdle();
  }

  private settleIdle(): void {
    if (this.inFlight || this.pending.length > 0) return;
    if (this.requests.size === 0) this.worker.unref();
    for (const r of this.idleWaiters.splice(0)) r();
  }

  /** The writer thread died: everything waiting on it fails, and so does every later write. */
  private onWorkerGone(err: Error): void {
    if (this.workerError) return;
    this.workerError = err instanceof StoreError ? err : new StoreError(`sqlite writer failed: ${err.message}`, { cause: err });
    const failed = [...(this.inFlight ?? []), ...this.pending.splice(0)];
    this.inFlight = null;
    for (const p of failed) p.reject(this.workerError);
    for (const r of this.requests.values()) r.reject(this.workerError);
    this.requests.clear();
    this.settleIdle();
  }

  private readRevision(requested: number | undefined): number {
    if (!requested) return this.revision;
    if (requested > this.revision) throw new StoreError(`revision ${requested} is in the future (current ${this.revision})`);
    if (requested < this.compacted) throw new CompactedError(requested, this.compacted);
    return requested;
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreError('store is closed');
  }
}

function toEvent(row: LogRow): WatchEvent {
  const event: WatchEvent = {
    type: row.deleted ? 'delete' : 'put',
    key: row.key,
    value: row.value,
    modRevision: row.modRevision,
    createRevision: row.createRevision,
  };
  if (!row.deleted && row.prevValue !== null) event.prevValue = row.prevValue;
  return event;
}

function toError(r: Exclude<OpResult, { ok: true }>): StoreError {
  if (r.error === 'conflict') return new ConflictError(r.key, r.current);
  return r.error === 'exists' ? new KeyExistsError(r.key) : new KeyNotFoundError(r.key);
}

/** Open (or create) `<dataDir>/state.db`. */
export function openSqliteStore(dataDir: string): SqliteStore {
  const file = join(dataDir, 'state.db');
  return new SqliteStore(openDatabase(file), file);
}
