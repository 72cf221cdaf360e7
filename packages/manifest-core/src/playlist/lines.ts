/** @module Line kinds: which tag each LineKind stands for, and canonical ranks used to decide whether an order is worth recording. */
import { MASTER_ORDER, MEDIA_FOOTER_ORDER, MEDIA_HEADER_ORDER, SEGMENT_ORDER } from './model.ts';
import type { LineKind } from './model.ts';
import { TAG } from './tags.ts';
import type { TagName } from './tags.ts';

/** The tag each line kind is written as ('extra' is verbatim; 'variant' is EXT-X-STREAM-INF plus its URI). */
export const TAG_OF_LINE_KIND = {
  version: TAG.VERSION,
  independentSegments: TAG.INDEPENDENT_SEGMENTS,
  start: TAG.START,
  define: TAG.DEFINE,
  targetDuration: TAG.TARGETDURATION,
  mediaSequence: TAG.MEDIA_SEQUENCE,
  discontinuitySequence: TAG.DISCONTINUITY_SEQUENCE,
  playlistType: TAG.PLAYLIST_TYPE,
  iFramesOnly: TAG.I_FRAMES_ONLY,
  partInf: TAG.PART_INF,
  serverControl: TAG.SERVER_CONTROL,
  skip: TAG.SKIP,
  preloadHint: TAG.PRELOAD_HINT,
  renditionReport: TAG.RENDITION_REPORT,
  endList: TAG.ENDLIST,
  discontinuity: TAG.DISCONTINUITY,
  key: TAG.KEY,
  map: TAG.MAP,
  programDateTime: TAG.PROGRAM_DATE_TIME,
  dateRange: TAG.DATERANGE,
  oatclsScte35: TAG.OATCLS_SCTE35,
  asset: TAG.ASSET,
  cueIn: TAG.CUE_IN,
  cueOut: TAG.CUE_OUT,
  cueOutCont: TAG.CUE_OUT_CONT,
  splicePointScte35: TAG.SPLICEPOINT_SCTE35,
  gap: TAG.GAP,
  bitrate: TAG.BITRATE,
  part: TAG.PART,
  extinf: TAG.EXTINF,
  byteRange: TAG.BYTERANGE,
  contentSteering: TAG.CONTENT_STEERING,
  sessionData: TAG.SESSION_DATA,
  sessionKey: TAG.SESSION_KEY,
  rendition: TAG.MEDIA,
  variant: TAG.STREAM_INF,
  iFrameVariant: TAG.I_FRAME_STREAM_INF,
} as const satisfies Record<Exclude<LineKind, 'extra'>, TagName>;

/** Tag name (without `#`) → line kind, for the parser's dispatch. */
export const LINE_KIND_OF_TAG: ReadonlyMap<string, LineKind> = new Map(
  (Object.entries(TAG_OF_LINE_KIND) as Array<[LineKind, string]>).map(([kind, tag]) => [tag, kind]),
);

/** `#TAG:` prefix of each line kind, precomputed for the serializer. */
export const PREFIX: Readonly<Record<Exclude<LineKind, 'extra'>, string>> = Object.fromEntries(
  Object.entries(TAG_OF_LINE_KIND).map(([kind, tag]) => [kind, `#${tag}:`]),
) as Record<Exclude<LineKind, 'extra'>, string>;

/** Canonical rank of each kind within one list. */
export type RankMap = ReadonlyMap<LineKind, number>;

function ranks(list: readonly LineKind[]): RankMap {
  return new Map(list.map((kind, i) => [kind, i]));
}

/** Ranks of the media playlist header. */
export const HEADER_RANK = ranks(MEDIA_HEADER_ORDER);
/** Ranks of the lines before a segment URI. */
export const SEGMENT_RANK = ranks(SEGMENT_ORDER);
/** Ranks after the last segment: segment-level lines, then the footer. */
export const TAIL_RANK = ranks([...SEGMENT_ORDER, ...MEDIA_FOOTER_ORDER]);
/** Ranks of a multivariant playlist. */
export const MASTER_RANK = ranks(MASTER_ORDER);

/** Playlist-level kinds of a media playlist (their items are consumed across the whole document). */
export const MEDIA_GLOBAL_KINDS: ReadonlySet<LineKind> = new Set(
  [...MEDIA_HEADER_ORDER, ...MEDIA_FOOTER_ORDER].filter((k) => k !== 'extra'),
);

/** True when `order` is what canonical serialization would produce: every kind ranked, ranks non-decreasing. */
export function isCanonical(order: readonly LineKind[], rank: RankMap): boolean {
  let last = -1;
  for (let i = 0; i < order.length; i++) {
    const r = rank.get(order[i]!);
    if (r === undefined || r < last) return false;
    last = r;
  }
  return true;
}
