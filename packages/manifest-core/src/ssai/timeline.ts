/** @module The resolved timeline of a media playlist: per-segment MSN, start offset, duration, wall-clock time and discontinuity counter, in integer milliseconds. */
import type { Key, MediaInitializationSection, MediaPlaylist } from '../playlist/model.ts';
import { resolveSegmentStates } from '../playlist/index.ts';

/** Per-segment timing of a media playlist, resolved once so that stitching never re-walks tags. */
export interface Timeline {
  /** MSN of the first segment (EXT-X-MEDIA-SEQUENCE, default 0). */
  firstMsn: number;
  /** Segment durations in ms (EXTINF rounded to the millisecond). */
  durMs: number[];
  /** Start of each segment in ms from the start of the first segment. */
  startMs: number[];
  /** Total duration in ms. */
  totalMs: number;
  /**
   * Wall-clock start of each segment (epoch ms): explicit EXT-X-PROGRAM-DATE-TIME, else the previous
   * segment's plus its duration, back-filled before the first tag (RFC 8216 §4.3.2.6). NaN when the
   * playlist has no PDT.
   */
  pdtMs: number[];
  /** True when at least one segment carries EXT-X-PROGRAM-DATE-TIME. */
  hasPdt: boolean;
  /** Origin discontinuity counter of each segment: EXT-X-DISCONTINUITY-SEQUENCE plus the tags up to and including it. */
  cc: number[];
  /** Keys in force at each segment (shared arrays: compare by reference), from the playlist module's resolveSegmentStates. */
  keys: (readonly Key[])[];
  /** EXT-X-MAP in force at each segment. */
  maps: (MediaInitializationSection | undefined)[];
}

/** Resolves the timeline of a media playlist (one pass over the segments). */
export function resolveTimeline(playlist: MediaPlaylist): Timeline {
  const segs = playlist.segments;
  const n = segs.length;
  const durMs = new Array<number>(n);
  const startMs = new Array<number>(n);
  const pdtMs = new Array<number>(n);
  const cc = new Array<number>(n);
  const keys = new Array<readonly Key[]>(n);
  const maps = new Array<MediaInitializationSection | undefined>(n);
  const states = resolveSegmentStates(playlist);
  let t = 0;
  let counter = playlist.discontinuitySequence ?? 0;
  let firstPdt = -1;
  for (let i = 0; i < n; i++) {
    const s = segs[i]!;
    const d = Math.round(s.duration * 1000);
    durMs[i] = d;
    startMs[i] = t;
    if (s.discontinuity) counter++;
    cc[i] = counter;
    const st = states[i]!;
    keys[i] = st.keys;
    maps[i] = st.map;
    let p = NaN;
    if (s.programDateTime !== undefined) {
      p = Date.parse(s.programDateTime);
      if (Number.isNaN(p)) p = NaN;
      else if (firstPdt < 0) firstPdt = i;
    }
    if (Number.isNaN(p) && i > 0) p = pdtMs[i - 1]! + durMs[i - 1]!;
    pdtMs[i] = p;
    t += d;
  }
  if (firstPdt > 0) {
    for (let i = firstPdt - 1; i >= 0; i--) pdtMs[i] = pdtMs[i + 1]! - durMs[i]!;
  }
  return {
    firstMsn: playlist.mediaSequence ?? 0,
    durMs,
    startMs,
    totalMs: t,
    pdtMs,
    hasPdt: firstPdt >= 0,
    cc,
    keys,
    maps,
  };
}

const cache = new WeakMap<MediaPlaylist, { segments: readonly unknown[]; length: number; tl: Timeline }>();

/**
 * {@link resolveTimeline}, memoised per playlist object (break detection, stitching and tracking
 * of one request share one pass). Inputs are treated as immutable, as everywhere in this package;
 * a replaced or resized `segments` array is noticed and resolved again.
 */
export function timelineOf(playlist: MediaPlaylist): Timeline {
  const hit = cache.get(playlist);
  if (hit !== undefined && hit.segments === playlist.segments && hit.length === playlist.segments.length) return hit.tl;
  const tl = resolveTimeline(playlist);
  cache.set(playlist, { segments: playlist.segments, length: playlist.segments.length, tl });
  return tl;
}

/** Formats epoch milliseconds as an EXT-X-PROGRAM-DATE-TIME value (ISO-8601, UTC, millisecond precision). */
export function formatPdt(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
