/** @module resolveSegmentStates: keys per KEYFORMAT, maps, sequence numbers and times in force. */
import { describe, expect, it } from 'vitest';
import { parseMediaPlaylist } from './parse.ts';
import { resolveSegmentStates } from './state.ts';

describe('resolveSegmentStates', () => {
  it('tracks keys per KEYFORMAT, METHOD=NONE, maps, bitrates, sequence numbers and times', () => {
    const { playlist } = parseMediaPlaylist(`#EXTM3U
#EXT-X-TARGETDURATION:6
#EXT-X-MEDIA-SEQUENCE:100
#EXT-X-DISCONTINUITY-SEQUENCE:4
#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://a",KEYFORMAT="com.apple.streamingkeydelivery"
#EXT-X-KEY:METHOD=SAMPLE-AES,URI="data:wv-a",KEYFORMAT="urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed"
#EXT-X-MAP:URI="init-a.mp4"
#EXT-X-BITRATE:800
#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:00.000Z
#EXTINF:6,
s0.m4s
#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://b",KEYFORMAT="com.apple.streamingkeydelivery"
#EXTINF:4,
s1.m4s
#EXT-X-DISCONTINUITY
#EXT-X-KEY:METHOD=NONE
#EXT-X-MAP:URI="init-ad.mp4"
#EXTINF:5,
ad0.m4s
#EXT-X-DISCONTINUITY
#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:01:00.000Z
#EXTINF:6,
s2.m4s
`);
    const states = resolveSegmentStates(playlist);
    expect(states.map((s) => [s.mediaSequence, s.discontinuitySequence, s.startSeconds])).toEqual([
      [100, 4, 0],
      [101, 4, 6],
      [102, 5, 10],
      [103, 6, 15],
    ]);
    expect(states.map((s) => s.keys.map((k) => k.uri))).toEqual([
      ['skd://a', 'data:wv-a'],
      ['skd://b', 'data:wv-a'], // only the FairPlay key rotated
      [], // METHOD=NONE clears every key format
      [],
    ]);
    expect(states.map((s) => s.map?.uri)).toEqual(['init-a.mp4', 'init-a.mp4', 'init-ad.mp4', 'init-ad.mp4']);
    expect(states.map((s) => s.bitrate)).toEqual([800, 800, 800, 800]);
    expect(states.map((s) => s.programDateTimeMs)).toEqual([
      Date.UTC(2026, 0, 1, 0, 0, 0),
      Date.UTC(2026, 0, 1, 0, 0, 6),
      undefined, // a discontinuity without its own PDT: the wall clock is unknown
      Date.UTC(2026, 0, 1, 0, 1, 0),
    ]);
  });
});
