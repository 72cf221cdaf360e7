/** @module Serializer behaviour: edits through typed fields only, canonical order, refusal of unwritable values. */
import { describe, expect, it } from 'vitest';
import { ManifestError } from '../errors.ts';
import type { Key, MasterPlaylist, MediaPlaylist, MediaSegment } from './model.ts';
import { SEGMENT_ORDER } from './model.ts';
import { parseMasterPlaylist, parseMediaPlaylist } from './parse.ts';
import { serializePlaylist } from './serialize.ts';

const LIVE = `#EXTM3U
#EXT-X-VERSION:6
## packager: example 1.2
#EXT-X-MEDIA-SEQUENCE:100
#EXT-X-TARGETDURATION:6
#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:00.000Z
#EXT-X-VENDOR-HINT:abc
#EXT-X-KEY:URI="https://k.example/1",METHOD=AES-128
#EXTINF:6,
s100.ts
#EXTINF:6,
s101.ts
#EXT-X-DISCONTINUITY
#EXTINF:6,
s102.ts
`;

const widevine: Key = {
  method: 'SAMPLE-AES-CTR',
  uri: 'data:text/plain;base64,AAAAW3Bzc2g=',
  keyFormat: 'urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed',
  keyFormatVersions: '1',
};

describe('serializePlaylist', () => {
  it('writes a parsed playlist back byte for byte, unknown tags and comments in place', () => {
    expect(serializePlaylist(parseMediaPlaylist(LIVE).playlist)).toBe(LIVE);
  });

  it('rewriting URIs and replacing a key through typed fields keeps everything else in place', () => {
    const { playlist } = parseMediaPlaylist(LIVE);
    for (const seg of playlist.segments) seg.uri = `https://cdn.example.com/live/${seg.uri}?token=a%2Fb`;
    playlist.segments[0]!.keys = [{ method: 'AES-128', uri: 'https://keys.example.com/2?session=s1' }];
    expect(serializePlaylist(playlist)).toBe(`#EXTM3U
#EXT-X-VERSION:6
## packager: example 1.2
#EXT-X-MEDIA-SEQUENCE:100
#EXT-X-TARGETDURATION:6
#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:00.000Z
#EXT-X-VENDOR-HINT:abc
#EXT-X-KEY:METHOD=AES-128,URI="https://keys.example.com/2?session=s1"
#EXTINF:6,
https://cdn.example.com/live/s100.ts?token=a%2Fb
#EXTINF:6,
https://cdn.example.com/live/s101.ts?token=a%2Fb
#EXT-X-DISCONTINUITY
#EXTINF:6,
https://cdn.example.com/live/s102.ts?token=a%2Fb
`);
  });

  it('a removed typed field leaves its slot empty; an added one goes to its canonical position', () => {
    const { playlist } = parseMediaPlaylist(LIVE);
    const first = playlist.segments[0]!;
    expect(first.order).toEqual(['programDateTime', 'extra', 'key', 'extinf']);
    delete first.programDateTime;
    first.keys!.push(widevine);
    first.discontinuity = true;
    playlist.discontinuitySequence = 3;
    const text = serializePlaylist(playlist);
    expect(text.split('\n').slice(0, 13)).toEqual([
      '#EXTM3U',
      '#EXT-X-VERSION:6',
      '## packager: example 1.2',
      '#EXT-X-MEDIA-SEQUENCE:100',
      '#EXT-X-TARGETDURATION:6',
      '#EXT-X-DISCONTINUITY-SEQUENCE:3',
      '#EXT-X-DISCONTINUITY',
      '#EXT-X-VENDOR-HINT:abc',
      '#EXT-X-KEY:URI="https://k.example/1",METHOD=AES-128',
      '#EXT-X-KEY:METHOD=SAMPLE-AES-CTR,URI="data:text/plain;base64,AAAAW3Bzc2g=",KEYFORMAT="urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed",KEYFORMATVERSIONS="1"',
      '#EXTINF:6,',
      's100.ts',
      '#EXTINF:6,',
    ]);
    const again = parseMediaPlaylist(text).playlist;
    expect(again.segments[0]!.keys).toHaveLength(2);
    expect(again.discontinuitySequence).toBe(3);
  });

  it('inserting segments built in code (SSAI) writes them in canonical order', () => {
    const { playlist } = parseMediaPlaylist(LIVE);
    const ad: MediaSegment[] = [
      { uri: 'https://ads.example/ad1/0.ts', duration: 5, discontinuity: true, keys: [{ method: 'NONE' }] },
      { uri: 'https://ads.example/ad1/1.ts', duration: 5, title: 'ad' },
    ];
    const resume: MediaSegment = {
      ...playlist.segments[2]!,
      keys: [{ method: 'AES-128', uri: 'https://k.example/1' }],
    };
    playlist.segments.splice(2, 1, ...ad, resume);
    const tail = serializePlaylist(playlist).split('\n').slice(12).join('\n');
    expect(tail).toBe(`#EXT-X-DISCONTINUITY
#EXT-X-KEY:METHOD=NONE
#EXTINF:5,
https://ads.example/ad1/0.ts
#EXTINF:5,ad
https://ads.example/ad1/1.ts
#EXT-X-DISCONTINUITY
#EXT-X-KEY:METHOD=AES-128,URI="https://k.example/1"
#EXTINF:6,
s102.ts
`);
  });

  it('a playlist built in code is written in canonical spec order', () => {
    const pl: MediaPlaylist = {
      kind: 'media',
      endList: true,
      segments: [
        {
          uri: 'seg0.m4s',
          duration: 4.004,
          byteRange: { length: 5000, offset: 720 },
          programDateTime: '2026-01-01T00:00:00.000Z',
          map: { uri: 'init.mp4', byteRange: { length: 720, offset: 0 } },
          keys: [
            {
              method: 'SAMPLE-AES',
              uri: 'skd://kid',
              keyFormat: 'com.apple.streamingkeydelivery',
              keyFormatVersions: '1',
            },
          ],
        },
      ],
      playlistType: 'VOD',
      targetDuration: 4,
      version: 7,
      independentSegments: true,
    };
    expect(serializePlaylist(pl)).toBe(`#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:4
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://kid",KEYFORMAT="com.apple.streamingkeydelivery",KEYFORMATVERSIONS="1"
#EXT-X-MAP:URI="init.mp4",BYTERANGE="720@0"
#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:00.000Z
#EXTINF:4.004,
#EXT-X-BYTERANGE:5000@720
seg0.m4s
#EXT-X-ENDLIST
`);
  });

  it('the canonical fast path writes what the order walk writes for SEGMENT_ORDER', () => {
    const seg: MediaSegment = {
      uri: 's.ts',
      duration: 6,
      title: 't',
      byteRange: { length: 10 },
      discontinuity: true,
      keys: [{ method: 'AES-128', uri: 'k', iv: '0x01' }],
      map: { uri: 'i.mp4' },
      programDateTime: '2026-01-01T00:00:00Z',
      dateRanges: [{ id: 'd', startDate: '2026-01-01T00:00:00Z', clientAttributes: { 'X-A': 1 } }],
      oatclsScte35: '/DA=',
      asset: { caid: '0x01' },
      cueIn: true,
      cueOut: { duration: 30 },
      cueOutCont: { elapsedTime: 1, duration: 30 },
      splicePointScte35: '/DB=',
      gap: true,
      bitrate: 800,
      extra: ['#EXT-X-FOO'],
      parts: [{ uri: 'p.ts', duration: 1, independent: true }],
    };
    const pl = (order?: MediaSegment['order']): MediaPlaylist => ({
      kind: 'media',
      targetDuration: 6,
      segments: [order === undefined ? seg : { ...seg, order }],
    });
    const canonical = serializePlaylist(pl());
    expect(serializePlaylist(pl([...SEGMENT_ORDER]))).toBe(canonical);
    expect(serializePlaylist(pl([]))).toBe(canonical);
    expect(canonical.split('\n')).toHaveLength(2 + 18 + 1); // header, segment lines + URI, final newline
  });

  it('writes multivariant playlists in canonical order', () => {
    const pl: MasterPlaylist = {
      kind: 'master',
      independentSegments: true,
      variants: [
        {
          uri: 'v.m3u8',
          bandwidth: 2000000,
          codecs: 'avc1.64001f,mp4a.40.2',
          resolution: { width: 1280, height: 720 },
          audio: 'a',
        },
      ],
      renditions: [{ type: 'AUDIO', groupId: 'a', name: 'English', language: 'en', default: true, uri: 'a.m3u8' }],
      iFrameVariants: [],
      sessionKeys: [{ method: 'SAMPLE-AES', uri: 'skd://x', keyFormat: 'com.apple.streamingkeydelivery' }],
    };
    expect(serializePlaylist(pl)).toBe(`#EXTM3U
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-SESSION-KEY:METHOD=SAMPLE-AES,URI="skd://x",KEYFORMAT="com.apple.streamingkeydelivery"
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",LANGUAGE="en",NAME="English",DEFAULT=YES,URI="a.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=2000000,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1280x720,AUDIO="a"
v.m3u8
`);
    expect(parseMasterPlaylist(serializePlaylist(pl)).playlist).toEqual(pl);
  });

  it('filtering variants of a parsed master keeps the remaining lines in their order', () => {
    const text = `#EXTM3U
# ladder
#EXT-X-STREAM-INF:BANDWIDTH=800000
low.m3u8
#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=90000,URI="low-i.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=5000000
high.m3u8
#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=400000,URI="high-i.m3u8"
`;
    const { playlist } = parseMasterPlaylist(text);
    playlist.variants = playlist.variants.filter((v) => v.bandwidth < 1_000_000);
    playlist.iFrameVariants = playlist.iFrameVariants.filter((v) => v.bandwidth < 100_000);
    expect(serializePlaylist(playlist)).toBe(`#EXTM3U
# ladder
#EXT-X-STREAM-INF:BANDWIDTH=800000
low.m3u8
#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=90000,URI="low-i.m3u8"
`);
  });

  it('refuses values that would break the playlist text (header injection)', () => {
    const base = (uri: string, title?: string): MediaPlaylist => ({
      kind: 'media',
      targetDuration: 6,
      segments: [{ uri, duration: 6, ...(title === undefined ? {} : { title }) }],
    });
    const bad = [
      base('a.ts\n#EXT-X-ENDLIST'),
      base('#not-a-uri'),
      base(''),
      base('a.ts', 'x\r\n#EXT-X-KEY:METHOD=NONE'),
      { ...base('a.ts'), segments: [{ uri: 'a.ts', duration: Number.NaN }] },
      { ...base('a.ts'), segments: [{ uri: 'a.ts', duration: 6, keys: [{ method: 'AES-128', uri: 'k"x' }] }] },
    ];
    for (const pl of bad) {
      let error: unknown;
      try {
        serializePlaylist(pl);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ManifestError);
      expect((error as ManifestError).code).toBe('PLAYLIST_UNSERIALIZABLE');
    }
  });
});
