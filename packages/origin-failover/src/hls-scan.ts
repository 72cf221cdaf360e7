/** @module A tiny linear scan of a media playlist's header (MEDIA-SEQUENCE, TARGETDURATION, ENDLIST) and the stale-live-playlist detector. */

/** What the header scan found. */
export interface PlaylistHead {
  /** True when EXT-X-TARGETDURATION was seen (a media, not a master, playlist). */
  isMedia: boolean;
  mediaSequence: number;
  targetDurationSeconds: number | undefined;
  /** True for EXT-X-ENDLIST or PLAYLIST-TYPE:VOD: the playlist will never advance again. */
  ended: boolean;
}

/**
 * Reads the tags before the first segment line; a full parse is manifest-core's job,
 * this only needs three numbers and costs one pass over the first lines.
 */
export function scanPlaylistHead(text: string): PlaylistHead {
  let mediaSequence = 0; // RFC 8216 §4.3.3.2: absent means 0
  let targetDurationSeconds: number | undefined;
  let vod = false;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end).trim();
    start = end + 1;
    if (line.startsWith('#EXTINF') || (line !== '' && !line.startsWith('#'))) break;
    if (line.startsWith('#EXT-X-MEDIA-SEQUENCE:')) mediaSequence = Number.parseInt(line.slice(22), 10) || 0;
    else if (line.startsWith('#EXT-X-TARGETDURATION:')) targetDurationSeconds = Number(line.slice(22));
    else if (line === '#EXT-X-PLAYLIST-TYPE:VOD') vod = true;
  }
  const ended = vod || text.lastIndexOf('#EXT-X-ENDLIST') >= 0;
  return { isMedia: targetDurationSeconds !== undefined, mediaSequence, targetDurationSeconds, ended };
}

const MAX_TRACKED = 10_000; // playlists remembered per group; the oldest is forgotten first

/** Remembers, per origin and playlist path, when its media sequence last advanced. */
export class StalenessTracker {
  private readonly seen = new Map<string, { sequence: number; changedAtMs: number }>();

  constructor(private readonly targetDurations: number) {}

  /**
   * Records a 200 playlist from `originId` and answers whether it is stale: live, and
   * its media sequence unchanged for more than `targetDurations` × TARGETDURATION.
   */
  observe(originId: string, path: string, text: string, nowMs: number): boolean {
    const head = scanPlaylistHead(text);
    if (!head.isMedia || head.ended || !head.targetDurationSeconds) return false;
    const key = `${originId}\u0000${path}`;
    const prev = this.seen.get(key);
    if (!prev || prev.sequence !== head.mediaSequence) {
      this.seen.delete(key);
      if (this.seen.size >= MAX_TRACKED) {
        const oldest = this.seen.keys().next().value;
        if (oldest !== undefined) this.seen.delete(oldest);
      }
      this.seen.set(key, { sequence: head.mediaSequence, changedAtMs: nowMs });
      return false;
    }
    return nowMs - prev.changedAtMs > this.targetDurations * head.targetDurationSeconds * 1000;
  }
}
