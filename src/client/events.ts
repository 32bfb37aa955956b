// EventRecorder: writes core/v1 Events about objects, as upstream's recorder + EventCorrelator:
//  - a repeat (same source, object, type, reason, message) within the window PATCHes the existing
//    Event's count and lastTimestamp instead of creating a new one;
//  - more than 10 events with the same source/object/type/reason but different messages within the
//    window are combined into one ("(combined from similar events): …");
//  - a per-object spam filter (burst 25, then one per 5 minutes) and an overall write rate;
//  - event() only queues: it never blocks and never throws.

import type { KubeObject } from '../api/registry.js';
import { isNotFound } from './errors.js';
import { TokenBucket } from './ratelimit.js';
import type { ResourceClient } from './resource.js';
import { EVENTS } from './resources.js';
import type { RestClient } from './rest.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  /** source.component and reportingComponent, e.g. 'default-scheduler'. */
  component: string;
  /** source.host (e.g. the node name for a kubelet). */
  host?: string;
  /** reportingInstance; default: the host or the component. */
  reportingInstance?: string;
  /** Overall write rate; default 100/s, burst 200. */
  qps?: number;
  burst?: number;
  /** Per-object spam filter: burst (default 25) and refill rate (default one per 300 s). */
  spamBurst?: number;
  spamQps?: number;
  /** Repeats within this window are merged into one Event (default 10 minutes). */
  aggregationWindowMs?: number;
  /** Events waiting to be written beyond this are dropped (default 1000). */
  maxQueued?: number;
  /** Concurrent writes (default 8); events about the same key are written in order. */
  concurrency?: number;
  onError?: (err: unknown) => void;
}

interface ObjectReference {
  kind?: string;
  apiVersion?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

export interface CoreEvent extends KubeObject {
  involvedObject: ObjectReference;
  reason: string;
  message: string;
  source: { component: string; host?: string };
  firstTimestamp: string;
  lastTimestamp: string;
  count: number;
  type: EventType;
  eventTime: null;
  reportingComponent: string;
  reportingInstance: string;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
  lastSeen: number;
}

interface Similar {
  messages: Set<string>;
  lastSeen: number;
}

const MAX_SIMILAR = 10;
const CACHE_SIZE = 4096;

export class EventRecorder {
  private readonly events: ResourceClient<CoreEvent>;
  private readonly bucket: TokenBucket;
  private readonly spam = new Map<string, TokenBucket>();
  private readonly seen = new Map<string, Seen>();
  private readonly similar = new Map<string, Similar>();
  /** dedupe key → tail of its write chain */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly windowMs: number;
  private queued = 0;
  private active = 0;
  private slotWaiters: Array<() => void> = [];
  private stopped = false;
  /** Events dropped because the queue was full or the spam filter refused them. */
  dropped = 0;

  constructor(
    readonly client: RestClient,
    readonly options: EventRecorderOptions,
  ) {
    this.events = client.resource<CoreEvent>(EVENTS);
    this.bucket = new TokenBucket(options.qps ?? 100, options.burst ?? 200);
    this.windowMs = options.aggregationWindowMs ?? 10 * 60_000;
  }

  /** Record an event about `obj`; never blocks and never throws. */
  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    try {
      this.record(obj, type, reason, message);
    } catch (err) {
      this.reportError(err);
    }
  }

  /** Like event() with a printf-style message (%s, %d, %v). */
  eventf(obj: KubeObject, type: EventType, reason: string, format: string, ...args: unknown[]): void {
    let i = 0;
    this.event(obj, type, reason, format.replace(/%[sdvq]/g, (m) => (i < args.length ? (m === '%q' ? JSON.stringify(String(args[i++])) : String(args[i++])) : m)));
  }

  /** Wait until everything queued so far has been written (or failed). */
  async flush(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  /** Flush and stop accepting events. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.flush();
  }

  private record(obj: KubeObject, type: EventType, reason: string, message: string): void {
    if (this.stopped) return;
    const md = obj.metadata ?? {};
    const ref: ObjectReference = {};
    if (obj.kind) ref.kind = obj.kind;
    if (obj.apiVersion) ref.apiVersion = obj.apiVersion;
    if (md.namespace) ref.namespace = md.namespace;
    if (md.name) ref.name = md.name;
    if (md.uid) ref.uid = md.uid;
    if (md.resourceVersion) ref.resourceVersion = md.resourceVersion;
    const src = `${this.options.component}\x00${this.options.host ?? ''}`;
    const objKey = [ref.kind, ref.apiVersion, ref.namespace, ref.name, ref.uid].join('\x00');

    // Spam filter, per source + object.
    let spam = this.spam.get(src + objKey);
    if (!spam) {
      spam = new TokenBucket(this.options.spamQps ?? 1 / 300, this.options.spamBurst ?? 25);
      this.spam.set(src + objKey, spam);
      trim(this.spam);
    }
    if (!spam.tryAccept()) {
      this.dropped++;
      return;
    }

    // Aggregation of similar events (same reason, different messages).
    const now = Date.now();
    const aggKey = `${src}\x00${objKey}\x00${type}\x00${reason}`;
    let sim = this.similar.get(aggKey);
    if (!sim || now - sim.lastSeen > this.windowMs) {
      sim = { messages: new Set(), lastSeen: now };
      this.similar.set(aggKey, sim);
      trim(this.similar);
    }
    sim.lastSeen = now;
    sim.messages.add(message);
    let key = `${aggKey}\x00${message}`;
    if (sim.messages.size > MAX_SIMILAR) {
      message = `(combined from similar events): ${message}`;
      key = `${aggKey}\x00\x01combined`;
    }

    if (this.queued >= (this.options.maxQueued ?? 1000)) {
      this.dropped++;
      return;
    }
    this.queued++;
    const timestamp = rfc3339(new Date(now));
    const prev = this.chains.get(key) ?? Promise.resolve();
    const next = prev
      .then(() => this.write(key, ref, type, reason, message, timestamp, now))
      .catch((err) => this.reportError(err))
      .finally(() => {
        this.queued--;
        if (this.chains.get(key) === next) this.chains.delete(key);
      });
    this.chains.set(key, next);
  }

  private async write(key: string, ref: ObjectReference, type: EventType, reason: string, message: string, timestamp: string, now: number): Promise<void> {
    await this.acquireSlot();
    try {
      await this.bucket.wait();
      const namespace = ref.namespace || 'default';
      const prev = this.seen.get(key);
      if (prev && now - prev.lastSeen <= this.windowMs) {
        const count = prev.count + 1;
        try {
          await this.events.patch(prev.namespace, prev.name, { count, lastTimestamp: timestamp, message }, 'strategic');
          prev.count = count;
          prev.lastSeen = now;
          return;
        } catch (err) {
          if (!isNotFound(err)) throw err;
          // The event was deleted (TTL); create a new one.
        }
      }
      const name = `${ref.name ?? 'unknown'}.${(BigInt(now) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000))).toString(16)}`;
      const ev: CoreEvent = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject: ref,
        reason,
        message,
        source: this.options.host ? { component: this.options.component, host: this.options.host } : { component: this.options.component },
        firstTimestamp: timestamp,
        lastTimestamp: timestamp,
        count: 1,
        type,
        eventTime: null,
        reportingComponent: this.options.component,
        reportingInstance: this.options.reportingInstance ?? this.options.host ?? this.options.component,
      };
      await this.events.create(namespace, ev);
      this.seen.set(key, { name, namespace, count: 1, firstTimestamp: timestamp, lastSeen: now });
      trim(this.seen);
    } finally {
      this.releaseSlot();
    }
  }

  private async acquireSlot(): Promise<void> {
    if (this.active < (this.options.concurrency ?? 8)) {
      this.active++;
      return;
    }
    await new Promise<void>((r) => this.slotWaiters.push(r));
  }

  private releaseSlot(): void {
    const w = this.slotWaiters.shift();
    if (w) w();
    else this.active--;
  }

  private reportError(err: unknown): void {
    if (this.options.onError) this.options.onError(err);
    else console.error(`events (${this.options.component}):`, err instanceof Error ? err.message : err);
  }
}

/** `2006-01-02T15:04:05Z`, as metav1.Time. */
function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Keep a Map to CACHE_SIZE entries, dropping the oldest inserted. */
function trim<K, V>(m: Map<K, V>): void {
  while (m.size > CACHE_SIZE) m.delete(m.keys().next().value as K);
}
