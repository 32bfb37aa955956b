// The write side of the SQLite store: checks, revision numbering, log/current rows and compaction,
// on a connection of its own. It runs in the writer worker (writer-worker.ts), so the commit's
// fsync never blocks the API server's event loop; its results travel back as plain data.

import type Database from 'better-sqlite3';

import type { KeyValue, WatchEvent } from '../store.js';

export type WriteOp =
  | { kind: 'create'; key: string; value: string }
  | { kind: 'update'; key: string; value: string; expected: number }
  | { kind: 'delete'; key: string; expected: number | undefined };

/** One op's result, as structured-clone-able data (the store turns failures into its errors). */
export type OpResult =
  | { ok: true; value: KeyValue }
  | { ok: false; error: 'exists' | 'notfound'; key: string }
  | { ok: false; error: 'conflict'; key: string; current: KeyValue };

export interface BatchResult {
  results: OpResult[];
  /** Committed events, in revision order. */
  events: WatchEvent[];
  /** The store's revision after the batch. */
  revision: number;
}

interface KvRow {
  key: string;
  value: string;
  createRevision: number;
  modRevision: number;
}

export class SqliteWriter {
  private revision: number;
  private readonly stmt;

  constructor(private readonly db: Database.Database) {
    this.stmt = {
      getCurrent: db.prepare<[string], KvRow>(
        'SELECT l.key AS key, l.value AS value, l.create_revision AS createRevision, l.id AS modRevision FROM current c JOIN log l ON l.id = c.id WHERE c.key = ?',
      ),
      insertLog: db.prepare('INSERT INTO log (id, key, value, create_revision, prev_revision, deleted) VALUES (?, ?, ?, ?, ?, ?)'),
      setCurrent: db.prepare('INSERT INTO current (key, id) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET id = excluded.id'),
      deleteCurrent: db.prepare('DELETE FROM current WHERE key = ?'),
      maxRevision: db.prepare<[], { n: number | null }>('SELECT MAX(id) AS n FROM log'),
      getMeta: db.prepare<[string], { value: number }>('SELECT value FROM meta WHERE name = ?'),
      setMeta: db.prepare('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value'),
      // Compaction from `old` to `new`: tombstones that are now older than `new`, and rows replaced by
      // a write in (old, new]. Rows replaced at or before `old` went in an earlier compaction.
      compactTombstones: db.prepare('DELETE FROM log WHERE id >= @old AND id < @new AND deleted = 1'),
      compactReplaced: db.prepare(
        `DELETE FROM log WHERE id < @new AND id IN
           (SELECT prev_revision FROM log WHERE id > @old AND id <= @new AND prev_revision > 0)`,
      ),
    };
    // Like etcd, an empty store is at revision 1: no object ever has resourceVersion "0".
    const compacted = this.stmt.getMeta.get('compacted')?.value ?? 1;
    this.revision = Math.max(this.stmt.maxRevision.get()?.n ?? 1, compacted);
  }

  /** One transaction (one fsync) for the whole batch; a failed check fails only its own op. */
  applyBatch(ops: WriteOp[]): BatchResult {
    const startRevision = this.revision;
    const events: WatchEvent[] = [];
    try {
      const results = this.db.transaction(() => ops.map((op) => this.applyOne(op, events))).immediate();
      return { results, events, revision: this.revision };
    } catch (err) {
      this.revision = startRevision;
      throw err;
    }
  }

  /** Drops history older than `revision` (the caller checked it against the current revision). */
  compact(revision: number): void {
    const old = this.stmt.getMeta.get('compacted')?.value ?? 1;
    if (revision <= old) return;
    const range = { old, new: revision };
    this.db
      .transaction(() => {
        // Replaced rows first: a tombstone's prev_revision is what finds the row it replaced.
        this.stmt.compactReplaced.run(range);
        this.stmt.compactTombstones.run(range);
        this.stmt.setMeta.run('compacted', revision);
      })
      .immediate();
  }

  private applyOne(op: WriteOp, events: WatchEvent[]): OpResult {
    const { key } = op;
    const current = this.stmt.getCurrent.get(key);
    if (op.kind === 'create') {
      if (current) return { ok: false, error: 'exists', key };
      const rev = ++this.revision;
      this.stmt.insertLog.run(rev, key, op.value, rev, 0, 0);
      this.stmt.setCurrent.run(key, rev);
      events.push({ type: 'put', key, value: op.value, modRevision: rev, createRevision: rev });
      return { ok: true, value: { key, value: op.value, createRevision: rev, modRevision: rev } };
    }
    if (!current) return { ok: false, error: 'notfound', key };
    if (op.expected !== undefined && op.expected !== current.modRevision) {
      return { ok: false, error: 'conflict', key, current: { ...current } };
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
}
