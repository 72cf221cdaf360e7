/**
 * @module Blackout and content replacement as data: audiences (country, continent, subdivision,
 * device; match ALL / ANY / NONE, as Uplynk audiences), windows in wall-clock time (live, through
 * PROGRAM-DATE-TIME), media time (VOD) or SCTE-35 program segmentation, replacement by slate or an
 * alternate asset, and reverse blackout. Rules apply per viewer and become {@link BreakDecision}s,
 * so discontinuities, keys and sequencing work exactly as for ads.
 */
import { ManifestError } from '../errors.ts';
import type { MediaPlaylist } from '../playlist/model.ts';
import type { Scte35Break } from '../scte35/describe.ts';
import { detectBreaks } from './breaks.ts';
import { segmentDurationsMs } from './plan.ts';
import { timelineOf } from './timeline.ts';
import type { BreakDecision, FillerAsset } from './types.ts';

/** What is known about the viewer, from the edge (request.cf) or a trusted header. */
export interface ViewerProfile {
  /** ISO 3166-1 alpha-2, e.g. `US`. */
  country?: string;
  /** Two-letter continent code, e.g. `NA`, `EU`. */
  continent?: string;
  /** ISO 3166-2, e.g. `US-CA`. */
  subdivision?: string;
  /** Device class, e.g. `mobile`, `tv`, `desktop`. */
  device?: string;
}

/** An audience: viewers matching its criteria. Codes compare case-insensitively. */
export interface Audience {
  countries?: readonly string[];
  continents?: readonly string[];
  subdivisions?: readonly string[];
  devices?: readonly string[];
  /** ALL: every given criterion matches; ANY: at least one; NONE: none does (Uplynk match_type). */
  match: 'ALL' | 'ANY' | 'NONE';
}

/** When a rule blacks content out. */
export type BlackoutTrigger =
  /** A wall-clock window (epoch ms), matched against EXT-X-PROGRAM-DATE-TIME (live, or VOD with PDT). */
  | { kind: 'wallClock'; startMs: number; endMs: number }
  /** A media-time window in seconds from the start of a VOD asset. */
  | { kind: 'mediaTime'; startSeconds: number; endSeconds: number }
  /**
   * SCTE-35 program segmentation (program start … program end). Optional filters: the UPID and the
   * segmentation event id. Geographic rules fire only when the signal's no_regional_blackout_flag is
   * 0; a rule with `deviceGroup` fires when the signal's device_restrictions names that group.
   */
  | { kind: 'scte35'; upid?: string; segmentationEventId?: number; deviceGroup?: 0 | 1 | 2 };

/** One blackout rule. */
export interface BlackoutRule {
  id: string;
  audience: Audience;
  trigger: BlackoutTrigger;
  /** The filler asset (slate or alternate content) shown instead, by id. */
  replacementId: string;
  /** Reverse blackout: only the audience may watch; everyone else gets the replacement. Default false. */
  reverse?: boolean;
}

function inList(list: readonly string[] | undefined, value: string | undefined): boolean | undefined {
  if (list === undefined || list.length === 0) return undefined;
  if (value === undefined) return false;
  const v = value.toUpperCase();
  for (const x of list) if (x.toUpperCase() === v) return true;
  return false;
}

/**
 * True when the viewer is in the audience.
 *
 * @example
 * matchAudience({ countries: ['US'], devices: ['tv'], match: 'ALL' }, { country: 'us', device: 'tv' }); // true
 */
export function matchAudience(audience: Audience, viewer: ViewerProfile): boolean {
  const results: boolean[] = [];
  for (const r of [
    inList(audience.countries, viewer.country),
    inList(audience.continents, viewer.continent),
    inList(audience.subdivisions, viewer.subdivision),
    inList(audience.devices, viewer.device),
  ]) {
    if (r !== undefined) results.push(r);
  }
  switch (audience.match) {
    case 'ALL':
      return results.every((r) => r);
    case 'ANY':
      return results.some((r) => r);
    case 'NONE':
      return !results.some((r) => r);
  }
}

/** True when the rule replaces the content for this viewer (reverse blackouts invert the audience). */
export function ruleApplies(rule: BlackoutRule, viewer: ViewerProfile): boolean {
  const inAudience = matchAudience(rule.audience, viewer);
  return rule.reverse ? !inAudience : inAudience;
}

/** True when a decoded program-start signal triggers an SCTE-35 rule, honouring its restriction flags. */
export function scte35Triggers(rule: BlackoutRule, signal: Scte35Break): boolean {
  const t = rule.trigger;
  if (t.kind !== 'scte35') return false;
  if (t.upid !== undefined && signal.upid !== t.upid) return false;
  if (t.segmentationEventId !== undefined && signal.eventId !== t.segmentationEventId) return false;
  const a = rule.audience;
  const geo = (a.countries?.length ?? 0) + (a.continents?.length ?? 0) + (a.subdivisions?.length ?? 0) > 0;
  // SCTE 35 §10.3.3.1: no_regional_blackout_flag = 0 means regional blackout restrictions apply.
  const regional = geo && signal.noRegionalBlackout === false;
  // device_restrictions 0–2 name the restricted device group (SCTE 35 Table 20); 3 is none.
  const device = t.deviceGroup !== undefined && signal.deviceRestrictions === t.deviceGroup;
  if (!geo && t.deviceGroup === undefined) return true;
  return regional || device;
}

/** Checks a rule set once (ids unique, windows ordered, fillers present) and throws INVALID_OPTIONS otherwise. */
export function validateBlackoutRules(rules: readonly BlackoutRule[], fillers: readonly FillerAsset[]): void {
  const ids = new Set<string>();
  const fillerIds = new Set(fillers.map((f) => f.id));
  for (const r of rules) {
    if (ids.has(r.id)) throw new ManifestError('INVALID_OPTIONS', `duplicate blackout rule id ${r.id}`);
    ids.add(r.id);
    if (!fillerIds.has(r.replacementId)) {
      throw new ManifestError('INVALID_OPTIONS', `blackout rule ${r.id}: no filler asset "${r.replacementId}"`);
    }
    const t = r.trigger;
    if (t.kind === 'wallClock' && !(t.endMs > t.startMs))
      throw new ManifestError('INVALID_OPTIONS', `blackout rule ${r.id}: empty window`);
    if (t.kind === 'mediaTime' && !(t.endSeconds > t.startSeconds))
      throw new ManifestError('INVALID_OPTIONS', `blackout rule ${r.id}: empty window`);
  }
}

/** Nearest segment boundary index to `ms` (0…n) in a list of segment starts. */
function nearestBoundary(startMs: readonly number[], totalMs: number, ms: number): number {
  const n = startMs.length;
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (startMs[mid]! < ms) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0) {
    const after = lo < n ? startMs[lo]! : totalMs;
    if (ms - startMs[lo - 1]! < after - ms) lo--;
  }
  return lo;
}

/** A blackout decision over content indexes [from, to) of a playlist. */
function blackoutDecision(
  rule: BlackoutRule,
  filler: FillerAsset,
  firstMsn: number,
  from: number,
  to: number,
  fromMs: number,
  toMs: number,
  pdtMs: number | undefined,
): BreakDecision {
  const d: BreakDecision = {
    id: `blackout:${rule.id}:${firstMsn + from}`,
    fill: 'filler',
    cause: 'blackout',
    startMsn: firstMsn + from,
    ads: [],
    // VOD loops every filler from its start (an alternate live stream is a live-only notion).
    filler: { id: filler.id, loopMs: segmentDurationsMs(filler.renditions) },
    endMsn: firstMsn + to,
    contentMs: toMs - fromMs,
    plannedMs: toMs - fromMs,
  };
  if (pdtMs !== undefined && !Number.isNaN(pdtMs)) d.startPdtMs = pdtMs;
  return d;
}

/** Options of {@link planVodBlackouts}. */
export interface PlanVodBlackoutsOptions {
  rules: readonly BlackoutRule[];
  viewer: ViewerProfile;
  /** Slate and alternate assets, by id. */
  fillers: readonly FillerAsset[];
}

/**
 * Turns the rules that apply to this viewer into blackout decisions over a VOD playlist: media-time
 * windows, wall-clock windows (when the content has PDT) and SCTE-35 program start … end, each
 * snapped to the nearest segment boundaries. Overlapping windows merge into the earlier rule's.
 * Pass the result to planVodSession as `blackouts`: blackouts win over ad breaks they overlap.
 *
 * @example
 * const blackouts = planVodBlackouts(vod, { rules, viewer: { country: 'US' }, fillers: [slate] });
 */
export function planVodBlackouts(content: MediaPlaylist, options: PlanVodBlackoutsOptions): BreakDecision[] {
  validateBlackoutRules(options.rules, options.fillers);
  const tl = timelineOf(content);
  const n = tl.durMs.length;
  const fillers = new Map(options.fillers.map((f) => [f.id, f]));
  const ranges: { rule: BlackoutRule; from: number; to: number }[] = [];
  const signals = options.rules.some((r) => r.trigger.kind === 'scte35') ? detectBreaks(content).programSignals : [];
  for (const rule of options.rules) {
    if (!ruleApplies(rule, options.viewer)) continue;
    const t = rule.trigger;
    if (t.kind === 'mediaTime') {
      ranges.push({
        rule,
        from: nearestBoundary(tl.startMs, tl.totalMs, t.startSeconds * 1000),
        to: nearestBoundary(tl.startMs, tl.totalMs, t.endSeconds * 1000),
      });
    } else if (t.kind === 'wallClock') {
      if (!tl.hasPdt || n === 0) continue;
      const base = tl.pdtMs[0]!;
      ranges.push({
        rule,
        from: nearestBoundary(tl.startMs, tl.totalMs, t.startMs - base),
        to: nearestBoundary(tl.startMs, tl.totalMs, t.endMs - base),
      });
    } else {
      for (let s = 0; s < signals.length; s++) {
        const sig = signals[s]!;
        if (sig.kind !== 'program-start' || !scte35Triggers(rule, sig.scte35)) continue;
        const end = signals.slice(s + 1).find((x) => x.kind === 'program-end');
        const from = sig.msn - tl.firstMsn;
        const to =
          end !== undefined
            ? end.msn - tl.firstMsn
            : sig.scte35.durationSeconds !== undefined
              ? nearestBoundary(
                  tl.startMs,
                  tl.totalMs,
                  (from < n ? tl.startMs[from]! : tl.totalMs) + sig.scte35.durationSeconds * 1000,
                )
              : n;
        ranges.push({ rule, from, to });
      }
    }
  }
  ranges.sort((a, b) => a.from - b.from);
  const out: BreakDecision[] = [];
  let lastTo = -1;
  for (const r of ranges) {
    const from = Math.max(r.from, lastTo);
    if (r.to <= from) continue;
    const fromMs = from < n ? tl.startMs[from]! : tl.totalMs;
    const toMs = r.to < n ? tl.startMs[r.to]! : tl.totalMs;
    out.push(
      blackoutDecision(
        r.rule,
        fillers.get(r.rule.replacementId)!,
        tl.firstMsn,
        from,
        r.to,
        fromMs,
        toMs,
        tl.hasPdt ? tl.pdtMs[Math.min(from, n - 1)] : undefined,
      ),
    );
    lastTo = r.to;
  }
  return out;
}
