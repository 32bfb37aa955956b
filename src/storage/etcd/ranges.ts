// Byte ranges for etcd requests. etcd addresses a prefix as [prefix, prefixEnd) over raw bytes, with
// "\0" as range_end meaning "to the end of the keyspace".

const ALL = Buffer.from([0]);

export interface ByteRange {
  key: Buffer;
  range_end: Buffer;
}

/** The range of every key starting with `prefix` (all keys for the empty prefix). */
export function prefixRange(prefix: string): ByteRange {
  if (prefix === '') return { key: ALL, range_end: ALL };
  return { key: Buffer.from(prefix), range_end: bytesPrefixEnd(Buffer.from(prefix)) };
}

/** Increment the last byte that is not 0xff, dropping what follows it. */
export function bytesPrefixEnd(prefix: Buffer): Buffer {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i]! < 0xff) {
      const end = Buffer.from(prefix.subarray(0, i + 1));
      end[i]! += 1;
      return end;
    }
  }
  return ALL;
}
