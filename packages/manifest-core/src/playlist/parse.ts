/**
 * @module The playlist parser: text → typed, lossless model, in one linear pass over the lines
 * (indexOf-based line splitting, charCode scanning, no per-line regular expressions).
 */
import { ManifestError, isManifestError } from '../errors.ts';
import type { ManifestWarning } from '../errors.ts';
import { SCHEMAS, hasRequired, parseAttributes, parseByteRange, parseDecimal, parseInteger } from './attributes.ts';
import type { AttributeContext, AttributeSchema } from './attributes.ts';
import { LINE_KIND_OF_TAG, isCanonical, HEADER_RANK, MASTER_RANK, SEGMENT_RANK, TAIL_RANK } from './lines.ts';
import type {
  Asset,
  CueOut,
  CueOutCont,
  DateRange,
  Define,
  Key,
  LineKind,
  MasterPlaylist,
  MediaInitializationSection,
  MediaPlaylist,
  MediaSegment,
  ParsePlaylistOptions,
  ParseResult,
  PartialSegment,
  Playlist,
  PlaylistCommon,
  PlaylistWarningCode,
  SegmentTags,
  Start,
} from './model.ts';
import { TAG } from './tags.ts';

/** Default limits of {@link ParsePlaylistOptions}. */
export const PARSE_DEFAULTS = {
  /** 16 MiB. */
  maxBytes: 16_777_216,
  /** Segments (media) or variants + renditions (multivariant). */
  maxSegments: 200_000,
  /** 256 KiB per line. */
  maxLineLength: 262_144,
} as const;

/** At most this many warnings are kept (the rest are counted in one last warning), so memory stays bounded. */
const MAX_WARNINGS = 1000;

const EXTM3U_LINE = `#${TAG.EXTM3U}`;
const EXTINF_PREFIX = `#${TAG.EXTINF}:`;
const PDT_PREFIX = `#${TAG.PROGRAM_DATE_TIME}:`;

/**
 * Parses a media or multivariant playlist, choosing the kind from its tags (EXT-X-STREAM-INF,
 * EXT-X-I-FRAME-STREAM-INF or EXT-X-MEDIA → multivariant; otherwise media). Accepts a BOM and
 * CRLF line endings. Throws a {@link ManifestError} (never anything else) when players could not
 * cope; returns warnings for deviations they tolerate.
 *
 * @example
 * const { playlist, warnings } = parsePlaylist(text);
 * if (playlist.kind === 'media') console.log(playlist.segments.length, warnings);
 */
export function parsePlaylist(input: string | Uint8Array, options: ParsePlaylistOptions = {}): ParseResult {
  return guard(() => {
    const text = prepare(input, options);
    return detectKind(text) === 'master' ? parseMaster(text, options) : parseMedia(text, options);
  });
}

/**
 * Parses a media playlist; a multivariant playlist is a PLAYLIST_WRONG_KIND error.
 *
 * @example
 * const { playlist } = parseMediaPlaylist(text, { maxSegments: 50_000 });
 */
export function parseMediaPlaylist(
  input: string | Uint8Array,
  options: ParsePlaylistOptions = {},
): ParseResult<MediaPlaylist> {
  return guard(() => {
    const text = prepare(input, options);
    if (detectKind(text) === 'master') {
      throw new ManifestError('PLAYLIST_WRONG_KIND', 'expected a media playlist, got a multivariant playlist');
    }
    return parseMedia(text, options);
  });
}

/**
 * Parses a multivariant (master) playlist; a media playlist is a PLAYLIST_WRONG_KIND error.
 *
 * @example
 * const { playlist } = parseMasterPlaylist(text);
 * for (const v of playlist.variants) console.log(v.bandwidth, v.uri);
 */
export function parseMasterPlaylist(
  input: string | Uint8Array,
  options: ParsePlaylistOptions = {},
): ParseResult<MasterPlaylist> {
  return guard(() => {
    const text = prepare(input, options);
    if (detectKind(text) !== 'master') {
      throw new ManifestError('PLAYLIST_WRONG_KIND', 'expected a multivariant playlist, got a media playlist');
    }
    return parseMaster(text, options);
  });
}

/** Turns any unexpected exception (a bug, a stack overflow) into a typed error so callers only ever see ManifestError. */
function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (isManifestError(error)) throw error;
    throw new ManifestError('PLAYLIST_INVALID_TAG', 'the playlist could not be parsed', { cause: error });
  }
}

// ————————————————————————————————————————————————————————————————— input

function prepare(input: string | Uint8Array, options: ParsePlaylistOptions): string {
  const maxBytes = options.maxBytes ?? PARSE_DEFAULTS.maxBytes;
  let text: string;
  if (typeof input === 'string') {
    if (input.length > maxBytes)
      throw new ManifestError('PLAYLIST_TOO_LARGE', `playlist longer than ${maxBytes} bytes`);
    text = input;
  } else {
    if (input.byteLength > maxBytes)
      throw new ManifestError('PLAYLIST_TOO_LARGE', `playlist larger than ${maxBytes} bytes`);
    text = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(input);
  }
  // RFC 8216 §4.1 ends lines with LF or CR LF; a lone CR is treated as a line end too (as hls.js
  // does), so no CR ever reaches a model field. One linear pass, only when a CR is present.
  if (text.indexOf('\r') !== -1) text = text.replace(/\r\n?/g, '\n');
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const afterHeader = start + EXTM3U_LINE.length;
  const next = text.charCodeAt(afterHeader);
  if (
    !text.startsWith(EXTM3U_LINE, start) ||
    !(Number.isNaN(next) || next === 10 || next === 13 || next === 32 || next === 9)
  ) {
    if (looksBinary(text)) throw new ManifestError('PLAYLIST_BINARY', 'binary data where a playlist was expected');
    throw new ManifestError('PLAYLIST_MISSING_HEADER', 'the text does not start with #EXTM3U');
  }
  if (text.indexOf('\u0000') !== -1) throw new ManifestError('PLAYLIST_BINARY', 'NUL byte in a playlist');
  return text;
}

function looksBinary(text: string): boolean {
  const n = Math.min(text.length, 512);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0 || c === 0xfffd || (c < 32 && c !== 9 && c !== 10 && c !== 13)) return true;
  }
  return false;
}

/** Tags that make a playlist multivariant; EXTINF or EXT-X-TARGETDURATION make it a media playlist. */
const MASTER_DEFINING: ReadonlySet<LineKind> = new Set<LineKind>(['variant', 'iFrameVariant', 'rendition']);

/**
 * Decides the kind from the first defining tag (EXT-X-STREAM-INF, I-FRAME-STREAM-INF or MEDIA →
 * multivariant; EXTINF or EXT-X-TARGETDURATION → media), reading only as far as needed. Each parser
 * then rejects a defining tag of the other kind as PLAYLIST_MIXED.
 */
function detectKind(text: string): 'master' | 'media' {
  let pos = 0;
  const len = text.length;
  while (pos < len) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = len;
    let a = pos;
    while (a < end && isSpace(text.charCodeAt(a))) a++;
    if (text.startsWith('#EXT', a)) {
      let b = a + 1;
      while (b < end && text.charCodeAt(b) !== 58 /* : */ && !isSpace(text.charCodeAt(b))) b++;
      const kind = LINE_KIND_OF_TAG.get(text.slice(a + 1, b));
      if (kind !== undefined) {
        if (MASTER_DEFINING.has(kind)) return 'master';
        if (kind === 'extinf' || kind === 'targetDuration') return 'media';
      }
    }
    pos = end + 1;
  }
  return 'media';
}

function mixed(ctx: Context, tag: string): ManifestError {
  return new ManifestError('PLAYLIST_MIXED', `line ${ctx.line}: #${tag} mixes multivariant and media playlist tags`, {
    line: ctx.line,
  });
}

/** Splits lines with indexOf, trims them, skips blank ones and enforces maxLineLength. */
class LineReader {
  private pos: number;
  /** 1-based number of the line last returned. */
  lineNo = 1;
  constructor(
    private readonly text: string,
    private readonly maxLineLength: number,
  ) {
    // Skip the BOM and the #EXTM3U line, which prepare() checked.
    const nl = text.indexOf('\n');
    if (nl - (text.charCodeAt(0) === 0xfeff ? 1 : 0) > maxLineLength) this.tooLong(1);
    this.pos = nl === -1 ? text.length : nl + 1;
  }

  /** Start (inclusive) and end (exclusive) of the line last found by {@link advance}, trimmed. */
  start = 0;
  end = 0;

  /** Finds the next non-blank line without copying it; false at the end of the text. */
  advance(): boolean {
    const text = this.text;
    const len = text.length;
    while (this.pos < len) {
      let end = text.indexOf('\n', this.pos);
      if (end === -1) end = len;
      this.lineNo++;
      if (end - this.pos > this.maxLineLength) this.tooLong(this.lineNo);
      let a = this.pos;
      let b = end;
      this.pos = end + 1;
      while (b > a && isSpace(text.charCodeAt(b - 1))) b--;
      while (a < b && isSpace(text.charCodeAt(a))) a++;
      if (a < b) {
        this.start = a;
        this.end = b;
        return true;
      }
    }
    return false;
  }

  /** The next non-blank line, trimmed, or undefined at the end. */
  next(): string | undefined {
    return this.advance() ? this.text.slice(this.start, this.end) : undefined;
  }

  private tooLong(line: number): never {
    throw new ManifestError('PLAYLIST_LINE_TOO_LONG', `line ${line} is longer than ${this.maxLineLength} characters`, {
      line,
    });
  }
}

function isSpace(c: number): boolean {
  return c === 32 || c === 13 || c === 9;
}

// ————————————————————————————————————————————————————————————————— shared state

/** State shared by both parsers: warnings, variables, the attribute context. */
class Context implements AttributeContext {
  readonly warnings: ManifestWarning[] = [];
  readonly variables = new Map<string, string>();
  line = 1;
  private dropped = 0;
  private readonly doSubstitute: boolean;

  constructor(readonly options: ParsePlaylistOptions) {
    this.doSubstitute = options.substituteVariables === true;
  }

  warn(code: PlaylistWarningCode, message: string): void {
    if (this.warnings.length < MAX_WARNINGS) this.warnings.push({ code, message, line: this.line });
    else this.dropped++;
  }

  finishWarnings(): ManifestWarning[] {
    if (this.dropped > 0) {
      const code: PlaylistWarningCode = 'TOO_MANY_WARNINGS';
      this.warnings.push({ code, message: `${this.dropped} more warnings were dropped` });
    }
    return this.warnings;
  }

  substitute(text: string): string {
    if (!this.doSubstitute || text.indexOf('{$') === -1) return text;
    let out = '';
    let from = 0;
    for (;;) {
      const open = text.indexOf('{$', from);
      if (open === -1) break;
      const close = text.indexOf('}', open + 2);
      if (close === -1) break;
      const name = text.slice(open + 2, close);
      const value = this.variables.get(name);
      if (value === undefined) {
        throw new ManifestError('PLAYLIST_UNDEFINED_VARIABLE', `line ${this.line}: {$${name}} is not defined`, {
          line: this.line,
        });
      }
      out += text.slice(from, open) + value;
      from = close + 1;
    }
    return out + text.slice(from);
  }

  attributes(value: string, schema: AttributeSchema): Record<string, unknown> {
    return parseAttributes(value, 0, schema, this);
  }

  invalid(message: string): ManifestError {
    return new ManifestError('PLAYLIST_INVALID_TAG', `line ${this.line}: ${message}`, { line: this.line });
  }
}

interface TagLine {
  /** The whole line, kept for verbatim storage. */
  line: string;
  /** Tag name without `#`. */
  name: string;
  /** Text after the first colon, or undefined when the tag has none. */
  value: string | undefined;
}

function splitTag(line: string): TagLine {
  const colon = line.indexOf(':');
  return colon === -1
    ? { line, name: line.slice(1), value: undefined }
    : { line, name: line.slice(1, colon), value: line.slice(colon + 1) };
}

/** Applies a tag valid in both playlist kinds; returns false when the line must be kept verbatim. */
function applyCommon(kind: LineKind, tag: TagLine, pl: PlaylistCommon, ctx: Context): boolean {
  switch (kind) {
    case 'version': {
      const v = tag.value === undefined ? undefined : parseInteger(tag.value.trim());
      if (v === undefined) return invalidTag(ctx, tag);
      if (pl.version !== undefined) return duplicate(ctx, tag);
      pl.version = v;
      return true;
    }
    case 'independentSegments':
      if (tag.value !== undefined) return invalidTag(ctx, tag);
      if (pl.independentSegments !== undefined) return duplicate(ctx, tag);
      pl.independentSegments = true;
      return true;
    case 'start': {
      if (pl.start !== undefined) return duplicate(ctx, tag);
      const start = typedAttributes<Start>(tag, SCHEMAS.start, ctx);
      if (start === undefined) return false;
      pl.start = start;
      return true;
    }
    case 'define': {
      const d = typedAttributes<Record<string, unknown>>(tag, SCHEMAS.define, ctx, false);
      if (d === undefined) return false;
      const define = toDefine(d, ctx);
      if (define === undefined) return invalidTag(ctx, tag);
      (pl.defines ??= []).push(define);
      return true;
    }
    default:
      return false;
  }
}

function toDefine(d: Record<string, unknown>, ctx: Context): Define | undefined {
  const {
    name,
    value,
    import: imp,
    queryParam,
    ...extras
  } = d as {
    name?: string;
    value?: string;
    import?: string;
    queryParam?: string;
  };
  let define: Define;
  if (name !== undefined && value !== undefined && imp === undefined && queryParam === undefined) {
    define = { kind: 'value', name, value, ...extras };
    ctx.variables.set(name, value);
  } else if (imp !== undefined && name === undefined && value === undefined && queryParam === undefined) {
    define = { kind: 'import', name: imp, ...extras };
    const v = ctx.options.importVariables?.[imp];
    if (v === undefined || !Object.hasOwn(ctx.options.importVariables ?? {}, imp)) {
      ctx.warn('UNRESOLVED_VARIABLE', `line ${ctx.line}: IMPORT="${imp}" has no value in the options`);
    } else ctx.variables.set(imp, v);
  } else if (queryParam !== undefined && name === undefined && value === undefined && imp === undefined) {
    define = { kind: 'queryParam', name: queryParam, ...extras };
    const q = ctx.options.queryParams;
    const v =
      q === undefined
        ? undefined
        : q instanceof URLSearchParams
          ? (q.get(queryParam) ?? undefined)
          : Object.hasOwn(q, queryParam)
            ? q[queryParam]
            : undefined;
    if (v === undefined)
      ctx.warn('UNRESOLVED_VARIABLE', `line ${ctx.line}: QUERYPARAM="${queryParam}" is not in the URL`);
    else ctx.variables.set(queryParam, v);
  } else {
    return undefined;
  }
  return define;
}

/** Parses an attribute-list tag; undefined (with an INVALID_TAG warning) when a required attribute is missing. */
function typedAttributes<T>(tag: TagLine, schema: AttributeSchema, ctx: Context, checkRequired = true): T | undefined {
  if (tag.value === undefined) {
    invalidTag(ctx, tag);
    return undefined;
  }
  const obj = ctx.attributes(tag.value, schema);
  if (checkRequired && !hasRequired(obj, schema)) {
    ctx.warn('INVALID_TAG', `line ${ctx.line}: #${tag.name} lacks a required attribute; kept as written`);
    return undefined;
  }
  return obj as T;
}

function invalidTag(ctx: Context, tag: TagLine): false {
  ctx.warn('INVALID_TAG', `line ${ctx.line}: #${tag.name} has a value that cannot be read; kept as written`);
  return false;
}

function duplicate(ctx: Context, tag: TagLine): false {
  ctx.warn('DUPLICATE_TAG', `line ${ctx.line}: #${tag.name} appears again; the repeat is kept as written`);
  return false;
}

function variablesOf(ctx: Context): Record<string, string> {
  return Object.fromEntries(ctx.variables);
}

// ————————————————————————————————————————————————————————————————— media playlists

type SegmentDraft = SegmentTags & Partial<Pick<MediaSegment, 'uri' | 'duration' | 'title' | 'byteRange'>>;

function parseMedia(text: string, options: ParsePlaylistOptions): ParseResult<MediaPlaylist> {
  const ctx = new Context(options);
  const maxSegments = options.maxSegments ?? PARSE_DEFAULTS.maxSegments;
  const reader = new LineReader(text, options.maxLineLength ?? PARSE_DEFAULTS.maxLineLength);
  const pl = { kind: 'media' } as MediaPlaylist;
  const segments: MediaSegment[] = [];
  const headerOrder: LineKind[] = [];
  let pendingHeaderExtra: string[] | undefined;
  let inHeader = true;
  // When header tags also appear between segments, the header's own order must be recorded so
  // that the serializer knows which items belong to the header (see model.ts, "line order").
  let headerKindOutsideHeader = false;

  let cur: SegmentDraft | undefined;
  let curOrder: LineKind[] = [];
  /** Where the pending EXTINF line is in the text (-1: none), kept to restore it verbatim if no URI follows. */
  let extinfStart = -1;
  let extinfEnd = -1;
  let extinfSlot = -1;
  /** How many verbatim lines the segment had when its EXTINF came (each has one 'extra' slot before it). */
  let extinfExtrasBefore = 0;

  const flushHeaderExtra = (): void => {
    if (pendingHeaderExtra === undefined) return;
    for (const line of pendingHeaderExtra) {
      (pl.extra ??= []).push(line);
      headerOrder.push('extra');
    }
    pendingHeaderExtra = undefined;
  };
  const startSegment = (): SegmentDraft => {
    if (cur !== undefined) return cur;
    cur = {};
    curOrder = []; // kept only when the order is not canonical
    if (inHeader) {
      inHeader = false;
      if (pendingHeaderExtra !== undefined) {
        cur.extra = pendingHeaderExtra;
        for (let k = 0; k < pendingHeaderExtra.length; k++) curOrder.push('extra');
        pendingHeaderExtra = undefined;
      }
    }
    return cur;
  };
  const extra = (line: string): void => {
    if (inHeader) (pendingHeaderExtra ??= []).push(line);
    else {
      const seg = startSegment();
      (seg.extra ??= []).push(line);
      curOrder.push('extra');
    }
  };
  /** A playlist-level tag: a header slot, or a slot in the segment being built when segments started. */
  const playlistSlot = (kind: LineKind): void => {
    // Footer tags (PRELOAD-HINT, RENDITION-REPORT, ENDLIST) end the header even with no segment.
    if (inHeader && kind !== 'preloadHint' && kind !== 'renditionReport' && kind !== 'endList') {
      flushHeaderExtra();
      headerOrder.push(kind);
    } else {
      startSegment();
      curOrder.push(kind);
      if (kind !== 'preloadHint' && kind !== 'renditionReport' && kind !== 'endList') headerKindOutsideHeader = true;
    }
  };
  /** Turns a pending EXTINF that got no URI into a verbatim line at its own position. */
  const demoteExtinf = (): void => {
    if (cur === undefined || extinfStart < 0) return;
    ctx.warn('EXTINF_WITHOUT_URI', `EXTINF without a URI line; kept as written`);
    // Splicing at a remembered index keeps a run of URI-less EXTINF lines linear, not quadratic.
    (cur.extra ??= []).splice(extinfExtrasBefore, 0, text.slice(extinfStart, extinfEnd));
    curOrder[extinfSlot] = 'extra';
    delete cur.duration;
    delete cur.title;
    extinfStart = -1;
  };
  const segmentTag = <K extends keyof SegmentDraft>(
    kind: LineKind,
    field: K,
    value: SegmentDraft[K],
    tag: TagLine,
  ): void => {
    const seg = startSegment();
    if (seg[field] !== undefined) {
      duplicate(ctx, tag);
      (seg.extra ??= []).push(tag.line);
      curOrder.push('extra');
      return;
    }
    seg[field] = value;
    curOrder.push(kind);
  };
  const segmentList = <T>(kind: LineKind, list: 'keys' | 'dateRanges' | 'parts', value: T): void => {
    const seg = startSegment();
    ((seg[list] ??= []) as T[]).push(value);
    curOrder.push(kind);
  };

  // Lines are read as index ranges; only what the model keeps is copied out of the text.
  while (reader.advance()) {
    ctx.line = reader.lineNo;
    const a = reader.start;
    const b = reader.end;
    if (text.charCodeAt(a) !== 35 /* # */) {
      // URI line
      const line = text.slice(a, b);
      if (cur !== undefined && extinfStart >= 0) {
        const seg = cur as MediaSegment;
        seg.uri = ctx.substitute(line);
        if (!isCanonical(curOrder, SEGMENT_RANK)) seg.order = curOrder;
        segments.push(seg);
        if (segments.length > maxSegments) {
          throw new ManifestError('PLAYLIST_TOO_MANY_SEGMENTS', `more than ${maxSegments} segments`, {
            line: ctx.line,
          });
        }
        cur = undefined;
        extinfStart = -1;
      } else {
        ctx.warn('URI_WITHOUT_EXTINF', `URI line without EXTINF; kept as written`);
        extra(line);
      }
      continue;
    }
    if (!text.startsWith('#EXT', a)) {
      extra(text.slice(a, b)); // a comment
      continue;
    }
    // Hot paths: most lines of real playlists are EXTINF and PROGRAM-DATE-TIME.
    if (text.startsWith(EXTINF_PREFIX, a)) {
      applyExtinf(a, a + EXTINF_PREFIX.length, b);
      continue;
    }
    if (text.startsWith(PDT_PREFIX, a) && (cur === undefined || cur.programDateTime === undefined)) {
      const v = text.slice(a + PDT_PREFIX.length, b).trim();
      if (v !== '') {
        startSegment().programDateTime = v;
        curOrder.push('programDateTime');
        continue;
      }
    }
    const line = text.slice(a, b);
    const tag = splitTag(line);
    const kind = LINE_KIND_OF_TAG.get(tag.name);
    if (kind === undefined) {
      extra(line);
      continue;
    }
    if (!applyMediaTag(kind, tag)) extra(line);
  }

  /** EXTINF:<duration>,[<title>] (RFC 8216 §4.3.2.1): the line is text[start, end), its value starts at `from`. */
  function applyExtinf(start: number, from: number, end: number): void {
    // Scan only this line for the comma (indexOf on the whole text could run far past it).
    let comma = -1;
    for (let i = from; i < end; i++) {
      if (text.charCodeAt(i) === 44 /* , */) {
        comma = i;
        break;
      }
    }
    let durationText = text.slice(from, comma === -1 ? end : comma);
    let duration = parseDecimal(durationText, true);
    if (duration === undefined) {
      durationText = durationText.trim();
      duration = parseDecimal(durationText, true);
      if (duration === undefined) throw ctx.invalid(`EXTINF duration "${durationText.slice(0, 40)}" is not a number`);
    }
    if (duration < 0) ctx.warn('NEGATIVE_DURATION', `EXTINF duration ${durationText} is negative; kept as written`);
    const seg = startSegment();
    if (extinfStart >= 0) demoteExtinf();
    seg.duration = duration;
    if (comma !== -1 && comma + 1 < end) {
      const title = text.slice(comma + 1, end).trim();
      if (title.length > 0) seg.title = title;
    }
    extinfStart = start;
    extinfEnd = end;
    extinfSlot = curOrder.length;
    extinfExtrasBefore = seg.extra?.length ?? 0;
    curOrder.push('extinf');
  }

  /** Applies one known tag; false = keep the line verbatim (the warning is already given). */
  function applyMediaTag(kind: LineKind, tag: TagLine): boolean {
    const value = tag.value;
    switch (kind) {
      case 'extinf': // every `#EXTINF:` line takes the hot path above; this one has no colon
        throw ctx.invalid('EXTINF without a duration');
      case 'byteRange': {
        const r = value === undefined ? undefined : parseByteRange(value.trim());
        if (r === undefined) return invalidTag(ctx, tag);
        segmentTag('byteRange', 'byteRange', r, tag);
        return true;
      }
      case 'discontinuity':
      case 'gap':
      case 'cueIn':
        if (value !== undefined && value.trim() !== '') return invalidTag(ctx, tag);
        segmentTag(kind, kind, true, tag);
        return true;
      case 'key': {
        const key = typedAttributes<Key>(tag, SCHEMAS.key, ctx);
        if (key === undefined) return false;
        segmentList('key', 'keys', key);
        return true;
      }
      case 'map': {
        const map = typedAttributes<MediaInitializationSection>(tag, SCHEMAS.map, ctx);
        if (map === undefined) return false;
        segmentTag('map', 'map', map, tag);
        return true;
      }
      case 'programDateTime':
      case 'oatclsScte35':
      case 'splicePointScte35': {
        const v = value?.trim();
        if (v === undefined || v === '') return invalidTag(ctx, tag);
        segmentTag(kind, kind, v, tag);
        return true;
      }
      case 'bitrate': {
        const v = value === undefined ? undefined : parseInteger(value.trim());
        if (v === undefined) return invalidTag(ctx, tag);
        segmentTag('bitrate', 'bitrate', v, tag);
        return true;
      }
      case 'part': {
        const part = typedAttributes<PartialSegment>(tag, SCHEMAS.part, ctx);
        if (part === undefined) return false;
        if (part.duration < 0) ctx.warn('NEGATIVE_DURATION', 'EXT-X-PART DURATION is negative');
        segmentList('part', 'parts', part);
        return true;
      }
      case 'dateRange': {
        const dr = typedAttributes<DateRange>(tag, SCHEMAS.dateRange, ctx);
        if (dr === undefined) return false;
        if (dr.startDate === undefined)
          ctx.warn('MISSING_ATTRIBUTE', `line ${ctx.line}: EXT-X-DATERANGE without START-DATE`);
        segmentList('dateRange', 'dateRanges', dr);
        return true;
      }
      case 'cueOut': {
        const cue = parseCueOut(value, ctx);
        if (cue === undefined) return invalidTag(ctx, tag);
        segmentTag('cueOut', 'cueOut', cue, tag);
        return true;
      }
      case 'cueOutCont': {
        const cont = parseCueOutCont(value, ctx);
        if (cont === undefined) return invalidTag(ctx, tag);
        segmentTag('cueOutCont', 'cueOutCont', cont, tag);
        return true;
      }
      case 'asset': {
        const asset = typedAttributes<Asset>(tag, SCHEMAS.asset, ctx);
        if (asset === undefined) return false;
        segmentTag('asset', 'asset', asset, tag);
        return true;
      }
      // — playlist level —
      case 'version':
      case 'independentSegments':
      case 'start':
      case 'define':
        if (!applyCommon(kind, tag, pl, ctx)) return false;
        playlistSlot(kind);
        return true;
      case 'targetDuration':
      case 'mediaSequence':
      case 'discontinuitySequence': {
        // TARGETDURATION is a decimal-integer; a decimal is tolerated (hls.js reads it with parseFloat).
        const v =
          value === undefined
            ? undefined
            : kind === 'targetDuration'
              ? parseDecimal(value.trim())
              : parseInteger(value.trim());
        if (v === undefined) return invalidTag(ctx, tag);
        if (pl[kind] !== undefined) return duplicate(ctx, tag);
        pl[kind] = v;
        playlistSlot(kind);
        return true;
      }
      case 'playlistType': {
        const v = value?.trim();
        if (v === undefined || v === '') return invalidTag(ctx, tag);
        if (pl.playlistType !== undefined) return duplicate(ctx, tag);
        pl.playlistType = v;
        playlistSlot(kind);
        return true;
      }
      case 'iFramesOnly':
      case 'endList':
        if (value !== undefined && value.trim() !== '') return invalidTag(ctx, tag);
        if (pl[kind] !== undefined) return duplicate(ctx, tag);
        pl[kind] = true;
        playlistSlot(kind);
        return true;
      case 'partInf':
      case 'serverControl':
      case 'skip': {
        if (pl[kind] !== undefined) return duplicate(ctx, tag);
        const obj = typedAttributes<never>(tag, SCHEMAS[kind], ctx);
        if (obj === undefined) return false;
        pl[kind] = obj;
        playlistSlot(kind);
        return true;
      }
      case 'preloadHint':
      case 'renditionReport': {
        const obj = typedAttributes<never>(tag, SCHEMAS[kind], ctx);
        if (obj === undefined) return false;
        if (kind === 'preloadHint') (pl.preloadHints ??= []).push(obj);
        else (pl.renditionReports ??= []).push(obj);
        playlistSlot(kind);
        return true;
      }
      case 'variant':
      case 'iFrameVariant':
        throw mixed(ctx, tag.name);
      default:
        ctx.warn(
          'UNEXPECTED_TAG',
          `line ${ctx.line}: #${tag.name} belongs in a multivariant playlist; kept as written`,
        );
        return false;
    }
  }

  // — end of input —
  ctx.line = reader.lineNo;
  if (extinfStart >= 0) demoteExtinf();
  flushHeaderExtra();
  if (cur !== undefined) {
    const tail = cur as SegmentDraft;
    const canonical = isCanonical(curOrder, TAIL_RANK);
    if (!canonical) tail.order = curOrder;
    if (Object.keys(tail).length > 0) pl.tail = tail;
  }
  if (!isCanonical(headerOrder, HEADER_RANK) || (headerKindOutsideHeader && headerOrder.length > 0)) {
    pl.order = headerOrder;
  }
  if (pl.targetDuration === undefined) {
    throw new ManifestError('PLAYLIST_MISSING_TAG', 'a media playlist needs EXT-X-TARGETDURATION (RFC 8216 §4.3.3.1)');
  }
  const target = pl.targetDuration;
  for (const seg of segments) {
    // RFC 8216 §4.3.3.1: each EXTINF duration, rounded to the nearest integer, must not exceed it.
    if (Math.round(seg.duration) > target) {
      ctx.line = 0;
      ctx.warn(
        'TARGET_DURATION_EXCEEDED',
        `segment ${seg.uri} lasts ${seg.duration} s, more than the target ${target} s`,
      );
    }
  }
  pl.segments = segments;
  const playlist = orderMediaFields(pl);
  return { playlist, warnings: ctx.finishWarnings().map(dropZeroLine), variables: variablesOf(ctx) };
}

function dropZeroLine(w: ManifestWarning): ManifestWarning {
  if (w.line === 0) {
    const { line: _line, ...rest } = w;
    return rest;
  }
  return w;
}

/** Puts a media playlist's fields in a readable order (kind, header fields, segments, footer). */
function orderMediaFields(pl: MediaPlaylist): MediaPlaylist {
  const { kind, segments, tail, preloadHints, renditionReports, endList, extra, order, ...header } = pl;
  const out: MediaPlaylist = { kind, ...header, segments } as MediaPlaylist;
  if (tail !== undefined) out.tail = tail;
  if (preloadHints !== undefined) out.preloadHints = preloadHints;
  if (renditionReports !== undefined) out.renditionReports = renditionReports;
  if (endList !== undefined) out.endList = endList;
  if (extra !== undefined) out.extra = extra;
  if (order !== undefined) out.order = order;
  return out;
}

function parseCueOut(value: string | undefined, ctx: Context): CueOut | undefined {
  const v = value?.trim();
  if (v === undefined || v === '') return {};
  if (v.indexOf('=') !== -1) return ctx.attributes(v, SCHEMAS.cueOut) as CueOut;
  const duration = parseDecimal(v);
  return duration === undefined ? undefined : { duration, style: 'value' };
}

function parseCueOutCont(value: string | undefined, ctx: Context): CueOutCont | undefined {
  const v = value?.trim();
  if (v === undefined || v === '') return {};
  if (v.indexOf('=') !== -1) return ctx.attributes(v, SCHEMAS.cueOutCont) as CueOutCont;
  const slash = v.indexOf('/');
  if (slash === -1) return undefined;
  const elapsedTime = parseDecimal(v.slice(0, slash).trim());
  const duration = parseDecimal(v.slice(slash + 1).trim());
  if (elapsedTime === undefined || duration === undefined) return undefined;
  return { elapsedTime, duration, style: 'slash' };
}

// ————————————————————————————————————————————————————————————————— multivariant playlists

function parseMaster(text: string, options: ParsePlaylistOptions): ParseResult<MasterPlaylist> {
  const ctx = new Context(options);
  const maxEntries = options.maxSegments ?? PARSE_DEFAULTS.maxSegments;
  const reader = new LineReader(text, options.maxLineLength ?? PARSE_DEFAULTS.maxLineLength);
  const pl: MasterPlaylist = { kind: 'master', renditions: [], variants: [], iFrameVariants: [] };
  const order: LineKind[] = [];
  let pending: { variant: MasterPlaylist['variants'][number]; line: string } | undefined;
  let entries = 0;

  const extra = (line: string): void => {
    (pl.extra ??= []).push(line);
    order.push('extra');
  };
  const count = (): void => {
    if (++entries > maxEntries) {
      throw new ManifestError('PLAYLIST_TOO_MANY_SEGMENTS', `more than ${maxEntries} variants and renditions`, {
        line: ctx.line,
      });
    }
  };
  const dropPending = (): void => {
    if (pending === undefined) return;
    ctx.warn('MISSING_URI', `EXT-X-STREAM-INF without a URI line; kept as written`);
    const lines = [pending.line, ...(pending.variant.extra ?? [])];
    pending = undefined;
    for (const l of lines) extra(l);
  };

  for (let line = reader.next(); line !== undefined; line = reader.next()) {
    ctx.line = reader.lineNo;
    if (line.charCodeAt(0) !== 35 /* # */) {
      if (pending !== undefined) {
        pending.variant.uri = ctx.substitute(line);
        pl.variants.push(pending.variant);
        order.push('variant');
        pending = undefined;
        count();
      } else {
        ctx.warn('UNEXPECTED_URI', 'URI line without EXT-X-STREAM-INF; kept as written');
        extra(line);
      }
      continue;
    }
    const isTag = line.startsWith('#EXT');
    const tag = isTag ? splitTag(line) : undefined;
    const kind = tag === undefined ? undefined : LINE_KIND_OF_TAG.get(tag.name);
    if (pending !== undefined) {
      if (kind === undefined) {
        (pending.variant.extra ??= []).push(line); // comment or unknown tag between STREAM-INF and its URI
        continue;
      }
      dropPending();
    }
    if (tag === undefined || kind === undefined) {
      extra(line);
      continue;
    }
    if (!applyMasterTag(kind, tag)) extra(line);
  }

  function applyMasterTag(kind: LineKind, tag: TagLine): boolean {
    switch (kind) {
      case 'version':
      case 'independentSegments':
      case 'start':
      case 'define':
        if (!applyCommon(kind, tag, pl, ctx)) return false;
        order.push(kind);
        return true;
      case 'rendition': {
        const r = typedAttributes<MasterPlaylist['renditions'][number]>(tag, SCHEMAS.media, ctx);
        if (r === undefined) return false;
        pl.renditions.push(r);
        order.push(kind);
        count();
        return true;
      }
      case 'variant': {
        const v = typedAttributes<MasterPlaylist['variants'][number]>(tag, SCHEMAS.streamInf, ctx);
        if (v === undefined) return false;
        pending = { variant: v, line: tag.line };
        return true;
      }
      case 'iFrameVariant': {
        const v = typedAttributes<MasterPlaylist['iFrameVariants'][number]>(tag, SCHEMAS.iFrameStreamInf, ctx);
        if (v === undefined) return false;
        pl.iFrameVariants.push(v);
        order.push(kind);
        count();
        return true;
      }
      case 'sessionData': {
        const d = typedAttributes<NonNullable<MasterPlaylist['sessionData']>[number]>(tag, SCHEMAS.sessionData, ctx);
        if (d === undefined) return false;
        (pl.sessionData ??= []).push(d);
        order.push(kind);
        return true;
      }
      case 'sessionKey': {
        const k = typedAttributes<Key>(tag, SCHEMAS.key, ctx);
        if (k === undefined) return false;
        (pl.sessionKeys ??= []).push(k);
        order.push(kind);
        return true;
      }
      case 'contentSteering': {
        if (pl.contentSteering !== undefined) return duplicate(ctx, tag);
        const c = typedAttributes<NonNullable<MasterPlaylist['contentSteering']>>(tag, SCHEMAS.contentSteering, ctx);
        if (c === undefined) return false;
        pl.contentSteering = c;
        order.push(kind);
        return true;
      }
      case 'extinf':
        throw mixed(ctx, tag.name);
      default:
        ctx.warn('UNEXPECTED_TAG', `line ${ctx.line}: #${tag.name} belongs in a media playlist; kept as written`);
        return false;
    }
  }

  ctx.line = reader.lineNo;
  dropPending();
  if (!isCanonical(order, MASTER_RANK)) pl.order = order;
  return { playlist: orderMasterFields(pl), warnings: ctx.finishWarnings(), variables: variablesOf(ctx) };
}

/** Puts a multivariant playlist's fields in a readable order. */
function orderMasterFields(pl: MasterPlaylist): MasterPlaylist {
  const { kind, renditions, variants, iFrameVariants, extra, order, ...header } = pl;
  const out: MasterPlaylist = { kind, ...header, renditions, variants, iFrameVariants };
  if (extra !== undefined) out.extra = extra;
  if (order !== undefined) out.order = order;
  return out;
}

/** Narrows a parsed playlist; exported for callers that hold a {@link Playlist}. */
export function isMediaPlaylist(playlist: Playlist): playlist is MediaPlaylist {
  return playlist.kind === 'media';
}

/** Narrows a parsed playlist to a multivariant playlist. */
export function isMasterPlaylist(playlist: Playlist): playlist is MasterPlaylist {
  return playlist.kind === 'master';
}
