/** @module OriginError: the one error type of origin-failover, with stable codes and the list of attempts. */

/**
 * Every code an OriginError can carry. Codes are stable API: apps map them to HTTP
 * statuses and users match on them. Add new codes at the end of their group.
 */
export const ORIGIN_ERROR_CODES = {
  // — configuration and input (thrown before any origin is contacted) —
  /** An option is out of range or of the wrong kind (e.g. a strict failover code outside CF2's list). */
  INVALID_CONFIG: 'invalid origin-group configuration',
  /** An absolute URL whose origin is not one of the configured origins (no SSRF). */
  ORIGIN_NOT_CONFIGURED: 'URL does not belong to a configured origin',
  /** A path that would escape the origin's base path (`..`, encoded slashes, backslashes). */
  INVALID_PATH: 'path escapes the origin base path',

  // — one attempt (seen in `attempts[]`, and thrown when it was the last word) —
  /** The TCP connection was refused or failed before any response. */
  ORIGIN_REFUSED: 'origin refused the connection',
  /** The connect phase took longer than `connectionTimeoutMs`. */
  ORIGIN_CONNECT_TIMEOUT: 'origin connect timeout',
  /** No first byte, or a gap between body chunks, longer than `responseTimeoutMs`. */
  ORIGIN_TIMEOUT: 'origin response timeout',
  /** The connection broke (reset, closed early) after it was established. */
  ORIGIN_NETWORK: 'origin connection broke',

  // — whole request —
  /** Every candidate origin failed; `attempts` lists what happened. */
  ORIGIN_EXHAUSTED: 'every origin failed',
  /** The request's total deadline (`deadlineMs`) passed before a usable response. */
  DEADLINE_EXCEEDED: 'request deadline exceeded',
  /** `completionTimeoutMs` passed before the whole body arrived. */
  COMPLETION_TIMEOUT: 'response completion timeout',
  /** A body could not be resumed on another origin without risking a corrupt body (validators differ). */
  BODY_RESUME_MISMATCH: 'resumed body does not match the original',
  /** The caller aborted the request through its own AbortSignal. */
  ABORTED: 'request aborted by the caller',
} as const;

/** A stable OriginError code. */
export type OriginErrorCode = keyof typeof ORIGIN_ERROR_CODES;

/** What became of one attempt against one origin. */
export type AttemptOutcome =
  /** A response the policy accepted (it may still be an unlisted 4xx/5xx). */
  | 'ok'
  /** A response whose status is in `failoverStatusCodes`. */
  | 'failover-status'
  | 'refused'
  | 'connect-timeout'
  | 'response-timeout'
  | 'network'
  /** HLS: a live playlist whose media sequence stopped advancing. */
  | 'stale-playlist'
  /** Resilient mode: another origin answered first; this attempt was aborted. */
  | 'hedge-lost'
  /** Aborted by the deadline, completion timeout or the caller. */
  | 'aborted';

/** One attempt against one origin, as reported on responses and errors. */
export interface Attempt {
  /** Configured origin id. */
  originId: string;
  /** 1-based attempt number on this origin within the request. */
  attempt: number;
  outcome: AttemptOutcome;
  /** HTTP status when a response arrived. */
  status?: number;
  /** Milliseconds from the attempt's start to its outcome. */
  ms: number;
  /** Milliseconds from the request's start to this attempt's start. */
  startedAtMs: number;
  /** True when the attempt was a hedge (sent while an earlier one was still pending). */
  hedge?: boolean;
  /** True when the attempt resumed a broken body with Range + If-Match. */
  resume?: boolean;
}

/** Options for {@link OriginError}. */
export interface OriginErrorOptions {
  message?: string;
  cause?: unknown;
  attempts?: readonly Attempt[];
  /** Origin the error concerns, when there is one. */
  originId?: string;
}

/** The one error type of origin-failover: a stable `code`, the `attempts` made, and the `cause`. */
export class OriginError extends Error {
  override readonly name = 'OriginError';
  /** Stable code from {@link ORIGIN_ERROR_CODES}. */
  readonly code: OriginErrorCode;
  /** Every attempt made for the request, oldest first. */
  readonly attempts: readonly Attempt[];
  /** Origin the error concerns, when there is one. */
  readonly originId: string | undefined;

  constructor(code: OriginErrorCode, options: OriginErrorOptions = {}) {
    super(
      options.message ?? ORIGIN_ERROR_CODES[code],
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.attempts = options.attempts ?? [];
    this.originId = options.originId;
  }
}

/** True when `value` is an {@link OriginError} (optionally with the given code). */
export function isOriginError(value: unknown, code?: OriginErrorCode): value is OriginError {
  return value instanceof OriginError && (code === undefined || value.code === code);
}
