// Running one probe: exec through the runtime, an HTTP GET to the pod IP, or a TCP connect.

import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { ContainerRuntime } from '../runtime/types.js';
import type { Container, Probe } from './types.js';

export interface ProbeOutcome {
  ok: boolean;
  message: string;
}

/** A named or numeric port resolved against the container's ports. */
export function resolvePort(port: number | string | undefined, c: Container): number {
  if (typeof port === 'number') return port;
  if (port !== undefined && /^\d+$/.test(port)) return Number(port);
  const named = c.ports?.find((p) => p.name === port);
  if (!named) throw new Error(`port ${String(port)} not found in container ${c.name}`);
  return named.containerPort;
}

export async function runProbe(probe: Probe, ctx: { runtime: ContainerRuntime; containerId: string; container: Container; podIP: string; timeoutSeconds: number }): Promise<ProbeOutcome> {
  const ms = ctx.timeoutSeconds * 1000;
  try {
    if (probe.exec) {
      const r = await withTimeout(ctx.runtime.execSync(ctx.containerId, probe.exec.command ?? [], ctx.timeoutSeconds), ms);
      return { ok: r.exitCode === 0, message: (r.stdout.toString() + r.stderr.toString()).slice(0, 1024) || `exit code ${r.exitCode}` };
    }
    if (probe.httpGet) {
      const g = probe.httpGet;
      const host = g.host || ctx.podIP || '127.0.0.1';
      const port = resolvePort(g.port, ctx.container);
      const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.32', Accept: '*/*' };
      for (const h of g.httpHeaders ?? []) headers[h.name] = h.value;
      const status = await httpStatus(g.scheme === 'HTTPS', host, port, g.path || '/', headers, ms);
      return { ok: status >= 200 && status < 400, message: `HTTP probe failed with statuscode: ${status}` };
    }
    if (probe.tcpSocket) {
      const host = probe.tcpSocket.host || ctx.podIP || '127.0.0.1';
      await tcpConnect(host, resolvePort(probe.tcpSocket.port, ctx.container), ms);
      return { ok: true, message: '' };
    }
    return { ok: true, message: 'no handler' };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((res, rej) => {
    const t = setTimeout(() => rej(new Error(`probe timed out after ${ms / 1000}s`)), ms);
    p.then(
      (v) => (clearTimeout(t), res(v)),
      (e) => (clearTimeout(t), rej(e)),
    );
  });
}

function httpStatus(tls: boolean, host: string, port: number, path: string, headers: Record<string, string>, ms: number): Promise<number> {
  return new Promise((res, rej) => {
    const mod = tls ? https : http;
    const req = mod.request({ host, port, path, method: 'GET', headers, timeout: ms, rejectUnauthorized: false }, (r) => {
      r.resume();
      res(r.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error(`Get "${tls ? 'https' : 'http'}://${host}:${port}${path}": timeout`)));
    req.on('error', rej);
    req.end();
  });
}

function tcpConnect(host: string, port: number, ms: number): Promise<void> {
  return new Promise((res, rej) => {
    const s = net.connect({ host, port });
    const t = setTimeout(() => {
      s.destroy();
      rej(new Error(`dial tcp ${host}:${port}: i/o timeout`));
    }, ms);
    s.once('connect', () => {
      clearTimeout(t);
      s.destroy();
      res();
    });
    s.once('error', (e) => {
      clearTimeout(t);
      rej(e);
    });
  });
}
