/**
 * @module Keys in force at one position of a media playlist, on top of the playlist module's
 * `resolveSegmentStates` (tags are sparse as written: a KEY applies until the next one of its
 * KEYFORMAT, and METHOD=NONE ends them all).
 */
import { ManifestError } from '../errors.ts';
import { resolveSegmentStates } from '../playlist/index.ts';
import type { Key, MediaPlaylist } from '../playlist/index.ts';

/** The KEYFORMAT a key belongs to; absent means `identity` (RFC 8216 §4.3.2.4). */
export function keyFormatOf(key: Key): string {
  return key.keyFormat ?? 'identity';
}

/**
 * Applies key lines, in order, to keys in force (one per KEYFORMAT) and returns the result;
 * RFC 8216 §4.3.2.4: METHOD=NONE means the following segments are clear, whatever the KEYFORMAT.
 */
export function applyKeyLines(inForce: readonly Key[], lines: readonly Key[] | undefined): Key[] {
  if (lines === undefined || lines.length === 0) return [...inForce];
  const byFormat = new Map<string, Key>();
  for (const k of inForce) byFormat.set(keyFormatOf(k), k);
  for (const k of lines) {
    if (k.method === 'NONE') byFormat.clear();
    else byFormat.set(keyFormatOf(k), k);
  }
  return [...byFormat.values()];
}

/**
 * The EXT-X-KEY lines in force at `segments[index]`, one per KEYFORMAT, including the segment's
 * own key lines; `[]` when the segment is clear. `index === segments.length` gives what a segment
 * appended after the last one (or the in-progress tail) inherits. SSAI uses it to re-emit the
 * content keys after a METHOD=NONE ad break. Throws ManifestError INVALID_OPTIONS for an index
 * outside `0…segments.length`.
 * @example
 * const keys = keysInForceAt(playlist, 12); // e.g. [FairPlay key, Widevine key, PlayReady key]
 */
export function keysInForceAt(playlist: MediaPlaylist, index: number): Key[] {
  const n = playlist.segments.length;
  if (!Number.isInteger(index) || index < 0 || index > n) {
    throw new ManifestError('INVALID_OPTIONS', `segment index ${index} is outside 0…${n}`);
  }
  if (index === 0 && n === 0) return applyKeyLines([], playlist.tail?.keys);
  const last = Math.min(index, n - 1);
  const states = resolveSegmentStates({ ...playlist, segments: playlist.segments.slice(0, last + 1) });
  const keys = [...states[last]!.keys];
  return index === n ? applyKeyLines(keys, playlist.tail?.keys) : keys;
}
