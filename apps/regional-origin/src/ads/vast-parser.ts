/** @module The VastParser on manifest-core's hardened parseVast: maps its document model to what the ADS client needs. */
import { parseVast } from '@meridian/manifest-core';
import type { VastAd, VastParser } from './vast.ts';

/**
 * Parses VAST with manifest-core (no entities, size limits) and keeps linear creatives with
 * playable media files (VPAID and other apiFramework files cannot be stitched). Throws the
 * parser's ManifestError on malformed input; the client turns that into an `error` outcome.
 */
export const parseVastDocument: VastParser = (xml) =>
  parseVast(xml).ads.map(
    (ad, index): VastAd => ({
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
      tracking: ad.kind === 'wrapper' ? ad.creatives.flatMap((c) => c.trackingEvents.map((t) => ({ event: t.event, url: t.url }))) : [],
    }),
  );
