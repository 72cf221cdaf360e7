/** @module AppError: the one error type of the zone server, with stable codes mapped to HTTP statuses in one table. */
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * Every code an AppError can carry, with its HTTP status and default message.
 * Codes are stable API (clients match on them); add new ones at the end of their group.
 */
export const APP_ERROR_CODES = {
  // — the client's request —
  /** A field is missing or has the wrong type or range. */
  BAD_REQUEST: { status: 400, message: 'bad request' },
  /** The body is not JSON. */
  INVALID_JSON: { status: 400, message: 'request body is not valid JSON' },
  /** An id in the path is not of the allowed form (letters, digits, `-`, `_`; no `../`). */
  INVALID_ID: { status: 400, message: 'invalid id' },
  /** Unsigned, expired, altered or forged URL or session id. */
  INVALID_SIGNATURE: { status: 403, message: 'invalid or expired signature' },
  /** The session may not have this resource (e.g. a key of other content). */
  FORBIDDEN: { status: 403, message: 'forbidden' },
  /** No such asset, channel, rendition, break, video or route. */
  NOT_FOUND: { status: 404, message: 'not found' },
  /** The body is larger than the configured limit. */
  PAYLOAD_TOO_LARGE: { status: 413, message: 'request body too large' },
  /** Too many requests from this client in the current window. */
  RATE_LIMITED: { status: 429, message: 'too many requests' },
  /** The video exists but is not in a state that allows this (e.g. completing twice). */
  CONFLICT: { status: 409, message: 'conflict' },

  // — what the server depends on —
  /** Every origin failed or timed out. */
  ORIGIN_UNAVAILABLE: { status: 502, message: 'origin unavailable' },
  /** An origin answered with something unusable (broken playlist, bad asset.json). */
  BAD_ORIGIN_RESPONSE: { status: 502, message: 'bad response from origin' },
  /** A dependency needed for this non-playback request (Valkey, S3) is down. */
  DEPENDENCY_UNAVAILABLE: { status: 503, message: 'a dependency is unavailable' },
  /** The server is draining for shutdown or not ready. */
  NOT_READY: { status: 503, message: 'not ready' },
  /** Anything unexpected; the message never carries internals. */
  INTERNAL: { status: 500, message: 'internal error' },
} as const satisfies Record<string, { status: ContentfulStatusCode; message: string }>;

/** A stable AppError code. */
export type AppErrorCode = keyof typeof APP_ERROR_CODES;

/** The error every route throws; `onError` turns it into `{"error":{"code","message"}}` with the table's status. */
export class AppError extends Error {
  override readonly name = 'AppError';
  /** Stable machine-readable code. */
  readonly code: AppErrorCode;
  /** Extra response headers (e.g. Retry-After). */
  readonly headers: Record<string, string>;

  constructor(
    code: AppErrorCode,
    message?: string,
    options: { cause?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(message ?? APP_ERROR_CODES[code].message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.headers = options.headers ?? {};
  }

  /** The HTTP status for this error's code. */
  get status(): ContentfulStatusCode {
    return APP_ERROR_CODES[this.code].status;
  }
}

/** True when `value` is an AppError. */
export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
