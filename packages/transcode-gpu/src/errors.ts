/** @module TranscodeError: the one error type of transcode-gpu, with stable codes and CLI exit codes. */

/**
 * Every code a TranscodeError can carry, with the CLI exit code it maps to. Codes are
 * stable API: the worker records them in failed events and the CLI exits with `exitCode`.
 */
export const TRANSCODE_ERROR_CODES = {
  /** A caller-supplied option (ladder, codec, segment length, destination URL) is invalid. */
  INVALID_OPTIONS: { exitCode: 2, message: 'invalid options' },
  /** The input file or URL does not exist. */
  INPUT_NOT_FOUND: { exitCode: 3, message: 'input not found' },
  /** ffprobe could not read the input, or it has neither video nor audio. */
  INPUT_UNREADABLE: { exitCode: 4, message: 'input is corrupt or not a media file' },
  /** ffmpeg or ffprobe is not installed (or not on PATH). */
  FFMPEG_MISSING: { exitCode: 5, message: 'ffmpeg is not installed' },
  /** ffmpeg exited non-zero or was killed while encoding. */
  FFMPEG_FAILED: { exitCode: 6, message: 'ffmpeg failed' },
  /** `encoder: 'nvenc'` was required but the one-frame NVENC test encode failed. */
  NVENC_UNAVAILABLE: { exitCode: 7, message: 'NVENC is not available on this host' },
  /** Every destination (primary and replicas) failed for some object. */
  STORAGE_FAILED: { exitCode: 8, message: 'storage write failed on every destination' },
  /** The job was aborted (SIGTERM, AbortSignal). */
  ABORTED: { exitCode: 9, message: 'job aborted' },
  /** The key store refused a key. */
  KEY_STORE_FAILED: { exitCode: 10, message: 'key store failed' },
  /** The encoded output failed a post-encode check (missing playlist, no segments). */
  OUTPUT_INVALID: { exitCode: 11, message: 'encoded output is invalid' },
} as const;

/** A stable TranscodeError code. */
export type TranscodeErrorCode = keyof typeof TRANSCODE_ERROR_CODES;

/** Options for {@link TranscodeError}. */
export interface TranscodeErrorOptions {
  /** The underlying error. */
  cause?: unknown;
  /** ffmpeg's last stderr lines, when the error comes from ffmpeg. */
  stderr?: string;
}

/** The one error type transcode-gpu throws; `code` is stable, `message` is for humans. */
export class TranscodeError extends Error {
  override readonly name = 'TranscodeError';
  /** Stable machine-readable code. */
  readonly code: TranscodeErrorCode;
  /** Exit code the CLI uses for this error. */
  readonly exitCode: number;
  /** ffmpeg's stderr tail, when relevant. */
  readonly stderr: string | undefined;

  constructor(code: TranscodeErrorCode, message?: string, options: TranscodeErrorOptions = {}) {
    super(
      message ?? TRANSCODE_ERROR_CODES[code].message,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.exitCode = TRANSCODE_ERROR_CODES[code].exitCode;
    this.stderr = options.stderr;
  }
}

/** True when `value` is a TranscodeError (checks the brand, so it works across module copies). */
export function isTranscodeError(value: unknown): value is TranscodeError {
  return (
    value instanceof TranscodeError ||
    (typeof value === 'object' &&
      value !== null &&
      (value as { name?: unknown }).name === 'TranscodeError' &&
      typeof (value as { code?: unknown }).code === 'string')
  );
}
