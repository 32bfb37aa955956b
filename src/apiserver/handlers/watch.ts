// Streaming watches over HTTP: one JSON event per line, chunked, fed from the watch cache.
// Events are serialised once per rendering and the bytes shared by every watcher.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject, ResourceDef } from '../../api/registry.js';
import type { SharedWatchEvent, WatchCache } from '../watch/index.js';
import { tableRow, columnDefinitions, partialMetadata } from './table.js';
import type { Rendering } from '../http/negotiate.js';

export interface WatchRequest {
  def: ResourceDef;
  prefix: string;
  afterRevision: number;
  filter?: (obj: KubeObject) => boolean;
  rendering: Rendering;
  bookmarks: boolean;
  timeoutSeconds: number;
  sendInitialEvents?: boolean;
}

/** Max bytes queued on a watcher's socket before it is dropped as too slow. */
const MAX_BACKLOG_BYTES = 16 * 1024 * 1024;

export function serveWatch(source: WatchCache, req: IncomingMessage, res: ServerResponse, w: WatchRequest): Promise<void> {
  return new Promise((resolve) => {
    const contentType = w.rendering === 'table' ? 'application/json;as=Table;v=v1;g=meta.k8s.io' : 'application/json';
    res.writeHead(200, {
      'Content-Type': contentType,
      'Cache-Control': 'no-cache, private',
      'Transfer-Encoding': 'chunked',
    });
    res.flushHeaders();
    let firstTable = true;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      handle?.cancel();
      res.end();
      resolve();
    };
    // Returns false when the socket is full: the cache then holds further events for this
    // watcher until 'drain' resumes it.
    const write = (line: string): boolean => {
      if (done) return true;
      const ok = res.write(line);
      if (res.writableLength > MAX_BACKLOG_BYTES) finish();
      if (!ok && !done) res.once('drain', () => handle.resume());
      return ok;
    };
    const render = (e: SharedWatchEvent): string => {
      if (w.rendering === 'table') {
        // Only the first Table event carries column definitions (kubectl prints headers once).
        const withColumns = firstTable;
        firstTable = false;
        const table = {
          kind: 'Table',
          apiVersion: 'meta.k8s.io/v1',
          metadata: { resourceVersion: e.object.metadata?.resourceVersion },
          columnDefinitions: withColumns ? columnDefinitions(w.def) : [],
          rows: [tableRow(w.def, e.object, 'Metadata', Date.now())],
        };
        return `{"type":"${e.type}","object":${JSON.stringify(table)}}\n`;
      }
      if (w.rendering === 'partial') {
        return e.encoded('partial', () => `{"type":"${e.type}","object":${JSON.stringify(partialMetadata(e.object))}}\n`);
      }
      return e.encoded('json', () => `{"type":"${e.type}","object":${JSON.stringify(e.object)}}\n`);
    };
    const handle = source.watch({
      prefix: w.prefix,
      afterRevision: w.afterRevision,
      filter: w.filter,
      onEvent: (e) => write(render(e)),
      sendInitialEvents: w.sendInitialEvents,
      onBookmark: (rv) => {
        if (!w.bookmarks) return true;
        const obj = { kind: w.def.kind, apiVersion: w.def.group ? `${w.def.group}/${w.def.version}` : w.def.version, metadata: { resourceVersion: String(rv) } };
        return write(`{"type":"BOOKMARK","object":${JSON.stringify(obj)}}\n`);
      },
      onInitialEventsEnd: (rv) => {
        const obj = {
          kind: w.def.kind,
          apiVersion: w.def.group ? `${w.def.group}/${w.def.version}` : w.def.version,
          metadata: { resourceVersion: String(rv), annotations: { 'k8s.io/initial-events-end': 'true' } },
        };
        return write(`{"type":"BOOKMARK","object":${JSON.stringify(obj)}}\n`);
      },
      onClose: () => finish(),
      onError: (err) => {
        write(`{"type":"ERROR","object":${JSON.stringify(err.toStatus())}}\n`);
        finish();
      },
    });
    const timer = setTimeout(finish, w.timeoutSeconds * 1000);
    req.on('close', finish);
    res.on('close', finish);
  });
}
