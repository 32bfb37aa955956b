// Lifecycle hooks (postStart, preStop): exec through the runtime, an HTTP GET to the pod, or sleep.

import http from 'node:http';
import https from 'node:https';
import type { ContainerRuntime } from '../runtime/types.js';
import { resolvePort } from './probe-run.js';
import type { Container } from './types.js';

type Handler = NonNullable<NonNullable<Container['lifecycle']>['preStop']>;

/** Runs the handler; resolves with an error message on failure (undefined on success). */
export async function runHook(h: Handler, ctx: { runtime: ContainerRuntime; containerId: string; container: Container; podIP: string; timeoutSeconds: number }): Promise<string | undefined> {
  const ms = Math.max(1, ctx.timeoutSeconds) * 1000;
  try {
    if (h.exec) {
      const r = await bounded(ctx.runtime.execSync(ctx.containerId, h.exec.command ?? [], Math.max(1, ctx.timeoutSeconds)), ms);
      if (r.exitCode !== 0) return `command '${(h.exec.command ?? []).join(' ')}' exited with ${r.exitCode}: ${(r.stdout.toString() + r.stderr.toString()).slice(0, 512)}`;
      return undefined;
    }
    if (h.httpGet) {
      const g = h.httpGet;
      const host = g.host || ctx.podIP || '127.0.0.1';
      const port = resolvePort(g.port, ctx.container);
      const headers: Record<string, string> = {};
      for (const x of g.httpHeaders ?? []) headers[x.name] = x.value;
      const code = await new Promise<number>((res, rej) => {
        const req = (g.scheme === 'HTTPS' ? https : http).request({ host, port, path: g.path || '/', headers, timeout: ms, rejectUnauthorized: false }, (r) => {
          r.resume();
          res(r.statusCode ?? 0);
        });
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', rej);
        req.end();
      });
      return code >= 200 && code < 400 ? undefined : `HTTP lifecycle hook (${g.path}) returned status ${code}`;
    }
    if (h.sleep) {
      await new Promise((r) => setTimeout(r, Math.min(ms, h.sleep!.seconds * 1000)));
      return undefined;
    }
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

function bounded<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((res, rej) => {
    const t = setTimeout(() => rej(new Error(`hook timed out after ${ms / 1000}s`)), ms);
    t.unref();
    p.then(
      (v) => (clearTimeout(t), res(v)),
      (e) => (clearTimeout(t), rej(e)),
    );
  });
}
