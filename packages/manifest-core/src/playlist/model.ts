/**
 * @module The typed, lossless HLS playlist model (RFC 8216, draft-pantos-hls-rfc8216bis and the
 * legacy ad-marker tags). Plain JSON-compatible objects: no classes, no Dates, no Maps.
 *
 * ## How to read and edit the model
 *
 * Every tag the model knows has a typed, camelCase field (`targetDuration`, `mediaSequence`,
 * `segments[i].keys`, `variants[i].bandwidth`, …). Code that edits playlists (SSAI inserting
 * segments, rewriting URIs, replacing keys, filtering variants) edits **typed fields only**:
 * push, splice, replace or delete them and serialize. Units: durations and offsets are
 * seconds (decimal), BANDWIDTH-like values bits per second, `bitrate` kilobits per second,
 * dates are ISO-8601 strings exactly as written (`Date.parse` them when needed).
 *
 * Tags are **sparse, as written**: `segment.keys` holds the EXT-X-KEY lines that appear before
 * that segment's URI (the keys that take effect there), not the key in force. The same holds
 * for `map`, `programDateTime` and `bitrate`. `resolveSegmentStates` (playlist module) tells
 * what is in force at a segment.
 *
 * ## How losslessness works (line order)
 *
 * Anything the model has no typed field for — unknown tags, comments, known tags whose value
 * cannot be typed, URI lines without EXTINF — is kept verbatim (the whole line, with its `#`) in
 * an `extra: string[]` list next to where it appeared: the playlist (header / multivariant body),
 * a segment, a variant (lines between EXT-X-STREAM-INF and its URI) or the media playlist's
 * `tail` (lines after the last segment URI).
 *
 * The *order* of lines is recorded in optional `order` lists of {@link LineKind} slots. A slot
 * names a kind of line, not an item: the n-th `'key'` slot of a segment emits `keys[n]`, the
 * n-th `'extra'` slot emits `extra[n]`. The parser records an `order` list **only when the
 * input's order differs from the canonical order** the serializer would use anyway, so most
 * parsed objects carry none. The serializer walks the order list; then:
 *
 * - a slot whose item no longer exists (a typed field was removed or an array shortened) is
 *   skipped;
 * - items with no slot (a field added in code, an array grown) are emitted in their canonical
 *   place relative to the recorded lines: right after the last slot whose kind canonically comes
 *   no later than theirs (a new second key right after the first), or first when there is none;
 * - an object built in code without `order` serializes in canonical spec order.
 *
 * Slots of playlist-level kinds (`'targetDuration'`, `'endList'`, `'renditionReport'`, …) may
 * also appear in a segment's or the tail's order when the input had such a tag between
 * segments; they consume the playlist's items in document order, and unconsumed playlist-level
 * items are emitted in the header (or footer: PRELOAD-HINT, RENDITION-REPORT, ENDLIST). In that
 * case the header's `order` is recorded even when canonical, so every header item has a slot.
 *
 * Attribute lists work the same way: typed fields for the attributes the spec defines, unknown
 * attributes in `otherAttributes` (DATERANGE `X-*` attributes in `clientAttributes`), and an
 * `attributeOrder` list of attribute names recorded only when the input's order differs from
 * the canonical order: the order the spec lists the attributes in (EXT-X-MEDIA: with URI last,
 * as packagers write it). Unknown attributes canonically follow known ones. An attribute set in
 * code goes after the last recorded attribute that canonically precedes it.
 *
 * Normalisations (the only ways serialize(parse(x)) differs from x): LF line endings, no BOM,
 * blank lines dropped, surrounding whitespace of lines (and of attribute names and unquoted
 * values) trimmed, numbers written in shortest decimal form (`10.000` → `10`), duplicate
 * attributes dropped (last wins, with a warning). Re-parsing the output yields an equal model.
 * Numbers are JavaScript numbers: decimal-integers above 2^53 (a MEDIA-SEQUENCE near 2^64) are
 * not exact.
 *
 * Variable references (`{$name}`) are kept as written unless the parser is asked to substitute
 * them (`substituteVariables: true`), so a parsed playlist re-serializes with its references.
 */

import type { ManifestWarning } from '../errors.ts';

// ————————————————————————————————————————————————————————————————— values

/**
 * The value of an attribute that has no typed field (DATERANGE `X-*` client attributes and
 * unknown attributes of any tag). A `string` is a quoted-string's content (serialized with
 * quotes); a `number` is an unquoted decimal number (integer or float, optionally signed, at
 * most 15 significant digits so it survives a round trip); `{ raw }` is any other unquoted value
 * (hexadecimal-sequence `0x…`, enumerated-string, resolution, …) kept exactly as written.
 */
export type AttributeValue = string | number | RawAttributeValue;

/** An unquoted attribute value kept verbatim, e.g. `{ raw: '0xFC3025' }` or `{ raw: 'YES' }`. */
export interface RawAttributeValue {
  raw: string;
}

/** Attributes by name, in insertion (= input) order. Names never look like integers, so order is kept. */
export type AttributeRecord = Record<string, AttributeValue>;

/** A decimal-resolution, e.g. `1920x1080`. */
export interface Resolution {
  width: number;
  height: number;
}

/** A byte range `<length>[@<offset>]` (EXT-X-BYTERANGE, BYTERANGE attributes). */
export interface ByteRange {
  /** Length in bytes. */
  length: number;
  /** Offset in bytes from the start of the resource; absent = continues after the previous range of the same URI. */
  offset?: number;
}

/**
 * Bookkeeping shared by every object parsed from an attribute list (see the module doc).
 * Code that builds or edits objects can ignore both fields.
 */
export interface AttributeListExtras {
  /** Attribute names in input order; present only when it differs from the canonical order. */
  attributeOrder?: string[];
  /** Attributes the model has no typed field for (or whose value could not be typed), in input order. */
  otherAttributes?: AttributeRecord;
}

// ————————————————————————————————————————————————————————————————— line order

/**
 * A kind of playlist line, used as a slot in `order` lists. Each kind is named after the model
 * field it emits; `'extra'` emits the next verbatim line of the owner's `extra` list.
 */
export type LineKind =
  // verbatim (unknown tags, comments, untypable lines)
  | 'extra'
  // playlist-level, media and multivariant
  | 'version'
  | 'independentSegments'
  | 'start'
  | 'define'
  // playlist-level, media playlist header
  | 'targetDuration'
  | 'mediaSequence'
  | 'discontinuitySequence'
  | 'playlistType'
  | 'iFramesOnly'
  | 'partInf'
  | 'serverControl'
  | 'skip'
  // playlist-level, media playlist footer
  | 'preloadHint'
  | 'renditionReport'
  | 'endList'
  // segment-level
  | 'discontinuity'
  | 'key'
  | 'map'
  | 'programDateTime'
  | 'dateRange'
  | 'oatclsScte35'
  | 'asset'
  | 'cueIn'
  | 'cueOut'
  | 'cueOutCont'
  | 'splicePointScte35'
  | 'gap'
  | 'bitrate'
  | 'part'
  | 'extinf'
  | 'byteRange'
  // multivariant
  | 'contentSteering'
  | 'sessionData'
  | 'sessionKey'
  | 'rendition'
  | 'variant'
  | 'iFrameVariant';

/**
 * Canonical line order of a media playlist header (what the serializer writes when no `order`
 * is recorded). DEFINE comes early because variables must be defined before they are used.
 */
export const MEDIA_HEADER_ORDER: readonly LineKind[] = [
  'version',
  'define',
  'targetDuration',
  'mediaSequence',
  'discontinuitySequence',
  'playlistType',
  'iFramesOnly',
  'independentSegments',
  'start',
  'serverControl',
  'partInf',
  'extra',
  'skip',
];

/** Canonical line order before a segment's URI (EXT-X-KEY after EXT-X-DISCONTINUITY, parts just before EXTINF). */
export const SEGMENT_ORDER: readonly LineKind[] = [
  'discontinuity',
  'key',
  'map',
  'programDateTime',
  'dateRange',
  'oatclsScte35',
  'asset',
  'cueIn',
  'cueOut',
  'cueOutCont',
  'splicePointScte35',
  'gap',
  'bitrate',
  'extra',
  'part',
  'extinf',
  'byteRange',
];

/** Canonical order after the last segment: the tail's segment-level lines, then the footer. */
export const MEDIA_FOOTER_ORDER: readonly LineKind[] = ['preloadHint', 'renditionReport', 'endList'];

/** Canonical line order of a multivariant (master) playlist. */
export const MASTER_ORDER: readonly LineKind[] = [
  'version',
  'define',
  'independentSegments',
  'start',
  'contentSteering',
  'sessionData',
  'sessionKey',
  'extra',
  'rendition',
  'variant',
  'iFrameVariant',
];

// ————————————————————————————————————————————————————————————————— shared tags

/** EXT-X-START: preferred start point (RFC 8216 §4.3.5.2). */
export interface Start extends AttributeListExtras {
  /** TIME-OFFSET in seconds; negative = from the end of the playlist. */
  timeOffset: number;
  /** PRECISE=YES. */
  precise?: boolean;
}

/**
 * EXT-X-DEFINE (bis §4.4.2.3): one of NAME/VALUE, IMPORT or QUERYPARAM. `value` of `import` and
 * `queryParam` definitions is not stored in the playlist: the parser resolves it from its options.
 */
export type Define =
  | ({ kind: 'value'; name: string; value: string } & AttributeListExtras)
  | ({ kind: 'import'; name: string } & AttributeListExtras)
  | ({ kind: 'queryParam'; name: string } & AttributeListExtras);

/** KEY METHOD values; other strings are kept as they are. */
export type KeyMethod = 'NONE' | 'AES-128' | 'SAMPLE-AES' | 'SAMPLE-AES-CTR' | (string & {});

/**
 * EXT-X-KEY / EXT-X-SESSION-KEY (RFC 8216 §4.3.2.4, §4.3.4.5). Several may apply to one segment,
 * one per KEYFORMAT (FairPlay `com.apple.streamingkeydelivery` with `skd://` URIs, Widevine
 * `urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed` with `data:…` PSSH URIs, PlayReady
 * `com.microsoft.playready`, or `identity`).
 */
export interface Key extends AttributeListExtras {
  method: KeyMethod;
  uri?: string;
  /** IV as written: a hexadecimal-sequence including its `0x`. */
  iv?: string;
  keyFormat?: string;
  keyFormatVersions?: string;
}

/** EXT-X-SESSION-KEY has the attributes of EXT-X-KEY (METHOD must not be NONE). */
export type SessionKey = Key;

// ————————————————————————————————————————————————————————————————— media playlist

/** EXT-X-MAP: the Media Initialization Section (RFC 8216 §4.3.2.5). */
export interface MediaInitializationSection extends AttributeListExtras {
  uri: string;
  byteRange?: ByteRange;
}

/** EXT-X-PART: a Partial Segment of low-latency HLS (bis §4.4.4.9). */
export interface PartialSegment extends AttributeListExtras {
  uri: string;
  /** DURATION in seconds. */
  duration: number;
  /** INDEPENDENT=YES. */
  independent?: boolean;
  byteRange?: ByteRange;
  /** GAP=YES. */
  gap?: boolean;
}

/**
 * EXT-X-DATERANGE (RFC 8216 §4.3.2.7, bis §4.4.5.1), including HLS Interstitials
 * (`class: 'com.apple.hls.interstitial'` with `X-ASSET-URI`, `X-ASSET-LIST`, `X-RESUME-OFFSET`,
 * `X-PLAYOUT-LIMIT`, `X-SNAP`, `X-RESTRICT`, … in `clientAttributes`).
 */
export interface DateRange extends AttributeListExtras {
  id: string;
  class?: string;
  /** START-DATE as written (ISO-8601). Required by the spec; some SCTE-35 explicit-IN markers omit it (the parser warns). */
  startDate?: string;
  /** CUE (bis): enumerated strings such as `PRE`, `POST`, `ONCE`, in written order. */
  cue?: string[];
  /** END-DATE as written (ISO-8601). */
  endDate?: string;
  /** DURATION in seconds. */
  duration?: number;
  /** PLANNED-DURATION in seconds. */
  plannedDuration?: number;
  /** `X-*` client-defined attributes in written order, e.g. `{ 'X-ASSET-URI': 'https://…', 'X-RESUME-OFFSET': 0 }`. */
  clientAttributes?: AttributeRecord;
  /** SCTE35-CMD: the whole splice_info_section as a hexadecimal-sequence (`0x…`). */
  scte35Cmd?: string;
  /** SCTE35-OUT (`0x…`). */
  scte35Out?: string;
  /** SCTE35-IN (`0x…`). */
  scte35In?: string;
  /** END-ON-NEXT=YES. */
  endOnNext?: boolean;
}

/**
 * EXT-X-CUE-OUT (legacy ad marker): start of a break. Written `#EXT-X-CUE-OUT:30` (`style:
 * 'value'`), `#EXT-X-CUE-OUT:DURATION=30` (`style: 'attributes'`) or bare `#EXT-X-CUE-OUT`.
 */
export interface CueOut extends AttributeListExtras {
  /** Break duration in seconds, when given. */
  duration?: number;
  /** How the duration is written; absent = `'attributes'` when there are attributes or a duration. */
  style?: 'value' | 'attributes';
}

/**
 * EXT-X-CUE-OUT-CONT (legacy): inside a break. Written `#EXT-X-CUE-OUT-CONT:ElapsedTime=5,Duration=30,SCTE35=/DA…`
 * (`style: 'attributes'`, the default) or `#EXT-X-CUE-OUT-CONT:5/30` (`style: 'slash'`), or bare.
 */
export interface CueOutCont extends AttributeListExtras {
  /** Seconds since the break started. */
  elapsedTime?: number;
  /** Total break duration in seconds. */
  duration?: number;
  /** SCTE35 attribute: the splice_info_section, base64 as written. */
  scte35?: string;
  style?: 'attributes' | 'slash';
}

/** EXT-X-ASSET (legacy, Adobe/Elemental): ad asset identification, e.g. `CAID=0x…`. */
export interface Asset extends AttributeListExtras {
  /** CAID as written (usually a hexadecimal-sequence). */
  caid?: string;
}

/**
 * The tags that belong to segment positions. Shared by {@link MediaSegment} and by the media
 * playlist's {@link MediaPlaylist.tail} (the lines after the last URI: an in-progress LL-HLS
 * segment's parts, a trailing DATERANGE or CUE-IN, …).
 */
export interface SegmentTags {
  /** EXT-X-DISCONTINUITY before this segment. */
  discontinuity?: boolean;
  /** EXT-X-KEY lines before this segment, in order (a new key per KEYFORMAT, or METHOD=NONE). */
  keys?: Key[];
  /** EXT-X-MAP before this segment (applies until the next one). */
  map?: MediaInitializationSection;
  /** EXT-X-PROGRAM-DATE-TIME as written (ISO-8601 with time zone). */
  programDateTime?: string;
  /** EXT-X-DATERANGE lines before this segment, in order. */
  dateRanges?: DateRange[];
  /** EXT-OATCLS-SCTE35 payload (base64, as written). */
  oatclsScte35?: string;
  /** EXT-X-ASSET. */
  asset?: Asset;
  /** EXT-X-CUE-IN (end of a break) before this segment. */
  cueIn?: boolean;
  /** EXT-X-CUE-OUT (start of a break) before this segment. */
  cueOut?: CueOut;
  /** EXT-X-CUE-OUT-CONT before this segment. */
  cueOutCont?: CueOutCont;
  /** EXT-X-SPLICEPOINT-SCTE35 payload (base64 splice_info_section, as written). */
  splicePointScte35?: string;
  /** EXT-X-GAP: the segment is missing and must not be loaded. */
  gap?: boolean;
  /** EXT-X-BITRATE in kilobits per second (applies until the next one). */
  bitrate?: number;
  /** EXT-X-BYTERANGE (on a segment: its sub-range; in the tail: a range whose URI line has not come). */
  byteRange?: ByteRange;
  /** EXT-X-PART lines (partial segments of this segment), in order. */
  parts?: PartialSegment[];
  /** Verbatim lines (unknown tags, comments, untypable lines) among this segment's tags. */
  extra?: string[];
  /** Line order, present only when it differs from {@link SEGMENT_ORDER}. */
  order?: LineKind[];
}

/** A media segment: its URI line, EXTINF and the tags before it (RFC 8216 §3, §4.3.2). */
export interface MediaSegment extends SegmentTags {
  /** The URI line as written (relative or absolute; variable references kept unless substituted). */
  uri: string;
  /** EXTINF duration in seconds. */
  duration: number;
  /** EXTINF title (text after the comma); absent when there is none. */
  title?: string;
}

/** EXT-X-PART-INF (bis §4.4.3.7). */
export interface PartInf extends AttributeListExtras {
  /** PART-TARGET in seconds. */
  partTarget: number;
}

/** EXT-X-SERVER-CONTROL (bis §4.4.3.8). */
export interface ServerControl extends AttributeListExtras {
  /** CAN-SKIP-UNTIL in seconds. */
  canSkipUntil?: number;
  /** CAN-SKIP-DATERANGES=YES. */
  canSkipDateRanges?: boolean;
  /** HOLD-BACK in seconds. */
  holdBack?: number;
  /** PART-HOLD-BACK in seconds. */
  partHoldBack?: number;
  /** CAN-BLOCK-RELOAD=YES. */
  canBlockReload?: boolean;
}

/** EXT-X-SKIP (bis §4.4.5.2): segments left out of a playlist delta update. */
export interface Skip extends AttributeListExtras {
  skippedSegments: number;
  /** RECENTLY-REMOVED-DATERANGES: the tab-separated IDs, split. */
  recentlyRemovedDateRanges?: string[];
}

/** EXT-X-PRELOAD-HINT (bis §4.4.5.3). */
export interface PreloadHint extends AttributeListExtras {
  /** `PART` or `MAP`; other strings are kept as they are. */
  type: 'PART' | 'MAP' | (string & {});
  uri: string;
  /** BYTERANGE-START in bytes. */
  byteRangeStart?: number;
  /** BYTERANGE-LENGTH in bytes. */
  byteRangeLength?: number;
}

/** EXT-X-RENDITION-REPORT (bis §4.4.5.4). */
export interface RenditionReport extends AttributeListExtras {
  uri: string;
  /** LAST-MSN: last media sequence number of the rendition. */
  lastMsn?: number;
  /** LAST-PART: last part index. */
  lastPart?: number;
}

/** Fields common to media and multivariant playlists. */
export interface PlaylistCommon {
  /** EXT-X-VERSION. */
  version?: number;
  /** EXT-X-INDEPENDENT-SEGMENTS. */
  independentSegments?: boolean;
  /** EXT-X-START. */
  start?: Start;
  /** EXT-X-DEFINE lines, in order. */
  defines?: Define[];
  /** Verbatim lines at playlist level (media: header; multivariant: anywhere outside a variant). */
  extra?: string[];
  /** Line order of the header (media) or the whole playlist (multivariant); present only when not canonical. */
  order?: LineKind[];
}

/** PLAYLIST-TYPE values; other strings are kept as they are. */
export type PlaylistType = 'VOD' | 'EVENT' | (string & {});

/** A media playlist (RFC 8216 §4.3.3): the segments of one rendition. */
export interface MediaPlaylist extends PlaylistCommon {
  kind: 'media';
  /** EXT-X-TARGETDURATION in seconds (an integer). */
  targetDuration: number;
  /** EXT-X-MEDIA-SEQUENCE; absent means 0 (RFC 8216 §4.3.3.2). */
  mediaSequence?: number;
  /** EXT-X-DISCONTINUITY-SEQUENCE; absent means 0. */
  discontinuitySequence?: number;
  /** EXT-X-PLAYLIST-TYPE. */
  playlistType?: PlaylistType;
  /** EXT-X-I-FRAMES-ONLY. */
  iFramesOnly?: boolean;
  /** EXT-X-PART-INF. */
  partInf?: PartInf;
  /** EXT-X-SERVER-CONTROL. */
  serverControl?: ServerControl;
  /** EXT-X-SKIP (delta updates), written before the first segment. */
  skip?: Skip;
  /** The segments, in order. */
  segments: MediaSegment[];
  /** Tags after the last segment URI (in-progress parts, trailing DATERANGE/CUE-IN, comments, …). */
  tail?: SegmentTags;
  /** EXT-X-PRELOAD-HINT lines. */
  preloadHints?: PreloadHint[];
  /** EXT-X-RENDITION-REPORT lines. */
  renditionReports?: RenditionReport[];
  /** EXT-X-ENDLIST. */
  endList?: boolean;
}

// ————————————————————————————————————————————————————————————————— multivariant playlist

/** EXT-X-MEDIA TYPE values. */
export type RenditionType = 'AUDIO' | 'VIDEO' | 'SUBTITLES' | 'CLOSED-CAPTIONS' | (string & {});

/** EXT-X-MEDIA: an alternative rendition (RFC 8216 §4.3.4.1, bis §4.4.6.1). */
export interface Rendition extends AttributeListExtras {
  type: RenditionType;
  uri?: string;
  groupId: string;
  language?: string;
  assocLanguage?: string;
  name: string;
  stableRenditionId?: string;
  /** DEFAULT=YES. */
  default?: boolean;
  /** AUTOSELECT=YES. */
  autoselect?: boolean;
  /** FORCED=YES. */
  forced?: boolean;
  /** INSTREAM-ID, e.g. `CC1` or `SERVICE1`. */
  instreamId?: string;
  /** BIT-DEPTH (bis). */
  bitDepth?: number;
  /** SAMPLE-RATE in Hz (bis). */
  sampleRate?: number;
  /** CHARACTERISTICS as written (comma-separated UTIs). */
  characteristics?: string;
  /** CHANNELS as written, e.g. `2`, `6`, `16/JOC`. */
  channels?: string;
}

/** Attributes shared by EXT-X-STREAM-INF and EXT-X-I-FRAME-STREAM-INF. */
export interface VariantCommon extends AttributeListExtras {
  uri: string;
  /** BANDWIDTH: peak bits per second. */
  bandwidth: number;
  /** AVERAGE-BANDWIDTH in bits per second. */
  averageBandwidth?: number;
  /** SCORE (bis). */
  score?: number;
  /** CODECS as written, e.g. `avc1.64001f,mp4a.40.2`. */
  codecs?: string;
  /** SUPPLEMENTAL-CODECS (bis) as written. */
  supplementalCodecs?: string;
  resolution?: Resolution;
  /** HDCP-LEVEL: `TYPE-0`, `TYPE-1`, `NONE`. */
  hdcpLevel?: string;
  /** ALLOWED-CPC (bis) as written. */
  allowedCpc?: string;
  /** VIDEO-RANGE: `SDR`, `HLG`, `PQ`. */
  videoRange?: string;
  /** REQ-VIDEO-LAYOUT (bis) as written. */
  reqVideoLayout?: string;
  stableVariantId?: string;
  /** VIDEO group id. */
  video?: string;
  /** PATHWAY-ID (content steering). */
  pathwayId?: string;
}

/** EXT-X-STREAM-INF and the URI line after it: one variant stream (RFC 8216 §4.3.4.2). */
export interface Variant extends VariantCommon {
  /** FRAME-RATE in frames per second. */
  frameRate?: number;
  /** AUDIO group id. */
  audio?: string;
  /** SUBTITLES group id. */
  subtitles?: string;
  /** CLOSED-CAPTIONS group id; the enumerated value NONE is the string `'NONE'` (written unquoted). */
  closedCaptions?: string;
  /** Verbatim lines between the EXT-X-STREAM-INF line and its URI (rare; comments). */
  extra?: string[];
}

/** EXT-X-I-FRAME-STREAM-INF: an I-frame-only variant (RFC 8216 §4.3.4.3). */
export type IFrameVariant = VariantCommon;

/** EXT-X-SESSION-DATA (RFC 8216 §4.3.4.4). */
export interface SessionData extends AttributeListExtras {
  dataId: string;
  value?: string;
  uri?: string;
  /** FORMAT (bis): `JSON` or `RAW`. */
  format?: string;
  language?: string;
}

/** EXT-X-CONTENT-STEERING (bis §4.4.6.6). */
export interface ContentSteering extends AttributeListExtras {
  serverUri: string;
  pathwayId?: string;
}

/** A multivariant (master) playlist (RFC 8216 §4.3.4). */
export interface MasterPlaylist extends PlaylistCommon {
  kind: 'master';
  /** EXT-X-MEDIA lines, in order. */
  renditions: Rendition[];
  /** EXT-X-STREAM-INF variants, in order. */
  variants: Variant[];
  /** EXT-X-I-FRAME-STREAM-INF lines, in order. */
  iFrameVariants: IFrameVariant[];
  /** EXT-X-SESSION-DATA lines. */
  sessionData?: SessionData[];
  /** EXT-X-SESSION-KEY lines. */
  sessionKeys?: SessionKey[];
  /** EXT-X-CONTENT-STEERING. */
  contentSteering?: ContentSteering;
}

/** Either kind of playlist; switch on `kind`. */
export type Playlist = MasterPlaylist | MediaPlaylist;

// ————————————————————————————————————————————————————————————————— parsing

/** Options of the playlist parsers. Every limit has a default chosen for real-world playlists. */
export interface ParsePlaylistOptions {
  /** Largest accepted input in bytes (a string is measured in UTF-16 code units, which equal bytes for ASCII). Default 16 MiB (16_777_216). */
  maxBytes?: number;
  /** Most segments (media) or variants + renditions (multivariant) accepted. Default 200_000. */
  maxSegments?: number;
  /** Longest accepted line, in characters. Default 256 KiB (262_144). */
  maxLineLength?: number;
  /**
   * Replace `{$name}` references in URI lines and quoted-string / hexadecimal attribute values
   * with EXT-X-DEFINE values (bis §4.3.5); an undefined reference is then a
   * `PLAYLIST_UNDEFINED_VARIABLE` error. Default false: references are kept as written (lossless).
   */
  substituteVariables?: boolean;
  /** Values for EXT-X-DEFINE:IMPORT, i.e. the multivariant playlist's variables. Default none. */
  importVariables?: Readonly<Record<string, string>>;
  /** The playlist URL's query parameters, for EXT-X-DEFINE:QUERYPARAM. Default none. */
  queryParams?: Readonly<Record<string, string>> | URLSearchParams;
}

/**
 * Stable warning codes of the playlist parsers (ManifestWarning.code): deviations players cope
 * with. Parsing continues and the offending line is kept (typed or verbatim).
 */
export type PlaylistWarningCode =
  /** An attribute appears twice in one list; the last value wins, as in hls.js. */
  | 'DUPLICATE_ATTRIBUTE'
  /** A known attribute has a value of the wrong type; kept verbatim in `otherAttributes`. */
  | 'INVALID_ATTRIBUTE'
  /** A required attribute is missing (e.g. DATERANGE START-DATE); the tag is kept. */
  | 'MISSING_ATTRIBUTE'
  /** An EXTINF duration (or PART DURATION) below zero; kept as written. */
  | 'NEGATIVE_DURATION'
  /** EXTINF followed by another EXTINF or the end, without a URI: kept verbatim, hls.js ignores it. */
  | 'EXTINF_WITHOUT_URI'
  /** A URI line with no EXTINF before it: kept verbatim, not a segment (hls.js skips it). */
  | 'URI_WITHOUT_EXTINF'
  /** A playlist-level tag that may appear once appears again: the repeat is kept verbatim. */
  | 'DUPLICATE_TAG'
  /** A tag of the other playlist kind (e.g. EXT-X-MEDIA in a media playlist): kept verbatim. */
  | 'UNEXPECTED_TAG'
  /** A known tag whose value cannot be typed (bad number, missing required value): kept verbatim. */
  | 'INVALID_TAG'
  /** An EXTINF duration, rounded, exceeds EXT-X-TARGETDURATION (RFC 8216 §4.3.3.1). */
  | 'TARGET_DURATION_EXCEEDED'
  /** An EXT-X-DEFINE:IMPORT or QUERYPARAM whose value the options do not supply. */
  | 'UNRESOLVED_VARIABLE'
  /** EXT-X-STREAM-INF with no URI line after it (another tag or the end came first): kept verbatim. */
  | 'MISSING_URI'
  /** A URI line in a multivariant playlist that follows no EXT-X-STREAM-INF: kept verbatim. */
  | 'UNEXPECTED_URI'
  /** The last warning when more than 1,000 were found (the rest are counted, not listed). */
  | 'TOO_MANY_WARNINGS';

/** What the parsers return. */
export interface ParseResult<P extends Playlist = Playlist> {
  playlist: P;
  /** Deviations players cope with, in input order (ManifestWarning with a {@link PlaylistWarningCode}). */
  warnings: ManifestWarning[];
  /** Variables defined by EXT-X-DEFINE (IMPORT / QUERYPARAM resolved from the options when possible). */
  variables: Record<string, string>;
}
