// One client watch fed by the watch cache. A watcher holds no queue of its own: its position is a
// sequence number in the cache's ring, so a paused (slow) watcher costs nothing until it resumes
// or falls so far behind that it is closed. Filtering happens at delivery, against shared events.

import type { KubeObject } from '../../api/registry.js';
import { errors, StatusError } from '../../api/status.js';
import type { CacheEntry, CacheEvent, SharedWatchEvent } from './events.js';
import { tooOldResourceVersion } from './errors.js';
import type { EventRing } from './ring.js';

/** Whether an object belongs to a watch or list (label and field selectors, compiled by the caller). */
export type ObjectFilter = (obj: KubeObject) => boolean;

/** Why a watch ended without an error the client should see. */
export type WatchCloseReason = 'backlog' | 'stopped';

export interface WatchOptions {
  /** Only keys under this prefix (e.g. one namespace); default: everything the cache holds. */
  prefix?: string;
  /**
   * Deliver events with a revision greater than this. 0 means "from now": first a synthetic ADDED
   * for every current object (unless sendInitialEvents is false), then changes.
   */
  afterRevision: number;
  filter?: ObjectFilter;
  /**
   * true: start with ADDED for every current object, as of a cache revision >= afterRevision (waiting
   * for the cache to get there), then call onInitialEventsEnd. false with afterRevision 0: no initial
   * events. Unset: initial events only when afterRevision is 0 (the legacy behaviour).
   */
  sendInitialEvents?: boolean;
  /**
   * Called for each event, in revision order. Return false to pause delivery (e.g. the socket is
   * full) until `resume()`; events wait in the cache's ring meanwhile.
   */
  onEvent(event: SharedWatchEvent): boolean | void;
  /** The watch is over because of this error (410 Expired, 504 …); send it as an ERROR event. */
  onError(err: StatusError): void;
  /**
   * Progress with nothing to send: everything up to `revision` has been considered for this watch.
   * Called about once a bookmark interval while idle, and on `requestBookmark()`.
   */
  onBookmark?(revision: number): boolean | void;
  /** After the initial events of sendInitialEvents=true (the "initial-events-end" bookmark). */
  onInitialEventsEnd?(revision: number): boolean | void;
  /**
   * The watch is over without an error for the client (it fell too far behind, or the cache was
   * stopped): end the response; the client re-watches from its last revision. Without this
   * handler, onError is called with a 410 (backlog) or 503 (stopped) instead.
   */
  onClose?(reason: WatchCloseReason): void;
}

export interface WatchHandle {
  /** Stop delivering; no callback follows. Idempotent. */
  cancel(): void;
  /** Continue after onEvent/onBookmark returned false. */
  resume(): void;
  /** Ask for an onBookmark as soon as this watcher has caught up. */
  requestBookmark(): void;
  /** Events (including pending initial events) this watcher has yet to be offered. */
  readonly backlog: number;
  /** True once the watch is over (cancelled, failed or closed). */
  readonly done: boolean;
}

/** What a watcher needs from its cache. */
export interface WatcherHost {
  readonly ring: EventRing<CacheEvent>;
  /** Everything up to this revision has been applied. */
  readonly revision: number;
  /** The smallest afterRevision the ring can still serve. */
  oldestResumableRevision(): number;
  detach(w: CacheWatcher): void;
  log(msg: string, err?: unknown): void;
}

export class CacheWatcher implements WatchHandle {
  private started = false;
  private paused = false;
  private pumping = false;
  private finished = false;
  private nextSeq = 0;
  /** Ring events at or below this revision are skipped (already covered, or not asked for). */
  private minRevision = 0;
  /** The revision this watcher has considered everything up to. */
  private position = 0;
  /** The highest revision the client has been told about (by an event or a bookmark). */
  private notified = 0;
  private initial: CacheEntry[] | null = null;
  private initialIdx = 0;
  private initialRevision = 0;
  private initialEndPending = false;
  private bookmarkWanted = false;
  private sentSinceTick = false;
  private idleTicks = 0;
  private readonly prefix: string | undefined;
  private readonly filter: ObjectFilter | undefined;

  constructor(
    private readonly host: WatcherHost,
    readonly opts: WatchOptions,
  ) {
    this.prefix = opts.prefix || undefined;
    this.filter = opts.filter;
  }

  /** True once the cache has given this watcher its starting point. */
  get positioned(): boolean {
    return this.started;
  }

  /** The revision this watcher has considered everything up to. */
  get reachedRevision(): number {
    return this.position;
  }

  get done(): boolean {
    return this.finished;
  }

  get backlog(): number {
    const initial = this.initial ? this.initial.length - this.initialIdx : 0;
    return initial + Math.max(0, this.host.ring.nextSeq - this.nextSeq);
  }

  /** Begin with ADDED for `entries` (current objects at `revision`), then ring events from `nextSeq`. */
  startWithSnapshot(entries: CacheEntry[], revision: number, signalEnd: boolean, nextSeq: number): void {
    this.initial = entries;
    this.initialRevision = revision;
    this.initialEndPending = signalEnd;
    this.nextSeq = nextSeq;
    this.minRevision = 0;
    this.position = revision;
    this.started = true;
  }

  /** Begin at ring position `nextSeq`, skipping events at or below `afterRevision`. */
  startAt(nextSeq: number, afterRevision: number): void {
    this.nextSeq = nextSeq;
    this.minRevision = afterRevision;
    this.position = afterRevision;
    this.notified = afterRevision;
    this.started = true;
  }

  cancel(): void {
    if (this.finished) return;
    this.finish();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.pump();
  }

  requestBookmark(): void {
    if (this.finished) return;
    this.bookmarkWanted = true;
    this.pump();
  }

  /** Called by the cache after new events land in the ring. */
  notify(maxBacklog: number): void {
    if (this.finished || !this.started) return;
    if (this.paused) {
      // Only ring lag counts: a large initial snapshot is bounded by the object count, not by time.
      if (this.host.ring.nextSeq - this.nextSeq > maxBacklog) this.close('backlog');
      return;
    }
    this.pump();
  }

  /** Delivers whatever is due, until caught up, paused or finished. */
  pump(): void {
    if (this.finished || this.paused || this.pumping || !this.started) return;
    this.pumping = true;
    try {
      this.deliver();
    } catch (err) {
      this.host.log('watch delivery failed', err);
      this.fail(err instanceof StatusError ? err : errors.internal(err instanceof Error ? err.message : String(err)));
    } finally {
      this.pumping = false;
    }
  }

  private deliver(): void {
    const ring = this.host.ring;
    while (!this.finished && !this.paused) {
      if (this.initial !== null) {
        if (this.initialIdx < this.initial.length) {
          const entry = this.initial[this.initialIdx++]!;
          if (this.matches(entry.key, entry.object)) this.send(entry.addedEvent());
          continue;
        }
        this.initial = null;
        if (this.initialEndPending) {
          this.initialEndPending = false;
          this.markSent(this.initialRevision);
          if (this.opts.onInitialEventsEnd?.(this.initialRevision) === false) this.paused = true;
          continue;
        }
      }
      if (this.nextSeq >= ring.nextSeq) break;
      if (this.nextSeq < ring.oldestSeq) {
        // Overwritten before we got to it: the client must relist.
        this.fail(tooOldResourceVersion(this.position, this.host.oldestResumableRevision()));
        return;
      }
      const ev = ring.at(this.nextSeq++);
      if (ev.revision <= this.minRevision) continue;
      this.position = ev.revision;
      const out = this.convert(ev);
      if (out !== null) this.send(out);
    }
    if (this.bookmarkWanted && this.caughtUp()) this.bookmark();
  }

  /** Upstream's filter transitions: starts matching → ADDED, keeps matching → MODIFIED, stops → DELETED. */
  private convert(ev: CacheEvent): SharedWatchEvent | null {
    if (this.prefix !== undefined && !ev.key.startsWith(this.prefix)) return null;
    const f = this.filter;
    if (f === undefined) {
      if (ev.current === null) return ev.deletedEvent();
      return ev.prev === null ? ev.addedEvent() : ev.modifiedEvent();
    }
    const cur = ev.current !== null && f(ev.current.object);
    const old = ev.prev !== null && f(ev.prev.object);
    if (cur) return old ? ev.modifiedEvent() : ev.addedEvent();
    return old ? ev.deletedEvent() : null;
  }

  private matches(key: string, obj: KubeObject): boolean {
    if (this.prefix !== undefined && !key.startsWith(this.prefix)) return false;
    return this.filter === undefined || this.filter(obj);
  }

  private send(ev: SharedWatchEvent): void {
    this.markSent(ev.revision);
    if (this.opts.onEvent(ev) === false) this.paused = true;
  }

  private markSent(revision: number): void {
    this.sentSinceTick = true;
    this.idleTicks = 0;
    if (revision > this.notified) this.notified = revision;
  }

  private caughtUp(): boolean {
    return this.started && this.initial === null && !this.paused && this.nextSeq >= this.host.ring.nextSeq;
  }

  /** Sends a bookmark at the cache's revision if that is truthful and not behind what the client has. */
  private bookmark(): void {
    const onBookmark = this.opts.onBookmark;
    const rev = this.host.revision;
    // A watch from a future revision must not be told about an older one.
    if (onBookmark === undefined || rev < this.minRevision || rev < this.notified) return;
    this.bookmarkWanted = false;
    this.markSent(rev);
    if (onBookmark(rev) === false) this.paused = true;
  }

  /**
   * Called by the cache every bookmark interval. Sends a bookmark when the revision moved on
   * without anything sent, or when nothing at all was sent for `keepaliveTicks` intervals.
   */
  tick(keepaliveTicks: number): void {
    if (this.finished || this.opts.onBookmark === undefined) return;
    if (this.sentSinceTick) {
      this.sentSinceTick = false;
      return;
    }
    this.idleTicks++;
    if (!this.caughtUp()) return;
    if (this.host.revision > this.notified || this.idleTicks >= keepaliveTicks) {
      try {
        this.bookmark();
      } catch (err) {
        this.host.log('watch bookmark failed', err);
        this.fail(errors.internal(err instanceof Error ? err.message : String(err)));
      }
    }
  }

  /** Ends the watch with an error the client sees. */
  fail(err: StatusError): void {
    if (this.finished) return;
    this.finish();
    try {
      this.opts.onError(err);
    } catch (e) {
      this.host.log('watch onError handler threw', e);
    }
  }

  /** Ends the watch quietly (or with the nearest error when the caller did not ask for quiet closes). */
  close(reason: WatchCloseReason): void {
    if (this.finished) return;
    if (this.opts.onClose === undefined) return this.fail(this.closeError(reason));
    this.finish();
    try {
      this.opts.onClose(reason);
    } catch (e) {
      this.host.log('watch onClose handler threw', e);
    }
  }

  private closeError(reason: WatchCloseReason): StatusError {
    if (reason === 'backlog') return tooOldResourceVersion(this.position, this.host.oldestResumableRevision());
    return new StatusError(503, 'ServiceUnavailable', 'the watch cache is shutting down');
  }

  private finish(): void {
    this.finished = true;
    this.initial = null;
    this.host.detach(this);
  }
}
