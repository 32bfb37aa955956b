// The objects the watch cache holds and hands out. Everything here is shared: one decoded object
// per stored version, one event object per (store event, watch event type), one serialisation per
// (event, format). Nobody may mutate them; `freeze` makes that enforced (used in tests).

import type { KubeObject } from '../../api/registry.js';
import { decodeFromStore } from '../handlers/codec.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** A watch event as clients see it, shared by every watcher it is delivered to. */
export class SharedWatchEvent {
  private memo: Map<string, unknown> | undefined;

  constructor(
    readonly type: WatchEventType,
    /** Shared and never mutated: treat as deeply frozen. */
    readonly object: KubeObject,
    /** The store revision of this event (for synthetic ADDED events: the object's revision). */
    readonly revision: number,
    readonly key: string,
  ) {}

  /**
   * This event rendered in `format` (e.g. 'json', 'partial', 'protobuf'), computed by `make` the
   * first time any watcher asks and reused by all others.
   */
  encoded<T>(format: string, make: () => T): T {
    let memo = this.memo;
    if (memo === undefined) memo = this.memo = new Map();
    if (memo.has(format)) return memo.get(format) as T;
    const value = make();
    memo.set(format, value);
    return value;
  }
}

/** One version of one object as the cache holds it. */
export class CacheEntry {
  private added: SharedWatchEvent | undefined;

  constructor(
    readonly key: string,
    readonly object: KubeObject,
    readonly revision: number,
  ) {}

  /** The ADDED event for this version (creations and initial events share it and its encodings). */
  addedEvent(): SharedWatchEvent {
    return (this.added ??= new SharedWatchEvent('ADDED', this.object, this.revision, this.key));
  }
}

/** One store event in the ring: the version it produced (null for a delete) and the one it replaced. */
export class CacheEvent {
  private modified: SharedWatchEvent | undefined;
  private deleted: SharedWatchEvent | undefined;

  constructor(
    readonly revision: number,
    readonly key: string,
    readonly current: CacheEntry | null,
    readonly prev: CacheEntry | null,
    private readonly freeze: boolean,
    /** When the cache received it (ms); sizes the ring. */
    readonly receivedAt = 0,
  ) {}

  addedEvent(): SharedWatchEvent {
    // A delete never yields ADDED; callers check `current` first.
    return this.current!.addedEvent();
  }

  modifiedEvent(): SharedWatchEvent {
    return (this.modified ??= new SharedWatchEvent('MODIFIED', this.current!.object, this.revision, this.key));
  }

  /**
   * DELETED carries the last content the watcher could have seen (the previous version) stamped with
   * this event's revision, as upstream does both for deletes and for objects that stop matching a
   * filter, so a client can resume from the event's resourceVersion.
   */
  deletedEvent(): SharedWatchEvent {
    if (this.deleted === undefined) {
      const obj = withResourceVersion(this.prev!.object, this.revision);
      if (this.freeze) {
        Object.freeze(obj.metadata);
        Object.freeze(obj);
      }
      this.deleted = new SharedWatchEvent('DELETED', obj, this.revision, this.key);
    }
    return this.deleted;
  }
}

/** Decodes a stored value as every read path does (handlers/codec.ts), frozen when asked. */
export function decodeStoredObject(value: string, revision: number, freeze: boolean): KubeObject {
  const o = decodeFromStore(value, revision);
  return freeze ? deepFreeze(o) : o;
}

/** A shallow copy with a new metadata.resourceVersion; nested values stay shared. */
function withResourceVersion(obj: KubeObject, revision: number): KubeObject {
  return { ...obj, metadata: { ...(obj.metadata ?? {}), resourceVersion: String(revision) } };
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
