/**
 * @module Session ads for media playlists: turns the zone's break decisions (ADS answers matched
 * to transcoded ad assets) into manifest-core's SessionAds — stitched pods with every ad rendition's
 * parsed media playlist, or HLS Interstitials DATERANGEs — and never fails a playlist over ads.
 */
import {
  breaksFromVodOffsets,
  masterModelOf,
  mediaModelOf,
  decideBreak,
  resolveOriginPath,
  type AdAssetRendition,
  type AdCreative,
  type AdPod,
  type Break,
  type BreakDecision as StitchDecision,
  type FillerAsset,
  type RenditionTarget,
  type SessionAds,
  type SessionStitchedAds,
} from '@meridian/manifest-core';
import type { SourcePlaylist } from '../catalog.ts';
import type { BreakPlan } from '../ads/decisions.ts';
import type { BreakDecision, DecidedAd, SessionMode } from '../sessions/types.ts';

/** What {@link resolveSessionAds} reads: decisions, ad playlists and the public URL layout. */
export interface SessionAdsOptions {
  /** The session's ad mode. */
  mode: SessionMode;
  /** The session's planned VOD breaks (ids `b<index>`). */
  plans: readonly BreakPlan[];
  /** Decides (or recalls) one break; only called in stitched mode. */
  decide(plan: BreakPlan): Promise<BreakDecision>;
  /** A source playlist by origin path (the zone's cached catalog). */
  getPlaylist(originPath: string): Promise<SourcePlaylist>;
  /** The origin path a decided ad's public master URL stands for; undefined when it is not on this zone's origin. */
  originPathOf(publicUrl: string): string | undefined;
  /** Public URL of an origin path (where the player fetches ad segments). */
  publicUrlOf(originPath: string): string;
  /** URL of a break's X-ASSET-LIST for this session. */
  assetListUrl(breakId: string): string;
  /** Epoch (ms) of the PROGRAM-DATE-TIME written into the content: the session's start, so every reload agrees. */
  sessionEpochMs: number;
  /**
   * The slate looped over a break decided `slate` (the ADS timed out, failed or had nothing ready);
   * read only when such a break exists. Undefined (or resolving undefined): those breaks keep the content.
   */
  slate?: () => Promise<FillerAsset | undefined>;
}

/**
 * The content's breaks, one per plan and with the plan's id (so X-ASSET-LIST URLs and decisions
 * agree) and the plan's duration (an interstitial's X-PLAYOUT-LIMIT, a slate break's length).
 */
export function breaksOfPlans(content: SourcePlaylist, plans: readonly BreakPlan[]): Break[] {
  const model = mediaModelOf(content);
  const out: Break[] = [];
  for (const plan of plans) {
    const at = plan.offsetSeconds <= 0 ? { preRoll: true } : { midRollOffsetsSeconds: [plan.offsetSeconds] };
    const [brk] = breaksFromVodOffsets(model, { ...at, breakDurationSeconds: plan.durationSeconds });
    if (brk) out.push({ ...brk, id: plan.id });
  }
  return out;
}

/** Where ad playlists are read from and how their URLs look to players (a subset of {@link SessionAdsOptions}). */
export type AdPlaylistSource = Pick<SessionAdsOptions, 'getPlaylist' | 'originPathOf' | 'publicUrlOf'>;

/**
 * The content rendition a session media playlist stands for, which ads are matched to: a variant
 * (`v<n>`) by bandwidth and picture size, an EXT-X-MEDIA audio rendition (`r<n>`) by kind.
 */
export function renditionTargetOf(master: SourcePlaylist, renditionId: string): RenditionTarget {
  const index = Number(renditionId.slice(1));
  const model = masterModelOf(master);
  const variant = renditionId.startsWith('v') ? model.variants[index] : undefined;
  const extMedia = renditionId.startsWith('r') ? model.renditions.filter((r) => r.uri !== undefined)[index] : undefined;
  const target: RenditionTarget = variant
    ? { bandwidthBps: variant.bandwidth }
    : extMedia?.type === 'AUDIO'
      ? { kind: 'audio' }
      : {};
  // Same picture size first (no resolution switch inside the player's rendition), then the nearest bandwidth.
  if (variant?.resolution) target.resolution = variant.resolution;
  return target;
}

/** The renditions (video variants and demuxed audio) of a transcoded asset's master at a public URL; undefined when it is not on this zone's origin. */
async function assetRenditionsOf(
  masterUrl: string,
  options: AdPlaylistSource,
): Promise<AdAssetRendition[] | undefined> {
  const masterPath = options.originPathOf(masterUrl);
  if (masterPath === undefined) return undefined;
  const master = masterModelOf(await options.getPlaylist(masterPath));
  const read = async (uri: string): Promise<Pick<AdAssetRendition, 'uri' | 'playlist'>> => {
    const path = resolveOriginPath(uri, masterPath);
    return { uri: options.publicUrlOf(path), playlist: mediaModelOf(await options.getPlaylist(path)) };
  };
  const renditions = await Promise.all([
    ...master.variants.map(async (variant): Promise<AdAssetRendition> => {
      const rendition: AdAssetRendition = { ...(await read(variant.uri)), bandwidthBps: variant.bandwidth };
      if (variant.resolution) rendition.resolution = variant.resolution;
      return rendition;
    }),
    // Demuxed audio of the ad, for the content's audio renditions.
    ...master.renditions
      .flatMap((r) => (r.type === 'AUDIO' && r.uri !== undefined ? [r.uri] : []))
      .map(async (uri): Promise<AdAssetRendition> => ({ ...(await read(uri)), kind: 'audio' })),
  ]);
  return renditions.length === 0 ? undefined : renditions;
}

/** The transcoded renditions of one decided ad, each with its parsed media playlist; undefined when unreadable. */
export async function adCreativeOf(ad: DecidedAd, options: AdPlaylistSource): Promise<AdCreative | undefined> {
  const renditions = await assetRenditionsOf(ad.uri, options);
  if (renditions === undefined) return undefined;
  return {
    adId: ad.adId,
    creativeId: ad.creativeId,
    durationSeconds: ad.durationSeconds,
    renditions,
    assetUri: ad.uri,
  };
}

/** The slate (a transcoded asset's master URL) as a filler looped over underfilled breaks; undefined when it is not on this zone's origin. */
export async function slateFillerOf(slateUrl: string, options: AdPlaylistSource): Promise<FillerAsset | undefined> {
  const renditions = await assetRenditionsOf(slateUrl, options);
  return renditions === undefined ? undefined : { id: 'slate', renditions };
}

/**
 * The ads of one session media playlist: interstitials need no ADS call (the asset list makes it);
 * stitched mode decides every break (the decider falls back on timeouts and errors) and reads the
 * ads' playlists. A break decided `slate` plays the slate for the plan's duration, as the asset
 * list does; a break whose ads cannot be read keeps the content. Undefined when there is nothing to add.
 */
export async function resolveSessionAds(
  content: SourcePlaylist,
  rendition: RenditionTarget,
  options: SessionAdsOptions,
): Promise<SessionAds | undefined> {
  if (options.plans.length === 0) return undefined;
  const breaks = breaksOfPlans(content, options.plans);
  if (options.mode === 'interstitials') {
    return {
      mode: 'interstitials',
      breaks,
      assetListUrl: (brk) => options.assetListUrl(brk.id),
      sessionEpochMs: options.sessionEpochMs,
    };
  }
  const decisions = await Promise.all(options.plans.map((plan) => options.decide(plan)));
  const pods: Record<string, AdPod> = {};
  const slated = new Set<string>();
  await Promise.all(
    decisions.map(async (decision) => {
      if (decision.fill === 'slate') slated.add(decision.breakId);
      if (decision.fill !== 'ads') return;
      const ads = await Promise.all(decision.ads.map((ad) => adCreativeOf(ad, options)));
      const ready = ads.filter((a): a is AdCreative => a !== undefined);
      if (ready.length > 0) pods[decision.breakId] = { ads: ready };
    }),
  );
  const slate = slated.size > 0 && options.slate ? await options.slate() : undefined;
  const planned: StitchDecision[] = [];
  for (const brk of breaks) {
    const pod = pods[brk.id];
    // The decider fitted the ads to the plan by their VAST durations: a VOD break plays them whole
    // (no trimming at segment boundaries, no slate padding — MediaTailor pads only live breaks).
    if (pod) planned.push(decideBreak({ ...brk, durationSeconds: undefined }, pod));
    else if (slate && slated.has(brk.id)) planned.push(decideBreak(brk, undefined, { slate }));
  }
  const stitched = planned.filter((d) => d.fill !== 'content');
  if (stitched.length === 0) return undefined;
  const ads: SessionStitchedAds = {
    mode: 'stitched',
    decisions: stitched,
    pods,
    rendition,
    sessionEpochMs: options.sessionEpochMs,
  };
  if (slate) ads.fillers = [slate];
  return ads;
}
