/** @module The playlist header scan, the staleness detector and Retry-After parsing. */
import { describe, expect, it } from 'vitest';
import { StalenessTracker, scanPlaylistHead } from './hls-scan.ts';
import { parseRetryAfterMs } from './memory.ts';

describe('scanPlaylistHead', () => {
  it('reads MEDIA-SEQUENCE, TARGETDURATION and ENDLIST', () => {
    const head = scanPlaylistHead(
      '#EXTM3U\r\n#EXT-X-TARGETDURATION:6\r\n#EXT-X-MEDIA-SEQUENCE:1234\r\n#EXTINF:6,\r\na.ts\r\n#EXT-X-ENDLIST\r\n',
    );
    expect(head).toEqual({ isMedia: true, mediaSequence: 1234, targetDurationSeconds: 6, ended: true });
  });

  it('defaults MEDIA-SEQUENCE to 0 and stops at the first segment', () => {
    const head = scanPlaylistHead('#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\na.ts\n#EXT-X-MEDIA-SEQUENCE:99\n');
    expect(head.mediaSequence).toBe(0);
    expect(head.ended).toBe(false);
  });

  it('treats PLAYLIST-TYPE:VOD as ended and a master playlist as not media', () => {
    expect(scanPlaylistHead('#EXTM3U\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-TARGETDURATION:6\n').ended).toBe(true);
    expect(scanPlaylistHead('#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv.m3u8\n').isMedia).toBe(false);
  });
});

describe('StalenessTracker', () => {
  it('is stale only after more than N × target duration without a new media sequence, per origin', () => {
    const t = new StalenessTracker(3);
    const pl = (seq: number) => `#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:${seq}\n#EXTINF:2,\na.ts\n`;
    expect(t.observe('a', '/l.m3u8', pl(1), 0)).toBe(false);
    expect(t.observe('a', '/l.m3u8', pl(1), 6_000)).toBe(false);
    expect(t.observe('a', '/l.m3u8', pl(1), 6_001)).toBe(true);
    expect(t.observe('b', '/l.m3u8', pl(1), 6_001)).toBe(false);
    expect(t.observe('a', '/l.m3u8', pl(2), 6_002)).toBe(false);
  });
});

describe('parseRetryAfterMs', () => {
  it('reads delta-seconds and HTTP dates, and ignores garbage', () => {
    expect(parseRetryAfterMs('120', 0)).toBe(120_000);
    expect(parseRetryAfterMs('Thu, 01 Jan 1970 00:00:10 GMT', 4_000)).toBe(6_000);
    expect(parseRetryAfterMs('soon', 0)).toBeUndefined();
    expect(parseRetryAfterMs(null, 0)).toBeUndefined();
  });
});
