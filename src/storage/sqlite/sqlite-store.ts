// SQLite store: durable MVCC on one file, `<dataDir>/state.db`, through better-sqlite3.
//
// All access is synchronous on one connection, so a read never sees half a batch. Writes go through
// group commit (one transaction per tick); after a batch commits, its events are published to
// in-process watchers in revision order, then the writers' promises resolve. A watch that starts in
// the past replays from the log in the same tick it registers, so replay and live events meet
// without a gap.

import { join } from 'node:path';

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
import { GroupCommit, type Outcome } from './group-commit.js';
import { openDatabase } from './schema.js';

type WriteOp =
  | { kind: 'create'; key: string; value: string }
  | { kind: 'update'; key: string; value: string; expected: number }
  | { kind: 'delete'; key: string; expected: number | undefined };

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
  private revision: number;
  private compacted: number;
  private closed = false;
  private readonly hub = new WatchHub();
  private readonly writes: GroupCommit<WriteOp, KeyValue>;

  private readonly stmt;

  constructor(private readonly db: Database.Database) {
    const kvCols = 'l.key AS key, l.value AS value, l.create_revision AS createRevision, l.id AS modRevision';
    // Newest row per key at or before @rev, via the (key, id) index.
    // Ordered by key so that the outer ORDER BY streams (no sort of the whole range before LIMIT).
    const latestAt = (upper: string) =>
      `SELECT key, MAX(id) AS id FROM log WHERE key >= @start ${upper} AND id <= @rev GROUP BY key ORDER BY key`;
    this.stmt = {
      getCurrent: db.prepare<[string], KvRow>(
        `SELECT ${kvCols} FROM current c JOIN log l ON l.id = c.id WHERE c.key = ?`,
      ),
      insertLog: db.prepare(
        'INSERT INTO log (id, key, value, create_revision, prev_revision, deleted) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      setCurrent: db.prepare(
        'INSERT INTO current (key, id) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET id = excluded.id',
      ),
      deleteCurrent: db.prepare('DELETE FROM current WHERE key = ?'),
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
           WHERE l.id > @after AND +l.key >= @start ${upper.replace('key', '+l.key')} ORDER BY l.id`,
        ),
      ),
      maxRevision: db.prepare<[], { n: number | null }>('SELECT MAX(id) AS n FROM log'),
      getMeta: db.prepare<[string], { value: number }>('SELECT value FROM meta WHERE name = ?'),
      setMeta: db.prepare(
        'INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
      ),
      // Compaction from `old` to `new`: tombstones that are now older than `new`, and rows replaced by
      // a write in (old, new]. Rows replaced at or before `old` went in an earlier compaction.
      compactTombstones: db.prepare('DELETE FROM log WHERE id >= @old AND id < @new AND deleted = 1'),
      compactReplaced: db.prepare(
        `DELETE FROM log WHERE id < @new AND id IN
           (SELECT prev_revision FROM log WHERE id > @old AND id <= @new AND prev_revision > 0)`,
      ),
    };
    // Like etcd, an empty store is at revision 1: no object ever has resourceVersion "0".
    this.compacted = this.stmt.getMeta.get('compacted')?.value ?? 1;
    this.revision = Math.max(this.stmt.maxRevision.get()?.n ?? 1, this.compacted);
    this.writes = new GroupCommit((ops) => this.applyBatch(ops));
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
    let items: KvRow[];
    let total: number;
    if (revision === this.revision) {
      items = this.stmt.listCurrent[form].all(params);
      total = opts.limit ? this.stmt.countCurrent[form].get(params)!.n : items.length;
    } else {
      params['rev'] = revision;
      items = this.stmt.listAt[form].all(params);
      total = opts.limit ? this.stmt.countAt[form].get(params)!.n : items.length;
    }
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
      const params: Record<string, unknown> = { after: afterRevision, start: prefix };
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
    const range = { old: this.compacted, new: revision };
    this.db.transaction(() => {
      // Replaced rows first: a tombstone's prev_revision is what finds the row it replaced.
      this.stmt.compactReplaced.run(range);
      this.stmt.compactTombstones.run(range);
      this.stmt.setMeta.run('compacted', revision);
    }).immediate();
    this.compacted = revision;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.writes.flush();
    this.closed = true;
    this.hub.closeAll(new StoreError('store is closed'));
    this.db.close();
  }

  private write(op: WriteOp): Promise<KeyValue> {
    if (this.closed) return Promise.reject(new StoreError('store is closed'));
    return this.writes.submit(op);
  }

  /** One transaction for the whole batch; a failed check fails only its own op. */
  private applyBatch(ops: WriteOp[]): Outcome<KeyValue>[] {
    const startRevision = this.revision;
    const events: WatchEvent[] = [];
    let outcomes: Outcome<KeyValue>[];
    try {
      outcomes = this.db.transaction(() => ops.map((op) => this.applyOne(op, events))).immediate();
    } catch (err) {
      this.revision = startRevision;
      throw err;
    }
    this.hub.publish(events);
    return outcomes;
  }

  private applyOne(op: WriteOp, events: WatchEvent[]): Outcome<KeyValue> {
    const { key } = op;
    const current = this.stmt.getCurrent.get(key);
    if (op.kind === 'create') {
      if (current) return { ok: false, error: new KeyExistsError(key) };
      const rev = ++this.revision;
      this.stmt.insertLog.run(rev, key, op.value, rev, 0, 0);
      this.stmt.setCurrent.run(key, rev);
      events.push({ type: 'put', key, value: op.value, modRevision: rev, createRevision: rev });
      return { ok: true, value: { key, value: op.value, createRevision: rev, modRevision: rev } };
    }
    if (!current) return { ok: false, error: new KeyNotFoundError(key) };
    if (op.expected !== undefined && op.expected !== current.modRevision) {
      return { ok: false, error: new ConflictError(key, { ...current }) };
    }
    const rev = ++this.revision;
    const { createRevision } = current;
    if (op.kind === 'update') {
      this.stmt.insertLog.run(rev, key, op.value, createRevision, current.modRevision, 0);
      this.stmt.setCurrent.run(key, rev);
      events.push({ type: 'put', key, value: op.value, prevValue: current.value, modRevision: rev, createRevision });
      return { ok: true, value: { key, value: op.value, createRevision, modRevision: rev } };
    }
    this.stmt.insertLog.run(rev, key, current.value, createRevision, current.modRevision, 1);
    this.stmt.deleteCurrent.run(key);
    events.push({ type: 'delete', key, value: current.value, modRevision: rev, createRevision });
    return { ok: true, value: { key, value: current.value, createRevision, modRevision: rev } };
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

/** Open (or create) `<dataDir>/state.db`. */
export function openSqliteStore(dataDir: string): SqliteStore {
  return new SqliteStore(openDatabase(join(dataDir, 'state.db')));
}
