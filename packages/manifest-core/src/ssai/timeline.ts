/** @module The resolved timeline of a media playlist: per-segment MSN, start offset, duration, wall-clock time and discontinuity counter, in integer milliseconds. */
import type { Key, MediaInitializationSection, MediaPlaylist } from '../playlist/model.ts';
import { applyKeyLines } from '../render/index.ts';

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
  /** Keys in force at each segment, one per KEYFORMAT (shared arrays: compare by reference). */
  keys: (readonly Key[])[];
  /** EXT-X-MAP in force at each segment. */
  maps: (MediaInitializationSection | undefined)[];
  /**
   * True when some segment is under a key whose IV is its media sequence number (RFC 8216 §5.2:
   * METHOD=AES-128, or SAMPLE-AES with the identity KEYFORMAT, without an IV attribute), so output
   * that renumbers segments must write that IV explicitly.
   */
  implicitIv: boolean;
}

/**
 * True for a key whose IV is the segment's media sequence number. RFC 8216 §5.2: "an IV attribute …
 * if not present, the Media Sequence Number is to be used as the IV"; that applies to AES-128 and to
 * SAMPLE-AES with the identity key format, while FairPlay, Widevine and PlayReady carry the IV in
 * their own license flow.
 */
export function usesImplicitIv(key: Key): boolean {
  if (key.iv !== undefined) return false;
  if (key.method === 'AES-128') return true;
  return key.method === 'SAMPLE-AES' && (key.keyFormat === undefined || key.keyFormat === 'identity');
}

/** Resolves the timeline of a media playlist (one pass over the segments). */
export function resolveTimeline(playlist: MediaPlaylist): Timeline {
  const segs = playlist.segments;
  const n = segs.length;
  // Filled with push, so V8 keeps them packed (no holes to check on every read).
  const durMs: number[] = [];
  const startMs: number[] = [];
  const pdtMs: number[] = [];
  const cc: number[] = [];
  const keys: (readonly Key[])[] = [];
  const maps: (MediaInitializationSection | undefined)[] = [];
  let keysInForce: readonly Key[] = [];
  let mapInForce: MediaInitializationSection | undefined;
  let t = 0;
  let counter = playlist.discontinuitySequence ?? 0;
  let firstPdt = -1;
  let implicitIv = false;
  for (let i = 0; i < n; i++) {
    const s = segs[i]!;
    const d = Math.round(s.duration * 1000);
    durMs.push(d);
    startMs.push(t);
    if (s.discontinuity) counter++;
    cc.push(counter);
    // RFC 8216 §4.3.2.4 (a key applies until the next of its KEYFORMAT; NONE clears) via render's applyKeyLines;
    // the array is shared while nothing changes, so the stitcher compares keys by reference.
    if (s.keys !== undefined && s.keys.length > 0) {
      keysInForce = applyKeyLines(keysInForce, s.keys);
      if (!implicitIv) implicitIv = keysInForce.some(usesImplicitIv);
    }
    keys.push(keysInForce);
    if (s.map !== undefined) mapInForce = s.map;
    maps.push(mapInForce);
    let p = NaN;
    if (s.programDateTime !== undefined) {
      p = Date.parse(s.programDateTime);
      if (Number.isNaN(p)) p = NaN;
      else if (firstPdt < 0) firstPdt = i;
    }
    if (Number.isNaN(p) && i > 0) p = pdtMs[i - 1]! + durMs[i - 1]!;
    pdtMs.push(p);
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
    implicitIv,
  };
}

/** Timelines of the last few playlists (strong references, bounded): a WeakMap's ephemerons cost more in V8's GC than they save. */
const recent: { playlist: MediaPlaylist; segments: readonly unknown[]; length: number; tl: Timeline }[] = [];
const RECENT_MAX = 8;

/**
 * {@link resolveTimeline}, memoised for the last few playlist objects (break detection, stitching
 * and tracking of one request share one pass). Inputs are treated as immutable, as everywhere in
 * this package; a replaced or resized `segments` array is noticed and resolved again.
 */
export function timelineOf(playlist: MediaPlaylist): Timeline {
  for (const e of recent) {
    if (e.playlist === playlist && e.segments === playlist.segments && e.length === playlist.segments.length)
      return e.tl;
  }
  const tl = resolveTimeline(playlist);
  if (recent.length >= RECENT_MAX) recent.pop();
  recent.unshift({ playlist, segments: playlist.segments, length: playlist.segments.length, tl });
  return tl;
}

/** Recently formatted PDTs: the same instants recur on every reload and every rendition, and toISOString is slow. */
const pdtTexts = new Map<number, string>();
const PDT_TEXTS_MAX = 8192;

/** Formats epoch milliseconds as an EXT-X-PROGRAM-DATE-TIME value (ISO-8601, UTC, millisecond precision). */
export function formatPdt(epochMs: number): string {
  let text = pdtTexts.get(epochMs);
  if (text === undefined) {
    text = new Date(epochMs).toISOString();
    if (pdtTexts.size >= PDT_TEXTS_MAX) pdtTexts.clear();
    pdtTexts.set(epochMs, text);
  }
  return text;
}
