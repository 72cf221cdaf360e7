/** @module TestkitError: the one error class the testkit helpers throw, with stable codes. */

/**
 * Stable error codes of the testkit helpers.
 * - `FFMPEG_MISSING`: ffmpeg or ffprobe is not on PATH (apt-get install ffmpeg).
 * - `FFMPEG_FAILED`: ffmpeg or ffprobe exited non-zero or printed unusable output.
 * - `CHROMIUM_MISSING`: the Chromium binary does not exist or cannot start.
 * - `PLAYER_FAILED`: the browser or player page broke (not an hls.js error, which is reported).
 * - `LADDER_INVALID`: a VOD rendition set cannot back a live channel (missing files, misaligned renditions).
 * - `BAD_OPTIONS`: options contradict each other or are out of range.
 */
export const TESTKIT_ERROR_CODES = [
  'FFMPEG_MISSING',
  'FFMPEG_FAILED',
  'CHROMIUM_MISSING',
  'PLAYER_FAILED',
  'LADDER_INVALID',
  'BAD_OPTIONS',
] as const;

/** One of {@link TESTKIT_ERROR_CODES}. */
export type TestkitErrorCode = (typeof TESTKIT_ERROR_CODES)[number];

/** The error every testkit helper added with the media, player and live-channel parts throws. */
export class TestkitError extends Error {
  /** Stable code from {@link TESTKIT_ERROR_CODES}. */
  readonly code: TestkitErrorCode;

  constructor(code: TestkitErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TestkitError';
    this.code = code;
  }
}

/** True when `value` is a {@link TestkitError}. */
export function isTestkitError(value: unknown): value is TestkitError {
  return value instanceof TestkitError;
}
