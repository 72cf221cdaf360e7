/**
 * @module Media playlist rewriting: relative URIs made absolute against the origin or a CDN
 * prefix, query tokens appended without re-encoding signed query strings, live windows trimmed
 * (never below 3× the target duration) with EXT-X-MEDIA-SEQUENCE, EXT-X-DISCONTINUITY-SEQUENCE
 * and the state in force (keys, map, PROGRAM-DATE-TIME, bitrate) carried to the new first segment.
 */
import { ManifestError } from '../errors.ts';
import { resolveSegmentStates } from '../playlist/index.ts';
import type { DateRange, Key, MediaPlaylist, MediaSegment, SegmentTags } from '../playlist/index.ts';
import { applyKeySignalling, reemitKeysInForce } from './drm.ts';
import type { ApplyKeySignallingOptions, DrmOptions } from './drm.ts';
import { appendQuery, createUriResolver, formatQuery, isOpaqueUri, replaceUrlPrefix, urlOrigin } from './url.ts';
import type { QueryParams } from './url.ts';

/**
 * The kinds of URI a media playlist holds; `interstitial` is a DATERANGE's `X-ASSET-URI` or
 * `X-ASSET-LIST` (HLS Interstitials, bis Appendix D).
 */
export type MediaUriKind = 'segment' | 'map' | 'key' | 'part' | 'preloadHint' | 'renditionReport' | 'interstitial';

/** Every {@link MediaUriKind}. */
export const MEDIA_URI_KINDS: readonly MediaUriKind[] = [
  'segment',
  'map',
  'key',
  'part',
  'preloadHint',
  'renditionReport',
  'interstitial',
];

/** DATERANGE client attributes that hold URIs (HLS Interstitials). */
const INTERSTITIAL_URI_ATTRIBUTES = ['X-ASSET-URI', 'X-ASSET-LIST'] as const;

/** Kinds that get the query by default: all but `key`. */
const DEFAULT_QUERY_KINDS: readonly MediaUriKind[] = ['segment', 'map', 'part', 'preloadHint', 'renditionReport'];

/** How each URI of a playlist is rewritten (see {@link createUriRewriter} for the steps, in order). */
export interface UriRewriteOptions {
  /**
   * The URL the origin playlist was fetched from; relative URIs are resolved against it (RFC 3986
   * §5.2, string level). Default none: URIs stay relative unless `cdnPrefix` is set.
   */
  baseUrl?: string;
  /**
   * CDN prefix, e.g. `https://cdn.example/origin-a`: resolved URLs that start with `originPrefix`
   * get it replaced by this; with no `baseUrl`, relative URIs are resolved against it as a folder.
   * Default none.
   */
  cdnPrefix?: string;
  /** The prefix `cdnPrefix` replaces. Default: the `scheme://host[:port]` of `baseUrl`. */
  originPrefix?: string;
  /** Query parameters appended to the URIs of `queryKinds` (string-level append; see appendQuery). Default none. */
  query?: QueryParams;
  /**
   * Which kinds of URI get `query`. Default every kind except `key` (key URIs are signalled with
   * their own session token by applyKeySignalling) and `interstitial` (ad assets usually live
   * elsewhere and must not receive our tokens).
   */
  queryKinds?: readonly MediaUriKind[];
  /**
   * Query parameters appended to key URIs (not `data:`/`skd:`), e.g. `{ session }` so the key
   * server can authorise the request. Default none.
   */
  keyQuery?: QueryParams;
  /**
   * Which kinds of URI are resolved against `baseUrl` / `cdnPrefix` (and get the prefix swap).
   * Default every kind. Leave `key` out when the origin writes host-relative key URIs that the
   * edge itself serves, e.g. transcode-gpu's `/v1/keys/{keyId}`.
   */
  resolveKinds?: readonly MediaUriKind[];
  /** Final per-URI hook (after resolution, prefix and query), for app-specific URLs. Default none. */
  mapUri?: (uri: string, kind: MediaUriKind) => string;
}

/** Live-window limits of {@link trimLiveWindow}. */
export interface LiveWindowOptions {
  /** Longest window kept, in seconds (sum of EXTINF durations). Default: no limit. */
  maxDurationSeconds?: number;
  /** Most segments kept. Default: no limit. */
  maxSegments?: number;
}

/** Options of {@link rewriteMediaPlaylist}. */
export interface RewriteMediaPlaylistOptions extends UriRewriteOptions {
  /** Trim a live (sliding) playlist to these limits. Default: no trimming. */
  window?: LiveWindowOptions;
  /**
   * Write the complete set of keys in force (every KEYFORMAT) on the first segment and after each
   * discontinuity. Default true.
   */
  reemitKeys?: boolean;
  /**
   * Replace the origin's key lines with this DRM signalling (applyKeySignalling), applied after
   * the URIs are rewritten so that key URIs such as `/v1/keys/{keyId}` stay as given. Default none.
   */
  drm?: DrmOptions;
  /** Segments that stay clear under `drm` (e.g. stitched ads), see ApplyKeySignallingOptions. Default none. */
  isClear?: ApplyKeySignallingOptions['isClear'];
}

/** What {@link trimLiveWindow} did. */
export interface TrimResult {
  playlist: MediaPlaylist;
  /** Segments removed from the head (= how much EXT-X-MEDIA-SEQUENCE grew). */
  removedSegments: number;
  /** EXT-X-DISCONTINUITY tags removed with them (= how much EXT-X-DISCONTINUITY-SEQUENCE grew). */
  removedDiscontinuities: number;
}

/**
 * Compiles {@link UriRewriteOptions} into a function that rewrites one URI (the base URL, prefixes
 * and query are prepared once). Steps, in order: opaque URIs (`data:`, `skd:`) are returned
 * unchanged; for kinds in `resolveKinds`, (1) resolve against `baseUrl` (or `cdnPrefix` as a
 * folder when there is no base) and (2) swap `originPrefix` for `cdnPrefix`; (3) append `query`
 * when the kind is in `queryKinds`, and `keyQuery` to key URIs; (4) apply `mapUri`. Nothing already in the URI is decoded or re-encoded. Throws ManifestError
 * INVALID_OPTIONS for a relative `baseUrl`.
 */
export function createUriRewriter(options: UriRewriteOptions): (uri: string, kind: MediaUriKind) => string {
  const { baseUrl, cdnPrefix } = options;
  let resolve: ((uri: string) => string) | undefined;
  let fromPrefix: string | undefined;
  if (baseUrl !== undefined) {
    resolve = createUriResolver(baseUrl);
    if (cdnPrefix !== undefined) fromPrefix = options.originPrefix ?? urlOrigin(baseUrl);
  } else if (cdnPrefix !== undefined) {
    resolve = createUriResolver(cdnPrefix.endsWith('/') ? cdnPrefix : `${cdnPrefix}/`);
    fromPrefix = options.originPrefix;
  }
  const query = options.query === undefined ? '' : formatQuery(options.query);
  const keyQuery = options.keyQuery === undefined ? '' : formatQuery(options.keyQuery);
  const queryKinds = options.queryKinds ?? DEFAULT_QUERY_KINDS;
  const resolveKinds = options.resolveKinds ?? MEDIA_URI_KINDS;
  const mapUri = options.mapUri;
  return (uri, kind) => {
    if (isOpaqueUri(uri)) return uri;
    let out = uri;
    if (resolveKinds.includes(kind)) {
      if (resolve !== undefined) out = resolve(out);
      if (fromPrefix !== undefined && cdnPrefix !== undefined) out = replaceUrlPrefix(out, fromPrefix, cdnPrefix);
    }
    if (query !== '' && queryKinds.includes(kind)) out = appendQuery(out, query);
    if (keyQuery !== '' && kind === 'key') out = appendQuery(out, keyQuery);
    return mapUri === undefined ? out : mapUri(out, kind);
  };
}

/**
 * Rewrites one URI as {@link createUriRewriter} describes. SSAI uses it for the URIs it inserts;
 * for many URIs, compile once with createUriRewriter.
 * @example
 * rewriteUri('seg-1.ts?sig=a%2B', 'segment', { baseUrl: 'https://o.example/v/i.m3u8', cdnPrefix: 'https://cdn.example', query: { s: 'x' } })
 * // → 'https://cdn.example/v/seg-1.ts?sig=a%2B&s=x'
 */
export function rewriteUri(uri: string, kind: MediaUriKind, options: UriRewriteOptions): string {
  return createUriRewriter(options)(uri, kind);
}

function rewriteTags<T extends SegmentTags>(tags: T, rewrite: (uri: string, kind: MediaUriKind) => string): T {
  const out: T = { ...tags };
  if (tags.keys !== undefined)
    out.keys = tags.keys.map((k): Key => (k.uri === undefined ? k : { ...k, uri: rewrite(k.uri, 'key') }));
  if (tags.map !== undefined) out.map = { ...tags.map, uri: rewrite(tags.map.uri, 'map') };
  if (tags.parts !== undefined) out.parts = tags.parts.map((p) => ({ ...p, uri: rewrite(p.uri, 'part') }));
  if (
    tags.dateRanges?.some((d) => INTERSTITIAL_URI_ATTRIBUTES.some((a) => typeof d.clientAttributes?.[a] === 'string'))
  ) {
    out.dateRanges = tags.dateRanges.map((d) => {
      const attributes = d.clientAttributes;
      if (attributes === undefined) return d;
      let copy: typeof attributes | undefined;
      for (const name of INTERSTITIAL_URI_ATTRIBUTES) {
        const value = attributes[name];
        if (typeof value !== 'string') continue;
        copy ??= { ...attributes };
        copy[name] = rewrite(value, 'interstitial');
      }
      return copy === undefined ? d : { ...d, clientAttributes: copy };
    });
  }
  return out;
}

/**
 * Returns a copy of `playlist` with every URI rewritten by {@link rewriteUri}: segments, EXT-X-MAP,
 * EXT-X-KEY (except `data:`/`skd:`), EXT-X-PART, EXT-X-PRELOAD-HINT, EXT-X-RENDITION-REPORT and
 * interstitial DATERANGE X-ASSET-URI / X-ASSET-LIST, including those of the tail. The input is not modified.
 */
export function rewriteMediaUris(playlist: MediaPlaylist, options: UriRewriteOptions): MediaPlaylist {
  const rewrite = createUriRewriter(options);
  const out: MediaPlaylist = {
    ...playlist,
    segments: playlist.segments.map((seg): MediaSegment => {
      const s = rewriteTags(seg, rewrite);
      s.uri = rewrite(seg.uri, 'segment');
      return s;
    }),
  };
  if (playlist.tail !== undefined) out.tail = rewriteTags(playlist.tail, rewrite);
  if (playlist.preloadHints !== undefined)
    out.preloadHints = playlist.preloadHints.map((h) => ({ ...h, uri: rewrite(h.uri, 'preloadHint') }));
  if (playlist.renditionReports !== undefined) {
    out.renditionReports = playlist.renditionReports.map((r) => ({ ...r, uri: rewrite(r.uri, 'renditionReport') }));
  }
  return out;
}

function assertWindow(window: LiveWindowOptions): void {
  const { maxDurationSeconds: d, maxSegments: n } = window;
  if (d !== undefined && !(Number.isFinite(d) && d > 0))
    throw new ManifestError('INVALID_OPTIONS', 'window.maxDurationSeconds must be a positive number');
  if (n !== undefined && !(Number.isInteger(n) && n > 0))
    throw new ManifestError('INVALID_OPTIONS', 'window.maxSegments must be a positive integer');
}

/** End of a date range in epoch ms, or undefined when it is open-ended or unknown. */
function dateRangeEndMs(range: DateRange): number | undefined {
  if (range.endDate !== undefined) {
    const end = Date.parse(range.endDate);
    return Number.isNaN(end) ? undefined : end;
  }
  const start = range.startDate === undefined ? Number.NaN : Date.parse(range.startDate);
  const duration = range.duration ?? range.plannedDuration;
  return Number.isNaN(start) || duration === undefined ? undefined : start + duration * 1000;
}

/**
 * Trims a live sliding-window playlist from the head to at most `maxSegments` segments and
 * `maxDurationSeconds`, but never below 3× EXT-X-TARGETDURATION (RFC 8216 §6.2.2) and never to
 * zero segments. EXT-X-MEDIA-SEQUENCE grows by the segments removed and
 * EXT-X-DISCONTINUITY-SEQUENCE by the discontinuities removed (RFC 8216 §6.2.2); the new first
 * segment gets the keys in force (every KEYFORMAT), EXT-X-MAP, EXT-X-PROGRAM-DATE-TIME (the
 * earlier one plus the durations since, when it had none) and EXT-X-BITRATE, and date ranges
 * that are still running move onto it. VOD, EVENT (RFC 8216 §6.2.1: append only), ended and
 * delta-update (EXT-X-SKIP) playlists are returned unchanged. The input is not modified.
 * @example
 * const { playlist, removedSegments } = trimLiveWindow(origin, { maxDurationSeconds: 60 });
 */
export function trimLiveWindow(playlist: MediaPlaylist, window: LiveWindowOptions): TrimResult {
  assertWindow(window);
  const unchanged: TrimResult = { playlist, removedSegments: 0, removedDiscontinuities: 0 };
  if (playlist.endList === true || playlist.playlistType !== undefined || playlist.skip !== undefined) return unchanged;
  const segments = playlist.segments;
  const minSeconds = 3 * playlist.targetDuration;
  const maxSegments = window.maxSegments ?? Infinity;
  const maxSeconds = window.maxDurationSeconds ?? Infinity;
  let remainingSeconds = 0;
  for (const seg of segments) remainingSeconds += seg.duration;
  let removed = 0;
  while (removed < segments.length - 1) {
    const tooLong = segments.length - removed > maxSegments || remainingSeconds > maxSeconds + 1e-9;
    const after = remainingSeconds - segments[removed]!.duration;
    if (!tooLong || after < minSeconds - 1e-9) break;
    remainingSeconds = after;
    removed++;
  }
  if (removed === 0) return unchanged;

  // Only the removed head and the new first segment matter for the state in force.
  const state = resolveSegmentStates({ ...playlist, segments: segments.slice(0, removed + 1) })[removed]!;
  let removedDiscontinuities = 0;
  const carriedRanges: DateRange[] = [];
  for (let i = 0; i < removed; i++) {
    const seg = segments[i]!;
    if (seg.discontinuity === true) removedDiscontinuities++;
    for (const range of seg.dateRanges ?? []) {
      const end = dateRangeEndMs(range);
      // Keep ranges that have not ended by the new first segment, so players still see an ongoing break.
      if (
        end === undefined
          ? range.endOnNext !== true
          : state.programDateTimeMs === undefined || end > state.programDateTimeMs
      ) {
        carriedRanges.push(range);
      }
    }
  }

  const first: MediaSegment = { ...segments[removed]! };
  if (!(first.keys ?? []).some((k) => k.method === 'NONE') && state.keys.length > 0)
    first.keys = state.keys.map((k) => ({ ...k }));
  if (first.map === undefined && state.map !== undefined) first.map = state.map;
  if (first.programDateTime === undefined && state.programDateTimeMs !== undefined) {
    first.programDateTime = new Date(Math.round(state.programDateTimeMs)).toISOString();
  }
  if (first.bitrate === undefined && state.bitrate !== undefined) first.bitrate = state.bitrate;
  if (carriedRanges.length > 0) first.dateRanges = [...carriedRanges, ...(first.dateRanges ?? [])];

  const out: MediaPlaylist = {
    ...playlist,
    mediaSequence: (playlist.mediaSequence ?? 0) + removed,
    segments: [first, ...segments.slice(removed + 1)],
  };
  const dsn = (playlist.discontinuitySequence ?? 0) + removedDiscontinuities;
  if (playlist.discontinuitySequence !== undefined || dsn > 0) out.discontinuitySequence = dsn;
  return { playlist: out, removedSegments: removed, removedDiscontinuities };
}

/**
 * Rewrites a media playlist for one viewer: trims the live window (when `window` is given), then
 * re-emits the keys in force at the top and after discontinuities, then rewrites every URI (see
 * {@link rewriteMediaUris}), then, when `drm` is given, replaces the key lines with its signalling. Pure: returns a new model and never modifies `playlist`; serialize
 * it with `serializePlaylist`. Throws ManifestError INVALID_OPTIONS for bad options.
 * @example
 * const out = rewriteMediaPlaylist(parseMediaPlaylist(text).playlist, {
 *   baseUrl: originUrl, cdnPrefix: 'https://cdn.example', query: { session: id }, window: { maxSegments: 30 },
 * });
 * return new Response(serializePlaylist(out));
 */
export function rewriteMediaPlaylist(
  playlist: MediaPlaylist,
  options: RewriteMediaPlaylistOptions = {},
): MediaPlaylist {
  let out = options.window === undefined ? playlist : trimLiveWindow(playlist, options.window).playlist;
  if (options.drm === undefined && options.reemitKeys !== false) out = reemitKeysInForce(out);
  out = rewriteMediaUris(out, options);
  if (options.drm !== undefined) {
    out = applyKeySignalling(out, options.drm, options.isClear === undefined ? {} : { isClear: options.isClear });
  }
  return out;
}
