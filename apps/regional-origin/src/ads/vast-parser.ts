/** @module The VastParser on manifest-core's hardened parseVast/parseVmap: maps their models to what the ADS client needs. */
import { parseVast, parseVmap, resolveVmapTimeOffsetSeconds, type VastDocument } from '@meridian/manifest-core';
import type { VastAd, VastParser } from './vast.ts';

/** How far apart a VMAP break and an avail may be and still be the same break, in seconds. */
const VMAP_MATCH_SECONDS = 0.5;

/**
 * Parses VAST with manifest-core (no entities, size limits) and keeps linear creatives with
 * playable media files (VPAID and other apiFramework files cannot be stitched). Throws the
 * parser's ManifestError on malformed input; the client turns that into an `error` outcome.
 */
export const parseVastDocument: VastParser = (xml, avail) => {
  // VMAP (IAB VMAP 1.0): keep the ad source of the break at this avail — embedded VAST is
  // mapped here, an AdTagURI becomes a wrapper the client fetches under the same budget.
  if (/<(?:[A-Za-z0-9_-]+:)?VMAP[\s>]/.test(xml.slice(0, 4096))) {
    const vmap = parseVmap(xml);
    const ads: VastAd[] = [];
    for (const br of vmap.adBreaks) {
      const at = resolveVmapTimeOffsetSeconds(br.timeOffset, avail?.contentDurationSeconds);
      if (at === undefined || Math.abs(at - (avail?.offsetSeconds ?? 0)) > VMAP_MATCH_SECONDS) continue;
      if (br.adSource?.vast) ads.push(...fromVast(br.adSource.vast));
      else if (br.adSource?.adTagUri)
        ads.push({
          id: br.breakId ?? `vmap-${ads.length}`,
          sequence: undefined,
          wrapperUrl: br.adSource.adTagUri,
          impressions: [],
          creatives: [],
          tracking: [],
        });
    }
    return ads;
  }
  return fromVast(parseVast(xml));
};

function fromVast(doc: VastDocument): VastAd[] {
  return doc.ads.map((ad, index): VastAd => ({
    id: ad.id ?? `ad-${index}`,
    sequence: ad.sequence,
    wrapperUrl: ad.kind === 'wrapper' ? ad.wrapper?.vastAdTagUri : undefined,
    impressions: ad.impressions,
    creatives:
      ad.kind === 'inline'
        ? ad.creatives.map((c) => ({
            id: c.id ?? c.adId,
            durationSeconds: c.durationSeconds ?? 0,
            mediaFiles: c.mediaFiles
              .filter((m) => m.apiFramework === undefined)
              .map((m) => ({ url: m.url, type: m.type, width: m.width, height: m.height, bitrateKbps: m.bitrateKbps })),
            tracking: c.trackingEvents.map((t) => ({ event: t.event, url: t.url })),
          }))
        : [],
    // A wrapper's creatives carry only tracking, which applies to whatever the chain resolves to.
    tracking:
      ad.kind === 'wrapper'
        ? ad.creatives.flatMap((c) => c.trackingEvents.map((t) => ({ event: t.event, url: t.url })))
        : [],
  }));
}
