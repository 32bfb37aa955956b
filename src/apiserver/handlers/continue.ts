// Continue tokens for paged lists: the revision of the first page (so every page reads the same
// snapshot) and the key to resume from. Opaque to clients.

import { errors } from '../../api/status.js';

export interface ContinueToken {
  /** The store revision all pages are read at. */
  rv: number;
  /** The storage key to start the next page at (inclusive). */
  start: string;
}

export function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: t.rv, start: t.start })).toString('base64url');
}

export function decodeContinue(token: string): ContinueToken {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: string; rv?: unknown; start?: unknown };
    if (parsed.v === 'meta.k8s.io/v1' && typeof parsed.rv === 'number' && typeof parsed.start === 'string') {
      return { rv: parsed.rv, start: parsed.start };
    }
  } catch {
    // fall through
  }
  throw errors.badRequest('continue key is not valid: malformed continue token');
}
