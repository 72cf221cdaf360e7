/** @module The VAST ad and VMAP break model that SSAI stitching consumes (IAB VAST 2.0–4.3, VMAP 1.0). */
import type { ManifestWarning } from '../errors.ts';

/** A point in a creative: absolute seconds from its start, or a percentage of its duration. */
export type VastOffset = { kind: 'seconds'; seconds: number } | { kind: 'percent'; percent: number };

/** One tracking beacon (`<Tracking event="…">`), e.g. start, firstQuartile, midpoint, complete, progress. */
export interface VastTrackingEvent {
  /** The event attribute as sent (VAST event names are camelCase: 'firstQuartile', 'thirdQuartile', …). */
  event: string;
  /** Beacon URL, trimmed. */
  url: string;
  /** For 'progress' events: when to fire. */
  offset?: VastOffset;
}

/** `<VideoClicks>` of a linear creative. */
export interface VastVideoClicks {
  /** Landing page when the viewer clicks. */
  clickThrough?: string;
  /** Beacons to fire on click. */
  clickTracking: string[];
  customClick: string[];
}

/** `<UniversalAdId>` (VAST 4): the creative's registry id, e.g. Ad-ID. */
export interface VastUniversalAdId {
  idRegistry: string;
  /** 4.0 carried it in the idValue attribute, 4.1+ as element text; 'unknown' is the spec's placeholder. */
  idValue: string;
}

/** `<MediaFile>`: one rendition of the ad. */
export interface VastMediaFile {
  url: string;
  /** 'progressive' (whole file) or 'streaming' (HLS/DASH manifest). */
  delivery?: string;
  /** MIME type, e.g. 'video/mp4', 'application/x-mpegURL'. */
  type?: string;
  width?: number;
  height?: number;
  /** Average bitrate in kbit/s (VAST unit). */
  bitrateKbps?: number;
  minBitrateKbps?: number;
  maxBitrateKbps?: number;
  /** RFC 6381 codec string, e.g. 'avc1.64001f'. */
  codec?: string;
  id?: string;
  scalable?: boolean;
  maintainAspectRatio?: boolean;
  /** e.g. 'VPAID' — such files need a player runtime and cannot be stitched. */
  apiFramework?: string;
  fileSizeBytes?: number;
  /** VAST 4.1 mediaType, e.g. '2D' or '360'. */
  mediaType?: string;
}

/** `<Mezzanine>` (VAST 4): the high-quality source for transcoding. */
export interface VastMezzanine {
  url: string;
  delivery?: string;
  type?: string;
  width?: number;
  height?: number;
  codec?: string;
  id?: string;
  fileSizeBytes?: number;
  mediaType?: string;
}

/** A `<Creative>` holding a `<Linear>` (the only kind SSAI can stitch). */
export interface VastLinearCreative {
  /** Creative@id. */
  id?: string;
  /** Creative@adId (the ad-server's creative id). */
  adId?: string;
  sequence?: number;
  apiFramework?: string;
  universalAdIds: VastUniversalAdId[];
  /** `<Duration>` HH:MM:SS(.mmm) in seconds; absent in wrappers and when unparseable (with a warning). */
  durationSeconds?: number;
  /** Linear@skipoffset. */
  skipOffset?: VastOffset;
  mediaFiles: VastMediaFile[];
  mezzanines: VastMezzanine[];
  trackingEvents: VastTrackingEvent[];
  videoClicks: VastVideoClicks;
  adParameters?: string;
}

/** What a `<Wrapper>` adds: where the next document is and what may follow. */
export interface VastWrapperInfo {
  /** `<VASTAdTagURI>`, trimmed: the next document to fetch (the app fetches; this package never does). */
  vastAdTagUri: string;
  /** Wrapper@followAdditionalWrappers (default true). */
  followAdditionalWrappers: boolean;
  /** Wrapper@allowMultipleAds (default false). */
  allowMultipleAds: boolean;
  /** Wrapper@fallbackOnNoAd, when given. */
  fallbackOnNoAd?: boolean;
}

/** One `<Ad>`, InLine or Wrapper. */
export interface VastAd {
  kind: 'inline' | 'wrapper';
  /** Ad@id. */
  id?: string;
  /** Ad@sequence: ads with a sequence form a pod and play in this order. */
  sequence?: number;
  /** Ad@adType (VAST 4.1: 'video', 'audio', 'hybrid'). */
  adType?: string;
  conditionalAd?: boolean;
  adSystem?: string;
  adSystemVersion?: string;
  adTitle?: string;
  description?: string;
  advertiser?: string;
  adServingId?: string;
  /** `<Impression>` URLs, trimmed, empty ones dropped. */
  impressions: string[];
  /** `<Error>` URLs (may contain [ERRORCODE]). */
  errors: string[];
  /** Linear creatives in document order (non-linear and companion creatives are left out). */
  creatives: VastLinearCreative[];
  /** Present when kind is 'wrapper'. */
  wrapper?: VastWrapperInfo;
}

/** A parsed VAST document. An empty one (`<VAST version="4.0"/>`) is the normal "no fill" answer. */
export interface VastDocument {
  /** VAST@version, e.g. '4.2'. */
  version: string;
  /** Ads sorted for playback: pod ads (with sequence) by sequence first, then stand-alone ads in document order. */
  ads: VastAd[];
  /** Root-level `<Error>` URLs, sent with no-fill responses. */
  errors: string[];
  warnings: ManifestWarning[];
}

/** Where a VMAP break sits on the content timeline. */
export type VmapTimeOffset =
  | { kind: 'start' }
  | { kind: 'end' }
  | { kind: 'time'; seconds: number }
  | { kind: 'percent'; percent: number }
  /** '#n': the n-th cue point (1-based) the content itself signals. */
  | { kind: 'position'; position: number };

/** `<vmap:AdSource>`: the break's ads, inline or by reference. */
export interface VmapAdSource {
  id?: string;
  allowMultipleAds?: boolean;
  followRedirects?: boolean;
  /** `<vmap:VASTAdData>`: an embedded VAST document, parsed. */
  vast?: VastDocument;
  /** `<vmap:AdTagURI>`: a VAST URL the app must fetch. */
  adTagUri?: string;
  /** AdTagURI@templateType, e.g. 'vast3'. */
  templateType?: string;
  /** `<vmap:CustomAdData>` text, kept verbatim. */
  customAdData?: string;
}

/** A VMAP break tracking beacon. */
export interface VmapTrackingEvent {
  /** 'breakStart', 'breakEnd' or 'error'. */
  event: string;
  url: string;
}

/** `<vmap:AdBreak>`. */
export interface VmapAdBreak {
  timeOffset: VmapTimeOffset;
  /** The raw timeOffset attribute. */
  timeOffsetText: string;
  /** breakType split on commas: 'linear', 'nonlinear', 'display'. */
  breakTypes: string[];
  breakId?: string;
  /** repeatAfter in seconds. */
  repeatAfterSeconds?: number;
  adSource?: VmapAdSource;
  trackingEvents: VmapTrackingEvent[];
}

/** A parsed VMAP document. */
export interface VmapDocument {
  version: string;
  /** Linear breaks in document order (non-linear-only breaks are skipped with a warning). */
  adBreaks: VmapAdBreak[];
  warnings: ManifestWarning[];
}
