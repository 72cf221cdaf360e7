/**
 * @module Live SSAI for sessions: the SCTE-35 breaks of a live origin window decided once per
 * session with the zone's break decider, the session's live record (manifest-core's small
 * LiveSessionState plus the zone's decided ads per break) advanced per reload, and every
 * rendition's window rendered by manifest-core's renderLiveWindow — so EXT-X-MEDIA-SEQUENCE and
 * EXT-X-DISCONTINUITY-SEQUENCE are a pure function of (origin window, record): identical across
 * renditions and zones, never decreasing across reloads.
 */
import {
  advanceLiveSession,
  buildTrackingTimeline,
  createLiveSession,
  parseLiveSessionState,
  pendingBreaks,
  renderLiveWindow,
  type AdCreative,
  type AdPod,
  type BlackoutRule,
  type Break,
  type FillerAsset,
  type LiveSessionState,
  type MediaPlaylist,
  type RenditionTarget,
  type TrackingTimeline,
  type ViewerProfile,
} from '@meridian/manifest-core';
import type { BreakPlan } from '../ads/decisions.ts';
import type { BreakDecision, DecidedAd } from '../sessions/types.ts';
import { adCreativeOf, slateFillerOf, type AdPlaylistSource } from './session-ads.ts';

/**
 * What a live session stores between reloads (one small JSON value per session): manifest-core's
 * state, and the zone's decided ads of the state's `ads` decisions, from which the pods are read
 * again at render time (so any zone can render them).
 */
export interface LiveAdsRecord {
  /** Schema version. */
  v: 1;
  /** manifest-core's live sequencing state. */
  state: LiveSessionState;
  /** The zone's decided ads (transcoded ad masters, beacons) by break id. */
  ads: Record<string, DecidedAd[]>;
}

/** A record for a session that has not been advanced yet. */
export function createLiveAdsRecord(): LiveAdsRecord {
  return { v: 1, state: createLiveSession(), ads: {} };
}

/** Reads a stored record; undefined when absent or not a record (a bad value is rebuilt, never served). */
export function parseLiveAdsRecord(json: string | undefined): LiveAdsRecord | undefined {
  if (json === undefined) return undefined;
  try {
    const value = JSON.parse(json) as Partial<LiveAdsRecord> | null;
    if (value?.v !== 1 || typeof value.ads !== 'object' || value.ads === null) return undefined;
    const ads: Record<string, DecidedAd[]> = {};
    for (const [id, list] of Object.entries(value.ads)) {
      if (
        !Array.isArray(list) ||
        !list.every((a: Partial<DecidedAd>) => typeof a?.adId === 'string' && typeof a.uri === 'string')
      )
        return undefined;
      ads[id] = list;
    }
    return { v: 1, state: parseLiveSessionState(value.state), ads };
  } catch {
    return undefined;
  }
}

/**
 * The more advanced of two records of one session (the one that has seen the newer origin
 * window, then the one with more decisions): a zone's own cache may be ahead of the store, or
 * behind it when another zone served the last reloads.
 */
export function newerLiveAdsRecord(
  a: LiveAdsRecord | undefined,
  b: LiveAdsRecord | undefined,
): LiveAdsRecord | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  const edge = (r: LiveAdsRecord): number => r.state.edgeMsn ?? -1;
  if (edge(a) !== edge(b)) return edge(a) > edge(b) ? a : b;
  return b.state.decisions.length > a.state.decisions.length ? b : a;
}

/** What {@link advanceLiveAds} and {@link renderLiveAds} read. */
export interface LiveAdsOptions {
  /** Decides (or recalls) one break with the zone's ADS decider; its fallbacks apply (slate or content, never a throw). */
  decide(plan: BreakPlan): Promise<BreakDecision>;
  /**
   * Agrees on one decision per live break across zones: stores this one unless another zone's is
   * stored already, and returns the stored one (or this one when the store is down).
   */
  claim(decision: BreakDecision): Promise<BreakDecision>;
  /** Where ad and slate playlists are read from. */
  playlists: AdPlaylistSource;
  /** Slate master URL (a transcoded asset on the origin), looped over underfill and ADS failures; undefined: the content stays. */
  slateUrl: string | undefined;
  /** Planned duration of a break whose cue carries none, seconds. */
  breakDurationSeconds: number;
  /**
   * The viewer's blackouts (BLACKOUT_RULES that apply to them): wall-clock windows and SCTE-35
   * program start … end, replaced by the slate at `slateUrl` (filler id `slate`). Blackout wins
   * over ad breaks. Default none.
   */
  blackout?: { rules: readonly BlackoutRule[]; viewer: ViewerProfile; slateUrl: string };
  /**
   * Pods already read, by their ads (shared by every session that got the same ads): reloads then
   * reuse the parsed ad playlists instead of building them per request. Default none.
   */
  podCache?: { get(key: string): AdPod | undefined; set(key: string, pod: AdPod): unknown };
}

/** The pod of a break's decided ads (those whose transcoded playlists can be read); undefined when none can. */
async function podOf(
  ads: readonly DecidedAd[],
  options: Pick<LiveAdsOptions, 'playlists' | 'podCache'>,
): Promise<AdPod | undefined> {
  const key = ads.map((ad) => `${ad.adId} ${ad.uri}`).join('\n');
  const cached = options.podCache?.get(key);
  if (cached !== undefined) return cached;
  const creatives = await Promise.all(ads.map((ad) => adCreativeOf(ad, options.playlists).catch(() => undefined)));
  const ready = creatives.filter((c): c is AdCreative => c !== undefined);
  if (ready.length === 0) return undefined;
  const pod = { ads: ready };
  // Only complete pods are kept: a creative that could not be read is tried again next time.
  if (ready.length === ads.length) options.podCache?.set(key, pod);
  return pod;
}

async function slateOf(slateUrl: string | undefined, options: LiveAdsOptions): Promise<FillerAsset | undefined> {
  if (slateUrl === undefined) return undefined;
  return slateFillerOf(slateUrl, options.playlists).catch(() => undefined);
}

/** Thrown when a blacked-out viewer's slate cannot be read: the caller must not serve the content instead. */
export class BlackoutSlateUnavailableError extends Error {
  constructor(readonly slateUrl: string) {
    super(`blackout slate ${slateUrl} cannot be read`);
    this.name = 'BlackoutSlateUnavailableError';
  }
}

/**
 * Advances a session's record to a new origin window (any rendition's): asks the decider for the
 * window's new breaks (concurrently), reads the decided ads' transcoded playlists, and lets
 * manifest-core decide each break once (ads, then slate for underfill; content when neither
 * fills it). A break whose decision fails keeps its content. The input is not modified.
 */
export async function advanceLiveAds(
  record: LiveAdsRecord,
  window: MediaPlaylist,
  options: LiveAdsOptions,
): Promise<LiveAdsRecord> {
  const pending = pendingBreaks(record.state, window);
  const pods: Record<string, AdPod> = {};
  const ads: Record<string, DecidedAd[]> = { ...record.ads };
  const slate = pending.length > 0 ? await slateOf(options.slateUrl, options) : undefined;
  let blackout: { rules: readonly BlackoutRule[]; viewer: ViewerProfile; fillers: FillerAsset[] } | undefined;
  if (options.blackout !== undefined) {
    const { rules, viewer, slateUrl } = options.blackout;
    const filler = slateUrl === options.slateUrl && slate !== undefined ? slate : await slateOf(slateUrl, options);
    if (filler === undefined) throw new BlackoutSlateUnavailableError(slateUrl);
    blackout = { rules, viewer, fillers: [filler] };
  }
  await Promise.all(
    pending.map(async (brk) => {
      const plan: BreakPlan = {
        id: brk.id,
        index: brk.startMsn,
        offsetSeconds: brk.startOffsetSeconds,
        durationSeconds: brk.durationSeconds ?? options.breakDurationSeconds,
        truncateLastAd: true,
      };
      const decision = await options.decide(plan).catch(() => undefined);
      let pod = decision?.fill === 'ads' ? await podOf(decision.ads, options) : undefined;
      // What this zone would play (only the ads it could read), then what every zone plays: the
      // first decision stored for the break, so that concurrent reloads on two zones agree.
      const own =
        pod === undefined ? [] : (decision?.ads ?? []).filter((ad) => pod!.ads.some((c) => c.adId === ad.adId));
      const agreed = await options.claim({
        breakId: brk.id,
        outcome: decision?.outcome ?? 'error',
        fill: own.length > 0 ? 'ads' : 'content',
        ads: own,
        decidedAtMs: decision?.decidedAtMs ?? 0,
      });
      if (agreed.ads.length === 0) return;
      if (!agreed.ads.every((ad) => pod?.ads.some((c) => c.adId === ad.adId))) pod = await podOf(agreed.ads, options);
      if (pod === undefined) return;
      pods[brk.id] = pod;
      ads[brk.id] = agreed.ads;
    }),
  );
  const state = advanceLiveSession(record.state, window, {
    pods,
    ...(slate && { slate }),
    ...(blackout && { blackout }),
  });
  // Only the ads of decisions still held are kept: the record stays as small as the state.
  const kept: Record<string, DecidedAd[]> = {};
  for (const d of state.decisions) {
    const list = ads[d.id];
    if (d.fill === 'ads' && list !== undefined) kept[d.id] = list;
  }
  return { v: 1, state, ads: kept };
}

/**
 * A rendition's window cut back to the reference rendition's newest segment. The session advances
 * with one reference rendition, because a break whose end is not signalled yet closes at the
 * window's edge by that window's last EXTINF — and audio EXTINFs (AAC frames) differ from video's,
 * so closing it from whichever rendition reloads first would change the replacement's length
 * (and the sequence numbers) with the reload order. A rendition a segment ahead is served a
 * segment behind instead (players expect renditions to be published a little apart).
 */
export function alignToReference(window: MediaPlaylist, reference: MediaPlaylist): MediaPlaylist {
  if (window === reference) return window;
  const lastOf = (p: MediaPlaylist): number => (p.mediaSequence ?? 0) + p.segments.length - 1;
  const ahead = lastOf(window) - lastOf(reference);
  if (ahead <= 0 || ahead >= window.segments.length) return window;
  return { ...window, segments: window.segments.slice(0, window.segments.length - ahead) };
}

/**
 * Renders one rendition's (already personalised) origin window with the record's breaks
 * replaced: the pods are read again from the stored ads, the slate from its URL. Throws
 * ManifestError when an input is unusable (the caller serves the content then).
 */
export async function renderLiveAds(
  record: LiveAdsRecord,
  window: MediaPlaylist,
  rendition: RenditionTarget,
  options: LiveAdsOptions,
): Promise<MediaPlaylist> {
  const pods: Record<string, AdPod> = {};
  await Promise.all(
    record.state.decisions.map(async (d) => {
      const list = record.ads[d.id];
      if (d.fill !== 'ads' || list === undefined) return;
      const pod = await podOf(list, options);
      if (pod !== undefined) pods[d.id] = pod;
    }),
  );
  // Ad underfill and blackouts both loop the slate (filler id `slate`).
  const blackedOut = record.state.decisions.some((d) => d.cause === 'blackout' && d.filler !== undefined);
  const needsSlate = blackedOut || record.state.decisions.some((d) => d.filler !== undefined);
  const slateUrl = blackedOut
    ? (options.blackout?.slateUrl ?? options.slateUrl)
    : (options.slateUrl ?? options.blackout?.slateUrl);
  const slate = needsSlate ? await slateOf(slateUrl, options) : undefined;
  if (blackedOut && slate === undefined) throw new BlackoutSlateUnavailableError(slateUrl ?? '(none)');
  return renderLiveWindow(record.state, window, { rendition, pods, fillers: slate === undefined ? [] : [slate] });
}

/**
 * True when a break starts inside one of the record's blackouts (by PROGRAM-DATE-TIME; an open
 * blackout runs on): blackout wins over ads, so no interstitial is scheduled over the slate.
 */
export function underBlackout(record: LiveAdsRecord, brk: Pick<Break, 'startPdtMs'>): boolean {
  const at = brk.startPdtMs;
  if (at === undefined) return false;
  return record.state.decisions.some((d) => {
    if (d.cause !== 'blackout' || d.startPdtMs === undefined) return false;
    const end = d.endMsn === undefined ? Infinity : d.startPdtMs + (d.contentMs ?? 0);
    return at >= d.startPdtMs && at < end;
  });
}

/**
 * The live session's avails in MediaTailor's client-side tracking shape: one avail per break
 * filled with ads, times in seconds since the Unix epoch (the PROGRAM-DATE-TIME timeline the
 * player sees), each ad with its impression, start, quartile and complete beacons.
 */
export function liveTrackingTimeline(record: LiveAdsRecord): TrackingTimeline {
  const pods: Record<string, AdPod> = {};
  for (const [id, list] of Object.entries(record.ads)) {
    pods[id] = {
      ads: list.map((ad): AdCreative => {
        const tracking: Record<string, string[]> = { impression: ad.impressions };
        for (const t of ad.tracking) (tracking[t.event] ??= []).push(t.url);
        return {
          adId: ad.adId,
          creativeId: ad.creativeId,
          durationSeconds: ad.durationSeconds,
          renditions: [],
          tracking,
        };
      }),
    };
  }
  return buildTrackingTimeline(record.state.decisions, pods, { originPdtMs: 0 });
}
