/**
 * @module Blackout in a session's VOD media playlists: the viewer's blackout rules (src/ssai's
 * planVodBlackouts) turned into slate or alternate content over the blacked-out media time, composed
 * with the session's stitched ads or HLS Interstitials in one stitch, so the edge and the zones apply
 * blackouts with the same call that renders the playlist.
 */
import { ManifestError } from '../errors.ts';
import type { MediaPlaylist } from '../playlist/index.ts';
import { planVodBlackouts } from '../ssai/blackout.ts';
import type { BlackoutRule, ViewerProfile } from '../ssai/blackout.ts';
import { renderInterstitials } from '../ssai/interstitials.ts';
import { PlanLayout } from '../ssai/plan.ts';
import { stitchVod } from '../ssai/stitch.ts';
import type { Break, BreakDecision, FillerAsset, RenditionTarget } from '../ssai/types.ts';
import { applySessionAds, type SessionAds } from './ads.ts';

/** A session's blackout input: the zone's rules (e.g. from parseBlackoutRules), who is watching, and the replacement assets. */
export interface SessionBlackout {
  /** Blackout rules (parseBlackoutRules reads them from a BLACKOUT_RULES setting). */
  rules: readonly BlackoutRule[];
  /** The viewer: country / continent / subdivision (request.cf or a trusted header) and device class. */
  viewer: ViewerProfile;
  /** Slate and alternate assets the rules name by `replacementId`. */
  fillers: readonly FillerAsset[];
  /**
   * The content rendition being rendered, to pick the nearest slate rendition when the session has
   * no stitched ads (stitched ads bring their own `rendition`). Default `{}`: the filler's first
   * rendition of the same kind (video).
   */
  rendition?: RenditionTarget;
}

/** True when a VOD playlist (ENDLIST or PLAYLIST-TYPE:VOD): only those take media-time blackouts without a live session state. */
function isVod(m: MediaPlaylist): boolean {
  return m.endList === true || m.playlistType === 'VOD';
}

/** True when an ad decision or break [start, end) (an insertion: the point `start`) falls inside a blackout (start inclusive for replacements). */
function insideBlackout(
  start: number,
  end: number | undefined,
  insert: boolean,
  blackouts: readonly BreakDecision[],
): boolean {
  return blackouts.some((b) => {
    const bEnd = b.endMsn ?? Infinity;
    // An insertion exactly at the blackout's start plays before it (a pre-roll before the slate); one at its end plays after.
    if (insert) return start > b.startMsn && start < bEnd;
    return start < bEnd && (end ?? Infinity) > b.startMsn;
  });
}

/** Output MSN shift of an origin MSN after blackout replacement: the (M − N) of every blackout that ended at or before it. */
function shiftAfter(msn: number, blackouts: readonly BreakDecision[]): number {
  let shift = 0;
  for (const b of blackouts) {
    if (b.endMsn === undefined || b.endMsn > msn) continue;
    shift += new PlanLayout(b, b.contentMs).count - (b.endMsn - b.startMsn);
  }
  return shift;
}

/** Slate and alternates of the ads and of the blackout, by id (the blackout's win when both name one id). */
function mergeFillers(a: readonly FillerAsset[] | undefined, b: readonly FillerAsset[]): FillerAsset[] {
  const byId = new Map<string, FillerAsset>();
  for (const f of a ?? []) byId.set(f.id, f);
  for (const f of b) byId.set(f.id, f);
  return [...byId.values()];
}

/**
 * Applies a viewer's blackouts (and the session's ads, if any) to its personalised VOD media
 * playlist. Media-time windows (and wall-clock windows when the content has PROGRAM-DATE-TIME, and
 * SCTE-35 program start … end) of the rules that apply to this viewer — reverse rules to everyone
 * outside their audience — are replaced by the rule's slate or alternate asset, looped and trimmed
 * to the window, with EXT-X-DISCONTINUITY around it, METHOD=NONE over clear slate and the content
 * key re-emitted after it, exactly like an ad break. Ads compose with one stitch: an ad break that
 * overlaps a blackout is dropped (the blackout wins; an insertion exactly at a blackout's start or
 * end still plays), and interstitial breaks inside a blackout are not signalled. Blackout output
 * keeps the media sequence numbers of the content's first segment, so every rendition (and demuxed
 * audio) gets the same discontinuities at the same boundaries. Throws ManifestError INVALID_OPTIONS
 * for a live playlist (live blackouts need the session's live state: renderSessionLiveMedia), for
 * rules naming a missing filler, or for a filler with no rendition of the content's kind.
 *
 * @example
 * const out = applySessionBlackout(personalized, { rules, viewer: { country: 'US', subdivision: 'US-MA' }, fillers: [slate] }, ads);
 */
export function applySessionBlackout(
  personalized: MediaPlaylist,
  blackout: SessionBlackout,
  ads?: SessionAds,
): MediaPlaylist {
  if (!isVod(personalized)) {
    throw new ManifestError(
      'INVALID_OPTIONS',
      "blackout of a live playlist needs the session's live state (renderSessionLiveMedia)",
    );
  }
  const blackouts = planVodBlackouts(personalized, blackout);
  if (blackouts.length === 0) return ads === undefined ? personalized : applySessionAds(personalized, ads);
  if (ads === undefined) {
    return stitchVod(personalized, {
      decisions: blackouts,
      fillers: blackout.fillers,
      rendition: blackout.rendition ?? {},
    });
  }
  switch (ads.mode) {
    case 'stitched': {
      const kept = ads.decisions.filter(
        (d) => !insideBlackout(d.startMsn, d.insert ? d.startMsn : d.endMsn, d.insert === true, blackouts),
      );
      const decisions = [...blackouts, ...kept].sort((a, b) => a.startMsn - b.startMsn);
      const options: Parameters<typeof stitchVod>[1] = {
        decisions,
        rendition: ads.rendition,
        fillers: mergeFillers(ads.fillers, blackout.fillers),
      };
      if (ads.pods !== undefined) options.pods = ads.pods;
      if (ads.sessionEpochMs !== undefined) options.sessionEpochMs = ads.sessionEpochMs;
      return stitchVod(personalized, options);
    }
    case 'interstitials': {
      const stitchOptions: Parameters<typeof stitchVod>[1] = {
        decisions: blackouts,
        fillers: blackout.fillers,
        rendition: blackout.rendition ?? {},
      };
      if (ads.sessionEpochMs !== undefined) stitchOptions.sessionEpochMs = ads.sessionEpochMs;
      const stitched = stitchVod(personalized, stitchOptions);
      // Breaks are positioned by origin MSN: move the ones after a blackout by its (M − N).
      const breaks: Break[] = [];
      for (const brk of ads.breaks) {
        const end = brk.insert ? brk.startMsn : brk.startMsn + Math.max(1, brk.contentSegmentCount ?? 1);
        if (insideBlackout(brk.startMsn, end, brk.insert, blackouts)) continue;
        const shift = shiftAfter(brk.startMsn, blackouts);
        breaks.push(shift === 0 ? brk : { ...brk, startMsn: brk.startMsn + shift });
      }
      const options: Parameters<typeof renderInterstitials>[1] = {
        breaks,
        assetListUrl: (brk) => ads.assetListUrl(brk),
      };
      if (ads.pods !== undefined) options.pods = ads.pods;
      if (ads.sessionEpochMs !== undefined) options.sessionEpochMs = ads.sessionEpochMs;
      return renderInterstitials(stitched, options);
    }
  }
}
