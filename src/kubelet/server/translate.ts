// Bridges a client's WebSocket to a runtime streaming server that speaks SPDY:
//  - remotecommand: `v5.channel.k8s.io` (kubectl ≥ 1.30, client-node) ↔ SPDY remotecommand
//    `v4.channel.k8s.io` (containerd 1.6's server has no v5 WebSocket; SPDY streams half-close,
//    which is how the v5 "stdin closed" signal reaches the process);
//  - port-forward: `SPDY/3.1+portforward.k8s.io` — the client's SPDY bytes ride in binary
//    WebSocket messages; unwrapped, they go to the runtime over a plain SPDY upgrade.

import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { debugStream, SpdyClient, STREAM_DEBUG } from './spdy.js';

export const V5_PROTOCOL = 'v5.channel.k8s.io';
export const V4_PROTOCOL = 'v4.channel.k8s.io';
export const PORT_FORWARD_TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';

export const Channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

export interface StreamOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** The request headers that upgrade to SPDY remotecommand, newest protocol first. */
export const SPDY_REMOTECOMMAND_HEADERS: [string, string][] = [
  ['Connection', 'Upgrade'],
  ['Upgrade', 'SPDY/3.1'],
  ['X-Stream-Protocol-Version', 'v4.channel.k8s.io'],
  ['X-Stream-Protocol-Version', 'v3.channel.k8s.io'],
  ['X-Stream-Protocol-Version', 'v2.channel.k8s.io'],
  ['X-Stream-Protocol-Version', 'channel.k8s.io'],
];

export const SPDY_PORTFORWARD_HEADERS: [string, string][] = [
  ['Connection', 'Upgrade'],
  ['Upgrade', 'SPDY/3.1'],
  ['X-Stream-Protocol-Version', 'portforward.k8s.io'],
];

const toBuffer = (data: unknown): Buffer =>
  Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data as Buffer[]) : Buffer.from(data as ArrayBuffer);

/**
 * Runs a v5 WebSocket session over an upgraded SPDY connection (`socket`, with `rest` the bytes
 * that arrived after the 101). Ends the WebSocket (1000) when the runtime finishes.
 */
export function bridgeV5ToSpdy(ws: WebSocket, socket: Duplex, rest: Buffer, opts: StreamOptions): void {
  const spdy = new SpdyClient(socket, rest);
  const toClient = (channel: number) => (data: Buffer) => {
    if (STREAM_DEBUG) debugStream(`ws -> ch${channel} len=${data.length} ${JSON.stringify(data.subarray(0, 80).toString('latin1'))}`);
    if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), data]));
  };
  // The runtime counts streams before it starts: error, then the ones asked for, resize with a tty.
  let statusSeen = false;
  const toClientError = toClient(Channel.error);
  spdy.openStream(
    { streamtype: 'error' },
    {
      onData: (data) => {
        if (data.length) statusSeen = true;
        toClientError(data);
      },
    },
  );
  const stdinId = opts.stdin ? spdy.openStream({ streamtype: 'stdin' }, { onData: () => undefined }) : -1;
  if (opts.stdout) spdy.openStream({ streamtype: 'stdout' }, { onData: toClient(Channel.stdout) });
  if (opts.stderr && !opts.tty) spdy.openStream({ streamtype: 'stderr' }, { onData: toClient(Channel.stderr) });
  const resizeId = opts.tty ? spdy.openStream({ streamtype: 'resize' }, { onData: () => undefined }) : -1;

  // No empty "ready" message up front (upstream's wsstream sends none): kubectl 1.32 reads before it
  // has registered its streams and logs `Unknown stream id 1, discarding message` to the terminal.

  let stdinOpen = stdinId >= 0;
  ws.on('message', (raw, isBinary) => {
    const data = toBuffer(raw);
    if (!isBinary || data.length === 0) return;
    const channel = data[0]!;
    const payload = data.subarray(1);
    if (STREAM_DEBUG) debugStream(`ws <- ch${channel} len=${payload.length} ${JSON.stringify(payload.subarray(0, 80).toString('latin1'))}`);
    if (channel === Channel.stdin && stdinOpen) {
      if (payload.length) spdy.send(stdinId, payload);
    } else if (channel === Channel.resize && resizeId >= 0) {
      spdy.send(resizeId, payload);
    } else if (channel === Channel.close && payload[0] === Channel.stdin && stdinOpen) {
      stdinOpen = false;
      spdy.end(stdinId);
    }
  });
  ws.on('close', (code, reason) => {
    debugStream(`ws closed by client ${code} ${reason.toString()}`);
    spdy.close();
  });
  ws.on('error', () => spdy.close());
  spdy.onClose = (reason) => {
    if (ws.readyState === ws.OPEN) {
      // kubectl reads a close without a status as success (exit 0, nothing printed): say what happened.
      if (!statusSeen) toClientError(Buffer.from(JSON.stringify(noStatus(reason))));
      if (reason === 'error') ws.close(1011, 'runtime stream failed');
      else ws.close(1000);
    }
    // Done with the runtime either way: the status went out on the error channel.
    socket.destroy();
  };
}

/** The status for a runtime connection that ended before the runtime sent one. */
function noStatus(reason: string): object {
  return {
    metadata: {},
    status: 'Failure',
    message: `error executing command in container: the runtime's stream ended without an exit status (${reason})`,
    reason: 'InternalError',
    code: 500,
  };
}

/** Carries raw bytes in binary WebSocket messages, both ways (SPDY tunnelled in WebSocket). */
export function bridgeTunnel(ws: WebSocket, socket: Duplex, rest: Buffer): void {
  if (rest.length) ws.send(rest);
  socket.on('data', (chunk: Buffer) => {
    if (ws.readyState === ws.OPEN) ws.send(chunk);
  });
  socket.on('end', () => ws.readyState === ws.OPEN && ws.close(1000));
  socket.on('close', () => ws.readyState === ws.OPEN && ws.close(1000));
  socket.on('error', () => ws.readyState === ws.OPEN && ws.close(1011));
  ws.on('message', (raw, isBinary) => {
    if (!isBinary) return;
    socket.write(toBuffer(raw));
  });
  ws.on('close', () => socket.destroy());
  ws.on('error', () => socket.destroy());
  socket.resume();
}
