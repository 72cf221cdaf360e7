/** @module The VAST shapes the ADS client needs, and the VastParser seam (filled by manifest-core's parseVast in vast-parser.ts). */

/** One media file of a linear creative. */
export interface VastMediaFile {
  url: string;
  type: string | undefined;
  width: number | undefined;
  height: number | undefined;
  bitrateKbps: number | undefined;
}

/** One linear creative. */
export interface VastCreative {
  id: string | undefined;
  durationSeconds: number;
  mediaFiles: VastMediaFile[];
  tracking: Array<{ event: string; url: string }>;
}

/** One ad: either InLine (creatives) or a Wrapper pointing at another VAST document. */
export interface VastAd {
  id: string;
  sequence: number | undefined;
  /** VASTAdTagURI of a Wrapper; undefined for InLine ads. */
  wrapperUrl: string | undefined;
  impressions: string[];
  creatives: VastCreative[];
  /** Wrapper-level tracking (merged into the resolved ads). */
  tracking: Array<{ event: string; url: string }>;
}

/** Which avail a document is parsed for (VMAP answers hold every break; only this one's ads are kept). */
export interface AvailContext {
  /** Media time of the break, seconds. */
  offsetSeconds: number;
  /** Content duration, seconds (resolves VMAP `end` and percentage offsets). */
  contentDurationSeconds: number | undefined;
}

/** Parses a VAST (or VMAP) document into ads; throws on malformed or unsafe XML (the client turns that into an `error` outcome). */
export type VastParser = (xml: string, avail?: AvailContext) => VastAd[];
