// The SQLite file layout.
//
// `log` is the history, one row per revision (kine-like): the row id is the revision. A delete is a
// row with deleted = 1 that still carries the deleted value (delete events need it). prev_revision
// points at the write this one replaced (0 for a create), which gives update events their prevValue
// and lets compaction find superseded rows without scanning the whole table.
//
// `current` maps each live key to its latest log row, so reads at the current revision (the common
// case) touch only live keys; reads at older revisions group the log by key via (key, id).

import Database from 'better-sqlite3';

export function openDatabase(file: string): Database.Database {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    // FULL syncs the WAL on every commit: a write that resolved survives power loss.
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    db.exec(`
      CREATE TABLE IF NOT EXISTS log (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        create_revision INTEGER NOT NULL,
        prev_revision INTEGER NOT NULL,
        deleted INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS log_key_id ON log (key, id);
      CREATE TABLE IF NOT EXISTS current (
        key TEXT PRIMARY KEY,
        id INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS meta (
        name TEXT PRIMARY KEY,
        value INTEGER NOT NULL
      ) WITHOUT ROWID;
    `);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
