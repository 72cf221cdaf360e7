/**
 * @module Live sequencing: a sliding live window per session with breaks (and blackouts) replaced.
 *
 * Stitching replaces the N content segments of a break with M replacement segments, so the output
 * media sequence number of a content segment is its origin MSN plus the (M − N) of every decided
 * break that ended before it, and its discontinuity counter is the origin's plus the runs each break
 * added (one discontinuity before every ad and every slate repetition, one on return to content)
 * minus the origin discontinuities the break swallowed. Every M, N and run count follows from the
 * session's {@link LiveSessionState} alone, so EXT-X-MEDIA-SEQUENCE and
 * EXT-X-DISCONTINUITY-SEQUENCE are a pure function of (origin window, session state): identical
 * across renditions, never decreasing across reloads, and computable by any zone.
 *
 * Replacement segments are placed by wall-clock time (the break's PROGRAM-DATE-TIME plus their
 * offset): a segment appears once the content it replaces has been published (it ends at or before
 * the window's end) and slides out with that content (it ends at or before the window's start).
 * Ads and slate fill a closed break exactly, so PROGRAM-DATE-TIME stays continuous.
 */
import { ManifestError } from '../errors.ts';
import type { MediaPlaylist } from '../playlist/model.ts';
import { ruleApplies, scte35Triggers, validateBlackoutRules } from './blackout.ts';
import type { BlackoutRule, ViewerProfile } from './blackout.ts';
import { detectBreaks } from './breaks.ts';
import type { DetectBreaksResult } from './breaks.ts';
import { PlanLayout, contentDecision, decideBreak, fillerPlan } from './plan.ts';
import type { DecideBreakOptions } from './plan.ts';
import { finishPlaylist, walkStitched } from './stitch.ts';
import type { PlacedDecision, StitchCommonOptions } from './stitch.ts';
import { timelineOf } from './timeline.ts';
import type { Timeline } from './timeline.ts';
import type { AdPod, Break, BreakDecision, FillerAsset } from './types.ts';

/**
 * Everything a live session must store between reloads (small, serialisable JSON). A typical
 * session holds the last few breaks: about 220 bytes per decision plus about 60 per ad (5 segments),
 * so a decision with 4 ads is about 460 bytes and a state with 3 such breaks about 1.5 KB; decisions
 * older than `pruneAfterSegments` fold into `base`, so the state does not grow with session length.
 *
 * ```ts
 * interface LiveSessionState {
 *   v: 1;
 *   decisions: BreakDecision[];            // sorted by startMsn, never overlapping
 *   base: { msnDelta: number; ccDelta: number }; // sums of pruned decisions' deltas
 *   edgeMsn?: number;                      // highest origin MSN already advanced past
 *   pendingBlackouts?: { ruleId: string; sinceMsn: number }[]; // SCTE-35 program blackouts waiting for an ad break to end
 *   targetDuration?: number;               // EXT-X-TARGETDURATION high-water mark
 * }
 * ```
 */
export interface LiveSessionState {
  /** Schema version. */
  v: 1;
  /** Decided breaks and blackouts (including "keep the content"), sorted by startMsn, never overlapping. */
  decisions: BreakDecision[];
  /** Sums of the MSN and discontinuity deltas of decisions pruned from `decisions`. */
  base: { msnDelta: number; ccDelta: number };
  /** Highest origin MSN any advance has seen; breaks starting at or before it are never decided again. */
  edgeMsn?: number;
  /** SCTE-35 program blackouts whose start fell inside a stitched ad break: they begin after it. */
  pendingBlackouts?: { ruleId: string; sinceMsn: number }[];
  /**
   * EXT-X-TARGETDURATION high-water mark (seconds): the content's and every decided replacement
   * segment's, so the tag does not change as ads enter and leave the window (RFC 8216 §6.2.1).
   */
  targetDuration?: number;
}

/** A new, empty live session state. */
export function createLiveSession(): LiveSessionState {
  return { v: 1, decisions: [], base: { msnDelta: 0, ccDelta: 0 } };
}

/** Reads a stored state (e.g. JSON from Valkey), throwing ManifestError INVALID_STATE when it is not one. */
export function parseLiveSessionState(value: unknown): LiveSessionState {
  const v = typeof value === 'string' ? safeJson(value) : value;
  const s = v as Partial<LiveSessionState> | undefined;
  const ok =
    typeof s === 'object' &&
    s !== null &&
    s.v === 1 &&
    Array.isArray(s.decisions) &&
    typeof s.base?.msnDelta === 'number' &&
    typeof s.base.ccDelta === 'number' &&
    (s.targetDuration === undefined || (Number.isInteger(s.targetDuration) && s.targetDuration > 0)) &&
    s.decisions.every(
      (d) =>
        typeof d === 'object' &&
        d !== null &&
        typeof d.id === 'string' &&
        Number.isInteger(d.startMsn) &&
        (d.fill === 'ads' || d.fill === 'filler' || d.fill === 'content') &&
        Array.isArray(d.ads) &&
        d.ads.every((a) => Array.isArray(a.segmentsMs) && a.segmentsMs.every((x) => Number.isInteger(x) && x > 0)) &&
        (d.filler === undefined ||
          (Array.isArray(d.filler.loopMs) &&
            d.filler.loopMs.length > 0 &&
            d.filler.loopMs.every((x) => Number.isInteger(x) && x > 0) &&
            (d.filler.continuous === undefined || typeof d.filler.continuous === 'boolean'))),
    );
  if (!ok) throw new ManifestError('INVALID_STATE', 'not a live session state (v1)');
  return s as LiveSessionState;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new ManifestError('INVALID_STATE', 'live session state is not JSON', { cause });
  }
}

/** Blackout inputs of a live session. */
export interface LiveBlackoutOptions {
  rules: readonly BlackoutRule[];
  viewer: ViewerProfile;
  /** Slate and alternate assets the rules name. */
  fillers: readonly FillerAsset[];
}

/** Options shared by {@link advanceLiveSession} and {@link renderLiveWindow}: how open breaks end. */
export interface LiveTimingOptions {
  /** An ad break with no planned duration and no cue-in ends after this many seconds. Default 600. */
  maxBreakSeconds?: number;
  /** A SCTE-35 blackout with no program end ends after this many seconds. Default 14_400 (4 h). */
  maxBlackoutSeconds?: number;
}

/** Options of {@link advanceLiveSession}. */
export interface AdvanceLiveSessionOptions extends DecideBreakOptions, LiveTimingOptions {
  /** Pods for the breaks {@link pendingBreaks} returned, by break id; a missing pod means slate or content. Default none. */
  pods?: Readonly<Record<string, AdPod | undefined>>;
  /** Blackout rules for this viewer. Default none. */
  blackout?: LiveBlackoutOptions;
  /** Decisions that ended this many segments before the window are folded into `base`. Default 120. */
  pruneAfterSegments?: number;
  /**
   * EXT-X-TARGETDURATION floor in seconds: the longest segment the ad transcoder and slate use. The
   * tag never changes between reloads when it covers them; otherwise it rises once, when the first
   * longer segment is decided (before it is served). Default: the origin's target duration.
   */
  targetDurationSeconds?: number;
}

/** Options of {@link renderLiveWindow}. */
export interface RenderLiveWindowOptions extends StitchCommonOptions, LiveTimingOptions {}

interface WindowCtx {
  window: MediaPlaylist;
  tl: Timeline;
  det: DetectBreaksResult;
  n: number;
}

/** The last windows seen (strong, bounded; cheaper for V8's GC than a WeakMap keyed by per-request objects). */
const recentWindows: WindowCtx[] = [];

function windowCtx(window: MediaPlaylist): WindowCtx {
  for (const c of recentWindows) if (c.window === window && c.n === window.segments.length) return c;
  // A delta update (bis §4.4.5.2) lists its first segment at MEDIA-SEQUENCE + SKIPPED-SEGMENTS and lacks the
  // earlier ones: sequencing needs the full window, so the app must fetch the origin without _HLS_skip.
  if (window.skip !== undefined)
    throw new ManifestError(
      'INVALID_OPTIONS',
      'live SSAI needs the full origin window, not a delta update (EXT-X-SKIP)',
    );
  const tl = timelineOf(window);
  if (window.segments.length > 0 && !tl.hasPdt) {
    throw new ManifestError('INVALID_OPTIONS', 'live SSAI needs EXT-X-PROGRAM-DATE-TIME in the origin window');
  }
  const ctx: WindowCtx = { window, tl, det: detectBreaks(window), n: window.segments.length };
  if (recentWindows.length >= 4) recentWindows.pop();
  recentWindows.unshift(ctx);
  return ctx;
}

/** Wall-clock time of boundary `j` of the window (the start of segment j; j = n is the window's end). */
function boundaryPdt(ctx: WindowCtx, j: number): number {
  const { tl, n } = ctx;
  return j < n ? tl.pdtMs[j]! : tl.pdtMs[n - 1]! + tl.durMs[n - 1]!;
}

/**
 * Where an open decision ends in this window (content index of its first segment after), or
 * undefined while it is still open. Cue-ins and program ends win; otherwise the boundary nearest
 * to the planned end; a break whose end slid out unseen closes at the window start (which keeps
 * sequence numbers monotonic).
 */
function findEnd(d: BreakDecision, ctx: WindowCtx, timing: LiveTimingOptions): number | undefined {
  const { tl, det, n, window } = ctx;
  if (n === 0 || d.startPdtMs === undefined) return undefined;
  const si = d.startMsn - tl.firstMsn;
  if (si >= n) return undefined;
  if (d.cause === 'ad') {
    for (const b of det.breaks) {
      if (b.contentSegmentCount === undefined) continue;
      if (b.startMsn === d.startMsn) return si + b.contentSegmentCount;
      if (si < 0 && b.startsBeforeWindow) return b.contentSegmentCount;
    }
    for (let j = Math.max(si + 1, 0); j < n; j++) {
      const seg = window.segments[j]!;
      if (seg.cueIn || seg.dateRanges?.some((r) => r.scte35In !== undefined)) return j;
    }
  } else {
    for (const sig of det.programSignals)
      if (sig.kind === 'program-end' && sig.msn > d.startMsn) return sig.msn - tl.firstMsn;
  }
  const fallbackMs =
    (d.cause === 'ad' ? (timing.maxBreakSeconds ?? 600) : (timing.maxBlackoutSeconds ?? 14_400)) * 1000;
  const target = d.startPdtMs + (d.plannedMs ?? fallbackMs);
  for (let j = Math.max(si + 1, 0); j <= n; j++) {
    const prevDur = j > 0 ? tl.durMs[j - 1]! : tl.durMs[0]!;
    if (boundaryPdt(ctx, j) >= target - prevDur / 2) return j;
  }
  return undefined;
}

/** Applies what the window tells about open decisions (their end) and ends seen (their cc); returns the same object when nothing changes. */
function settle(d: BreakDecision, ctx: WindowCtx, timing: LiveTimingOptions): BreakDecision {
  if (d.fill === 'content') return d;
  let out = d;
  if (d.endMsn === undefined) {
    const e = findEnd(d, ctx, timing);
    if (e !== undefined) {
      out = { ...d, endMsn: ctx.tl.firstMsn + e, contentMs: boundaryPdt(ctx, Math.max(e, 0)) - d.startPdtMs! };
    }
  }
  if (out.endMsn !== undefined && out.ccAtEnd === undefined) {
    const e = out.endMsn - ctx.tl.firstMsn;
    if (e >= 0 && e < ctx.n) out = { ...out, ccAtEnd: ctx.tl.cc[e]! };
  }
  return out;
}

function covering(decisions: readonly BreakDecision[], msn: number): BreakDecision | undefined {
  for (const d of decisions) {
    if (d.fill === 'content') continue;
    if (msn >= d.startMsn && (d.endMsn === undefined || msn < d.endMsn)) return d;
  }
  return undefined;
}

function ccBeforeIndex(ctx: WindowCtx, i: number): number {
  return ctx.tl.cc[i]! - (ctx.window.segments[i]!.discontinuity ? 1 : 0);
}

/**
 * The breaks in this window the session has not decided yet: the app asks its ad decision server
 * for these, then passes the pods to {@link advanceLiveSession}. Breaks that began before the
 * window or at a segment the session has already been served as content are not offered (they keep
 * their content, as MediaTailor does for a viewer joining mid-break).
 */
export function pendingBreaks(state: LiveSessionState, window: MediaPlaylist): Break[] {
  const ctx = windowCtx(window);
  return ctx.det.breaks.filter(
    (b) =>
      !b.startsBeforeWindow &&
      b.startPdtMs !== undefined &&
      (state.edgeMsn === undefined || b.startMsn > state.edgeMsn) &&
      !state.decisions.some((d) => d.id === b.id || d.startMsn === b.startMsn) &&
      covering(state.decisions, b.startMsn) === undefined,
  );
}

/**
 * Advances a session to a new origin window: decides its new breaks (with the given pods, slate and
 * threshold; blackouts win over ad breaks), starts and ends blackouts for this viewer, records where
 * open breaks end, and prunes old decisions. Returns a new state; the input is not modified. Call it
 * once per reload, before {@link renderLiveWindow}, with any rendition's window.
 *
 * @example
 * const pods = await fetchPods(pendingBreaks(state, window));
 * state = advanceLiveSession(state, window, { pods, slate, personalizationThresholdSeconds: 8 });
 * const text = serializePlaylist(renderLiveWindow(state, window, { rendition, pods, fillers: [slate] }));
 */
export function advanceLiveSession(
  state: LiveSessionState,
  window: MediaPlaylist,
  options: AdvanceLiveSessionOptions = {},
): LiveSessionState {
  const ctx = windowCtx(window);
  const { tl, n } = ctx;
  if (n === 0) return state;
  const timing: LiveTimingOptions = options;
  const lastMsn = tl.firstMsn + n - 1;
  const isNew = (msn: number): boolean => state.edgeMsn === undefined || msn > state.edgeMsn;
  let decisions = state.decisions.map((d) => settle(d, ctx, timing));
  const blackout = options.blackout;
  if (blackout !== undefined) validateBlackoutRules(blackout.rules, blackout.fillers);
  const applying = blackout === undefined ? [] : blackout.rules.filter((r) => ruleApplies(r, blackout.viewer));
  const fillers = new Map((blackout?.fillers ?? []).map((f) => [f.id, f]));
  let pendingBlackouts = [...(state.pendingBlackouts ?? [])];

  const add = (d: BreakDecision): void => {
    decisions.push(d);
    decisions.sort((a, b) => a.startMsn - b.startMsn);
  };
  const startBlackout = (rule: BlackoutRule, i: number, plannedMs: number | undefined): void => {
    const filler = fillers.get(rule.replacementId)!;
    const d: BreakDecision = {
      id: `blackout:${rule.id}:${tl.firstMsn + i}`,
      fill: 'filler',
      cause: 'blackout',
      startMsn: tl.firstMsn + i,
      startPdtMs: tl.pdtMs[i]!,
      ads: [],
      filler: fillerPlan(filler),
      ccBefore: ccBeforeIndex(ctx, i),
    };
    if (plannedMs !== undefined) d.plannedMs = plannedMs;
    add(settle(d, ctx, timing));
  };

  // 1. Blackouts: wall-clock windows, SCTE-35 program starts, and program blackouts deferred past an ad break.
  for (const rule of applying) {
    const t = rule.trigger;
    if (t.kind !== 'wallClock') continue;
    for (let i = 0; i < n; i++) {
      const msn = tl.firstMsn + i;
      const mid = tl.pdtMs[i]! + tl.durMs[i]! / 2;
      if (mid < t.startMs || mid >= t.endMs || !isNew(msn) || covering(decisions, msn) !== undefined) continue;
      startBlackout(rule, i, t.endMs - tl.pdtMs[i]!);
      break;
    }
  }
  for (const sig of ctx.det.programSignals) {
    if (sig.kind === 'program-end') {
      pendingBlackouts = pendingBlackouts.filter((p) => p.sinceMsn >= sig.msn);
      continue;
    }
    if (!isNew(sig.msn)) continue;
    for (const rule of applying) {
      if (!scte35Triggers(rule, sig.scte35)) continue;
      const i = sig.msn - tl.firstMsn;
      const planned =
        sig.scte35.durationSeconds !== undefined ? Math.round(sig.scte35.durationSeconds * 1000) : undefined;
      if (i < n && covering(decisions, sig.msn) === undefined) startBlackout(rule, i, planned);
      else pendingBlackouts.push({ ruleId: rule.id, sinceMsn: sig.msn });
      break;
    }
  }
  pendingBlackouts = pendingBlackouts.filter((p) => {
    const rule = applying.find((r) => r.id === p.ruleId);
    if (rule === undefined) return false;
    for (let i = 0; i < n; i++) {
      const msn = tl.firstMsn + i;
      if (msn <= p.sinceMsn || !isNew(msn) || covering(decisions, msn) !== undefined) continue;
      startBlackout(rule, i, undefined);
      return false;
    }
    return true;
  });

  // 2. New ad breaks: blackout wins over any break it overlaps.
  for (const brk of pendingBreaks({ ...state, decisions }, window)) {
    const i = brk.startMsn - tl.firstMsn;
    const plannedEnd = brk.startPdtMs! + (brk.durationSeconds ?? 0) * 1000;
    const blackedOut =
      applying.some(
        (r) =>
          r.trigger.kind === 'wallClock' &&
          r.trigger.startMs < Math.max(plannedEnd, brk.startPdtMs! + 1) &&
          r.trigger.endMs > brk.startPdtMs!,
      ) || decisions.some((d) => d.fill !== 'content' && d.startMsn > brk.startMsn);
    const d = blackedOut ? contentDecision(brk) : decideBreak(brk, options.pods?.[brk.id], options);
    // Live decisions close from the window (PDT-exact), not from the detector's sums.
    delete d.endMsn;
    delete d.contentMs;
    d.ccBefore = ccBeforeIndex(ctx, i);
    add(settle(d, ctx, timing));
  }

  // 3. Prune: fold decisions long gone from every window into `base`.
  const margin = options.pruneAfterSegments ?? 120;
  const base = { ...state.base };
  const kept: BreakDecision[] = [];
  for (const d of decisions) {
    const end = d.endMsn ?? (d.fill === 'content' ? d.startMsn : undefined);
    if (end !== undefined && end + margin < tl.firstMsn) {
      if (d.fill !== 'content') {
        const delta = decisionDeltas(d);
        base.msnDelta += delta.msn;
        base.ccDelta += delta.cc;
      }
      continue;
    }
    kept.push(d);
  }
  decisions = kept;
  let targetDuration = Math.max(state.targetDuration ?? 0, window.targetDuration, options.targetDurationSeconds ?? 0);
  for (const d of decisions) targetDuration = Math.max(targetDuration, longestSegmentSeconds(d));
  const next: LiveSessionState = {
    v: 1,
    decisions,
    base,
    edgeMsn: Math.max(state.edgeMsn ?? -1, lastMsn),
    targetDuration,
  };
  if (pendingBlackouts.length > 0) next.pendingBlackouts = pendingBlackouts;
  return next;
}

/** The longest replacement segment of a decision, rounded as RFC 8216 §4.3.3.1 compares EXTINF with the target duration. */
function longestSegmentSeconds(d: BreakDecision): number {
  let max = 0;
  for (const a of d.ads) for (const ms of a.segmentsMs) if (ms > max) max = ms;
  for (const ms of d.filler?.loopMs ?? []) if (ms > max) max = ms;
  return Math.round(max / 1000);
}

/** The (M − N) and discontinuity delta a closed decision adds to everything after it. */
function decisionDeltas(d: BreakDecision): { msn: number; cc: number; layout: PlanLayout } {
  const layout = new PlanLayout(d, d.contentMs);
  const replaced = d.endMsn! - d.startMsn;
  const absorbed = (d.ccAtEnd ?? d.ccBefore ?? 0) - (d.ccBefore ?? 0);
  return { msn: layout.count - replaced, cc: layout.runs + 1 - absorbed, layout };
}

/**
 * Renders one rendition's live window for a session: breaks and blackouts replaced, MSN and
 * discontinuity sequence from the state, METHOD=NONE over clear ads and the content keys re-emitted
 * after them and at the top of the window, EXT-X-MAP and PROGRAM-DATE-TIME after every
 * discontinuity, a DATERANGE per ad. Pure: the same (state, window) gives the same playlist in any
 * zone. Call {@link advanceLiveSession} with a window at least as new first.
 */
export function renderLiveWindow(
  state: LiveSessionState,
  window: MediaPlaylist,
  options: RenderLiveWindowOptions,
): MediaPlaylist {
  const ctx = windowCtx(window);
  const { tl, n } = ctx;
  if (n === 0) throw new ManifestError('INVALID_OPTIONS', 'the origin window has no segments');
  const first = tl.firstMsn;
  const placed: PlacedDecision[] = [];
  /** Closed decisions' cumulative deltas, for content segments after them: [endMsn, msnDelta, ccDelta]. */
  const steps: [number, number, number][] = [];
  let dMsn = state.base.msnDelta;
  let dCc = state.base.ccDelta;
  const ccStart = new Map<PlacedDecision, number>();
  for (const raw of state.decisions) {
    if (raw.fill === 'content') continue;
    const d = settle(raw, ctx, options);
    const closed = d.endMsn !== undefined;
    const layout = new PlanLayout(d, closed ? d.contentMs : undefined);
    const startIndex = d.startMsn - first;
    const endIndex = closed ? d.endMsn! - first : Infinity;
    if (startIndex < n && endIndex > 0) {
      const pd: PlacedDecision = { decision: d, layout, startIndex, endIndex, outStartMsn: d.startMsn + dMsn };
      placed.push(pd);
      ccStart.set(pd, (d.ccBefore ?? 0) + dCc);
    }
    if (!closed) break;
    const delta = decisionDeltas(d);
    dMsn += delta.msn;
    dCc += delta.cc;
    steps.push([d.endMsn!, dMsn, dCc]);
  }
  const walked = walkStitched({
    content: window,
    tl,
    placed,
    options,
    visibility: { fromPdtMs: tl.pdtMs[0]!, toPdtMs: boundaryPdt(ctx, n) },
    contentOutMsn: (i) => first + i,
  });
  if (walked.segments.length === 0 || walked.first === undefined) {
    throw new ManifestError('INVALID_OPTIONS', 'the origin window is shorter than one replacement segment');
  }
  let msn: number;
  let dsn: number;
  if (walked.first.kind === 'plan') {
    msn = walked.first.placed.outStartMsn! + walked.first.seg.index;
    dsn = ccStart.get(walked.first.placed)! + walked.first.seg.run;
  } else {
    const i = walked.first.index;
    let m = state.base.msnDelta;
    let c = state.base.ccDelta;
    for (const [endMsn, sm, sc] of steps) {
      if (endMsn <= first + i) {
        m = sm;
        c = sc;
      }
    }
    msn = first + i + m;
    dsn = tl.cc[i]! + c;
  }
  // RFC 8216 §6.2.2: EXT-X-DISCONTINUITY-SEQUENCE is the counter of the first segment (its own tag is not written).
  const out = finishPlaylist(window, walked, msn, dsn);
  out.discontinuitySequence = dsn;
  if (state.targetDuration !== undefined && state.targetDuration > out.targetDuration)
    out.targetDuration = state.targetDuration;
  return out;
}
