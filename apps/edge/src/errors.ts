/** @module EdgeError: the one error type of the edge Worker, with stable codes mapped to HTTP statuses in one table. */
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * Every code an EdgeError can carry, with its HTTP status and default message. The codes are
 * the same strings regional-origin uses, so a player sees one vocabulary wherever it is served.
 */
export const EDGE_ERROR_CODES = {
  // — the client's request —
  /** A field or query parameter is missing or has the wrong type or range. */
  BAD_REQUEST: { status: 400, message: 'bad request' },
  /** The body is not JSON. */
  INVALID_JSON: { status: 400, message: 'request body is not valid JSON' },
  /** An id in the path is not of the allowed form (letters, digits, `-`, `_`; no `../`). */
  INVALID_ID: { status: 400, message: 'invalid id' },
  /** Unsigned, expired, altered or forged URL or session id. */
  INVALID_SIGNATURE: { status: 403, message: 'invalid or expired signature' },
  /** No such asset, rendition or route. */
  NOT_FOUND: { status: 404, message: 'not found' },
  /** The body is larger than the configured limit. */
  PAYLOAD_TOO_LARGE: { status: 413, message: 'request body too large' },

  // — what the edge depends on —
  /** Every origin failed or timed out. */
  ORIGIN_UNAVAILABLE: { status: 502, message: 'origin unavailable' },
  /** An origin answered with something unusable (broken playlist, bad asset.json). */
  BAD_ORIGIN_RESPONSE: { status: 502, message: 'bad response from origin' },
  /** Every regional zone failed or timed out for a forwarded request. */
  ZONE_UNAVAILABLE: { status: 502, message: 'no regional zone could serve the request' },
  /** Anything unexpected; the message never carries internals. */
  INTERNAL: { status: 500, message: 'internal error' },
} as const satisfies Record<string, { status: ContentfulStatusCode; message: string }>;

/** A stable EdgeError code. */
export type EdgeErrorCode = keyof typeof EDGE_ERROR_CODES;

/** The error every edge route throws; `onError` turns it into `{"error":{"code","message"}}` with the table's status. */
export class EdgeError extends Error {
  override readonly name = 'EdgeError';
  /** Stable machine-readable code. */
  readonly code: EdgeErrorCode;

  constructor(code: EdgeErrorCode, message?: string, options: { cause?: unknown } = {}) {
    super(
      message ?? EDGE_ERROR_CODES[code].message,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
  }

  /** The HTTP status for this error's code. */
  get status(): ContentfulStatusCode {
    return EDGE_ERROR_CODES[this.code].status;
  }
}

/** True when `value` is an EdgeError. */
export function isEdgeError(value: unknown): value is EdgeError {
  return value instanceof EdgeError;
}
