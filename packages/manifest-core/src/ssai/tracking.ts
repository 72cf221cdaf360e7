/** @module The per-session tracking timeline in the shape of MediaTailor's client-side tracking JSON: avails, ads, beacons with their times. */
import type { MediaPlaylist } from '../playlist/model.ts';
import { PlanLayout } from './plan.ts';
import { placeDecisions } from './stitch.ts';
import { timelineOf } from './timeline.ts';
import type { AdPod, BreakDecision, TrackingEventType } from './types.ts';

/** One beacon group of an ad. */
export interface TrackingEvent {
  eventType: TrackingEventType;
  beaconUrls: string[];
  /** When the player should fire it, in seconds on the session's timeline. */
  startTimeInSeconds: number;
}

/** One stitched ad. */
export interface TrackedAd {
  adId: string;
  startTimeInSeconds: number;
  durationInSeconds: number;
  trackingEvents: TrackingEvent[];
}

/** One avail (break). */
export interface TrackedAvail {
  availId: string;
  startTimeInSeconds: number;
  durationInSeconds: number;
  ads: TrackedAd[];
}

/** The tracking document: `{"avails":[…]}`. */
export interface TrackingTimeline {
  avails: TrackedAvail[];
}

/** Options of {@link buildTrackingTimeline}. */
export interface TrackingTimelineOptions {
  /** VOD: the content playlist the decisions were stitched into; times are seconds on the stitched timeline. */
  content?: MediaPlaylist;
  /** Live: the epoch (ms) times count from, e.g. the session's first PROGRAM-DATE-TIME. Default 0. */
  originPdtMs?: number;
}

/** Fraction of an ad's duration at which each VAST event fires. */
const EVENT_POINTS: readonly [TrackingEventType, number][] = [
  ['impression', 0],
  ['start', 0],
  ['firstQuartile', 0.25],
  ['midpoint', 0.5],
  ['thirdQuartile', 0.75],
  ['complete', 1],
];

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/**
 * Builds the tracking timeline of a session from its decisions and pods: one avail per break with
 * ads, each ad's start and duration (after overfill trimming) and its beacons (impression, start,
 * quartiles, complete) with the time to fire them. Slate and blackouts are not avails.
 *
 * @example
 * const json = JSON.stringify(buildTrackingTimeline(decisions, pods, { content: vod }));
 */
export function buildTrackingTimeline(
  decisions: readonly BreakDecision[],
  pods: Readonly<Record<string, AdPod | undefined>>,
  options: TrackingTimelineOptions = {},
): TrackingTimeline {
  const avails: TrackedAvail[] = [];
  const place: { d: BreakDecision; layout: PlanLayout; startMs: number }[] = [];
  if (options.content !== undefined) {
    const tl = timelineOf(options.content);
    const n = tl.durMs.length;
    let shiftMs = 0;
    for (const pd of placeDecisions(tl, decisions, n)) {
      const contentStart = pd.startIndex < n ? tl.startMs[pd.startIndex]! : tl.totalMs;
      const end = Math.min(pd.endIndex, n);
      const contentEnd = end < n ? tl.startMs[end]! : tl.totalMs;
      place.push({ d: pd.decision, layout: pd.layout, startMs: contentStart + shiftMs });
      shiftMs += pd.layout.totalMs - (contentEnd - contentStart);
    }
  } else {
    const origin = options.originPdtMs ?? 0;
    for (const d of decisions) {
      if (d.fill === 'content' || d.startPdtMs === undefined) continue;
      place.push({
        d,
        layout: new PlanLayout(d, d.endMsn !== undefined ? d.contentMs : undefined),
        startMs: d.startPdtMs - origin,
      });
    }
  }
  for (const { d, layout, startMs } of place) {
    if (d.cause !== 'ad' || d.fill !== 'ads') continue;
    const pod = pods[d.id];
    const ads: TrackedAd[] = [];
    const adStart = new Map<number, number>();
    const adDur = new Map<number, number>();
    for (let k = 0; k < layout.adCount; k++) {
      const s = layout.segment(k);
      if (!adStart.has(s.runItem)) adStart.set(s.runItem, s.startMs);
      adDur.set(s.runItem, (adDur.get(s.runItem) ?? 0) + s.durMs);
    }
    for (const [a, offset] of adStart) {
      const decided = d.ads[a]!;
      const creative = pod?.ads.find((c) => c.adId === decided.adId);
      const start = (startMs + offset) / 1000;
      const dur = adDur.get(a)! / 1000;
      const trackingEvents: TrackingEvent[] = [];
      for (const [eventType, at] of EVENT_POINTS) {
        const urls = creative?.tracking?.[eventType];
        if (urls !== undefined && urls.length > 0)
          trackingEvents.push({ eventType, beaconUrls: [...urls], startTimeInSeconds: round3(start + dur * at) });
      }
      ads.push({
        adId: decided.adId,
        startTimeInSeconds: round3(start),
        durationInSeconds: round3(dur),
        trackingEvents,
      });
    }
    const total = Number.isFinite(layout.totalMs) ? layout.totalMs : (d.plannedMs ?? layout.adsEndMs);
    avails.push({
      availId: d.id,
      startTimeInSeconds: round3(startMs / 1000),
      durationInSeconds: round3(total / 1000),
      ads,
    });
  }
  return { avails };
}
