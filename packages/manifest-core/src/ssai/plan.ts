/**
 * @module Break decisions and their layout: which ads (trimmed at segment boundaries) and how much
 * filler a break gets, and, from that small record alone, where every replacement segment sits.
 * Everything here is rendition-independent, which is what keeps sequence numbers identical across
 * renditions.
 */
import { ManifestError } from '../errors.ts';
import type { AdPod, AdAssetRendition, Break, BreakDecision, DecidedAd, FillerAsset } from './types.ts';

/** Options of {@link decideBreak}. */
export interface DecideBreakOptions {
  /** Slate looped over underfill (and over a break with no ads). Default none: an underfilled replacement keeps the content. */
  slate?: FillerAsset;
  /**
   * MediaTailor's PersonalizationThresholdSeconds: when more than this many seconds of a break would
   * be slate, the break keeps its content instead. Default: no threshold (always fill).
   */
  personalizationThresholdSeconds?: number;
  /** Tolerance in ms when trimming overfill at segment boundaries. Default 1. */
  toleranceMs?: number;
}

/** The rendition whose segment boundaries define a creative's timing: its first video rendition (or first). */
export function referenceRendition(renditions: readonly AdAssetRendition[]): AdAssetRendition | undefined {
  return renditions.find((r) => (r.kind ?? 'video') === 'video') ?? renditions[0];
}

/**
 * What a decision stores about its filler: the segment durations to loop (ms) and, for an
 * alternate live stream, its nominal segment duration (the most common one in its window) as a
 * continuous run.
 */
export function fillerPlan(filler: FillerAsset): { id: string; loopMs: number[]; continuous?: boolean } {
  const loopMs = segmentDurationsMs(filler.renditions);
  if (filler.live !== true) return { id: filler.id, loopMs };
  const counts = new Map<number, number>();
  let nominal = 0;
  for (const ms of loopMs) {
    const c = (counts.get(ms) ?? 0) + 1;
    counts.set(ms, c);
    if (c > (counts.get(nominal) ?? 0)) nominal = ms;
  }
  return { id: filler.id, loopMs: nominal > 0 ? [nominal] : [], continuous: true };
}

/** Segment durations of an asset's reference rendition, in integer ms. */
export function segmentDurationsMs(renditions: readonly AdAssetRendition[]): number[] {
  const ref = referenceRendition(renditions);
  return ref === undefined ? [] : ref.playlist.segments.map((s) => Math.round(s.duration * 1000));
}

function fillerLoop(slate: FillerAsset | undefined): { id: string; loopMs: number[] } | undefined {
  if (slate === undefined) return undefined;
  const loopMs = segmentDurationsMs(slate.renditions);
  if (loopMs.length === 0 || loopMs.some((d) => !(d > 0))) {
    throw new ManifestError('INVALID_OPTIONS', `filler "${slate.id}" needs segments with positive durations`);
  }
  return { id: slate.id, loopMs };
}

/**
 * Decides what a break gets: the pod's ads (overfill trimmed at segment boundaries so that they fit
 * the planned duration), slate for the underfill, or the content when the underfill exceeds the
 * personalisation threshold or there is no slate to fill it. The result is what a session stores.
 *
 * @example
 * const decision = decideBreak(brk, pod, { slate, personalizationThresholdSeconds: 10 });
 */
export function decideBreak(brk: Break, pod: AdPod | undefined, options: DecideBreakOptions = {}): BreakDecision {
  const tolerance = options.toleranceMs ?? 1;
  const filler = fillerLoop(options.slate);
  const plannedMs =
    brk.durationSeconds !== undefined
      ? Math.round(brk.durationSeconds * 1000)
      : brk.insert
        ? undefined
        : brk.contentDurationSeconds !== undefined
          ? Math.round(brk.contentDurationSeconds * 1000)
          : undefined;
  const ads: DecidedAd[] = [];
  let adsMs = 0;
  for (const ad of pod?.ads ?? []) {
    const segs = segmentDurationsMs(ad.renditions);
    const kept: number[] = [];
    for (const d of segs) {
      if (plannedMs !== undefined && adsMs + d > plannedMs + tolerance) break;
      kept.push(d);
      adsMs += d;
    }
    if (kept.length > 0) ads.push({ adId: ad.adId, segmentsMs: kept });
    if (kept.length < segs.length) break; // overfill: the rest of the pod does not fit
  }
  const decision: BreakDecision = {
    id: brk.id,
    fill: ads.length > 0 ? 'ads' : 'filler',
    cause: 'ad',
    startMsn: brk.startMsn,
    ads,
  };
  if (brk.startPdtMs !== undefined) decision.startPdtMs = brk.startPdtMs;
  if (brk.insert) decision.insert = true;
  if (plannedMs !== undefined) decision.plannedMs = plannedMs;
  if (brk.contentSegmentCount !== undefined) {
    decision.endMsn = brk.startMsn + brk.contentSegmentCount;
    decision.contentMs = Math.round((brk.contentDurationSeconds ?? 0) * 1000);
  }
  const underfillMs = plannedMs === undefined ? 0 : Math.max(0, plannedMs - adsMs);
  const threshold = options.personalizationThresholdSeconds;
  const tooMuchSlate = threshold !== undefined && underfillMs > threshold * 1000 + tolerance;
  const cannotFill = underfillMs > tolerance && filler === undefined && !brk.insert;
  if (tooMuchSlate || cannotFill || (ads.length === 0 && (filler === undefined || plannedMs === undefined))) {
    return { ...decision, fill: 'content', ads: [] };
  }
  if (filler !== undefined && (underfillMs > 0 || !brk.insert)) decision.filler = filler;
  return decision;
}

/** A content-only decision: the break keeps its content (no ADS answer in time, or a session joined mid-break). */
export function contentDecision(brk: Break): BreakDecision {
  const d: BreakDecision = { id: brk.id, fill: 'content', cause: 'ad', startMsn: brk.startMsn, ads: [] };
  if (brk.startPdtMs !== undefined) d.startPdtMs = brk.startPdtMs;
  if (brk.insert) d.insert = true;
  return d;
}

/** Where one replacement segment sits inside its decision's layout. */
export interface PlanSegment {
  /** Index of the segment in the decision's layout. */
  index: number;
  /** 'ad' or 'filler'. */
  source: 'ad' | 'filler';
  /** Index into `decision.ads` (ads) or the loop iteration (filler). */
  runItem: number;
  /** Index of the segment within its ad, or within the filler loop. */
  segIndex: number;
  /** Run number (1-based): a discontinuity precedes the first segment of every run. */
  run: number;
  /** True for the first segment of a run. */
  runStart: boolean;
  /** Start in ms from the start of the break. */
  startMs: number;
  /** Duration in ms (the last filler segment is trimmed to the break's end). */
  durMs: number;
}

/**
 * The layout of a decision's replacement segments: ads first, then the filler loop. With
 * `targetMs` (a closed break: the replaced content's duration, or an insertion's length) ads
 * beyond it are dropped at segment boundaries and filler covers the rest exactly; without it
 * (an open live break) the filler loop runs on indefinitely.
 */
export class PlanLayout {
  /** Ad segments kept. */
  readonly adCount: number;
  /** Ads (runs) with at least one kept segment. */
  readonly adRuns: number;
  /** End of the kept ad segments, ms. */
  readonly adsEndMs: number;
  /** Total segments, Infinity when open with filler. */
  readonly count: number;
  /** Total runs (ads + filler iterations); Infinity when open with filler. */
  readonly runs: number;
  /** Total duration in ms (Infinity when open with filler). */
  readonly totalMs: number;
  private readonly segAd: number[] = [];
  private readonly segIdx: number[] = [];
  private readonly segStart: number[] = [];
  private readonly segDur: number[] = [];
  private readonly loop: readonly number[];
  private readonly loopPrefix: number[];
  private readonly loopTotal: number;
  private readonly targetMs: number;
  /** The filler is one run (an alternate live stream), not one run per loop. */
  private readonly continuous: boolean;

  constructor(decision: BreakDecision, targetMs: number | undefined) {
    let t = 0;
    let runs = 0;
    const cap = targetMs ?? Infinity;
    outer: for (let a = 0; a < decision.ads.length; a++) {
      const segs = decision.ads[a]!.segmentsMs;
      let any = false;
      for (let s = 0; s < segs.length; s++) {
        const d = segs[s]!;
        if (t + d > cap) break outer;
        this.segAd.push(a);
        this.segIdx.push(s);
        this.segStart.push(t);
        this.segDur.push(d);
        t += d;
        any = true;
      }
      if (any) runs++;
    }
    this.adCount = this.segAd.length;
    this.adRuns = runs;
    this.adsEndMs = t;
    this.loop = decision.filler?.loopMs ?? [];
    this.loopPrefix = [0];
    for (const d of this.loop) this.loopPrefix.push(this.loopPrefix[this.loopPrefix.length - 1]! + d);
    this.loopTotal = this.loopPrefix[this.loopPrefix.length - 1]!;
    this.continuous = decision.filler?.continuous === true;
    const noFiller = this.loop.length === 0;
    // Without filler (or an insertion with no planned length) the layout ends with the ads.
    this.targetMs = noFiller ? t : cap;
    if (noFiller) {
      this.count = this.adCount;
      this.runs = runs;
      this.totalMs = t;
    } else if (targetMs === undefined) {
      this.count = Infinity;
      this.runs = Infinity;
      this.totalMs = Infinity;
    } else {
      const span = Math.max(0, targetMs - t);
      const full = Math.floor(span / this.loopTotal);
      const rem = span - full * this.loopTotal;
      const extra = rem > 0 ? this.loopIndexCovering(rem) + 1 : 0;
      this.count = this.adCount + full * this.loop.length + extra;
      const fillerRuns = full + (extra > 0 ? 1 : 0);
      this.runs = runs + (this.continuous ? Math.min(1, fillerRuns) : fillerRuns);
      this.totalMs = Math.max(t, targetMs);
    }
  }

  /** The first loop index r with loopPrefix[r + 1] ≥ remMs. */
  private loopIndexCovering(remMs: number): number {
    let r = 0;
    while (this.loopPrefix[r + 1]! < remMs) r++;
    return r;
  }

  /** Segment `k` of the layout (0 ≤ k < count). */
  segment(k: number): PlanSegment {
    if (k < this.adCount) {
      const a = this.segAd[k]!;
      const s = this.segIdx[k]!;
      // Ads with no kept segments were dropped at the end only, so the ad index is its run number − 1.
      return {
        index: k,
        source: 'ad',
        runItem: a,
        segIndex: s,
        run: a + 1,
        runStart: s === 0,
        startMs: this.segStart[k]!,
        durMs: this.segDur[k]!,
      };
    }
    const f = k - this.adCount;
    const L = this.loop.length;
    const q = Math.floor(f / L);
    const r = f - q * L;
    const startMs = this.adsEndMs + q * this.loopTotal + this.loopPrefix[r]!;
    const durMs = Math.min(this.loop[r]!, this.targetMs - startMs);
    if (this.continuous)
      return {
        index: k,
        source: 'filler',
        runItem: q,
        segIndex: r,
        run: this.adRuns + 1,
        runStart: f === 0,
        startMs,
        durMs,
      };
    return {
      index: k,
      source: 'filler',
      runItem: q,
      segIndex: r,
      run: this.adRuns + q + 1,
      runStart: r === 0,
      startMs,
      durMs,
    };
  }

  /** Index of the first segment that ends after `ms` (ms from the break's start); `count` when none. */
  firstEndingAfter(ms: number): number {
    for (let k = 0; k < this.adCount; k++) if (this.segStart[k]! + this.segDur[k]! > ms) return k;
    if (this.loop.length === 0) return this.adCount;
    const span = ms - this.adsEndMs;
    const q = Math.max(0, Math.floor(span / this.loopTotal));
    let k = this.adCount + q * this.loop.length;
    for (;;) {
      if (k >= this.count) return this.count;
      const seg = this.segment(k);
      if (seg.startMs + seg.durMs > ms) return k;
      k++;
    }
  }
}
