/** @module The SSAI input and break model: breaks found in content, ad pods the apps supply, and what a session decides per break. */
import type { MediaPlaylist, Resolution } from '../playlist/model.ts';
import type { Scte35Break } from '../scte35/describe.ts';

// ————————————————————————————————————————————————————————————————— breaks

/** Where a break was signalled. */
export type BreakSource = 'cue-out' | 'daterange' | 'splicepoint-scte35' | 'oatcls-scte35' | 'vod-offset';

/** Where a break sits relative to the content. */
export type BreakPosition = 'pre' | 'mid' | 'post';

/**
 * One ad break on the content timeline, whichever marker signalled it. The `id` is stable across
 * reloads and renditions: it is derived from the SCTE-35 event id when the cue carries one, plus
 * the origin media sequence number of the break's first segment (both identical in every aligned
 * rendition), or from the VOD offset.
 */
export interface Break {
  /** Stable id, e.g. `scte35-1207959694-48221`, `cue-48221`, `vod-pre`, `vod-600000`, `vod-post`. */
  id: string;
  source: BreakSource;
  position: BreakPosition;
  /**
   * Origin media sequence number of the break's first content segment (replacement), or of the
   * segment the ads go before (insertion; one past the last segment for a post-roll).
   */
  startMsn: number;
  /** Seconds from the first segment of the playlist the break was found in to the break (a segment boundary). */
  startOffsetSeconds: number;
  /** Wall-clock start (epoch ms) from EXT-X-PROGRAM-DATE-TIME, when the playlist carries it. */
  startPdtMs?: number;
  /** Planned break duration in seconds (CUE-OUT DURATION, DATERANGE DURATION / PLANNED-DURATION, SCTE-35 break_duration). */
  durationSeconds?: number;
  /** True for VOD insertion (no content is replaced): VOD offsets and `EXT-X-CUE-OUT:0` (MediaTailor). */
  insert: boolean;
  /**
   * Content segments the break replaces (0 for insertion). Absent while the break's end is not in
   * the playlist yet (live: the window's edge is inside the break).
   */
  contentSegmentCount?: number;
  /** Seconds of content the break replaces, when `contentSegmentCount` is known. */
  contentDurationSeconds?: number;
  /** True when the break started before the first segment of the playlist (a live window that begins mid-break). */
  startsBeforeWindow?: boolean;
  /** The decoded SCTE-35 cue, when the marker carried one. */
  scte35?: Scte35Break;
}

/** A SCTE-35 segmentation signal that starts or ends a program (types 0x10/0x11/0x12, …), used by blackout rules. */
export interface ProgramSignal {
  kind: 'program-start' | 'program-end';
  /** Origin MSN of the segment the signal precedes. */
  msn: number;
  /** Wall-clock time of that segment (epoch ms), when known. */
  pdtMs?: number;
  /** Seconds from the start of the playlist. */
  offsetSeconds: number;
  scte35: Scte35Break;
}

// ————————————————————————————————————————————————————————————————— ads

/** The kind of media a rendition carries: video (possibly muxed with audio) or demuxed audio or subtitles. */
export type MediaKind = 'video' | 'audio' | 'subtitles';

/** One transcoded rendition of an ad (or slate, or alternate content): its media playlist and what it is. */
export interface AdAssetRendition {
  /** Absolute URL of the media playlist; relative segment URIs are resolved against it. */
  uri: string;
  /** The parsed media playlist of this rendition. */
  playlist: MediaPlaylist;
  /** Default 'video'. */
  kind?: MediaKind;
  /** Peak bandwidth in bits per second. */
  bandwidthBps?: number;
  resolution?: Resolution;
  /** RFC 6381 codecs, e.g. `avc1.64001f,mp4a.40.2`. */
  codecs?: string;
  /** Audio language (demuxed audio), e.g. `en`. */
  language?: string;
}

/** A tracking event name in MediaTailor's client-side tracking vocabulary. */
export type TrackingEventType =
  'impression' | 'start' | 'firstQuartile' | 'midpoint' | 'thirdQuartile' | 'complete' | (string & {});

/** One creative of a pod, transcoded and ready to stitch. */
export interface AdCreative {
  /** The ad's id (VAST Ad@id). */
  adId: string;
  /** The creative's id (VAST Creative@id), for ad-creative signalling. */
  creativeId?: string;
  /** The creative's duration in seconds (VAST Duration). */
  durationSeconds: number;
  /** Transcoded renditions; all renditions of one creative must share segment boundaries. */
  renditions: AdAssetRendition[];
  /** Multivariant playlist URL of the ad, for HLS Interstitials asset lists. */
  assetUri?: string;
  /** Beacon URLs by event. */
  tracking?: Partial<Record<TrackingEventType, string[]>>;
}

/** The ads chosen for one break, in play order. */
export interface AdPod {
  ads: AdCreative[];
}

/** Slate or alternate content: a short asset looped to fill time. */
export interface FillerAsset {
  /** Id used in segment URIs and decisions, e.g. `slate` or an alternate stream's id. */
  id: string;
  renditions: AdAssetRendition[];
  /**
   * An alternate *live* stream (live blackouts): its renditions are the alternate channel's current
   * windows, with PROGRAM-DATE-TIME, published in step with the primary (same segment cadence).
   * Each replacement segment is the alternate's segment for the same wall-clock time, and the
   * alternate plays as one run (one discontinuity in, one out) instead of looping. Default false:
   * the asset is looped from its start (slate, or alternate VOD content).
   */
  live?: boolean;
}

/** The content rendition being rendered: what ad renditions are matched against. */
export interface RenditionTarget {
  /** Default 'video'. */
  kind?: MediaKind;
  /** Peak bandwidth in bits per second. */
  bandwidthBps?: number;
  resolution?: Resolution;
  codecs?: string;
  language?: string;
}

// ————————————————————————————————————————————————————————————————— decisions

/** One ad of a decision: rendition-independent timing, in integer milliseconds. */
export interface DecidedAd {
  adId: string;
  /** Segment durations (ms) of the ad's reference rendition, after overfill trimming. */
  segmentsMs: number[];
}

/**
 * What a session decided for one break (or blackout window): the small, serialisable record from
 * which every rendition's output, media sequence and discontinuity sequence are derived.
 * Durations are integer milliseconds so that sums are exact.
 */
export interface BreakDecision {
  /** Break id (ad breaks) or `blackout:<ruleId>:<startMsn>`. */
  id: string;
  /** 'ads': ads then filler; 'filler': filler only (blackout, empty pod); 'content': keep the content. */
  fill: 'ads' | 'filler' | 'content';
  /** Ad break or blackout window. */
  cause: 'ad' | 'blackout';
  /** Origin MSN of the first replaced segment (or the insertion point). */
  startMsn: number;
  /** Wall-clock start (epoch ms); live decisions always have it. */
  startPdtMs?: number;
  /** VOD insertion: no content is replaced. */
  insert?: boolean;
  /** Planned duration (ms): the fill target of an insertion, the threshold check of a replacement. */
  plannedMs?: number;
  ads: DecidedAd[];
  /**
   * Filler asset id (slate or alternate) and its segment durations (ms), looped after the ads;
   * `continuous` (an alternate live stream): the loop is one run, with no discontinuity between repetitions.
   */
  filler?: { id: string; loopMs: number[]; continuous?: boolean };
  /** Origin MSN one past the last replaced segment, once known (absent: the break is still open). */
  endMsn?: number;
  /** Milliseconds of content replaced, once known. */
  contentMs?: number;
  /** Live: the origin discontinuity counter (cc) of the segment before the break. */
  ccBefore?: number;
  /** Live: the origin cc of the first segment after the break, once seen. */
  ccAtEnd?: number;
}
