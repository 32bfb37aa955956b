// Writing responses: JSON bodies and Status errors.

import type { ServerResponse } from 'node:http';
import { StatusError, errors } from '../../api/status.js';

export function writeJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
  });
  res.end(text);
}

/** Converts anything thrown into a Status; unexpected errors become 500 InternalError. */
export function toStatusError(e: unknown): StatusError {
  if (e instanceof StatusError) return e;
  return errors.internal(e instanceof Error ? e.message : String(e));
}

export function writeError(res: ServerResponse, e: unknown): number {
  const err = toStatusError(e);
  if (res.headersSent) {
    res.destroy();
    return err.code;
  }
  writeJson(res, err.code, err.toStatus());
  return err.code;
}

/** Adds a `Warning: 299 - "…"` header per message, as upstream does for field validation. */
export function addWarnings(res: ServerResponse, messages: string[]): void {
  if (messages.length === 0) return;
  const existing = res.getHeader('Warning');
  const list = Array.isArray(existing) ? existing.map(String) : existing ? [String(existing)] : [];
  for (const m of messages) list.push(`299 - ${JSON.stringify(m)}`);
  res.setHeader('Warning', list);
}
