/**
 * @module Ads in a session's media playlist: the session's break decisions stitched in (src/ssai's
 * stitchVod) or its breaks signalled as HLS Interstitials (src/ssai's renderInterstitials), applied
 * after the content's URLs are personalised — so the edge and the zones serve ads through one function.
 */
import type { MediaPlaylist } from '../playlist/index.ts';
import { renderInterstitials } from '../ssai/interstitials.ts';
import { stitchVod } from '../ssai/stitch.ts';
import type { AdPod, Break, BreakDecision, FillerAsset, RenditionTarget } from '../ssai/types.ts';

/** Stitched ads (SessionMode `stitched`): the session's decisions, shared by every rendition. */
export interface SessionStitchedAds {
  mode: 'stitched';
  /** The session's decisions (planVodSession / decideBreak); the same for every rendition and reload. */
  decisions: readonly BreakDecision[];
  /** The content rendition being rendered; ad and slate renditions are matched to it. */
  rendition: RenditionTarget;
  /** Ad pods by break id (those the decisions were made from). Default none. */
  pods?: Readonly<Record<string, AdPod | undefined>>;
  /** Slate and alternate content, by the decisions' `filler.id`. Default none. */
  fillers?: readonly FillerAsset[];
  /** Epoch (ms) of the PROGRAM-DATE-TIME written when the content has none. Default 0, as MediaTailor. */
  sessionEpochMs?: number;
}

/** HLS Interstitials (SessionMode `interstitials`): the content unchanged, one DATERANGE per break. */
export interface SessionInterstitialAds {
  mode: 'interstitials';
  /** The content's breaks (detectBreaks / breaksFromVodOffsets). */
  breaks: readonly Break[];
  /** URL of a break's X-ASSET-LIST for this session (`/v1/sessions/{sid}/breaks/{breakId}.json`). */
  assetListUrl(brk: Break): string;
  /** Pods by break id: a one-ad pod with an asset URI is signalled with X-ASSET-URI. Default none. */
  pods?: Readonly<Record<string, AdPod | undefined>>;
  /** Epoch (ms) of the PROGRAM-DATE-TIME written into VOD content that has none. Default 0. */
  sessionEpochMs?: number;
}

/** The ads of one session's media playlist, by the session's mode. */
export type SessionAds = SessionStitchedAds | SessionInterstitialAds;

/**
 * Applies a session's ads to its personalised (VOD) media playlist. Stitched: ad and slate
 * segments with their own absolute URIs (the session id is not sent to ad servers) between
 * discontinuities, METHOD=NONE over clear ads and the session's content key re-emitted after
 * them. Interstitials: the content as it is plus one interstitial DATERANGE per break. Throws
 * ManifestError INVALID_OPTIONS for overlapping decisions or unusable inputs.
 */
export function applySessionAds(personalized: MediaPlaylist, ads: SessionAds): MediaPlaylist {
  switch (ads.mode) {
    case 'stitched': {
      const options: Parameters<typeof stitchVod>[1] = { decisions: ads.decisions, rendition: ads.rendition };
      if (ads.pods !== undefined) options.pods = ads.pods;
      if (ads.fillers !== undefined) options.fillers = ads.fillers;
      if (ads.sessionEpochMs !== undefined) options.sessionEpochMs = ads.sessionEpochMs;
      return stitchVod(personalized, options);
    }
    case 'interstitials': {
      const options: Parameters<typeof renderInterstitials>[1] = {
        breaks: ads.breaks,
        assetListUrl: (brk) => ads.assetListUrl(brk),
      };
      if (ads.pods !== undefined) options.pods = ads.pods;
      if (ads.sessionEpochMs !== undefined) options.sessionEpochMs = ads.sessionEpochMs;
      return renderInterstitials(personalized, options);
    }
  }
}
