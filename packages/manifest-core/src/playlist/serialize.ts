/**
 * @module The playlist serializer: typed model → playlist text (LF line endings). Walks the
 * recorded line orders so that parsed playlists come back in input order; objects without an
 * order are written in canonical spec order (see model.ts).
 */
import { ManifestError } from '../errors.ts';
import { SCHEMAS, checkWritable, formatByteRange, formatNumber, writeAttributes } from './attributes.ts';
import type { AttributeSchema } from './attributes.ts';
import { MASTER_RANK, MEDIA_GLOBAL_KINDS, PREFIX, SEGMENT_RANK, HEADER_RANK } from './lines.ts';
import type { RankMap } from './lines.ts';
import { MASTER_ORDER, MEDIA_FOOTER_ORDER, MEDIA_HEADER_ORDER, SEGMENT_ORDER } from './model.ts';
import type {
  CueOut,
  CueOutCont,
  Define,
  LineKind,
  MasterPlaylist,
  MediaPlaylist,
  MediaSegment,
  Playlist,
  SegmentTags,
} from './model.ts';
import { TAG } from './tags.ts';

const HEADER = `#${TAG.EXTM3U}\n`;
const FOOTER_RANK: RankMap = new Map(MEDIA_FOOTER_ORDER.map((k, i) => [k, i]));

/**
 * Writes a playlist as text with LF line endings. Throws a ManifestError with code
 * PLAYLIST_UNSERIALIZABLE when a value cannot be written (a line break in a URI or a quote
 * inside a quoted-string value, a URI starting with `#`, a non-finite number).
 *
 * @example
 * const { playlist } = parsePlaylist(text);
 * if (playlist.kind === 'media') playlist.segments[0]!.uri = 'https://cdn.example/seg0.ts';
 * const out = serializePlaylist(playlist);
 */
export function serializePlaylist(playlist: Playlist): string {
  try {
    return playlist.kind === 'master' ? writeMaster(playlist) : writeMedia(playlist);
  } catch (error) {
    if (error instanceof ManifestError) throw error;
    throw new ManifestError('PLAYLIST_UNSERIALIZABLE', 'the playlist model has a value of the wrong shape', {
      cause: error,
    });
  }
}

// ————————————————————————————————————————————————————————————————— the order walk

interface WalkTarget {
  /** How many items of `kind` exist. */
  count(kind: LineKind): number;
  /** Writes item `index` of `kind`. */
  emit(kind: LineKind, index: number): void;
  /** True for kinds whose items are shared by the whole document (media playlist-level tags). */
  isGlobal(kind: LineKind): boolean;
  /** Index the next slot of a global kind consumes. */
  nextGlobal(kind: LineKind): number;
  /** First index of a global kind that no slot anywhere claims. */
  globalLeftover(kind: LineKind): number;
}

/**
 * Walks a recorded order (possibly empty): each slot emits the next item of its kind. Items no
 * slot claims (added in code) are emitted right after the last slot whose canonical rank is not
 * greater than theirs, or first when there is none; with no order this is canonical order.
 */
function walk(
  order: readonly LineKind[] | undefined,
  canonical: readonly LineKind[],
  rank: RankMap,
  t: WalkTarget,
): void {
  if (order === undefined || order.length === 0) {
    for (const k of canonical) {
      const n = t.count(k);
      for (let i = t.isGlobal(k) ? t.globalLeftover(k) : 0; i < n; i++) t.emit(k, i);
    }
    return;
  }
  const localSlots = new Map<LineKind, number>();
  for (const k of order) if (!t.isGlobal(k)) localSlots.set(k, (localSlots.get(k) ?? 0) + 1);
  // Where the unclaimed items of each kind go: after[p + 1] holds kinds emitted after slot p.
  const after: LineKind[][] = Array.from({ length: order.length + 1 }, () => []);
  for (const k of canonical) {
    const from = t.isGlobal(k) ? t.globalLeftover(k) : (localSlots.get(k) ?? 0);
    if (t.count(k) <= from) continue;
    const r = rank.get(k)!;
    let p = -1;
    for (let i = order.length - 1; i >= 0; i--) {
      const ri = rank.get(order[i]!);
      if (ri !== undefined && ri <= r) {
        p = i;
        break;
      }
    }
    after[p + 1]!.push(k);
  }
  const localUsed = new Map<LineKind, number>();
  const flush = (kinds: readonly LineKind[]): void => {
    for (const k of kinds) {
      const n = t.count(k);
      for (let i = t.isGlobal(k) ? t.globalLeftover(k) : (localSlots.get(k) ?? 0); i < n; i++) t.emit(k, i);
    }
  };
  flush(after[0]!);
  for (let s = 0; s < order.length; s++) {
    const k = order[s]!;
    let i: number;
    if (t.isGlobal(k)) i = t.nextGlobal(k);
    else {
      i = localUsed.get(k) ?? 0;
      localUsed.set(k, i + 1);
    }
    if (i < t.count(k)) t.emit(k, i);
    flush(after[s + 1]!);
  }
}

function line(prefix: string, value: string): string {
  return `${prefix}${value}\n`;
}

function bare(kind: Exclude<LineKind, 'extra'>): string {
  return `${PREFIX[kind].slice(0, -1)}\n`;
}

function extraLine(text: string): string {
  checkWritable(text, false, 'a verbatim line');
  if (text.length === 0) throw new ManifestError('PLAYLIST_UNSERIALIZABLE', 'a verbatim line is empty');
  return `${text}\n`;
}

/** A segment's URI line; exported for the fast path's tests. */
export function uriLine(uri: string): string {
  if (typeof uri !== 'string' || uri.length === 0 || uri.charCodeAt(0) === 35 /* # */) {
    throw new ManifestError('PLAYLIST_UNSERIALIZABLE', `a URI line must be non-empty and not start with #`);
  }
  checkWritable(uri, false, 'a URI');
  return `${uri}\n`;
}

function attrs(kind: Exclude<LineKind, 'extra'>, obj: object, schema: AttributeSchema): string {
  return `${PREFIX[kind]}${writeAttributes(obj, schema)}\n`;
}

function defineLine(d: Define): string {
  const { kind, name, ...rest } = d as Define & { value?: string };
  const obj =
    kind === 'value'
      ? { name, ...rest }
      : kind === 'import'
        ? { import: name, ...rest }
        : { queryParam: name, ...rest };
  return attrs('define', obj, SCHEMAS.define);
}

function cueOutLine(c: CueOut): string {
  const hasOther = c.otherAttributes !== undefined && Object.keys(c.otherAttributes).length > 0;
  if (c.duration === undefined && !hasOther) return bare('cueOut');
  if (c.style === 'value' && !hasOther && c.duration !== undefined)
    return line(PREFIX.cueOut, formatNumber(c.duration));
  return attrs('cueOut', c, SCHEMAS.cueOut);
}

function cueOutContLine(c: CueOutCont): string {
  const hasOther = c.otherAttributes !== undefined && Object.keys(c.otherAttributes).length > 0;
  if (c.elapsedTime === undefined && c.duration === undefined && c.scte35 === undefined && !hasOther) {
    return bare('cueOutCont');
  }
  if (
    c.style === 'slash' &&
    c.elapsedTime !== undefined &&
    c.duration !== undefined &&
    c.scte35 === undefined &&
    !hasOther
  ) {
    return line(PREFIX.cueOutCont, `${formatNumber(c.elapsedTime)}/${formatNumber(c.duration)}`);
  }
  return attrs('cueOutCont', c, SCHEMAS.cueOutCont);
}

function textValue(kind: Exclude<LineKind, 'extra'>, value: string): string {
  checkWritable(value, false, PREFIX[kind]);
  return line(PREFIX[kind], value);
}

// ————————————————————————————————————————————————————————————————— media

function segmentCount(seg: SegmentTags & Partial<MediaSegment>, kind: LineKind): number {
  switch (kind) {
    case 'discontinuity':
      return seg.discontinuity ? 1 : 0;
    case 'key':
      return seg.keys?.length ?? 0;
    case 'map':
      return seg.map === undefined ? 0 : 1;
    case 'programDateTime':
      return seg.programDateTime === undefined ? 0 : 1;
    case 'dateRange':
      return seg.dateRanges?.length ?? 0;
    case 'oatclsScte35':
      return seg.oatclsScte35 === undefined ? 0 : 1;
    case 'asset':
      return seg.asset === undefined ? 0 : 1;
    case 'cueIn':
      return seg.cueIn ? 1 : 0;
    case 'cueOut':
      return seg.cueOut === undefined ? 0 : 1;
    case 'cueOutCont':
      return seg.cueOutCont === undefined ? 0 : 1;
    case 'splicePointScte35':
      return seg.splicePointScte35 === undefined ? 0 : 1;
    case 'gap':
      return seg.gap ? 1 : 0;
    case 'bitrate':
      return seg.bitrate === undefined ? 0 : 1;
    case 'part':
      return seg.parts?.length ?? 0;
    case 'extra':
      return seg.extra?.length ?? 0;
    case 'extinf':
      return seg.uri === undefined ? 0 : 1;
    case 'byteRange':
      return seg.byteRange === undefined ? 0 : 1;
    default:
      return 0;
  }
}

function segmentLine(seg: SegmentTags & Partial<MediaSegment>, kind: LineKind, i: number): string {
  switch (kind) {
    case 'discontinuity':
    case 'cueIn':
    case 'gap':
      return bare(kind);
    case 'key':
      return attrs('key', seg.keys![i]!, SCHEMAS.key);
    case 'map':
      return attrs('map', seg.map!, SCHEMAS.map);
    case 'programDateTime':
      return textValue(kind, seg.programDateTime!);
    case 'dateRange':
      return attrs('dateRange', seg.dateRanges![i]!, SCHEMAS.dateRange);
    case 'oatclsScte35':
      return textValue(kind, seg.oatclsScte35!);
    case 'asset':
      return attrs('asset', seg.asset!, SCHEMAS.asset);
    case 'cueOut':
      return cueOutLine(seg.cueOut!);
    case 'cueOutCont':
      return cueOutContLine(seg.cueOutCont!);
    case 'splicePointScte35':
      return textValue(kind, seg.splicePointScte35!);
    case 'bitrate':
      return line(PREFIX.bitrate, formatNumber(seg.bitrate!));
    case 'part':
      return attrs('part', seg.parts![i]!, SCHEMAS.part);
    case 'extra':
      return extraLine(seg.extra![i]!);
    case 'extinf': {
      const title = seg.title ?? '';
      checkWritable(title, false, 'an EXTINF title');
      if (typeof seg.duration !== 'number' || !Number.isFinite(seg.duration)) {
        throw new ManifestError('PLAYLIST_UNSERIALIZABLE', `segment ${seg.uri} has no finite duration`);
      }
      return `${PREFIX.extinf}${formatNumber(seg.duration)},${title}\n`;
    }
    case 'byteRange':
      return line(PREFIX.byteRange, formatByteRange(seg.byteRange!));
    default:
      return '';
  }
}

const DISCONTINUITY_LINE = bare('discontinuity');
const CUE_IN_LINE = bare('cueIn');
const GAP_LINE = bare('gap');

/**
 * A segment's lines in SEGMENT_ORDER (URI line not included), hand-unrolled; the general path of
 * {@link segmentWithUri} for segments without an `order`. Exported for the fast path's tests.
 */
export function canonicalSegment(seg: MediaSegment): string {
  let out = '';
  if (seg.discontinuity) out += DISCONTINUITY_LINE;
  const keys = seg.keys;
  if (keys !== undefined) for (let i = 0; i < keys.length; i++) out += attrs('key', keys[i]!, SCHEMAS.key);
  if (seg.map !== undefined) out += attrs('map', seg.map, SCHEMAS.map);
  if (seg.programDateTime !== undefined) out += textValue('programDateTime', seg.programDateTime);
  const dateRanges = seg.dateRanges;
  if (dateRanges !== undefined) {
    for (let i = 0; i < dateRanges.length; i++) out += attrs('dateRange', dateRanges[i]!, SCHEMAS.dateRange);
  }
  if (seg.oatclsScte35 !== undefined) out += textValue('oatclsScte35', seg.oatclsScte35);
  if (seg.asset !== undefined) out += attrs('asset', seg.asset, SCHEMAS.asset);
  if (seg.cueIn) out += CUE_IN_LINE;
  if (seg.cueOut !== undefined) out += cueOutLine(seg.cueOut);
  if (seg.cueOutCont !== undefined) out += cueOutContLine(seg.cueOutCont);
  if (seg.splicePointScte35 !== undefined) out += textValue('splicePointScte35', seg.splicePointScte35);
  if (seg.gap) out += GAP_LINE;
  if (seg.bitrate !== undefined) out += line(PREFIX.bitrate, formatNumber(seg.bitrate));
  const extra = seg.extra;
  if (extra !== undefined) for (let i = 0; i < extra.length; i++) out += extraLine(extra[i]!);
  const parts = seg.parts;
  if (parts !== undefined) for (let i = 0; i < parts.length; i++) out += attrs('part', parts[i]!, SCHEMAS.part);
  out += segmentLine(seg, 'extinf', 0);
  if (seg.byteRange !== undefined) out += line(PREFIX.byteRange, formatByteRange(seg.byteRange));
  return out;
}

// Last EXTINF line written without a title, reused while durations repeat (most segments of a
// playlist share one duration). Never holds 0, so that -0 (written '-0') cannot hit a '0' entry.
let lastDuration = Number.NaN;
let lastExtinf = '';

/**
 * A segment without an `order`, its URI line included: exactly what `canonicalSegment(seg) +
 * uriLine(seg.uri)` writes, or undefined when that general path must decide (the segment has an
 * `order`, is not a plain object, or has a value the general path writes differently or refuses).
 *
 * Why a second path: segments reach the serializer in several object shapes (parsed, stitched,
 * edited in code), so the ~20 optional-field reads of the general path are megamorphic property
 * loads and dominated serialization. One for-in pass reads only the fields that exist. It sees
 * own and inherited enumerable properties; a prototype other than Object.prototype (class
 * instances with accessors) goes to the general path.
 */
export function fastSegment(seg: MediaSegment): string | undefined {
  if (typeof seg !== 'object' || seg === null || Object.getPrototypeOf(seg) !== Object.prototype) return undefined;
  let discontinuity: unknown;
  let keys: MediaSegment['keys'];
  let map: MediaSegment['map'];
  let programDateTime: MediaSegment['programDateTime'];
  let dateRanges: MediaSegment['dateRanges'];
  let oatclsScte35: MediaSegment['oatclsScte35'];
  let asset: MediaSegment['asset'];
  let cueIn: unknown;
  let cueOut: MediaSegment['cueOut'];
  let cueOutCont: MediaSegment['cueOutCont'];
  let splicePointScte35: MediaSegment['splicePointScte35'];
  let gap: unknown;
  let bitrate: MediaSegment['bitrate'];
  let byteRange: MediaSegment['byteRange'];
  let parts: MediaSegment['parts'];
  let extra: MediaSegment['extra'];
  let uri: unknown;
  let duration: unknown;
  let title: unknown;
  const fields = seg as unknown as Record<string, unknown>;
  for (const k in fields) {
    const v = fields[k];
    if (v === undefined) continue;
    // Most frequent first; the casts only name what the general path would read.
    switch (k) {
      case 'duration':
        duration = v;
        break;
      case 'uri':
        uri = v;
        break;
      case 'title':
        title = v;
        break;
      case 'programDateTime':
        programDateTime = v as string;
        break;
      case 'discontinuity':
        discontinuity = v;
        break;
      case 'keys':
        keys = v as MediaSegment['keys'];
        break;
      case 'dateRanges':
        dateRanges = v as MediaSegment['dateRanges'];
        break;
      case 'map':
        map = v as MediaSegment['map'];
        break;
      case 'byteRange':
        byteRange = v as MediaSegment['byteRange'];
        break;
      case 'order':
        return undefined;
      case 'oatclsScte35':
        oatclsScte35 = v as string;
        break;
      case 'asset':
        asset = v as MediaSegment['asset'];
        break;
      case 'cueIn':
        cueIn = v;
        break;
      case 'cueOut':
        cueOut = v as MediaSegment['cueOut'];
        break;
      case 'cueOutCont':
        cueOutCont = v as MediaSegment['cueOutCont'];
        break;
      case 'splicePointScte35':
        splicePointScte35 = v as string;
        break;
      case 'gap':
        gap = v;
        break;
      case 'bitrate':
        bitrate = v as number;
        break;
      case 'parts':
        parts = v as MediaSegment['parts'];
        break;
      case 'extra':
        extra = v as MediaSegment['extra'];
        break;
    }
  }
  // Values the general path refuses (or writes from a non-string) go to it, for its exact error.
  if (
    typeof uri !== 'string' ||
    uri.length === 0 ||
    uri.charCodeAt(0) === 35 /* # */ ||
    uri.indexOf('\n') !== -1 ||
    uri.indexOf('\r') !== -1 ||
    typeof duration !== 'number' ||
    !Number.isFinite(duration) ||
    (title !== undefined && title !== null && typeof title !== 'string')
  ) {
    return undefined;
  }
  // Same lines, same order, same checks (and so the same first error) as canonicalSegment.
  let out = '';
  if (discontinuity) out += DISCONTINUITY_LINE;
  if (keys !== undefined) for (let i = 0; i < keys.length; i++) out += attrs('key', keys[i]!, SCHEMAS.key);
  if (map !== undefined) out += attrs('map', map, SCHEMAS.map);
  if (programDateTime !== undefined) out += textValue('programDateTime', programDateTime);
  if (dateRanges !== undefined) {
    for (let i = 0; i < dateRanges.length; i++) out += attrs('dateRange', dateRanges[i]!, SCHEMAS.dateRange);
  }
  if (oatclsScte35 !== undefined) out += textValue('oatclsScte35', oatclsScte35);
  if (asset !== undefined) out += attrs('asset', asset, SCHEMAS.asset);
  if (cueIn) out += CUE_IN_LINE;
  if (cueOut !== undefined) out += cueOutLine(cueOut);
  if (cueOutCont !== undefined) out += cueOutContLine(cueOutCont);
  if (splicePointScte35 !== undefined) out += textValue('splicePointScte35', splicePointScte35);
  if (gap) out += GAP_LINE;
  if (bitrate !== undefined) out += line(PREFIX.bitrate, formatNumber(bitrate));
  if (extra !== undefined) for (let i = 0; i < extra.length; i++) out += extraLine(extra[i]!);
  if (parts !== undefined) for (let i = 0; i < parts.length; i++) out += attrs('part', parts[i]!, SCHEMAS.part);
  if (title === undefined || title === null || title === '') {
    if (duration !== lastDuration) {
      const text = `${PREFIX.extinf}${formatNumber(duration)},\n`;
      if (duration !== 0) {
        lastDuration = duration;
        lastExtinf = text;
      }
      out += text;
    } else out += lastExtinf;
  } else {
    checkWritable(title, false, 'an EXTINF title');
    out += `${PREFIX.extinf}${formatNumber(duration)},${title}\n`;
  }
  if (byteRange !== undefined) out += line(PREFIX.byteRange, formatByteRange(byteRange));
  return out + uri + '\n';
}

/** A segment's lines and its URI line, through the fast path when it applies. */
function segmentWithUri(seg: MediaSegment): string {
  return fastSegment(seg) ?? canonicalSegment(seg) + uriLine(seg.uri);
}

function globalCount(pl: MediaPlaylist, kind: LineKind): number {
  switch (kind) {
    case 'version':
    case 'targetDuration':
    case 'mediaSequence':
    case 'discontinuitySequence':
    case 'playlistType':
    case 'start':
    case 'partInf':
    case 'serverControl':
    case 'skip':
      return pl[kind] === undefined ? 0 : 1;
    case 'independentSegments':
    case 'iFramesOnly':
    case 'endList':
      return pl[kind] ? 1 : 0;
    case 'define':
      return pl.defines?.length ?? 0;
    case 'preloadHint':
      return pl.preloadHints?.length ?? 0;
    case 'renditionReport':
      return pl.renditionReports?.length ?? 0;
    case 'extra':
      return pl.extra?.length ?? 0;
    default:
      return 0;
  }
}

function globalLine(pl: MediaPlaylist | MasterPlaylist, kind: LineKind, i: number): string {
  const m = pl as MediaPlaylist;
  switch (kind) {
    case 'version':
      return line(PREFIX.version, formatNumber(pl.version!));
    case 'targetDuration':
    case 'mediaSequence':
    case 'discontinuitySequence':
      return line(PREFIX[kind], formatNumber(m[kind]!));
    case 'playlistType':
      return textValue(kind, m.playlistType!);
    case 'independentSegments':
    case 'iFramesOnly':
    case 'endList':
      return bare(kind);
    case 'start':
      return attrs('start', pl.start!, SCHEMAS.start);
    case 'define':
      return defineLine(pl.defines![i]!);
    case 'partInf':
      return attrs('partInf', m.partInf!, SCHEMAS.partInf);
    case 'serverControl':
      return attrs('serverControl', m.serverControl!, SCHEMAS.serverControl);
    case 'skip':
      return attrs('skip', m.skip!, SCHEMAS.skip);
    case 'preloadHint':
      return attrs('preloadHint', m.preloadHints![i]!, SCHEMAS.preloadHint);
    case 'renditionReport':
      return attrs('renditionReport', m.renditionReports![i]!, SCHEMAS.renditionReport);
    case 'extra':
      return extraLine(pl.extra![i]!);
    default:
      return '';
  }
}

/**
 * serializePlaylist for a media playlist without the segment fast path (fastSegment): the
 * reference the fast path is tested against.
 */
export function serializeMediaGeneral(playlist: MediaPlaylist): string {
  try {
    return writeMedia(playlist, false);
  } catch (error) {
    if (error instanceof ManifestError) throw error;
    throw new ManifestError('PLAYLIST_UNSERIALIZABLE', 'the playlist model has a value of the wrong shape', {
      cause: error,
    });
  }
}

function writeMedia(pl: MediaPlaylist, fast = true): string {
  const segments = pl.segments;
  // The leading run of segments the fast path writes (usually all of them) is written first, so
  // that their `order` need not be read again (no order, no slots). A segment it leaves to the
  // general path, or refuses, ends the run: the loop below writes or refuses it after the header,
  // so a playlist with several unwritable values reports the same one as before.
  let body = '';
  let first = 0;
  try {
    for (; fast && first < segments.length; first++) {
      const text = fastSegment(segments[first]!);
      if (text === undefined) break;
      body += text;
    }
  } catch {
    // `first` is the refused segment.
  }

  let out = HEADER;
  // Global slots: how many slots of each playlist-level kind exist anywhere, and how many were used.
  const slots = new Map<LineKind, number>();
  const used = new Map<LineKind, number>();
  const countSlots = (order: readonly LineKind[] | undefined): void => {
    if (order === undefined) return;
    for (const k of order) if (MEDIA_GLOBAL_KINDS.has(k)) slots.set(k, (slots.get(k) ?? 0) + 1);
  };
  countSlots(pl.order);
  for (let s = first; s < segments.length; s++) countSlots(segments[s]!.order);
  countSlots(pl.tail?.order);

  const isGlobal = (k: LineKind): boolean => MEDIA_GLOBAL_KINDS.has(k);
  const nextGlobal = (k: LineKind): number => {
    const i = used.get(k) ?? 0;
    used.set(k, i + 1);
    return i;
  };
  const globalLeftover = (k: LineKind): number => slots.get(k) ?? 0;
  const emitGlobal = (k: LineKind, i: number): void => {
    out += globalLine(pl, k, i);
  };

  walk(pl.order, MEDIA_HEADER_ORDER, HEADER_RANK, {
    count: (k) => globalCount(pl, k),
    emit: emitGlobal,
    isGlobal,
    nextGlobal,
    globalLeftover,
  });

  out += body;
  for (let s = first; s < segments.length; s++) {
    const seg = segments[s]!;
    if (seg.order === undefined) {
      out += fast ? segmentWithUri(seg) : canonicalSegment(seg) + uriLine(seg.uri);
      continue;
    } else {
      walk(seg.order, SEGMENT_ORDER, SEGMENT_RANK, {
        count: (k) => (isGlobal(k) ? globalCount(pl, k) : segmentCount(seg, k)),
        emit: (k, i) => {
          out += isGlobal(k) ? globalLine(pl, k, i) : segmentLine(seg, k, i);
        },
        isGlobal,
        nextGlobal,
        globalLeftover,
      });
    }
    out += uriLine(seg.uri);
  }

  const tail = pl.tail as (SegmentTags & Partial<MediaSegment>) | undefined;
  if (tail !== undefined) {
    walk(tail.order, SEGMENT_ORDER, SEGMENT_RANK, {
      count: (k) => (isGlobal(k) ? globalCount(pl, k) : k === 'extinf' ? 0 : segmentCount(tail, k)),
      emit: (k, i) => {
        out += isGlobal(k) ? globalLine(pl, k, i) : segmentLine(tail, k, i);
      },
      isGlobal,
      nextGlobal,
      globalLeftover,
    });
  }
  walk(undefined, MEDIA_FOOTER_ORDER, FOOTER_RANK, {
    count: (k) => globalCount(pl, k),
    emit: emitGlobal,
    isGlobal,
    nextGlobal,
    globalLeftover,
  });
  return out;
}

// ————————————————————————————————————————————————————————————————— multivariant

function masterCount(pl: MasterPlaylist, kind: LineKind): number {
  switch (kind) {
    case 'version':
    case 'start':
    case 'contentSteering':
      return pl[kind] === undefined ? 0 : 1;
    case 'independentSegments':
      return pl.independentSegments ? 1 : 0;
    case 'define':
      return pl.defines?.length ?? 0;
    case 'sessionData':
      return pl.sessionData?.length ?? 0;
    case 'sessionKey':
      return pl.sessionKeys?.length ?? 0;
    case 'extra':
      return pl.extra?.length ?? 0;
    case 'rendition':
      return pl.renditions.length;
    case 'variant':
      return pl.variants.length;
    case 'iFrameVariant':
      return pl.iFrameVariants.length;
    default:
      return 0;
  }
}

function masterLine(pl: MasterPlaylist, kind: LineKind, i: number): string {
  switch (kind) {
    case 'contentSteering':
      return attrs('contentSteering', pl.contentSteering!, SCHEMAS.contentSteering);
    case 'sessionData':
      return attrs('sessionData', pl.sessionData![i]!, SCHEMAS.sessionData);
    case 'sessionKey':
      return attrs('sessionKey', pl.sessionKeys![i]!, SCHEMAS.key);
    case 'rendition':
      return attrs('rendition', pl.renditions[i]!, SCHEMAS.media);
    case 'variant': {
      const v = pl.variants[i]!;
      let s = attrs('variant', v, SCHEMAS.streamInf);
      if (v.extra !== undefined) for (const e of v.extra) s += extraLine(e);
      return s + uriLine(v.uri);
    }
    case 'iFrameVariant':
      return attrs('iFrameVariant', pl.iFrameVariants[i]!, SCHEMAS.iFrameStreamInf);
    default:
      return globalLine(pl, kind, i);
  }
}

function writeMaster(pl: MasterPlaylist): string {
  let out = HEADER;
  walk(pl.order, MASTER_ORDER, MASTER_RANK, {
    count: (k) => masterCount(pl, k),
    emit: (k, i) => {
      out += masterLine(pl, k, i);
    },
    isGlobal: () => false,
    nextGlobal: () => 0,
    globalLeftover: () => 0,
  });
  return out;
}
