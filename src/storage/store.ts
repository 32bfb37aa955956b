// The store contract: an MVCC key-value store shaped like etcd v3.
//
// One global revision counter orders every write. Each key remembers the revision that created it
// (createRevision) and the revision of its last write (modRevision); an object's resourceVersion is
// its modRevision as a decimal string. Values are opaque strings (the apiserver stores JSON).
// A write that resolves is durable.

export interface KeyValue {
  key: string;
  value: string;
  createRevision: number;
  modRevision: number;
}

export interface ListOptions {
  /** Read the state as of this revision (0 or absent: the current revision). */
  revision?: number;
  /** Return at most this many items (0 or absent: no limit). */
  limit?: number;
  /** Start at this key (inclusive); keys are returned in byte order. Used for continue tokens. */
  startKey?: string;
}

export interface ListResult {
  items: KeyValue[];
  /** The revision the list was read at. */
  revision: number;
  /** True when more keys under the prefix follow the last returned item. */
  more: boolean;
  /** How many keys under the prefix follow the last returned item (at `revision`). */
  remaining: number;
}

export interface WatchEvent {
  type: 'put' | 'delete';
  key: string;
  /** For put: the new value. For delete: the value just before the delete. */
  value: string;
  /** For put of an existing key: the value before this write. */
  prevValue?: string;
  /** The revision of this event (for delete: the revision of the delete). */
  modRevision: number;
  createRevision: number;
}

export interface Watch {
  /** Stop delivering events; idempotent. */
  cancel(): void;
}

export interface WatchHandlers {
  /**
   * Called in revision order, without gaps, for every write under the prefix after the start
   * revision. Events of one transaction (one revision) arrive in one call.
   */
  onEvents(events: WatchEvent[]): void;
  /** Called once if the watch cannot continue (CompactedError if the start revision is compacted). */
  onError(err: Error): void;
}

export interface Store {
  get(key: string): Promise<KeyValue | null>;
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /** Count keys under a prefix at the current revision. */
  count(prefix: string): Promise<number>;
  /** Create a key; rejects with KeyExistsError if it is present. */
  create(key: string, value: string): Promise<KeyValue>;
  /**
   * Compare-and-swap: write only if the key's modRevision is `expectedModRevision`.
   * Rejects with ConflictError (carrying the current value) if it changed, KeyNotFoundError if absent.
   */
  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue>;
  /**
   * Delete a key, optionally only if its modRevision matches. Resolves with the deleted value and
   * the revision of the delete as modRevision. Rejects with KeyNotFoundError / ConflictError.
   */
  delete(key: string, expectedModRevision?: number): Promise<KeyValue>;
  /** Watch a prefix for writes with revision > afterRevision. */
  watch(prefix: string, afterRevision: number, handlers: WatchHandlers): Watch;
  currentRevision(): Promise<number>;
  /** The oldest revision still readable (history before it is compacted away). */
  compactedRevision(): Promise<number>;
  /** Drop history older than `revision`. */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}

export class StoreError extends Error {
  override name = 'StoreError';
}

export class KeyExistsError extends StoreError {
  override name = 'KeyExistsError';
  constructor(readonly key: string) {
    super(`key exists: ${key}`);
  }
}

export class KeyNotFoundError extends StoreError {
  override name = 'KeyNotFoundError';
  constructor(readonly key: string) {
    super(`key not found: ${key}`);
  }
}

export class ConflictError extends StoreError {
  override name = 'ConflictError';
  constructor(
    readonly key: string,
    readonly current: KeyValue | null,
  ) {
    super(`modRevision mismatch for ${key}`);
  }
}

export class CompactedError extends StoreError {
  override name = 'CompactedError';
  constructor(
    readonly requested: number,
    readonly compacted: number,
  ) {
    super(`revision ${requested} has been compacted (oldest available ${compacted})`);
  }
}

/** A store that also reports revisions it has moved past (for watch bookmarks). */
export type StoreFactory = (opts: { dataDir: string }) => Promise<Store>;
