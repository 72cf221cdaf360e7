/**
 * @module Break decisions: VOD break plans, ADS requests with fallback (slate or content, never a
 * failed playlist), creative matching to transcoded ad assets (unseen creatives are enqueued for
 * transcoding and skipped until ready, as MediaTailor does), and one stored decision per break.
 */
import { createHash } from 'node:crypto';
import type { AdFallback } from '../config.ts';
import { isAppError } from '../errors.ts';
import type { ContentCatalog } from '../catalog.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { TranscodeQueue } from '../jobs.ts';
import type { SessionService, ResolvedSession } from '../sessions/service.ts';
import type { BreakDecision, DecidedAd } from '../sessions/types.ts';
import type { AdDecisionClient } from './vast-client.ts';
import { fillAdsTemplate } from './template.ts';

/** A planned break: where and how long. */
export interface BreakPlan {
  /** `b<index>` */
  id: string;
  index: number;
  /** Media time of the break, seconds (0 = pre-roll). */
  offsetSeconds: number;
  durationSeconds: number;
  /** Content duration, seconds (VOD), for VMAP offsets such as `end` or `50%`. */
  contentDurationSeconds?: number;
  /**
   * Live: the last ad may run past the avail — the stitcher cuts it at a segment boundary (a live
   * break cannot be lengthened, so MediaTailor truncates too). Default false: ads that do not fit are skipped.
   */
  truncateLastAd?: boolean;
}

/** Options for {@link createBreakDecider}. */
export interface BreakDeciderOptions {
  client: AdDecisionClient;
  catalog: ContentCatalog;
  queue: TranscodeQueue;
  sessions: SessionService;
  /** ADS URL template; undefined disables ads. */
  urlTemplate: string | undefined;
  totalBudgetMs: number;
  fallback: AdFallback;
  slateUrl: string | undefined;
  /** Turns an ad asset's origin path into the URL players fetch. */
  publicOriginUrl: (originPath: string) => string;
  nowMs: () => number;
  metrics: Metrics;
  log: Logger;
}

/** Decides breaks for sessions. */
export interface BreakDecider {
  /** The decision for one break: stored if known, else requested (concurrent callers share one request). */
  decide(session: ResolvedSession, plan: BreakPlan): Promise<BreakDecision>;
  /** Turns a decision into HLS Interstitials X-ASSET-LIST JSON. */
  assetList(decision: BreakDecision, plan: BreakPlan): { ASSETS: Array<{ URI: string; DURATION: number }> };
}

/** The asset id a creative is transcoded under: stable for the same media file URL. */
export function adAssetIdFor(mediaFileUrl: string): string {
  return `ad-${createHash('sha256').update(mediaFileUrl).digest('hex').slice(0, 24)}`;
}

/** Plans VOD breaks from offsets (offsets past the end are dropped; one at the end is a post-roll). */
export function planVodBreaks(
  offsetsSeconds: number[],
  durationSeconds: number,
  breakDurationSeconds: number,
): BreakPlan[] {
  return [...offsetsSeconds]
    .filter((o) => o <= durationSeconds)
    .sort((a, b) => a - b)
    .map((offsetSeconds, index) => ({
      id: `b${index}`,
      index,
      offsetSeconds,
      durationSeconds: breakDurationSeconds,
      contentDurationSeconds: durationSeconds,
    }));
}

/** Creates the break decider. */
export function createBreakDecider(options: BreakDeciderOptions): BreakDecider {
  const inflight = new Map<string, Promise<BreakDecision>>();
  // Creatives already enqueued by this process (the queue itself is idempotent by jobId too).
  const enqueued = new Set<string>();

  const match = async (
    session: ResolvedSession,
    ads: Awaited<ReturnType<AdDecisionClient['requestAds']>>['ads'],
    plan: BreakPlan,
  ): Promise<DecidedAd[]> => {
    const chosen: DecidedAd[] = [];
    let filled = 0;
    for (const ad of ads) {
      // Prefer the highest-quality progressive file as the transcode source.
      const media = [...ad.creative.mediaFiles].sort(
        (a, b) => (b.height ?? 0) - (a.height ?? 0) || (b.bitrateKbps ?? 0) - (a.bitrateKbps ?? 0),
      )[0];
      if (!media) continue;
      const adAssetId = adAssetIdFor(media.url);
      let ready: { uri: string } | undefined;
      try {
        const asset = await options.catalog.getAsset(adAssetId);
        if (asset.status === 'ready')
          ready = { uri: options.publicOriginUrl(`${options.catalog.assetFolder(adAssetId)}/${asset.master}`) };
      } catch (error) {
        if (!isAppError(error) || error.code !== 'NOT_FOUND') {
          options.log.warn('ad asset lookup failed', { adAssetId, errorMessage: (error as Error).message });
          continue;
        }
        if (!enqueued.has(adAssetId)) {
          enqueued.add(adAssetId);
          options.queue
            .enqueue({
              jobId: adAssetId,
              assetId: adAssetId,
              source: media.url,
              kind: 'ad',
              requestedAtMs: options.nowMs(),
            })
            .catch((e: unknown) => {
              enqueued.delete(adAssetId);
              options.log.warn('ad transcode enqueue failed', { adAssetId, errorMessage: (e as Error).message });
            });
        }
      }
      if (!ready) continue;
      const fits = plan.truncateLastAd
        ? filled < plan.durationSeconds - 0.5
        : filled + ad.creative.durationSeconds <= plan.durationSeconds + 0.5;
      if (!fits) continue;
      filled += ad.creative.durationSeconds;
      chosen.push({
        adId: ad.adId,
        creativeId: ad.creative.id ?? media.url,
        uri: ready.uri,
        durationSeconds: ad.creative.durationSeconds,
        impressions: ad.impressions,
        tracking: ad.tracking,
      });
    }
    void session;
    return chosen;
  };

  const request = async (session: ResolvedSession, plan: BreakPlan): Promise<BreakDecision> => {
    const fallbackFill = options.fallback === 'slate' && options.slateUrl ? 'slate' : 'content';
    if (!options.urlTemplate) {
      return { breakId: plan.id, outcome: 'disabled', fill: 'content', ads: [], decidedAtMs: options.nowMs() };
    }
    const { claims } = session;
    const url = fillAdsTemplate(options.urlTemplate, {
      sessionId: claims.id,
      playerParams: claims.adParams,
      availIndex: plan.index,
      availDurationSeconds: plan.durationSeconds,
      availRandom: Math.abs((claims.seed ^ (plan.index * 2654435761)) | 0),
      assetId: claims.contentId,
      country: claims.country,
      nowMs: options.nowMs(),
    });
    const result = await options.client.requestAds(url, {
      budgetMs: options.totalBudgetMs,
      avail: { offsetSeconds: plan.offsetSeconds, contentDurationSeconds: plan.contentDurationSeconds },
    });
    options.metrics.adRequests.inc({ outcome: result.outcome });
    if (result.outcome === 'timeout') options.metrics.adTimeouts.inc();
    if (result.outcome !== 'filled')
      options.log.warn('ads not filled', {
        sessionId: claims.id,
        breakId: plan.id,
        outcome: result.outcome,
        detail: result.detail,
      });
    const ads = result.outcome === 'filled' ? await match(session, result.ads, plan) : [];
    const decision: BreakDecision = {
      breakId: plan.id,
      outcome: result.outcome,
      fill: ads.length > 0 ? 'ads' : fallbackFill,
      ads,
      decidedAtMs: options.nowMs(),
    };
    // Timeouts and errors are not stored, so the next request of this break may still get ads.
    if (result.outcome === 'filled' || result.outcome === 'empty') await options.sessions.recordBreak(claims, decision);
    return decision;
  };

  return {
    decide(session, plan) {
      const stored = session.breaks[plan.id];
      if (stored) return Promise.resolve(stored);
      const key = `${session.claims.id}:${plan.id}`;
      let pending = inflight.get(key);
      if (!pending) {
        pending = request(session, plan).finally(() => inflight.delete(key));
        inflight.set(key, pending);
      }
      return pending;
    },
    assetList(decision, plan) {
      if (decision.fill === 'ads')
        return { ASSETS: decision.ads.map((a) => ({ URI: a.uri, DURATION: a.durationSeconds })) };
      if (decision.fill === 'slate' && options.slateUrl)
        return { ASSETS: [{ URI: options.slateUrl, DURATION: plan.durationSeconds }] };
      return { ASSETS: [] };
    },
  };
}
