/**
 * @module What is in force at each segment of a media playlist (keys, map, bitrate, sequence
 * numbers, times), resolved from the model's sparse, as-written tags in one pass.
 */
import type { Key, MediaInitializationSection, MediaPlaylist } from './model.ts';

/** The state in force at one segment. Arrays and objects are shared between segments: do not mutate them. */
export interface SegmentState {
  /** Media sequence number of the segment (EXT-X-MEDIA-SEQUENCE + index). */
  mediaSequence: number;
  /** Discontinuity sequence number of the segment (EXT-X-DISCONTINUITY-SEQUENCE + discontinuities so far). */
  discontinuitySequence: number;
  /** Keys in force, one per KEYFORMAT (absent KEYFORMAT = `identity`); empty when the segment is clear. */
  keys: readonly Key[];
  /** EXT-X-MAP in force. */
  map: MediaInitializationSection | undefined;
  /** EXT-X-BITRATE in force, kilobits per second. */
  bitrate: number | undefined;
  /** Start of the segment in seconds from the start of the playlist (sum of earlier EXTINF durations). */
  startSeconds: number;
  /**
   * Wall-clock start in epoch milliseconds: the segment's own EXT-X-PROGRAM-DATE-TIME, or the last
   * one plus the durations since (RFC 8216 §4.3.2.6); undefined before the first, and after a
   * discontinuity that carries none.
   */
  programDateTimeMs: number | undefined;
}

/**
 * Resolves the state in force at every segment, in one linear pass.
 *
 * @example
 * const states = resolveSegmentStates(playlist);
 * const clear = states[10]!.keys.length === 0;
 */
export function resolveSegmentStates(playlist: MediaPlaylist): SegmentState[] {
  const states: SegmentState[] = [];
  const byFormat = new Map<string, Key>();
  let keys: readonly Key[] = [];
  let map: MediaInitializationSection | undefined;
  let bitrate: number | undefined;
  let startSeconds = 0;
  let pdtMs: number | undefined;
  let discontinuitySequence = playlist.discontinuitySequence ?? 0;
  const firstSequence = playlist.mediaSequence ?? 0;
  const segments = playlist.segments;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    if (seg.discontinuity) {
      discontinuitySequence++;
      pdtMs = undefined; // RFC 8216 §4.3.2.6: times do not carry across a discontinuity
    }
    if (seg.keys !== undefined && seg.keys.length > 0) {
      for (const key of seg.keys) {
        // RFC 8216 §4.3.2.4: a key applies until the next EXT-X-KEY with the same KEYFORMAT; NONE clears.
        if (key.method === 'NONE') byFormat.clear();
        else byFormat.set(key.keyFormat ?? 'identity', key);
      }
      keys = [...byFormat.values()];
    }
    if (seg.map !== undefined) map = seg.map;
    if (seg.bitrate !== undefined) bitrate = seg.bitrate;
    if (seg.programDateTime !== undefined) {
      const ms = Date.parse(seg.programDateTime);
      pdtMs = Number.isNaN(ms) ? undefined : ms;
    }
    states.push({
      mediaSequence: firstSequence + i,
      discontinuitySequence,
      keys,
      map,
      bitrate,
      startSeconds,
      programDateTimeMs: pdtMs,
    });
    startSeconds += seg.duration;
    if (pdtMs !== undefined) pdtMs += seg.duration * 1000;
  }
  return states;
}
