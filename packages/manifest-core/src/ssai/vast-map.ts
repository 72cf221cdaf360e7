/** @module Mapping parsed VAST ads to the stitcher's small AdPod input (the stitcher itself never depends on VAST types). */
import type { VastAd, VastDocument, VastLinearCreative } from '../vast/types.ts';
import type { AdCreative, AdAssetRendition, AdPod } from './types.ts';

/** The transcoded form of one VAST creative, found by the app (ad transcoding is outside this package). */
export interface TranscodedCreative {
  renditions: AdAssetRendition[];
  /** Multivariant playlist URL, for HLS Interstitials. */
  assetUri?: string;
}

/** Options of {@link adPodFromVast}. */
export interface AdPodFromVastOptions {
  /** Looks up the transcoded renditions of a creative; undefined skips the creative (not transcoded yet, as MediaTailor does). */
  transcoded: (ad: VastAd, creative: VastLinearCreative) => TranscodedCreative | undefined;
}

const VAST_EVENTS = new Set(['start', 'firstQuartile', 'midpoint', 'thirdQuartile', 'complete']);

/**
 * The AdCreative of one linear VAST creative: ids, duration, impression and quartile beacons
 * (merged wrapper beacons, if the app merged them into the ad, come along).
 */
export function adCreativeFromVast(
  ad: VastAd,
  creative: VastLinearCreative,
  transcoded: TranscodedCreative,
): AdCreative {
  const tracking: Record<string, string[]> = {};
  if (ad.impressions.length > 0) tracking['impression'] = [...ad.impressions];
  for (const t of creative.trackingEvents) {
    if (!VAST_EVENTS.has(t.event)) continue;
    (tracking[t.event] ??= []).push(t.url);
  }
  const out: AdCreative = {
    adId: ad.id ?? creative.adId ?? creative.id ?? '',
    durationSeconds: creative.durationSeconds ?? 0,
    renditions: transcoded.renditions,
    tracking,
  };
  if (creative.id !== undefined) out.creativeId = creative.id;
  if (transcoded.assetUri !== undefined) out.assetUri = transcoded.assetUri;
  return out;
}

/**
 * An AdPod from a parsed VAST document: inline ads in play order (parseVast sorts pods by
 * sequence), the first linear creative of each that the app has transcoded. Wrappers must be
 * resolved by the app first; they are skipped here.
 *
 * @example
 * const pod = adPodFromVast(parseVast(xml), { transcoded: (ad, c) => transcodeCache.get(c.id ?? '') });
 */
export function adPodFromVast(doc: VastDocument, options: AdPodFromVastOptions): AdPod {
  const ads: AdCreative[] = [];
  for (const ad of doc.ads) {
    if (ad.kind !== 'inline') continue;
    for (const creative of ad.creatives) {
      if (creative.durationSeconds === undefined) continue;
      const t = options.transcoded(ad, creative);
      if (t === undefined || t.renditions.length === 0) continue;
      ads.push(adCreativeFromVast(ad, creative, t));
      break;
    }
  }
  return { ads };
}
