// The SQLite writer thread: owns the store's write connection and applies batches and compactions
// one at a time, in the order they arrive. A reply is posted only after the transaction committed
// (synchronous=FULL: after the WAL fsync), so a write the store acknowledges is durable.

import { parentPort, workerData } from 'node:worker_threads';

import { openDatabase } from './schema.js';
import { SqliteWriter, type BatchResult, type WriteOp } from './writer.js';

export type WriterRequest =
  | { id: number; kind: 'batch'; ops: WriteOp[] }
  | { id: number; kind: 'compact'; revision: number }
  | { id: number; kind: 'close' };

export type WriterReply =
  | { id: number; ok: true; batch?: BatchResult }
  | { id: number; ok: false; error: { name: string; message: string } };

const port = parentPort;
if (!port) throw new Error('writer-worker must run as a worker thread');
const { file } = workerData as { file: string };
const db = openDatabase(file);
const writer = new SqliteWriter(db);

port.on('message', (req: WriterRequest) => {
  let reply: WriterReply;
  try {
    if (req.kind === 'batch') reply = { id: req.id, ok: true, batch: writer.applyBatch(req.ops) };
    else if (req.kind === 'compact') {
      writer.compact(req.revision);
      reply = { id: req.id, ok: true };
    } else {
      db.close();
      port.postMessage({ id: req.id, ok: true } satisfies WriterReply);
      port.close();
      return;
    }
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    reply = { id: req.id, ok: false, error: { name: e.name, message: e.message } };
  }
  port.postMessage(reply);
});
