/**
 * @module Clear initialization sections stay clear. RFC 8216 §4.3.2.4: an EXT-X-KEY applies to every
 * Media Segment and every EXT-X-MAP after it, so a map written after a re-emitted AES-128 key is
 * one the player decrypts. Packagers (transcode-gpu, ffmpeg) encrypt segments but leave the init
 * section clear, writing EXT-X-MAP first; stitching and window trimming re-emit key and map on the
 * same segment, where the canonical order (key first) would make a clear map "encrypted" and the
 * player fail to decrypt it. This pass restores the source's meaning.
 */
import type { Key, LineKind, MediaPlaylist, MediaSegment } from '../playlist/model.ts';

/** True when one of the keys encrypts whole resources (only AES-128 covers a map, RFC 8216 §4.3.2.5). */
function encryptsWhole(keys: readonly Key[]): boolean {
  return keys.some((k) => k.method === 'AES-128');
}

/** True when a segment's map line comes before its key lines (recorded `order`; canonical is keys first). */
function mapBeforeKeys(seg: MediaSegment): boolean {
  const order = seg.order;
  if (order === undefined) return false;
  const map = order.indexOf('map');
  const key = order.indexOf('key');
  return map !== -1 && key !== -1 && map < key;
}

/** URIs of a playlist's EXT-X-MAPs declared while no AES-128 key was in force: its clear initialization sections. */
export function clearMapUris(playlist: MediaPlaylist, into: Set<string> = new Set()): Set<string> {
  let encrypted = false;
  for (const seg of playlist.segments) {
    const after: boolean = seg.keys !== undefined ? encryptsWhole(seg.keys) : encrypted;
    if (seg.map !== undefined) {
      const atMap = seg.keys !== undefined && !mapBeforeKeys(seg) ? after : encrypted;
      if (!atMap) into.add(seg.map.uri);
    }
    encrypted = after;
  }
  return into;
}

/** SEGMENT_ORDER's first slots with the map moved before the keys; later lines keep their canonical place. */
const MAP_FIRST: readonly LineKind[] = ['discontinuity', 'map', 'key'];

/**
 * Writes every clear map (by URI, see {@link clearMapUris}) that shares its segment with an AES-128
 * key before that key. Segments are copied, never modified (outputs share segments with inputs).
 */
export function keepClearMapsClear(out: MediaPlaylist, clear: ReadonlySet<string>): MediaPlaylist {
  if (clear.size === 0) return out;
  let segments: MediaSegment[] | undefined;
  out.segments.forEach((seg, i) => {
    if (
      seg.map === undefined ||
      seg.keys === undefined ||
      !clear.has(seg.map.uri) ||
      !encryptsWhole(seg.keys) ||
      mapBeforeKeys(seg)
    )
      return;
    segments ??= [...out.segments];
    // Slots already recorded keep their order after the map and keys.
    const rest = (seg.order ?? []).filter((k) => k !== 'discontinuity' && k !== 'map' && k !== 'key');
    segments[i] = { ...seg, order: [...MAP_FIRST, ...rest] };
  });
  return segments === undefined ? out : { ...out, segments };
}
