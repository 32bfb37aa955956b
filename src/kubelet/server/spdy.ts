// Just enough SPDY/3.1 framing to be a client of a streaming server (containerd's, kubelet's):
// open streams with headers, send and receive data, half-close, answer pings, notice GOAWAY.
//
// Header blocks are zlib streams (shared per direction for the whole connection). We send ours
// as stored (uncompressed) deflate blocks without a preset dictionary, which any zlib reader
// accepts; header blocks we receive are skipped, as a client of remotecommand never needs them.
// Peers built on spdystream implement no flow control, so WINDOW_UPDATE is neither sent nor
// required.

import type { Duplex } from 'node:stream';

export const SPDY_VERSION = 3;

/** `K8TS_STREAM_DEBUG=1` logs every SPDY frame and WebSocket message of bridged streams to stderr. */
export const STREAM_DEBUG = /^(1|true|yes)$/i.test(process.env['K8TS_STREAM_DEBUG'] ?? '');

export function debugStream(msg: string): void {
  if (STREAM_DEBUG) console.error(`stream-debug ${new Date().toISOString().slice(11, 23)} ${msg}`);
}

const FRAME_NAMES: Record<number, string> = { 1: 'SYN_STREAM', 2: 'SYN_REPLY', 3: 'RST_STREAM', 4: 'SETTINGS', 6: 'PING', 7: 'GOAWAY', 8: 'HEADERS', 9: 'WINDOW_UPDATE' };

/** One line describing a frame, for debugging. */
export function describeFrame(f: Frame): string {
  if (!f.control) return `DATA stream=${f.streamId} flags=${f.flags} len=${f.data.length} ${JSON.stringify(f.data.subarray(0, 80).toString('latin1'))}`;
  const name = FRAME_NAMES[f.type] ?? `type${f.type}`;
  const id = f.data.length >= 4 ? f.data.readUInt32BE(0) & 0x7fffffff : -1;
  const extra = f.type === FrameType.RST_STREAM || f.type === FrameType.GOAWAY ? ` status=${f.data.length >= 8 ? f.data.readUInt32BE(4) : '?'}` : '';
  return `${name} id=${id} flags=${f.flags} len=${f.data.length}${extra}`;
}

export const FrameType = {
  SYN_STREAM: 1,
  SYN_REPLY: 2,
  RST_STREAM: 3,
  SETTINGS: 4,
  PING: 6,
  GOAWAY: 7,
  HEADERS: 8,
  WINDOW_UPDATE: 9,
} as const;

export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;

export type Frame =
  | { control: true; type: number; flags: number; data: Buffer }
  | { control: false; streamId: number; flags: number; data: Buffer };

/** Splits a byte stream into SPDY frames. Feed bytes with push(); returns the complete frames. */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Frame[] = [];
    while (this.buf.length >= 8) {
      const len = this.buf.readUIntBE(5, 3);
      if (this.buf.length < 8 + len) break;
      const flags = this.buf[4]!;
      const data = Buffer.from(this.buf.subarray(8, 8 + len));
      if (this.buf[0]! & 0x80) {
        const type = this.buf.readUInt16BE(2);
        out.push({ control: true, type, flags, data });
      } else {
        const streamId = this.buf.readUInt32BE(0) & 0x7fffffff;
        out.push({ control: false, streamId, flags, data });
      }
      this.buf = this.buf.subarray(8 + len);
    }
    return out;
  }
}

function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE(payload.length, 4);
  head[4] = flags;
  return Buffer.concat([head, payload]);
}

export function dataFrame(streamId: number, data: Buffer, flags = 0): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(streamId & 0x7fffffff, 0);
  head.writeUInt32BE(data.length, 4);
  head[4] = flags;
  return Buffer.concat([head, data]);
}

/** The uncompressed name/value block: count, then length-prefixed names and values (32-bit). */
export function encodeHeaderBlock(headers: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  const count = Buffer.alloc(4);
  const entries = Object.entries(headers);
  count.writeUInt32BE(entries.length, 0);
  parts.push(count);
  for (const [name, value] of entries) {
    for (const s of [name.toLowerCase(), value]) {
      const b = Buffer.from(s, 'utf8');
      const l = Buffer.alloc(4);
      l.writeUInt32BE(b.length, 0);
      parts.push(l, b);
    }
  }
  return Buffer.concat(parts);
}

/**
 * Writes header blocks as one zlib stream of stored deflate blocks (no compression, no dictionary),
 * each block followed by a sync-flush marker.
 */
export class HeaderCompressor {
  private started = false;

  compress(block: Buffer): Buffer {
    const parts: Buffer[] = [];
    if (!this.started) {
      // CMF 0x78 (deflate, 32K window), FLG 0x01: no preset dictionary, check bits valid.
      parts.push(Buffer.from([0x78, 0x01]));
      this.started = true;
    }
    for (let off = 0; off < block.length || off === 0; ) {
      const n = Math.min(0xffff, block.length - off);
      const h = Buffer.alloc(5);
      h[0] = 0x00; // BFINAL=0, BTYPE=00 (stored)
      h.writeUInt16LE(n, 1);
      h.writeUInt16LE(~n & 0xffff, 3);
      parts.push(h, block.subarray(off, off + n));
      off += n;
      if (n === 0) break;
    }
    // End every block with an empty stored block, as a zlib sync flush does. Go's flate reader
    // (spdystream in containerd) only hands out a stored block's bytes once it has read the next
    // block's header; without this marker it reads past the frame, hits EOF, and the connection's
    // shared header decompressor is broken for good: the first stream opens, later ones never do.
    parts.push(Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]));
    return Buffer.concat(parts);
  }
}

/** Decodes stored-block header streams as written by HeaderCompressor (for tests and our own peers). */
export function decodeStoredHeaderBlock(compressed: Buffer, first: boolean): Record<string, string> {
  let p = first ? 2 : 0;
  const raw: Buffer[] = [];
  while (p < compressed.length) {
    const n = compressed.readUInt16LE(p + 1);
    raw.push(compressed.subarray(p + 5, p + 5 + n));
    p += 5 + n;
  }
  const block = Buffer.concat(raw);
  const out: Record<string, string> = {};
  const count = block.readUInt32BE(0);
  let q = 4;
  for (let i = 0; i < count; i++) {
    const nl = block.readUInt32BE(q);
    const name = block.subarray(q + 4, q + 4 + nl).toString('utf8');
    q += 4 + nl;
    const vl = block.readUInt32BE(q);
    out[name] = block.subarray(q + 4, q + 4 + vl).toString('utf8');
    q += 4 + vl;
  }
  return out;
}

export function synStreamFrame(compressor: HeaderCompressor, streamId: number, headers: Record<string, string>, flags = 0): Buffer {
  const head = Buffer.alloc(10);
  head.writeUInt32BE(streamId & 0x7fffffff, 0);
  head.writeUInt32BE(0, 4); // associated-to-stream-id
  head[8] = 0; // priority 0, unused
  head[9] = 0; // slot
  return controlFrame(FrameType.SYN_STREAM, flags, Buffer.concat([head, compressor.compress(encodeHeaderBlock(headers))]));
}

export function synReplyFrame(compressor: HeaderCompressor, streamId: number, headers: Record<string, string>, flags = 0): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(streamId & 0x7fffffff, 0);
  return controlFrame(FrameType.SYN_REPLY, flags, Buffer.concat([head, compressor.compress(encodeHeaderBlock(headers))]));
}

export function pingFrame(id: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(id >>> 0, 0);
  return controlFrame(FrameType.PING, 0, b);
}

export function rstStreamFrame(streamId: number, status: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32BE(streamId & 0x7fffffff, 0);
  b.writeUInt32BE(status, 4);
  return controlFrame(FrameType.RST_STREAM, 0, b);
}

export function goAwayFrame(lastGoodStreamId: number, status = 0): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32BE(lastGoodStreamId & 0x7fffffff, 0);
  b.writeUInt32BE(status, 4);
  return controlFrame(FrameType.GOAWAY, 0, b);
}

export interface SpdyStreamEvents {
  onData(data: Buffer): void;
  /** The peer half-closed (FIN) or reset the stream. */
  onEnd?(): void;
}

/**
 * The client end of a SPDY/3.1 connection over an already-upgraded socket. Streams get odd ids
 * counting up from 1.
 */
export class SpdyClient {
  private nextId = 1;
  private readonly compressor = new HeaderCompressor();
  private readonly reader = new FrameReader();
  private readonly streams = new Map<number, SpdyStreamEvents>();
  private closed = false;
  /** Called once when the peer sends GOAWAY or the socket ends. */
  onClose?: (reason: 'goaway' | 'end' | 'error') => void;

  constructor(private readonly socket: Duplex, initial?: Buffer) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('end', () => this.finish('end'));
    socket.on('close', () => this.finish('end'));
    socket.on('error', () => this.finish('error'));
    // Bytes that came with the 101 first, then whatever follows (the socket may have been paused).
    queueMicrotask(() => {
      if (initial && initial.length) this.receive(initial);
      socket.resume();
    });
  }

  /** Opens a stream carrying `headers`; returns its id. */
  openStream(headers: Record<string, string>, events: SpdyStreamEvents): number {
    const id = this.nextId;
    this.nextId += 2;
    this.streams.set(id, events);
    this.write(synStreamFrame(this.compressor, id, headers));
    return id;
  }

  send(streamId: number, data: Buffer): void {
    // Frames carry at most 2^24-1 bytes; keep them modest.
    for (let off = 0; off < data.length; off += 32 * 1024) this.write(dataFrame(streamId, data.subarray(off, off + 32 * 1024)));
  }

  /** Half-closes our side of a stream. */
  end(streamId: number): void {
    this.write(dataFrame(streamId, Buffer.alloc(0), FLAG_FIN));
  }

  close(): void {
    if (!this.socket.destroyed) this.socket.destroy();
    this.finish('end');
  }

  private write(b: Buffer): void {
    if (STREAM_DEBUG) for (const f of new FrameReader().push(b)) debugStream(`spdy -> ${describeFrame(f)}`);
    if (!this.closed && !this.socket.destroyed) this.socket.write(b);
  }

  private finish(reason: 'goaway' | 'end' | 'error'): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) s.onEnd?.();
    this.streams.clear();
    this.onClose?.(reason);
  }

  private receive(chunk: Buffer): void {
    for (const f of this.reader.push(chunk)) {
      if (STREAM_DEBUG) debugStream(`spdy <- ${describeFrame(f)}`);
      if (this.closed) return;
      if (!f.control) {
        const s = this.streams.get(f.streamId);
        if (!s) continue;
        if (f.data.length) s.onData(f.data);
        if (f.flags & FLAG_FIN) {
          this.streams.delete(f.streamId);
          s.onEnd?.();
        }
        continue;
      }
      switch (f.type) {
        case FrameType.PING:
          // Echo pings the peer started (even ids); ours would be odd and we send none.
          if (f.data.length >= 4 && (f.data.readUInt32BE(0) & 1) === 0) this.write(controlFrame(FrameType.PING, 0, f.data));
          break;
        case FrameType.SYN_REPLY: {
          const id = f.data.readUInt32BE(0) & 0x7fffffff;
          if (f.flags & FLAG_FIN) {
            const s = this.streams.get(id);
            this.streams.delete(id);
            s?.onEnd?.();
          }
          break;
        }
        case FrameType.RST_STREAM: {
          const id = f.data.readUInt32BE(0) & 0x7fffffff;
          const s = this.streams.get(id);
          this.streams.delete(id);
          s?.onEnd?.();
          break;
        }
        case FrameType.GOAWAY:
          this.finish('goaway');
          return;
        case FrameType.SYN_STREAM: {
          // Servers of remotecommand never open streams; refuse politely (REFUSED_STREAM = 3).
          const id = f.data.readUInt32BE(0) & 0x7fffffff;
          this.write(rstStreamFrame(id, 3));
          break;
        }
        default:
          // SETTINGS, HEADERS, WINDOW_UPDATE: nothing to do.
          break;
      }
    }
  }
}
