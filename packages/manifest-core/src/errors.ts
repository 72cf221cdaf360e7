/** @module ManifestError: the one error type of manifest-core, with stable codes, and parse warnings. */

/**
 * Every code a ManifestError can carry. Codes are stable API: apps map them to HTTP
 * statuses and users match on them. Add new codes at the end of their group.
 */
export const MANIFEST_ERROR_CODES = {
  // — playlist text —
  /** The text does not start with #EXTM3U (after an optional BOM). */
  PLAYLIST_MISSING_HEADER: 'not an HLS playlist',
  /** The input is larger than `maxBytes`. */
  PLAYLIST_TOO_LARGE: 'playlist larger than the configured limit',
  /** A line is longer than `maxLineLength`. */
  PLAYLIST_LINE_TOO_LONG: 'line longer than the configured limit',
  /** More segments (or variants) than `maxSegments`. */
  PLAYLIST_TOO_MANY_SEGMENTS: 'more segments than the configured limit',
  /** Binary data or NUL bytes where text was expected. */
  PLAYLIST_BINARY: 'binary data in a playlist',
  /** Both master-only and media-only tags, so neither kind can be chosen. */
  PLAYLIST_MIXED: 'master and media tags in one playlist',
  /** A required tag is missing (e.g. EXT-X-TARGETDURATION in a media playlist) and players cannot cope. */
  PLAYLIST_MISSING_TAG: 'a required tag is missing',
  /** A tag value or attribute list is malformed beyond what players tolerate. */
  PLAYLIST_INVALID_TAG: 'malformed tag',
  /** A {$var} reference with no EXT-X-DEFINE (RFC 8216bis §4.3.5: a parse error). */
  PLAYLIST_UNDEFINED_VARIABLE: 'undefined variable reference',
  /** The wrong kind of playlist for the call (parseMediaPlaylist given a master, …). */
  PLAYLIST_WRONG_KIND: 'wrong kind of playlist',
  /** serializePlaylist was given a value it cannot write (a line break or quote inside a URI or quoted string, a non-finite number). */
  PLAYLIST_UNSERIALIZABLE: 'the playlist model cannot be serialized',

  // — SCTE-35 —
  /** Not hex (0x…), base64 or bytes. */
  SCTE35_BAD_ENCODING: 'SCTE-35 payload is not hex, base64 or bytes',
  /** Fewer bytes than the section's lengths promise. */
  SCTE35_TRUNCATED: 'SCTE-35 section is truncated',
  /** CRC-32 does not match. */
  SCTE35_BAD_CRC: 'SCTE-35 CRC-32 mismatch',
  /** table_id is not 0xFC, or a field holds a value the standard forbids. */
  SCTE35_INVALID: 'invalid SCTE-35 section',

  // — VAST / VMAP XML —
  /** DOCTYPE, ENTITY or another construct refused for safety. */
  XML_FORBIDDEN: 'forbidden XML construct (DOCTYPE/ENTITY)',
  /** The document is larger than the configured limit. */
  XML_TOO_LARGE: 'XML document larger than the configured limit',
  /** Not well-formed XML. */
  XML_MALFORMED: 'malformed XML',
  /** Well-formed but not a usable VAST/VMAP document. */
  VAST_INVALID: 'invalid VAST document',
  /** Wrapper chain deeper than the limit. */
  VAST_WRAPPER_DEPTH: 'VAST wrapper chain too deep',
  /** Not a usable VMAP document. */
  VMAP_INVALID: 'invalid VMAP document',

  // — rendering, stitching, sessions —
  /** A ladder, rule set or option bag given by the caller is invalid. */
  INVALID_OPTIONS: 'invalid options',
  /** Serialised session/break state cannot be read. */
  INVALID_STATE: 'invalid session state',
  /** A signed token or URL is malformed, forged or expired. */
  INVALID_SIGNATURE: 'invalid or expired signature',
  /** Blackout rules given as configuration (JSON) are malformed; `path` names the offending field. */
  INVALID_BLACKOUT_RULES: 'invalid blackout rules',
} as const;

/** A stable ManifestError code. */
export type ManifestErrorCode = keyof typeof MANIFEST_ERROR_CODES;

/** Options for {@link ManifestError}. */
export interface ManifestErrorOptions {
  /** 1-based line number in the input, when the error comes from a playlist line. */
  line?: number;
  /** Where in a structured input (JSON) the problem is, e.g. `$[2].trigger.startMs`. */
  path?: string;
  /** The underlying error. */
  cause?: unknown;
}

/** The one error type manifest-core throws; `code` is stable, `message` is for humans. */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
  /** Stable machine-readable code. */
  readonly code: ManifestErrorCode;
  /** 1-based input line, when known. */
  readonly line: number | undefined;
  /** Path of the offending field in a structured input (JSON), when known. */
  readonly path: string | undefined;

  constructor(code: ManifestErrorCode, message?: string, options: ManifestErrorOptions = {}) {
    super(message ?? MANIFEST_ERROR_CODES[code], options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.line = options.line;
    this.path = options.path;
  }
}

/** True when `value` is a ManifestError (works across bundles by checking the brand). */
export function isManifestError(value: unknown): value is ManifestError {
  return (
    value instanceof ManifestError ||
    (typeof value === 'object' &&
      value !== null &&
      (value as { name?: unknown }).name === 'ManifestError' &&
      typeof (value as { code?: unknown }).code === 'string')
  );
}

/** A deviation from the spec that players tolerate; parsing continues. */
export interface ManifestWarning {
  /** Stable code, e.g. `NEGATIVE_DURATION`, `DUPLICATE_ATTRIBUTE`, `EXTINF_WITHOUT_URI`. */
  code: string;
  message: string;
  /** 1-based input line. */
  line?: number;
}
