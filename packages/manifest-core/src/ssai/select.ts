/** @module Matching an ad (or slate) rendition to a content rendition: same media kind, then codec family, bandwidth (within the player's budget) and picture size. */
import type { AdAssetRendition, RenditionTarget } from './types.ts';

/** The codec families of an RFC 6381 CODECS string, e.g. `avc1.64001f,mp4a.40.2` → ['avc1', 'mp4a']. */
function families(codecs: string | undefined): string[] {
  if (codecs === undefined) return [];
  return codecs.split(',').map((c) => {
    const f = c.trim().split('.')[0]!.toLowerCase();
    // avc1/avc3 and hvc1/hev1 decode the same way; ec-3/ac-3 are distinct.
    if (f === 'avc3') return 'avc1';
    if (f === 'hev1') return 'hvc1';
    return f;
  });
}

/**
 * Headroom over the content rendition's BANDWIDTH within which an ad rendition still counts as
 * "within budget" (10 %): transcoders rarely hit a ladder's nominal bitrates exactly.
 */
export const AD_BANDWIDTH_TOLERANCE = 0.1;

/**
 * Picks the ad (or slate) rendition nearest to the content rendition, the way a MediaTailor user
 * expects ads to be matched to the content's bitrate ladder:
 * 1. same kind (video / audio);
 * 2. the fewest codec families the content does not have (a codec switch at a discontinuity stalls players);
 * 3. audio: the same language;
 * 4. bandwidth within budget: renditions at most {@link AD_BANDWIDTH_TOLERANCE} above the content's
 *    BANDWIDTH first — the player's ABR chose this variant for its throughput, so a heavier ad stalls;
 * 5. the closest bandwidth (by ratio);
 * 6. the closest picture height (it breaks bandwidth ties, and decides alone when bandwidths are unknown).
 * Returns undefined when no rendition has the kind.
 *
 * @example
 * selectAdRendition({ bandwidthBps: 3_000_000, resolution: { width: 1280, height: 720 } }, ad.renditions);
 */
export function selectAdRendition(
  target: RenditionTarget,
  renditions: readonly AdAssetRendition[],
): AdAssetRendition | undefined {
  const kind = target.kind ?? 'video';
  const wanted = new Set(families(target.codecs));
  let best: AdAssetRendition | undefined;
  let bestScore: number[] | undefined;
  for (const r of renditions) {
    if ((r.kind ?? 'video') !== kind) continue;
    const fams = families(r.codecs);
    const codecMiss = wanted.size === 0 || fams.length === 0 ? 0 : fams.filter((f) => !wanted.has(f)).length;
    const heightGap =
      target.resolution !== undefined && r.resolution !== undefined
        ? Math.abs(target.resolution.height - r.resolution.height)
        : 0;
    const known =
      target.bandwidthBps !== undefined &&
      r.bandwidthBps !== undefined &&
      target.bandwidthBps > 0 &&
      r.bandwidthBps > 0;
    const bwGap = known ? Math.abs(Math.log(r.bandwidthBps! / target.bandwidthBps!)) : 0;
    const overBudget = known && r.bandwidthBps! > target.bandwidthBps! * (1 + AD_BANDWIDTH_TOLERANCE) ? 1 : 0;
    const langMiss =
      target.language !== undefined && r.language !== undefined && r.language !== target.language ? 1 : 0;
    const score = [codecMiss, langMiss, overBudget, bwGap, heightGap];
    if (bestScore === undefined || lexLess(score, bestScore)) {
      best = r;
      bestScore = score;
    }
  }
  return best;
}

function lexLess(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    if (a[i]! < b[i]!) return true;
    if (a[i]! > b[i]!) return false;
  }
  return false;
}
