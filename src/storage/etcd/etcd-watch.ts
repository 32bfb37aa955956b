// One store watch on etcd: a gRPC Watch stream of its own, resumed from the next unseen revision if
// the stream breaks (etcd replays from there), so delivery stays gap-free across reconnects.
//
// We drive the raw stream instead of etcd3's Watcher because that one resumes from the last response
// header's revision, which can skip events it never delivered, and it drops the compact revision
// that tells us a start revision is gone.

import type { Etcd3, IWatchResponse, IEvent, IKeyValue } from 'etcd3';

import { CompactedError, StoreError, type Watch, type WatchEvent, type WatchHandlers } from '../store.js';
import type { ByteRange } from './ranges.js';

// The part of the grpc-js duplex stream (typed loosely by etcd3) that we use.
interface WatchStream {
  on(event: 'data', listener: (res: IWatchResponse) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  write(message: unknown): boolean;
  end(): void;
  cancel(): void;
}

export interface EtcdWatchOptions {
  /** Give up (onError) after this many consecutive failed reconnects. */
  maxReconnects?: number;
  /** Delay before the first reconnect; doubles up to 5 s. */
  reconnectDelayMs?: number;
}

export class EtcdWatch implements Watch {
  private next: number;
  private stream: WatchStream | null = null;
  private finished = false;
  private failures = 0;
  private readonly maxReconnects: number;
  private readonly reconnectDelayMs: number;

  constructor(
    private readonly client: Etcd3,
    private readonly range: ByteRange,
    afterRevision: number,
    private readonly handlers: WatchHandlers,
    opts: EtcdWatchOptions = {},
  ) {
    this.next = afterRevision + 1;
    this.maxReconnects = opts.maxReconnects ?? 10;
    this.reconnectDelayMs = opts.reconnectDelayMs ?? 100;
    void this.connect();
  }

  cancel(): void {
    if (this.finished) return;
    this.finished = true;
    this.closeStream();
  }

  private async connect(): Promise<void> {
    let stream: WatchStream;
    try {
      stream = (await this.client.watchClient.watch()) as unknown as WatchStream;
    } catch (err) {
      this.retry(err);
      return;
    }
    if (this.finished) {
      closeQuietly(stream);
      return;
    }
    this.stream = stream;
    stream.on('data', (res: IWatchResponse) => {
      if (stream === this.stream) this.onResponse(res);
    });
    stream.on('error', (err: Error) => {
      if (stream === this.stream) this.onBroken(err);
    });
    stream.on('end', () => {
      if (stream === this.stream) this.onBroken(new Error('etcd watch stream ended'));
    });
    stream.write({
      create_request: {
        ...this.range,
        start_revision: this.next,
        prev_kv: true,
        progress_notify: true,
      },
    });
  }

  private onResponse(res: IWatchResponse): void {
    if (this.finished) return;
    const compactRevision = Number(res.compact_revision);
    if (compactRevision > 0) {
      this.fail(new CompactedError(this.next, compactRevision));
      return;
    }
    if (res.canceled) {
      this.fail(new StoreError(`etcd cancelled the watch: ${res.cancel_reason || 'no reason given'}`));
      return;
    }
    this.failures = 0;
    if (res.events.length === 0) return; // created, or a progress notification
    const events = res.events.map(toWatchEvent);
    this.next = events[events.length - 1]!.modRevision + 1;
    try {
      this.handlers.onEvents(events);
    } catch (cause) {
      this.fail(new StoreError('watch handler threw; watch stopped', { cause }));
    }
  }

  private onBroken(err: Error): void {
    this.closeStream();
    if (!this.finished) this.retry(err);
  }

  private retry(cause: unknown): void {
    if (this.finished) return;
    if (++this.failures > this.maxReconnects) {
      this.fail(new StoreError(`etcd watch lost after ${this.maxReconnects} reconnects`, { cause }));
      return;
    }
    const delay = Math.min(this.reconnectDelayMs * 2 ** (this.failures - 1), 5000);
    setTimeout(() => void this.connect(), delay).unref();
  }

  private fail(err: Error): void {
    if (this.finished) return;
    this.finished = true;
    this.closeStream();
    this.handlers.onError(err);
  }

  private closeStream(): void {
    const stream = this.stream;
    this.stream = null;
    if (stream) closeQuietly(stream);
  }
}

// end() first: etcd3 marks a host failed when a still-writable stream errors, and cancelling
// our own stream is not a host failure.
function closeQuietly(stream: WatchStream): void {
  stream.on('error', () => {});
  stream.end();
  stream.cancel();
}

function toWatchEvent(ev: IEvent): WatchEvent {
  const kv = ev.kv;
  const prev: IKeyValue | null | undefined = ev.prev_kv;
  if (ev.type === 'Delete') {
    return {
      type: 'delete',
      key: kv.key.toString(),
      value: prev ? prev.value.toString() : '',
      modRevision: Number(kv.mod_revision),
      createRevision: prev ? Number(prev.create_revision) : 0,
    };
  }
  const event: WatchEvent = {
    type: 'put',
    key: kv.key.toString(),
    value: kv.value.toString(),
    modRevision: Number(kv.mod_revision),
    createRevision: Number(kv.create_revision),
  };
  if (prev) event.prevValue = prev.value.toString();
  return event;
}
