/**
 * @module Attribute lists (RFC 8216 §4.2): a hand-written linear scanner, value typing, the
 * per-tag attribute schemas, and the writer. No regular expressions touch outside input.
 */
import { ManifestError } from '../errors.ts';
import type { AttributeRecord, AttributeValue, ByteRange, Resolution } from './model.ts';
import { ATTR, CLIENT_ATTRIBUTE_PREFIX } from './tags.ts';

/** How an attribute's value is typed (RFC 8216 §4.2 value types, plus list forms built on quoted-string). */
export type AttributeType =
  /** decimal-integer → number */
  | 'int'
  /** decimal-floating-point → number */
  | 'float'
  /** signed-decimal-floating-point → number */
  | 'sfloat'
  /** quoted-string → string */
  | 'string'
  /** enumerated-string (unquoted) → string */
  | 'enum'
  /** hexadecimal-sequence (`0x…`) → string as written */
  | 'hex'
  /** decimal-resolution → Resolution */
  | 'resolution'
  /** enumerated YES / NO → boolean */
  | 'bool'
  /** quoted-string `<n>[@<o>]` → ByteRange */
  | 'byterange'
  /** quoted-string, comma-separated → string[] */
  | 'list'
  /** quoted-string, tab-separated → string[] */
  | 'tablist'
  /** CLOSED-CAPTIONS: quoted-string, or the enumerated NONE → string */
  | 'cc'
  /** quoted or unquoted text, written unquoted (legacy tags: base64 SCTE35, CAID) → string */
  | 'text';

/** One attribute of a tag's schema: its spec name, model field and type. */
export interface AttributeSpec {
  name: string;
  field: string;
  type: AttributeType;
}

/** The attributes of one attribute-list tag, in canonical (spec-listing) order. */
export interface AttributeSchema {
  attrs: readonly AttributeSpec[];
  byName: ReadonlyMap<string, AttributeSpec>;
  /** Canonical rank of each known name; `clientRank` for `X-*` when `clientAttributes` is set. */
  rank: ReadonlyMap<string, number>;
  /** Rank of DATERANGE `X-*` client attributes, or -1 when the tag has none. */
  clientRank: number;
  /** Index in `attrs` before which client attributes are written canonically (-1: none). */
  clientIndex: number;
  /** Names that must be present for the tag to be typed. */
  required: readonly string[];
}

const CLIENT = '\u0000client';

/** Builds a schema; `specs` in canonical order, `CLIENT` marks where X-* client attributes go. */
function schema(
  specs: ReadonlyArray<readonly [string, string, AttributeType]>,
  required: string[] = [],
): AttributeSchema {
  const attrs: AttributeSpec[] = [];
  const byName = new Map<string, AttributeSpec>();
  const rank = new Map<string, number>();
  let clientRank = -1;
  let clientIndex = -1;
  specs.forEach(([name, field, type], i) => {
    if (name === CLIENT) {
      clientRank = i;
      clientIndex = attrs.length;
      return;
    }
    const spec = { name, field, type };
    attrs.push(spec);
    byName.set(name, spec);
    rank.set(name, i);
  });
  return { attrs, byName, rank, clientRank, clientIndex, required };
}

const A = ATTR;

/** Attribute schemas of every attribute-list tag, keyed by a short tag identifier. */
export const SCHEMAS = {
  start: schema(
    [
      [A.TIME_OFFSET, 'timeOffset', 'sfloat'],
      [A.PRECISE, 'precise', 'bool'],
    ],
    [A.TIME_OFFSET],
  ),
  define: schema([
    [A.NAME, 'name', 'string'],
    [A.VALUE, 'value', 'string'],
    [A.IMPORT, 'import', 'string'],
    [A.QUERYPARAM, 'queryParam', 'string'],
  ]),
  key: schema(
    [
      [A.METHOD, 'method', 'enum'],
      [A.URI, 'uri', 'string'],
      [A.IV, 'iv', 'hex'],
      [A.KEYFORMAT, 'keyFormat', 'string'],
      [A.KEYFORMATVERSIONS, 'keyFormatVersions', 'string'],
    ],
    [A.METHOD],
  ),
  map: schema(
    [
      [A.URI, 'uri', 'string'],
      [A.BYTERANGE, 'byteRange', 'byterange'],
    ],
    [A.URI],
  ),
  part: schema(
    [
      [A.URI, 'uri', 'string'],
      [A.DURATION, 'duration', 'float'],
      [A.INDEPENDENT, 'independent', 'bool'],
      [A.BYTERANGE, 'byteRange', 'byterange'],
      [A.GAP, 'gap', 'bool'],
    ],
    [A.URI, A.DURATION],
  ),
  dateRange: schema(
    [
      [A.ID, 'id', 'string'],
      [A.CLASS, 'class', 'string'],
      [A.START_DATE, 'startDate', 'string'],
      [A.CUE, 'cue', 'list'],
      [A.END_DATE, 'endDate', 'string'],
      [A.DURATION, 'duration', 'float'],
      [A.PLANNED_DURATION, 'plannedDuration', 'float'],
      [CLIENT, '', 'string'],
      [A.SCTE35_CMD, 'scte35Cmd', 'hex'],
      [A.SCTE35_OUT, 'scte35Out', 'hex'],
      [A.SCTE35_IN, 'scte35In', 'hex'],
      [A.END_ON_NEXT, 'endOnNext', 'bool'],
    ],
    [A.ID],
  ),
  partInf: schema([[A.PART_TARGET, 'partTarget', 'float']], [A.PART_TARGET]),
  serverControl: schema([
    [A.CAN_SKIP_UNTIL, 'canSkipUntil', 'float'],
    [A.CAN_SKIP_DATERANGES, 'canSkipDateRanges', 'bool'],
    [A.HOLD_BACK, 'holdBack', 'float'],
    [A.PART_HOLD_BACK, 'partHoldBack', 'float'],
    [A.CAN_BLOCK_RELOAD, 'canBlockReload', 'bool'],
  ]),
  skip: schema(
    [
      [A.SKIPPED_SEGMENTS, 'skippedSegments', 'int'],
      [A.RECENTLY_REMOVED_DATERANGES, 'recentlyRemovedDateRanges', 'tablist'],
    ],
    [A.SKIPPED_SEGMENTS],
  ),
  preloadHint: schema(
    [
      [A.TYPE, 'type', 'enum'],
      [A.URI, 'uri', 'string'],
      [A.BYTERANGE_START, 'byteRangeStart', 'int'],
      [A.BYTERANGE_LENGTH, 'byteRangeLength', 'int'],
    ],
    [A.TYPE, A.URI],
  ),
  renditionReport: schema(
    [
      [A.URI, 'uri', 'string'],
      [A.LAST_MSN, 'lastMsn', 'int'],
      [A.LAST_PART, 'lastPart', 'int'],
    ],
    [A.URI],
  ),
  media: schema(
    [
      // Spec listing order, except URI last, as packagers (Apple, ffmpeg, Shaka) write it.
      [A.TYPE, 'type', 'enum'],
      [A.GROUP_ID, 'groupId', 'string'],
      [A.LANGUAGE, 'language', 'string'],
      [A.ASSOC_LANGUAGE, 'assocLanguage', 'string'],
      [A.NAME, 'name', 'string'],
      [A.STABLE_RENDITION_ID, 'stableRenditionId', 'string'],
      [A.DEFAULT, 'default', 'bool'],
      [A.AUTOSELECT, 'autoselect', 'bool'],
      [A.FORCED, 'forced', 'bool'],
      [A.INSTREAM_ID, 'instreamId', 'string'],
      [A.BIT_DEPTH, 'bitDepth', 'int'],
      [A.SAMPLE_RATE, 'sampleRate', 'int'],
      [A.CHARACTERISTICS, 'characteristics', 'string'],
      [A.CHANNELS, 'channels', 'string'],
      [A.URI, 'uri', 'string'],
    ],
    [A.TYPE, A.GROUP_ID, A.NAME],
  ),
  streamInf: schema(
    [
      [A.BANDWIDTH, 'bandwidth', 'int'],
      [A.AVERAGE_BANDWIDTH, 'averageBandwidth', 'int'],
      [A.SCORE, 'score', 'float'],
      [A.CODECS, 'codecs', 'string'],
      [A.SUPPLEMENTAL_CODECS, 'supplementalCodecs', 'string'],
      [A.RESOLUTION, 'resolution', 'resolution'],
      [A.FRAME_RATE, 'frameRate', 'float'],
      [A.HDCP_LEVEL, 'hdcpLevel', 'enum'],
      [A.ALLOWED_CPC, 'allowedCpc', 'string'],
      [A.VIDEO_RANGE, 'videoRange', 'enum'],
      [A.REQ_VIDEO_LAYOUT, 'reqVideoLayout', 'string'],
      [A.STABLE_VARIANT_ID, 'stableVariantId', 'string'],
      [A.AUDIO, 'audio', 'string'],
      [A.VIDEO, 'video', 'string'],
      [A.SUBTITLES, 'subtitles', 'string'],
      [A.CLOSED_CAPTIONS, 'closedCaptions', 'cc'],
      [A.PATHWAY_ID, 'pathwayId', 'string'],
    ],
    [A.BANDWIDTH],
  ),
  iFrameStreamInf: schema(
    [
      [A.BANDWIDTH, 'bandwidth', 'int'],
      [A.AVERAGE_BANDWIDTH, 'averageBandwidth', 'int'],
      [A.SCORE, 'score', 'float'],
      [A.CODECS, 'codecs', 'string'],
      [A.SUPPLEMENTAL_CODECS, 'supplementalCodecs', 'string'],
      [A.RESOLUTION, 'resolution', 'resolution'],
      [A.HDCP_LEVEL, 'hdcpLevel', 'enum'],
      [A.ALLOWED_CPC, 'allowedCpc', 'string'],
      [A.VIDEO_RANGE, 'videoRange', 'enum'],
      [A.REQ_VIDEO_LAYOUT, 'reqVideoLayout', 'string'],
      [A.STABLE_VARIANT_ID, 'stableVariantId', 'string'],
      [A.VIDEO, 'video', 'string'],
      [A.PATHWAY_ID, 'pathwayId', 'string'],
      [A.URI, 'uri', 'string'],
    ],
    [A.BANDWIDTH, A.URI],
  ),
  sessionData: schema(
    [
      [A.DATA_ID, 'dataId', 'string'],
      [A.VALUE, 'value', 'string'],
      [A.URI, 'uri', 'string'],
      [A.FORMAT, 'format', 'enum'],
      [A.LANGUAGE, 'language', 'string'],
    ],
    [A.DATA_ID],
  ),
  contentSteering: schema(
    [
      [A.SERVER_URI, 'serverUri', 'string'],
      [A.PATHWAY_ID, 'pathwayId', 'string'],
    ],
    [A.SERVER_URI],
  ),
  cueOut: schema([[A.DURATION, 'duration', 'float']]),
  cueOutCont: schema([
    [A.ELAPSED_TIME, 'elapsedTime', 'float'],
    [A.CONT_DURATION, 'duration', 'float'],
    [A.SCTE35, 'scte35', 'text'],
  ]),
  asset: schema([[A.CAID, 'caid', 'text']]),
} as const satisfies Record<string, AttributeSchema>;

/** Identifier of an attribute-list tag's schema. */
export type SchemaId = keyof typeof SCHEMAS;

// ————————————————————————————————————————————————————————————————— number scanning

/** True when `s` is `[-]digits[.digits]` (also `.5` and `5.`), with no exponent, sign only if `signed`. */
export function isDecimal(s: string, signed: boolean): boolean {
  const n = s.length;
  let i = 0;
  if (signed && n > 0 && s.charCodeAt(0) === 45 /* - */) i = 1;
  let digits = 0;
  let dot = false;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c === 46 /* . */ && !dot) dot = true;
    else return false;
  }
  return digits > 0;
}

/** True when `s` is a decimal-integer (RFC 8216 §4.2: 1 to 20 digits). */
export function isDecimalInteger(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > 20) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * Parses a decimal-floating-point (signed when asked), or undefined. Short literals take a fast
 * path (an exact integer divided by an exact power of ten is correctly rounded, so the result
 * equals Number(s)); others go through Number.
 */
export function parseDecimal(s: string, signed = false): number | undefined {
  const n = s.length;
  let i = 0;
  let negative = false;
  if (signed && n > 0 && s.charCodeAt(0) === 45 /* - */) {
    negative = true;
    i = 1;
  }
  let mantissa = 0;
  let digits = 0;
  let fraction = -1;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      if (fraction >= 0) fraction++;
    } else if (c === 46 /* . */ && fraction < 0) fraction = 0;
    else return undefined;
  }
  if (digits === 0) return undefined;
  if (digits <= 15) {
    const v = fraction > 0 ? mantissa / POW10[fraction]! : mantissa;
    return negative ? -v : v;
  }
  return Number(s);
}

/** Parses a decimal-integer, or undefined. */
export function parseInteger(s: string): number | undefined {
  return isDecimalInteger(s) ? Number(s) : undefined;
}

/** Parses `<length>[@<offset>]`, or undefined. */
export function parseByteRange(s: string): ByteRange | undefined {
  const at = s.indexOf('@');
  const length = parseInteger(at === -1 ? s : s.slice(0, at));
  if (length === undefined) return undefined;
  if (at === -1) return { length };
  const offset = parseInteger(s.slice(at + 1));
  return offset === undefined ? undefined : { length, offset };
}

function parseResolution(s: string): Resolution | undefined {
  const x = s.indexOf('x');
  if (x === -1) return undefined;
  const width = parseInteger(s.slice(0, x));
  const height = parseInteger(s.slice(x + 1));
  return width === undefined || height === undefined ? undefined : { width, height };
}

function isHex(s: string): boolean {
  const n = s.length;
  if (n < 3 || s.charCodeAt(0) !== 48 || (s.charCodeAt(1) | 32) !== 120) return false;
  for (let i = 2; i < n; i++) {
    const c = s.charCodeAt(i) | 32;
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** Counts significant digits of a decimal literal, to keep only numbers that survive a round trip. */
function significantDigits(s: string): number {
  let count = 0;
  let leading = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) continue;
    if (leading && c === 48) continue;
    leading = false;
    count++;
  }
  return count;
}

/** Types an unknown attribute's value (see {@link AttributeValue}). */
export function toAttributeValue(raw: string, quoted: boolean): AttributeValue {
  if (quoted) return raw;
  if (isDecimal(raw, true) && significantDigits(raw) <= 15) return Number(raw);
  return { raw };
}

// ————————————————————————————————————————————————————————————————— writing values

/** Writes a number in the shortest decimal form the attribute grammar allows (no exponent). */
export function formatNumber(n: number): string {
  if (n === 0 && Object.is(n, -0)) return '-0'; // String(-0) is '0'; keep the sign so the model round-trips
  const s = String(n);
  if (s.indexOf('e') === -1) return s;
  if (!Number.isFinite(n)) return s;
  // toFixed gives up to 100 digits without an exponent; strip trailing zeros.
  let fixed = Math.abs(n) >= 1e21 ? BigInt(Math.round(n)).toString() : n.toFixed(20);
  if (fixed.indexOf('.') !== -1) fixed = fixed.replace(/0+$/, '').replace(/\.$/, '');
  return fixed;
}

const UNWRITABLE = /[\r\n]/;
const QUOTED_UNWRITABLE = /[\r\n"]/;

/** Throws PLAYLIST_UNSERIALIZABLE unless `s` can be written inside a line (no CR/LF), and inside quotes when `quoted`. */
export function checkWritable(s: string, quoted: boolean, what: string): void {
  // One native indexOf per character is about twice as fast as a character-class test on the
  // short values of a playlist (it runs for every URI). A value that is not a string (a model of
  // the wrong shape) keeps the regular expression's ToString semantics.
  const unwritable =
    typeof s === 'string'
      ? s.indexOf('\n') !== -1 || s.indexOf('\r') !== -1 || (quoted && s.indexOf('"') !== -1)
      : (quoted ? QUOTED_UNWRITABLE : UNWRITABLE).test(s);
  if (unwritable) {
    throw new ManifestError(
      'PLAYLIST_UNSERIALIZABLE',
      `${what} contains a line break${quoted ? ' or a double quote' : ''}`,
    );
  }
}

function checkNumber(n: unknown, what: string): number {
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    throw new ManifestError('PLAYLIST_UNSERIALIZABLE', `${what} is not a finite number`);
  }
  return n;
}

/** Writes an attribute value of a known type, or throws PLAYLIST_UNSERIALIZABLE for a value of the wrong shape. */
export function formatTyped(value: unknown, spec: AttributeSpec): string {
  const what = spec.name;
  switch (spec.type) {
    case 'int':
    case 'float':
    case 'sfloat':
      return formatNumber(checkNumber(value, what));
    case 'string': {
      const s = String(value);
      checkWritable(s, true, what);
      return `"${s}"`;
    }
    case 'enum':
    case 'hex':
    case 'text': {
      const s = String(value);
      checkWritable(s, false, what);
      return s;
    }
    case 'bool':
      return value ? 'YES' : 'NO';
    case 'resolution': {
      const r = value as Resolution;
      return `${formatNumber(checkNumber(r.width, what))}x${formatNumber(checkNumber(r.height, what))}`;
    }
    case 'byterange':
      return `"${formatByteRange(value as ByteRange)}"`;
    case 'list':
    case 'tablist': {
      const s = (value as string[]).join(spec.type === 'list' ? ',' : '\t');
      checkWritable(s, true, what);
      return `"${s}"`;
    }
    case 'cc': {
      const s = String(value);
      if (s === 'NONE') return s;
      checkWritable(s, true, what);
      return `"${s}"`;
    }
  }
}

/** Writes `<length>[@<offset>]`. */
export function formatByteRange(r: ByteRange): string {
  const length = formatNumber(checkNumber(r.length, 'BYTERANGE length'));
  return r.offset === undefined ? length : `${length}@${formatNumber(checkNumber(r.offset, 'BYTERANGE offset'))}`;
}

/** Writes an untyped attribute value (client or unknown attribute). */
export function formatAttributeValue(value: AttributeValue, name: string): string {
  if (typeof value === 'string') {
    checkWritable(value, true, name);
    return `"${value}"`;
  }
  if (typeof value === 'number') return formatNumber(checkNumber(value, name));
  checkWritable(value.raw, false, name);
  return value.raw;
}

// ————————————————————————————————————————————————————————————————— scanning

/** What the attribute parser reports back: warnings and variable substitution. */
export interface AttributeContext {
  warn(code: string, message: string): void;
  /** Replaces {$name} references, or returns the text unchanged when substitution is off. */
  substitute(text: string): string;
  /** 1-based line number, for errors. */
  line: number;
}

function typeValue(raw: string, quoted: boolean, type: AttributeType): unknown {
  switch (type) {
    case 'int':
      return quoted ? undefined : parseInteger(raw);
    case 'float':
      return quoted ? undefined : parseDecimal(raw, false);
    case 'sfloat':
      return quoted ? undefined : parseDecimal(raw, true);
    case 'string':
      return quoted ? raw : undefined;
    case 'enum':
      return quoted || raw.length === 0 ? undefined : raw;
    case 'hex':
      // A {$variable} reference left unsubstituted is kept as written (bis §4.3.5 allows it here).
      return !quoted && (isHex(raw) || raw.indexOf('{$') !== -1) ? raw : undefined;
    case 'resolution':
      return quoted ? undefined : parseResolution(raw);
    case 'bool':
      return quoted ? undefined : raw === 'YES' ? true : raw === 'NO' ? false : undefined;
    case 'byterange':
      return quoted ? parseByteRange(raw) : undefined;
    case 'list':
      return quoted ? raw.split(',') : undefined;
    case 'tablist':
      return quoted ? raw.split('\t') : undefined;
    case 'cc':
      return quoted ? raw : raw === 'NONE' ? raw : undefined;
    case 'text':
      return raw;
  }
}

function isNameChar(c: number): boolean {
  // RFC 8216 §4.2: [A-Z0-9-]; lower case accepted for legacy tags (ElapsedTime). No '_' so that no
  // name can be `__proto__`.
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45;
}

function invalid(ctx: AttributeContext, message: string): ManifestError {
  return new ManifestError('PLAYLIST_INVALID_TAG', `line ${ctx.line}: ${message}`, { line: ctx.line });
}

/**
 * Parses an attribute list into a typed object following `schema`, in one left-to-right pass.
 * Quoted strings may contain commas; unquoted values run to the next comma. Unknown attributes
 * go to `otherAttributes` (X-* to `clientAttributes` where the schema has them), values of the
 * wrong type too (with an INVALID_ATTRIBUTE warning). A duplicate attribute's last value wins
 * (DUPLICATE_ATTRIBUTE warning). `attributeOrder` is set only when the order is not canonical.
 * Returns undefined (after a MISSING_ATTRIBUTE-style decision left to the caller) never; throws
 * PLAYLIST_INVALID_TAG on a syntax error (unterminated quote, missing `=`, bad name).
 */
export function parseAttributes(
  text: string,
  start: number,
  schema: AttributeSchema,
  ctx: AttributeContext,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const n = text.length;
  let i = start;
  let names: string[] | undefined;
  let other: AttributeRecord | undefined;
  let client: AttributeRecord | undefined;
  const seen = new Set<string>();
  while (i < n) {
    // optional whitespace before a name (tolerated, as hls.js does)
    while (i < n && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
    if (i >= n) break;
    const nameStart = i;
    while (i < n && isNameChar(text.charCodeAt(i))) i++;
    const name = text.slice(nameStart, i);
    while (i < n && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
    if (name.length === 0 || i >= n || text.charCodeAt(i) !== 61 /* = */) {
      throw invalid(ctx, `expected ATTRIBUTE=value at column ${nameStart + 1}`);
    }
    i++;
    let raw: string;
    let quoted = false;
    if (i < n && text.charCodeAt(i) === 34 /* " */) {
      const close = text.indexOf('"', i + 1);
      if (close === -1) throw invalid(ctx, `unterminated quoted string in ${name}`);
      raw = text.slice(i + 1, close);
      quoted = true;
      i = close + 1;
      while (i < n && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
      if (i < n && text.charCodeAt(i) !== 44 /* , */)
        throw invalid(ctx, `unexpected text after the quoted value of ${name}`);
    } else {
      const valueStart = i;
      while (i < n) {
        const c = text.charCodeAt(i);
        if (c === 44) break;
        if (c === 34) throw invalid(ctx, `stray double quote in the value of ${name}`);
        i++;
      }
      raw = text.slice(valueStart, i).trim();
    }
    i++; // past the comma (or the end)

    if (quoted || schema.byName.get(name)?.type === 'hex') raw = ctx.substitute(raw);

    // order bookkeeping
    if (seen.has(name)) {
      ctx.warn('DUPLICATE_ATTRIBUTE', `line ${ctx.line}: ${name} appears twice; the last value wins`);
    } else {
      seen.add(name);
      (names ??= []).push(name);
    }

    const spec = schema.byName.get(name);
    if (spec !== undefined) {
      const value = typeValue(raw, quoted, spec.type);
      if (value !== undefined) {
        out[spec.field] = value;
        if (other !== undefined && Object.hasOwn(other, name)) delete other[name];
        continue;
      }
      ctx.warn('INVALID_ATTRIBUTE', `line ${ctx.line}: ${name} has an invalid value; kept as written`);
      delete out[spec.field];
    }
    if (schema.clientRank >= 0 && name.startsWith(CLIENT_ATTRIBUTE_PREFIX)) {
      (client ??= {})[name] = toAttributeValue(raw, quoted);
    } else {
      (other ??= {})[name] = toAttributeValue(raw, quoted);
    }
  }
  if (client !== undefined) out.clientAttributes = client;
  if (names !== undefined && !isCanonicalOrder(names, out, schema)) out.attributeOrder = names;
  if (other !== undefined && Object.keys(other).length > 0) out.otherAttributes = other;
  return out;
}

/** True when `names` is in canonical order given where each attribute ended up (typed, client or other). */
function isCanonicalOrder(names: readonly string[], out: Record<string, unknown>, schema: AttributeSchema): boolean {
  let last = -1;
  for (const name of names) {
    const spec = schema.byName.get(name);
    const rank =
      spec !== undefined && out[spec.field] !== undefined
        ? schema.rank.get(name)!
        : schema.clientRank >= 0 && name.startsWith(CLIENT_ATTRIBUTE_PREFIX)
          ? schema.clientRank
          : 1000;
    if (rank < last) return false;
    last = rank;
  }
  return true;
}

/** True when every required attribute of `schema` has a typed value in `obj`. */
export function hasRequired(obj: Record<string, unknown>, schema: AttributeSchema): boolean {
  for (const name of schema.required) {
    const spec = schema.byName.get(name);
    if (spec === undefined || obj[spec.field] === undefined) return false;
  }
  return true;
}

/**
 * Writes an attribute list from a typed object: the recorded `attributeOrder` first (skipping
 * attributes that no longer exist), then everything else in canonical order, unknown last.
 */
export function writeAttributes(obj: object, schema: AttributeSchema): string {
  const o = obj as Record<string, unknown> & {
    attributeOrder?: string[];
    otherAttributes?: AttributeRecord;
    clientAttributes?: AttributeRecord;
  };
  const order = o.attributeOrder;
  const other = o.otherAttributes;
  const client = schema.clientRank >= 0 ? o.clientAttributes : undefined;
  if (order === undefined || order.length === 0) {
    // Canonical order, concatenated directly (what joining the parts with ',' gives, without the
    // array): every key and segment-level tag of a playlist goes through here.
    let out = '';
    const attrs = schema.attrs;
    for (let k = 0; k < attrs.length; k++) {
      if (k === schema.clientIndex && client !== undefined) out = appendRecord(out, client, undefined);
      const spec = attrs[k]!;
      const v = o[spec.field];
      if (v !== undefined) {
        const part = `${spec.name}=${formatTyped(v, spec)}`;
        out = out === '' ? part : `${out},${part}`;
      }
    }
    if (schema.clientIndex === attrs.length && client !== undefined) out = appendRecord(out, client, undefined);
    if (other !== undefined) out = appendRecord(out, other, o, schema);
    return out;
  }
  const parts: string[] = [];

  // Recorded order: walk it; an attribute it does not name (added in code) goes right after the
  // last recorded attribute whose canonical rank is not greater than its own (first if none).
  interface Pending {
    name: string;
    rank: number;
    text: () => string | undefined;
  }
  const pending: Pending[] = [];
  for (const spec of schema.attrs) {
    pending.push({
      name: spec.name,
      rank: schema.rank.get(spec.name)!,
      text: () => (o[spec.field] === undefined ? undefined : `${spec.name}=${formatTyped(o[spec.field], spec)}`),
    });
  }
  if (client !== undefined) {
    for (const name of Object.keys(client)) {
      pending.push({
        name,
        rank: schema.clientRank,
        text: () => `${name}=${formatAttributeValue(client[name]!, name)}`,
      });
    }
  }
  if (other !== undefined) {
    for (const name of Object.keys(other)) {
      const spec = schema.byName.get(name);
      if (spec !== undefined && o[spec.field] !== undefined) continue;
      pending.push({ name, rank: 1000, text: () => `${name}=${formatAttributeValue(other[name]!, name)}` });
    }
  }
  pending.sort((a, b) => a.rank - b.rank); // stable: keeps record order within a rank
  const byName = new Map(pending.map((p) => [p.name, p]));
  const after: Pending[][] = Array.from({ length: order.length + 1 }, () => []);
  const inOrder = new Set(order);
  for (const p of pending) {
    if (inOrder.has(p.name)) continue;
    let at = -1;
    for (let i = order.length - 1; i >= 0; i--) {
      const q = byName.get(order[i]!);
      if (q !== undefined && q.rank <= p.rank) {
        at = i;
        break;
      }
    }
    after[at + 1]!.push(p);
  }
  const done = new Set<string>();
  const emit = (p: Pending): void => {
    if (done.has(p.name)) return;
    done.add(p.name);
    const t = p.text();
    if (t !== undefined) parts.push(t);
  };
  for (const p of after[0]!) emit(p);
  for (let i = 0; i < order.length; i++) {
    const p = byName.get(order[i]!);
    if (p !== undefined) emit(p);
    for (const q of after[i + 1]!) emit(q);
  }
  return parts.join(',');
}

/** Appends a record's attributes to `out` (',' separated), skipping unknown ones that now have a typed value. */
function appendRecord(
  out: string,
  record: AttributeRecord,
  typed: Record<string, unknown> | undefined,
  schema?: AttributeSchema,
): string {
  for (const name of Object.keys(record)) {
    if (typed !== undefined && schema !== undefined) {
      const spec = schema.byName.get(name);
      if (spec !== undefined && typed[spec.field] !== undefined) continue;
    }
    const part = `${name}=${formatAttributeValue(record[name]!, name)}`;
    out = out === '' ? part : `${out},${part}`;
  }
  return out;
}
