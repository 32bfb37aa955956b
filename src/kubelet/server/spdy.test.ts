// SPDY header blocks as containerd's spdystream (Go's compress/flate) reads them.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { constants, inflateSync } from 'node:zlib';
import { decodeStoredHeaderBlock, encodeHeaderBlock, HeaderCompressor } from './spdy.js';

const SYNC_FLUSH_MARKER = Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]);

test('every header block ends with a sync-flush marker (Go reads a block only up to the next block header)', () => {
  // Without the marker Go's flate reader reads past the frame for the next block header, gets EOF,
  // and the connection's shared decompressor fails every later SYN_STREAM: with containerd only
  // the first stream (error) opened and `kubectl exec` over v5 hung.
  const c = new HeaderCompressor();
  const blocks = [{ streamtype: 'error' }, { streamtype: 'stdout' }, { streamtype: 'stderr' }];
  const out = blocks.map((h) => c.compress(encodeHeaderBlock(h)));
  for (const b of out) assert.deepEqual(b.subarray(-5), SYNC_FLUSH_MARKER);
  assert.deepEqual(out[0]!.subarray(0, 2), Buffer.from([0x78, 0x01]), 'zlib header only once, no preset dictionary');
  assert.notDeepEqual(out[1]!.subarray(0, 2), Buffer.from([0x78, 0x01]));
  out.forEach((b, i) => assert.deepEqual(decodeStoredHeaderBlock(b, i === 0), blocks[i]));
  // One zlib stream across frames, as any inflater sees it.
  const all = inflateSync(Buffer.concat(out), { finishFlush: constants.Z_SYNC_FLUSH });
  assert.deepEqual(all, Buffer.concat(blocks.map((h) => encodeHeaderBlock(h))));
});
