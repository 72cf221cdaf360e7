/**
 * @module Public names of the playlist model, parser and serializer. Everything else in
 * src/playlist is internal.
 */

// — model —
export type {
  AttributeValue,
  RawAttributeValue,
  AttributeRecord,
  AttributeListExtras,
  Resolution,
  ByteRange,
  LineKind,
  Start,
  Define,
  KeyMethod,
  Key,
  SessionKey,
  MediaInitializationSection,
  PartialSegment,
  DateRange,
  CueOut,
  CueOutCont,
  Asset,
  SegmentTags,
  MediaSegment,
  PartInf,
  ServerControl,
  Skip,
  PreloadHint,
  RenditionReport,
  PlaylistCommon,
  PlaylistType,
  MediaPlaylist,
  RenditionType,
  Rendition,
  VariantCommon,
  Variant,
  IFrameVariant,
  SessionData,
  ContentSteering,
  MasterPlaylist,
  Playlist,
  ParsePlaylistOptions,
  PlaylistWarningCode,
  ParseResult,
} from './model.ts';
/** Canonical line orders the serializer uses when an object records none. */
export { MEDIA_HEADER_ORDER, SEGMENT_ORDER, MEDIA_FOOTER_ORDER, MASTER_ORDER } from './model.ts';

// — parse and serialize —
/** Parse playlist text (auto-detecting the kind, or insisting on one) into the typed model. */
export { parsePlaylist, parseMediaPlaylist, parseMasterPlaylist, PARSE_DEFAULTS } from './parse.ts';
/** Narrow a Playlist by kind. */
export { isMediaPlaylist, isMasterPlaylist } from './parse.ts';
/** Write the model back as playlist text. */
export { serializePlaylist } from './serialize.ts';

/** Resolve what is in force (keys, map, sequence numbers, times) at each segment. */
export { resolveSegmentStates } from './state.ts';
export type { SegmentState } from './state.ts';

// — tag names —
/** The one table of HLS tag and attribute names. */
export { TAG, ATTR, CLIENT_ATTRIBUTE_PREFIX } from './tags.ts';
export type { TagName, AttributeName } from './tags.ts';
