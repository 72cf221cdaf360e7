/**
 * @module Break detection: one {@link Break} model from EXT-X-CUE-OUT/CONT/IN, EXT-X-DATERANGE
 * SCTE35-OUT/IN/CMD, EXT-X-SPLICEPOINT-SCTE35, EXT-OATCLS-SCTE35 and VOD pre/mid/post-roll offsets.
 */
import { ManifestError } from '../errors.ts';
import type { ManifestWarning } from '../errors.ts';
import type { DateRange, MediaPlaylist, MediaSegment } from '../playlist/model.ts';
import { decodeScte35 } from '../scte35/decode.ts';
import { describeScte35Break } from '../scte35/describe.ts';
import type { Scte35Break } from '../scte35/describe.ts';
import { timelineOf } from './timeline.ts';
import type { Timeline } from './timeline.ts';
import type { Break, BreakSource, ProgramSignal } from './types.ts';

/** segmentation_type_ids that open an ad avail (SCTE 35 Table 22: break, provider/distributor ad, placement opportunities, overlays). */
export const AD_OUT_SEGMENTATION_TYPES: ReadonlySet<number> = new Set([
  0x22, 0x30, 0x32, 0x34, 0x36, 0x38, 0x3a, 0x44, 0x46,
]);
/** The matching ends of {@link AD_OUT_SEGMENTATION_TYPES}. */
export const AD_IN_SEGMENTATION_TYPES: ReadonlySet<number> = new Set([
  0x23, 0x31, 0x33, 0x35, 0x37, 0x39, 0x3b, 0x45, 0x47,
]);
/** segmentation_type_ids that start a program (0x10 Program Start, 0x17 Program Overlap Start, 0x19 Program Start – In Progress). */
export const PROGRAM_START_SEGMENTATION_TYPES: ReadonlySet<number> = new Set([0x10, 0x17, 0x19]);
/** segmentation_type_ids that end a program (0x11 Program End, 0x12 Program Early Termination). */
export const PROGRAM_END_SEGMENTATION_TYPES: ReadonlySet<number> = new Set([0x11, 0x12]);

/** Options of {@link detectBreaks}. */
export interface DetectBreaksOptions {
  /** Treat `EXT-X-CUE-OUT:0` in a VOD playlist as an insertion point (MediaTailor). Default true. */
  cueOutZeroInserts?: boolean;
}

/** What {@link detectBreaks} returns. */
export interface DetectBreaksResult {
  /** Ad breaks in timeline order; breaks signalled by several markers at one segment are merged. */
  breaks: Break[];
  /** Program start/end signals (for SCTE-35-triggered blackouts). */
  programSignals: ProgramSignal[];
  /** Cues that could not be decoded (`SCTE35_UNREADABLE`); the marker is then used without its SCTE-35 details. */
  warnings: ManifestWarning[];
}

interface OpenBreak {
  brk: Break;
  index: number;
  /** Where the duration rule ends it (segment index), when a duration is known. */
}

type Cue = {
  dir: 'out' | 'in';
  source: BreakSource;
  durationSeconds?: number;
  scte35?: Scte35Break;
  cancelled?: boolean;
};

function decodeCue(payload: string, warnings: ManifestWarning[], what: string): Scte35Break | undefined {
  try {
    return describeScte35Break(decodeScte35(payload));
  } catch (error) {
    const detail = error instanceof ManifestError ? error.code : 'SCTE35_INVALID';
    warnings.push({ code: 'SCTE35_UNREADABLE', message: `${what}: ${detail}` });
    return undefined;
  }
}

/** Classifies a decoded cue as an ad out/in, a program signal, or nothing. */
function adDirection(cue: Scte35Break): 'out' | 'in' | undefined {
  if (cue.kind === 'none') return undefined;
  const t = cue.segmentationTypeId;
  if (t === undefined || t === 0) return cue.kind;
  if (AD_OUT_SEGMENTATION_TYPES.has(t)) return 'out';
  if (AD_IN_SEGMENTATION_TYPES.has(t)) return 'in';
  // splice_insert decides by out_of_network_indicator even with a descriptor attached.
  if (cue.availNum !== undefined) return cue.kind;
  return undefined;
}

function dateRangeCues(dr: DateRange, warnings: ManifestWarning[], signals: Scte35Break[]): Cue[] {
  const out: Cue[] = [];
  const duration = dr.duration ?? dr.plannedDuration;
  if (dr.scte35Out !== undefined) {
    const scte35 = decodeCue(dr.scte35Out, warnings, `DATERANGE ${dr.id} SCTE35-OUT`);
    if (scte35) signals.push(scte35);
    out.push({ dir: 'out', source: 'daterange', durationSeconds: duration ?? scte35?.durationSeconds, scte35 });
  }
  if (dr.scte35In !== undefined) {
    const scte35 = decodeCue(dr.scte35In, warnings, `DATERANGE ${dr.id} SCTE35-IN`);
    if (scte35) signals.push(scte35);
    out.push({ dir: 'in', source: 'daterange', scte35 });
  }
  if (dr.scte35Cmd !== undefined && dr.scte35Out === undefined && dr.scte35In === undefined) {
    const scte35 = decodeCue(dr.scte35Cmd, warnings, `DATERANGE ${dr.id} SCTE35-CMD`);
    if (scte35) signals.push(scte35);
    const dir = scte35 === undefined ? undefined : adDirection(scte35);
    if (dir !== undefined) {
      out.push({ dir, source: 'daterange', durationSeconds: duration ?? scte35?.durationSeconds, scte35 });
    }
  }
  return out;
}

function segmentCues(seg: MediaSegment, warnings: ManifestWarning[], signals: Scte35Break[]): Cue[] {
  const cues: Cue[] = [];
  let oatcls: Scte35Break | undefined;
  if (seg.oatclsScte35 !== undefined) {
    oatcls = decodeCue(seg.oatclsScte35, warnings, 'EXT-OATCLS-SCTE35');
    if (oatcls) signals.push(oatcls);
  }
  if (seg.cueOut !== undefined) {
    cues.push({
      dir: 'out',
      source: 'cue-out',
      durationSeconds: seg.cueOut.duration ?? oatcls?.durationSeconds,
      scte35: oatcls,
    });
  } else if (oatcls !== undefined) {
    const dir = adDirection(oatcls);
    if (dir !== undefined)
      cues.push({ dir, source: 'oatcls-scte35', durationSeconds: oatcls.durationSeconds, scte35: oatcls });
  }
  if (seg.cueIn) cues.push({ dir: 'in', source: 'cue-out' });
  if (seg.dateRanges !== undefined) {
    for (const dr of seg.dateRanges) {
      for (const c of dateRangeCues(dr, warnings, signals)) cues.push(c);
    }
  }
  if (seg.splicePointScte35 !== undefined) {
    const sp = decodeCue(seg.splicePointScte35, warnings, 'EXT-X-SPLICEPOINT-SCTE35');
    if (sp) {
      signals.push(sp);
      const dir = adDirection(sp);
      if (dir !== undefined)
        cues.push({ dir, source: 'splicepoint-scte35', durationSeconds: sp.durationSeconds, scte35: sp });
    }
  }
  return cues;
}

function breakId(cue: Cue, msn: number): string {
  const eventId = cue.scte35?.eventId;
  return eventId !== undefined && eventId !== 0 ? `scte35-${eventId}-${msn}` : `cue-${msn}`;
}

/**
 * The segment index where a break of `durationMs` that starts at segment `start` ends: the segment
 * boundary nearest to the planned end (breaks snap to segment boundaries).
 */
function endByDuration(tl: Timeline, start: number, durationMs: number, limit: number): number | undefined {
  const target = tl.startMs[start]! + durationMs;
  for (let j = start + 1; j <= limit; j++) {
    const boundary = j < tl.durMs.length ? tl.startMs[j]! : tl.totalMs;
    if (boundary >= target - tl.durMs[j - 1]! / 2) return j;
  }
  return undefined;
}

function close(tl: Timeline, open: OpenBreak, end: number): void {
  const b = open.brk;
  b.contentSegmentCount = end - open.index;
  const endMs = end < tl.durMs.length ? tl.startMs[end]! : tl.totalMs;
  b.contentDurationSeconds = (endMs - tl.startMs[open.index]!) / 1000;
}

/**
 * Finds the ad breaks of a media playlist. A break starts at the segment its out-marker precedes
 * and ends at the earliest of its in-marker and the segment boundary nearest to its planned
 * duration (MediaTailor: the earliest cue-in wins). Markers at the same segment are merged into one
 * break. A window that begins inside a break (CUE-OUT-CONT first) yields a break with
 * `startsBeforeWindow`. Undecodable SCTE-35 payloads become warnings, never exceptions.
 *
 * @example
 * const { breaks } = detectBreaks(parseMediaPlaylist(text).playlist);
 * breaks[0]; // { id: 'scte35-42-1000', startMsn: 1000, durationSeconds: 30, contentSegmentCount: 5, … }
 */
export function detectBreaks(playlist: MediaPlaylist, options: DetectBreaksOptions = {}): DetectBreaksResult {
  const cueOutZeroInserts = options.cueOutZeroInserts ?? true;
  const tl = timelineOf(playlist);
  const vod = playlist.endList === true || playlist.playlistType === 'VOD';
  const warnings: ManifestWarning[] = [];
  const breaks: Break[] = [];
  const programSignals: ProgramSignal[] = [];
  const n = playlist.segments.length;
  let open: OpenBreak | undefined;
  let openEnd: number | undefined;
  const pdtOf = (i: number): number | undefined => {
    const p = i < n ? tl.pdtMs[i] : tl.pdtMs[n - 1]! + tl.durMs[n - 1]!;
    return p === undefined || Number.isNaN(p) ? undefined : p;
  };

  for (let i = 0; i <= n; i++) {
    const seg = i < n ? playlist.segments[i]! : playlist.tail;
    if (open && openEnd !== undefined && openEnd === i) {
      close(tl, open, i);
      open = undefined;
      openEnd = undefined;
    }
    if (seg === undefined) continue;
    const signals: Scte35Break[] = [];
    const cues = segmentCues(seg as MediaSegment, warnings, signals);
    const msn = tl.firstMsn + i;
    for (const s of signals) {
      const t = s.segmentationTypeId;
      if (t === undefined || s.kind === 'none') continue;
      const kind = PROGRAM_START_SEGMENTATION_TYPES.has(t)
        ? 'program-start'
        : PROGRAM_END_SEGMENTATION_TYPES.has(t)
          ? 'program-end'
          : undefined;
      if (kind === undefined) continue;
      const sig: ProgramSignal = { kind, msn, offsetSeconds: (i < n ? tl.startMs[i]! : tl.totalMs) / 1000, scte35: s };
      const p = pdtOf(i);
      if (p !== undefined) sig.pdtMs = p;
      programSignals.push(sig);
    }
    for (const cue of cues) {
      if (cue.dir === 'in') {
        if (open && i > open.index) {
          close(tl, open, i);
          open = undefined;
          openEnd = undefined;
        }
        continue;
      }
      if (open) {
        // A second out-marker for the break already open (CUE-OUT + DATERANGE + OATCLS together): merge.
        if (open.index === i) {
          const b = open.brk;
          if (b.durationSeconds === undefined && cue.durationSeconds !== undefined) {
            b.durationSeconds = cue.durationSeconds;
            openEnd = endByDuration(tl, i, Math.round(cue.durationSeconds * 1000), n);
          }
          if (b.scte35 === undefined && cue.scte35 !== undefined) {
            b.scte35 = cue.scte35;
            b.id = breakId(cue, msn);
          }
        }
        continue;
      }
      if (i === n) continue; // an out-marker after the last segment starts nothing in this playlist
      const startOffsetSeconds = tl.startMs[i]! / 1000;
      const brk: Break = {
        id: breakId(cue, msn),
        source: cue.source,
        position: i === 0 && tl.firstMsn === (playlist.mediaSequence ?? 0) && vod ? 'pre' : 'mid',
        startMsn: msn,
        startOffsetSeconds,
        insert: false,
      };
      if (cue.durationSeconds !== undefined) brk.durationSeconds = cue.durationSeconds;
      if (cue.scte35 !== undefined) brk.scte35 = cue.scte35;
      const p = pdtOf(i);
      if (p !== undefined) brk.startPdtMs = p;
      breaks.push(brk);
      if (vod && cueOutZeroInserts && cue.source === 'cue-out' && cue.durationSeconds === 0) {
        brk.insert = true;
        brk.contentSegmentCount = 0;
        brk.contentDurationSeconds = 0;
        delete brk.durationSeconds;
        continue;
      }
      open = { brk, index: i };
      openEnd =
        cue.durationSeconds !== undefined && cue.durationSeconds > 0
          ? endByDuration(tl, i, Math.round(cue.durationSeconds * 1000), n)
          : undefined;
      if (openEnd === i) openEnd = i + 1;
    }
    // A window that begins inside a break: CUE-OUT-CONT on the first segment with nothing open.
    if (i === 0 && !open && seg.cueOutCont !== undefined && cues.every((c) => c.dir !== 'out')) {
      const elapsed = seg.cueOutCont.elapsedTime ?? 0;
      const brk: Break = {
        id: `cue-${msn}`,
        source: 'cue-out',
        position: 'mid',
        startMsn: msn,
        startOffsetSeconds: 0,
        insert: false,
        startsBeforeWindow: true,
      };
      if (seg.cueOutCont.duration !== undefined) brk.durationSeconds = seg.cueOutCont.duration;
      const p = pdtOf(0);
      if (p !== undefined) brk.startPdtMs = p - Math.round(elapsed * 1000);
      breaks.push(brk);
      open = { brk, index: 0 };
      openEnd =
        brk.durationSeconds !== undefined
          ? endByDuration(tl, 0, Math.round((brk.durationSeconds - elapsed) * 1000), n)
          : undefined;
    }
  }
  if (open && vod) close(tl, open, n);
  for (const b of breaks) {
    if (vod && b.insert && b.startMsn === tl.firstMsn + n) b.position = 'post';
  }
  return { breaks, programSignals, warnings };
}

/** VOD ad positions from asset metadata (or VMAP), in seconds of content. */
export interface VodAdOffsets {
  /** A pre-roll before the first segment. Default false. */
  preRoll?: boolean;
  /** Mid-roll offsets in seconds; each snaps to the nearest segment boundary. Default none. */
  midRollOffsetsSeconds?: readonly number[];
  /** A post-roll after the last segment. Default false. */
  postRoll?: boolean;
  /** Planned duration in seconds for every break (fills with slate / trims ads to it); default: the pod's own length. */
  breakDurationSeconds?: number;
}

/**
 * Insertion breaks from VOD asset metadata: pre-roll, mid-rolls snapped to the nearest segment
 * boundary (offsets at or beyond the end become the post-roll; duplicates after snapping merge) and
 * a post-roll.
 *
 * @example
 * breaksFromVodOffsets(vod, { preRoll: true, midRollOffsetsSeconds: [600, 1200], postRoll: true });
 */
export function breaksFromVodOffsets(playlist: MediaPlaylist, offsets: VodAdOffsets): Break[] {
  const tl = timelineOf(playlist);
  const n = tl.durMs.length;
  const atIndex = new Map<number, Break>();
  const add = (index: number, position: Break['position'], id: string): void => {
    if (atIndex.has(index)) return;
    const brk: Break = {
      id,
      source: 'vod-offset',
      position,
      startMsn: tl.firstMsn + index,
      startOffsetSeconds: (index < n ? tl.startMs[index]! : tl.totalMs) / 1000,
      insert: true,
      contentSegmentCount: 0,
      contentDurationSeconds: 0,
    };
    if (offsets.breakDurationSeconds !== undefined) brk.durationSeconds = offsets.breakDurationSeconds;
    const p = index < n ? tl.pdtMs[index] : n > 0 ? tl.pdtMs[n - 1]! + tl.durMs[n - 1]! : NaN;
    if (p !== undefined && !Number.isNaN(p)) brk.startPdtMs = p;
    atIndex.set(index, brk);
  };
  if (offsets.preRoll) add(0, 'pre', 'vod-pre');
  for (const seconds of offsets.midRollOffsetsSeconds ?? []) {
    if (!Number.isFinite(seconds) || seconds < 0) {
      throw new ManifestError('INVALID_OPTIONS', `mid-roll offset ${seconds} is not a non-negative number of seconds`);
    }
    const target = Math.round(seconds * 1000);
    // Nearest boundary: binary search over segment starts.
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (tl.startMs[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    let index = lo;
    if (index > 0) {
      const after = index < n ? tl.startMs[index]! : tl.totalMs;
      if (target - tl.startMs[index - 1]! < after - target) index--;
    }
    if (index >= n) add(n, 'post', 'vod-post');
    else if (index === 0) add(0, 'pre', 'vod-pre');
    else add(index, 'mid', `vod-${Math.round(tl.startMs[index]!)}`);
  }
  if (offsets.postRoll) add(n, 'post', 'vod-post');
  return [...atIndex.values()].sort((a, b) => a.startMsn - b.startMsn);
}
