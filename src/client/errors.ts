// ApiError: a failed request, carrying the server's Status (code, reason, message).

import type { Status, StatusDetails } from '../api/status.js';

export class ApiError extends Error {
  override name = 'ApiError';
  /** HTTP status code (0 for transport-level failures that never got a response). */
  readonly code: number;
  /** Status reason, e.g. NotFound, AlreadyExists, Conflict, Expired, Invalid. */
  readonly reason: string;
  readonly details?: StatusDetails;
  readonly status: Status;

  constructor(status: Status, options?: { cause?: unknown }) {
    super(status.message ?? status.reason ?? `request failed with code ${status.code}`, options);
    this.status = status;
    this.code = status.code;
    this.reason = status.reason ?? '';
    if (status.details) this.details = status.details;
  }

  /** Build an ApiError from a response body that may or may not be a Status. */
  static fromResponse(code: number, body: string, method?: string, path?: string): ApiError {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
    if (isStatus(parsed)) return new ApiError({ ...parsed, code: parsed.code || code });
    return new ApiError({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      code,
      reason: reasonForCode(code),
      message: `${method ?? ''} ${path ?? ''}: ${code} ${body.slice(0, 500)}`.trim(),
    });
  }
}

export function isStatus(v: unknown): v is Status {
  return !!v && typeof v === 'object' && (v as { kind?: unknown }).kind === 'Status';
}

export function reasonForCode(code: number): string {
  switch (code) {
    case 400: return 'BadRequest';
    case 401: return 'Unauthorized';
    case 403: return 'Forbidden';
    case 404: return 'NotFound';
    case 405: return 'MethodNotAllowed';
    case 406: return 'NotAcceptable';
    case 409: return 'Conflict';
    case 410: return 'Expired';
    case 415: return 'UnsupportedMediaType';
    case 422: return 'Invalid';
    case 429: return 'TooManyRequests';
    case 500: return 'InternalError';
    case 503: return 'ServiceUnavailable';
    case 504: return 'Timeout';
    default: return 'Unknown';
  }
}

const hasCode = (e: unknown, code: number): boolean => e instanceof ApiError && e.code === code;
export const isNotFound = (e: unknown): boolean => hasCode(e, 404);
export const isAlreadyExists = (e: unknown): boolean => e instanceof ApiError && e.code === 409 && e.reason === 'AlreadyExists';
export const isConflict = (e: unknown): boolean => e instanceof ApiError && e.code === 409 && e.reason !== 'AlreadyExists';
/** 410 Gone / reason Expired: the resourceVersion is too old, relist. */
export const isExpired = (e: unknown): boolean => e instanceof ApiError && (e.code === 410 || e.reason === 'Expired' || e.reason === 'Gone');
export const isTooManyRequests = (e: unknown): boolean => hasCode(e, 429);
export const isInvalid = (e: unknown): boolean => hasCode(e, 422);
