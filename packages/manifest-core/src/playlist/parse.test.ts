/** @module Parser behaviour: kinds, tags, attribute lists, warnings, typed errors and limits. */
import { describe, expect, it } from 'vitest';
import { ManifestError } from '../errors.ts';
import type { ManifestErrorCode } from '../errors.ts';
import type { MasterPlaylist, MediaPlaylist } from './model.ts';
import { parseMasterPlaylist, parseMediaPlaylist, parsePlaylist } from './parse.ts';
import { serializePlaylist } from './serialize.ts';

const media = (text: string): MediaPlaylist => parseMediaPlaylist(text).playlist;

function codeOf(fn: () => unknown): ManifestErrorCode | 'no error' {
  try {
    fn();
    return 'no error';
  } catch (error) {
    expect(error).toBeInstanceOf(ManifestError);
    return (error as ManifestError).code;
  }
}

const VOD = `#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:10
#EXTINF:9.009,
a.ts
#EXTINF:9.009,
b.ts
#EXT-X-ENDLIST
`;

describe('parsePlaylist', () => {
  it('reads a VOD media playlist into typed fields', () => {
    const { playlist, warnings } = parsePlaylist(VOD);
    expect(warnings).toEqual([]);
    expect(playlist).toEqual({
      kind: 'media',
      version: 3,
      targetDuration: 10,
      segments: [
        { duration: 9.009, uri: 'a.ts' },
        { duration: 9.009, uri: 'b.ts' },
      ],
      endList: true,
    });
  });

  it('treats a lone CR as a line end, so no CR reaches the model (found by fast-check)', () => {
    const text = '#EXTM3U\r#EXT-X-TARGETDURATION:6\n#EXTINF:6,\rseg\r0.ts\n#X-ODD:a\rb\n';
    const { playlist } = parsePlaylist(text);
    const out = serializePlaylist(playlist);
    expect(out).not.toContain('\r');
    expect(parsePlaylist(out).playlist).toEqual(playlist);
  });

  it('accepts a BOM and CRLF line endings, and writes LF', () => {
    const crlf = '\uFEFF' + VOD.replace(/\n/g, '\r\n');
    expect(parsePlaylist(crlf).playlist).toEqual(parsePlaylist(VOD).playlist);
    expect(serializePlaylist(parsePlaylist(crlf).playlist)).toBe(VOD);
  });

  it('accepts bytes (UTF-8, with a BOM)', () => {
    const bytes = new TextEncoder().encode('\uFEFF' + VOD);
    expect(parsePlaylist(bytes).playlist).toEqual(parsePlaylist(VOD).playlist);
  });

  it('detects a multivariant playlist from EXT-X-STREAM-INF even after other tags', () => {
    const text = `#EXTM3U
#EXT-X-SESSION-DATA:DATA-ID="com.example.title",VALUE="Film"
#EXT-X-STREAM-INF:BANDWIDTH=1280000,RESOLUTION=640x360,CODECS="avc1.4d401e,mp4a.40.2"
low.m3u8
`;
    const { playlist } = parsePlaylist(text);
    expect(playlist.kind).toBe('master');
    const master = playlist as MasterPlaylist;
    expect(master.variants).toEqual([
      {
        bandwidth: 1280000,
        resolution: { width: 640, height: 360 },
        codecs: 'avc1.4d401e,mp4a.40.2',
        // ffmpeg's order differs from the spec's listing order, so it is recorded
        attributeOrder: ['BANDWIDTH', 'RESOLUTION', 'CODECS'],
        uri: 'low.m3u8',
      },
    ]);
    expect(master.sessionData).toEqual([{ dataId: 'com.example.title', value: 'Film' }]);
  });

  it('parseMediaPlaylist and parseMasterPlaylist refuse the other kind', () => {
    expect(codeOf(() => parseMasterPlaylist(VOD))).toBe('PLAYLIST_WRONG_KIND');
    expect(codeOf(() => parseMediaPlaylist('#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\n'))).toBe(
      'PLAYLIST_WRONG_KIND',
    );
  });
});

describe('media segment tags', () => {
  it('keeps several keys per segment, one per KEYFORMAT, with the original attribute order', () => {
    const pl = media(`#EXTM3U
#EXT-X-TARGETDURATION:6
#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://kid-1",KEYFORMAT="com.apple.streamingkeydelivery",KEYFORMATVERSIONS="1"
#EXT-X-KEY:KEYFORMAT="com.microsoft.playready",METHOD=SAMPLE-AES-CTR,URI="data:text/plain;charset=UTF-16;base64,AAAA"
#EXTINF:6,
s.mp4
`);
    expect(pl.segments[0]!.keys).toEqual([
      {
        method: 'SAMPLE-AES',
        uri: 'skd://kid-1',
        keyFormat: 'com.apple.streamingkeydelivery',
        keyFormatVersions: '1',
      },
      {
        keyFormat: 'com.microsoft.playready',
        method: 'SAMPLE-AES-CTR',
        uri: 'data:text/plain;charset=UTF-16;base64,AAAA',
        attributeOrder: ['KEYFORMAT', 'METHOD', 'URI'],
      },
    ]);
  });

  it('reads byte ranges, maps, gaps, bitrates and titles', () => {
    const pl = media(`#EXTM3U
#EXT-X-TARGETDURATION:4
#EXT-X-MAP:URI="main.mp4",BYTERANGE="720@0"
#EXT-X-BITRATE:4500
#EXTINF:4.0,Opening, part 1
#EXT-X-BYTERANGE:1000@720
main.mp4
#EXT-X-GAP
#EXTINF:4,
#EXT-X-BYTERANGE:1200
main.mp4
`);
    expect(pl.segments[0]).toMatchObject({
      map: { uri: 'main.mp4', byteRange: { length: 720, offset: 0 } },
      bitrate: 4500,
      duration: 4,
      title: 'Opening, part 1',
      byteRange: { length: 1000, offset: 720 },
    });
    expect(pl.segments[1]).toMatchObject({ gap: true, byteRange: { length: 1200 } });
  });

  it('reads DATERANGE with SCTE-35, CUE and client attributes in order', () => {
    const pl = media(`#EXTM3U
#EXT-X-TARGETDURATION:6
#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:00.000Z
#EXT-X-DATERANGE:ID="i1",CLASS="com.apple.hls.interstitial",START-DATE="2026-01-01T00:00:00.000Z",CUE="PRE,ONCE",X-ASSET-LIST="https://ads.example/list.json?a=1,b=2",X-RESUME-OFFSET=0,X-SNAP="OUT,IN"
#EXT-X-DATERANGE:ID="s1",START-DATE="2026-01-01T00:00:06Z",PLANNED-DURATION=30.5,SCTE35-OUT=0xFC3025000000000000FFF01405,END-ON-NEXT=YES,CLASS="c"
#EXTINF:6,
a.ts
`);
    const [inter, scte] = pl.segments[0]!.dateRanges!;
    expect(inter).toEqual({
      id: 'i1',
      class: 'com.apple.hls.interstitial',
      startDate: '2026-01-01T00:00:00.000Z',
      cue: ['PRE', 'ONCE'],
      clientAttributes: {
        'X-ASSET-LIST': 'https://ads.example/list.json?a=1,b=2',
        'X-RESUME-OFFSET': 0,
        'X-SNAP': 'OUT,IN',
      },
    });
    expect(scte).toMatchObject({
      plannedDuration: 30.5,
      scte35Out: '0xFC3025000000000000FFF01405',
      endOnNext: true,
      attributeOrder: ['ID', 'START-DATE', 'PLANNED-DURATION', 'SCTE35-OUT', 'END-ON-NEXT', 'CLASS'],
    });
  });

  it('reads the legacy cue tags in all their forms', () => {
    const pl = media(`#EXTM3U
#EXT-X-TARGETDURATION:6
#EXT-OATCLS-SCTE35:/DAlAAAAAAAAAP/wFAUAAAABf+/+AAAAAH4AKTLgAAEAAAAAqOs4MA==
#EXT-X-ASSET:CAID=0x0000000020FB6501
#EXT-X-CUE-OUT:30.000
#EXTINF:6,
a.ts
#EXT-X-CUE-OUT-CONT:ElapsedTime=6.000,Duration=30,SCTE35=/DAlAAAA==
#EXTINF:6,
b.ts
#EXT-X-CUE-OUT-CONT:12/30
#EXTINF:6,
c.ts
#EXT-X-CUE-IN
#EXT-X-CUE-OUT:DURATION=15
#EXTINF:6,
d.ts
#EXT-X-SPLICEPOINT-SCTE35:/DA9AAAAAAAAAP/wBQb+uYbZqQAnAiVDVUVJ
#EXT-X-CUE-OUT
#EXTINF:6,
e.ts
`);
    const s = pl.segments;
    expect(s[0]).toMatchObject({
      oatclsScte35: '/DAlAAAAAAAAAP/wFAUAAAABf+/+AAAAAH4AKTLgAAEAAAAAqOs4MA==',
      asset: { caid: '0x0000000020FB6501' },
      cueOut: { duration: 30, style: 'value' },
    });
    expect(s[1]!.cueOutCont).toEqual({ elapsedTime: 6, duration: 30, scte35: '/DAlAAAA==' });
    expect(s[2]!.cueOutCont).toEqual({ elapsedTime: 12, duration: 30, style: 'slash' });
    expect(s[3]).toMatchObject({ cueIn: true, cueOut: { duration: 15 } });
    expect(s[4]).toMatchObject({ splicePointScte35: '/DA9AAAAAAAAAP/wBQb+uYbZqQAnAiVDVUVJ', cueOut: {} });
  });

  it('keeps the parts of an in-progress LL-HLS segment, hints and reports after the last URI', () => {
    const pl = media(`#EXTM3U
#EXT-X-TARGETDURATION:4
#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.0,CAN-SKIP-UNTIL=24.0
#EXT-X-PART-INF:PART-TARGET=0.33334
#EXT-X-MEDIA-SEQUENCE:266
#EXT-X-SKIP:SKIPPED-SEGMENTS=3
#EXT-X-PART:DURATION=0.33334,URI="p266.0.mp4",INDEPENDENT=YES
#EXTINF:4,
s266.mp4
#EXT-X-PART:DURATION=0.33334,URI="p267.0.mp4"
#EXT-X-PRELOAD-HINT:TYPE=PART,URI="p267.1.mp4"
#EXT-X-RENDITION-REPORT:URI="../1M/live.m3u8",LAST-MSN=267,LAST-PART=0
`);
    expect(pl.serverControl).toMatchObject({ canBlockReload: true, partHoldBack: 1, canSkipUntil: 24 });
    expect(pl.partInf).toEqual({ partTarget: 0.33334 });
    expect(pl.skip).toEqual({ skippedSegments: 3 });
    expect(pl.segments[0]!.parts).toEqual([
      { duration: 0.33334, uri: 'p266.0.mp4', independent: true, attributeOrder: ['DURATION', 'URI', 'INDEPENDENT'] },
    ]);
    expect(pl.tail).toEqual({
      parts: [{ duration: 0.33334, uri: 'p267.0.mp4', attributeOrder: ['DURATION', 'URI'] }],
    });
    expect(pl.preloadHints).toEqual([{ type: 'PART', uri: 'p267.1.mp4' }]);
    expect(pl.renditionReports).toEqual([{ uri: '../1M/live.m3u8', lastMsn: 267, lastPart: 0 }]);
  });
});

describe('warnings where players cope', () => {
  it('negative durations, EXTINF without URI and URI without EXTINF are kept and reported', () => {
    const text = `#EXTM3U
#EXT-X-TARGETDURATION:6
#EXTINF:-1,
a.ts
#EXTINF:6,
#EXTINF:5,
b.ts
stray.ts
#EXTINF:6,
`;
    const { playlist, warnings } = parseMediaPlaylist(text);
    expect(warnings.map((w) => [w.code, w.line])).toEqual([
      ['NEGATIVE_DURATION', 3],
      ['EXTINF_WITHOUT_URI', 6],
      ['URI_WITHOUT_EXTINF', 8],
      ['EXTINF_WITHOUT_URI', 9],
    ]);
    expect(playlist.segments.map((s) => [s.uri, s.duration])).toEqual([
      ['a.ts', -1],
      ['b.ts', 5],
    ]);
    // Nothing is lost: the odd lines come back where they were.
    expect(serializePlaylist(playlist)).toBe(text);
  });

  it('duplicate attributes: the last value wins, with a warning', () => {
    const { playlist, warnings } = parseMediaPlaylist(
      '#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXT-X-KEY:METHOD=AES-128,URI="a",URI="b"\n#EXTINF:6,\ns.ts\n',
    );
    expect(warnings.map((w) => w.code)).toEqual(['DUPLICATE_ATTRIBUTE']);
    expect(playlist.segments[0]!.keys).toEqual([{ method: 'AES-128', uri: 'b' }]);
  });

  it('a known attribute with a bad value is kept verbatim in otherAttributes', () => {
    const { playlist, warnings } = parseMasterPlaylist(
      '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=wide,FRAME-RATE=25\nv.m3u8\n',
    );
    expect(warnings.map((w) => w.code)).toEqual(['INVALID_ATTRIBUTE']);
    expect(playlist.variants[0]).toEqual({
      bandwidth: 800000,
      frameRate: 25,
      otherAttributes: { RESOLUTION: { raw: 'wide' } },
      attributeOrder: ['BANDWIDTH', 'RESOLUTION', 'FRAME-RATE'],
      uri: 'v.m3u8',
    });
    expect(serializePlaylist(playlist)).toBe(
      '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=wide,FRAME-RATE=25\nv.m3u8\n',
    );
  });

  it('a tag missing a required attribute is kept verbatim with INVALID_TAG', () => {
    const text = '#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXT-X-MAP:BYTERANGE="10@0"\n#EXTINF:6,\ns.ts\n';
    const { playlist, warnings } = parseMediaPlaylist(text);
    expect(warnings.map((w) => w.code)).toEqual(['INVALID_TAG']);
    expect(playlist.segments[0]!.map).toBeUndefined();
    expect(playlist.segments[0]!.extra).toEqual(['#EXT-X-MAP:BYTERANGE="10@0"']);
    expect(serializePlaylist(playlist)).toBe(text);
  });

  it('repeated playlist-level tags and tags of the other kind are kept verbatim', () => {
    const text =
      '#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXT-X-TARGETDURATION:8\n#EXT-X-SESSION-KEY:METHOD=AES-128,URI="k"\n#EXTINF:6,\ns.ts\n';
    const { playlist, warnings } = parseMediaPlaylist(text);
    expect(warnings.map((w) => w.code)).toEqual(['DUPLICATE_TAG', 'UNEXPECTED_TAG']);
    expect(playlist.targetDuration).toBe(6);
    expect(serializePlaylist(playlist)).toBe(text);
  });

  it('warns when a segment exceeds the target duration', () => {
    const { warnings } = parseMediaPlaylist(
      '#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6.4,\na.ts\n#EXTINF:6.6,\nb.ts\n',
    );
    expect(warnings.map((w) => w.code)).toEqual(['TARGET_DURATION_EXCEEDED']);
  });
});

describe('typed errors where players cannot cope', () => {
  const cases: Array<[string, string, ManifestErrorCode]> = [
    ['empty input', '', 'PLAYLIST_MISSING_HEADER'],
    ['no #EXTM3U', '#EXT-X-TARGETDURATION:6\n#EXTINF:6,\na.ts\n', 'PLAYLIST_MISSING_HEADER'],
    ['#EXTM3U glued to text', '#EXTM3Ux\n', 'PLAYLIST_MISSING_HEADER'],
    ['binary junk', 'G\u0000\u0011\u0010\u0000\u0042\u00f0\u0025', 'PLAYLIST_BINARY'],
    ['NUL inside a playlist', '#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6,\na\u0000.ts\n', 'PLAYLIST_BINARY'],
    ['no target duration', '#EXTM3U\n#EXTINF:6,\na.ts\n', 'PLAYLIST_MISSING_TAG'],
    ['master and media tags', '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv.m3u8\n#EXTINF:6,\na.ts\n', 'PLAYLIST_MIXED'],
    [
      'media then master tags',
      '#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv.m3u8\n',
      'PLAYLIST_MIXED',
    ],
    [
      'unterminated quote',
      '#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXT-X-KEY:METHOD=AES-128,URI="https://k\n#EXTINF:6,\na.ts\n',
      'PLAYLIST_INVALID_TAG',
    ],
    ['attribute without =', '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH\nv.m3u8\n', 'PLAYLIST_INVALID_TAG'],
    ['EXTINF not a number', '#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:six,\na.ts\n', 'PLAYLIST_INVALID_TAG'],
    ['EXTINF with an exponent', '#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:1e3,\na.ts\n', 'PLAYLIST_INVALID_TAG'],
  ];
  it.each(cases)('%s', (_name, text, code) => {
    expect(codeOf(() => parsePlaylist(text))).toBe(code);
  });

  it('records the line number of the offending line', () => {
    try {
      parsePlaylist('#EXTM3U\n#EXT-X-TARGETDURATION:6\n\n#EXT-X-KEY:METHOD=AES-128,URI="x\n');
      expect.unreachable();
    } catch (error) {
      expect((error as ManifestError).line).toBe(4);
    }
  });
});

describe('limits', () => {
  it('maxBytes, maxLineLength and maxSegments give typed errors', () => {
    expect(codeOf(() => parsePlaylist(VOD, { maxBytes: 20 }))).toBe('PLAYLIST_TOO_LARGE');
    expect(codeOf(() => parsePlaylist(new TextEncoder().encode(VOD), { maxBytes: 20 }))).toBe('PLAYLIST_TOO_LARGE');
    expect(codeOf(() => parsePlaylist(VOD, { maxLineLength: 10 }))).toBe('PLAYLIST_LINE_TOO_LONG');
    expect(codeOf(() => parsePlaylist(VOD, { maxSegments: 1 }))).toBe('PLAYLIST_TOO_MANY_SEGMENTS');
    expect(codeOf(() => parsePlaylist(VOD, { maxSegments: 2 }))).toBe('no error');
  });

  it('a 10 MB line is refused by default without scanning it as a tag', () => {
    const text = `#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXT-X-DATERANGE:ID="${'x'.repeat(10_000_000)}"\n`;
    expect(codeOf(() => parsePlaylist(text))).toBe('PLAYLIST_LINE_TOO_LONG');
  });

  it('a run of 500,000 EXTINF lines without URIs stays linear and loses nothing', () => {
    const text = '#EXTM3U\n#EXT-X-TARGETDURATION:1\n' + '#EXTINF:1,\n'.repeat(500_000) + 'a.ts\n';
    const { playlist, warnings } = parseMediaPlaylist(text);
    expect(playlist.segments).toHaveLength(1);
    expect(playlist.segments[0]!.extra).toHaveLength(499_999);
    expect(warnings).toHaveLength(1001); // capped, plus one TOO_MANY_WARNINGS summary
    expect(warnings.at(-1)!.code).toBe('TOO_MANY_WARNINGS');
    expect(serializePlaylist(playlist)).toBe(text);
  });

  it('EXTINF lines without a comma, in a text with no comma at all, stay linear', () => {
    const text = '#EXTM3U\n#EXT-X-TARGETDURATION:1\n' + '#EXTINF:1\na.ts\n'.repeat(150_000);
    const { playlist } = parseMediaPlaylist(text);
    expect(playlist.segments).toHaveLength(150_000);
    expect(playlist.segments[0]).toEqual({ duration: 1, uri: 'a.ts' });
  });

  it('a million segments are refused by default, and parse in linear time when allowed', () => {
    const million = '#EXTM3U\n#EXT-X-TARGETDURATION:1\n' + '#EXTINF:1,\na.ts\n'.repeat(1_000_000);
    expect(codeOf(() => parsePlaylist(million))).toBe('PLAYLIST_TOO_MANY_SEGMENTS');
    expect(codeOf(() => parsePlaylist(million, { maxBytes: 1_000_000 }))).toBe('PLAYLIST_TOO_LARGE');
    const { playlist } = parseMediaPlaylist(million, { maxSegments: 1_000_000 });
    expect(playlist.segments).toHaveLength(1_000_000);
  });
});

describe('EXT-X-DEFINE and variable substitution', () => {
  const text = `#EXTM3U
#EXT-X-DEFINE:NAME="cdn",VALUE="https://cdn.example.com"
#EXT-X-DEFINE:IMPORT="token"
#EXT-X-DEFINE:QUERYPARAM="session"
#EXT-X-TARGETDURATION:6
#EXT-X-KEY:METHOD=AES-128,URI="{$cdn}/key?t={$token}",IV=0x{$session}
#EXTINF:6,
{$cdn}/seg1.ts?s={$session}
`;

  it('keeps references as written by default (lossless)', () => {
    const { playlist, variables, warnings } = parseMediaPlaylist(text);
    expect(warnings.map((w) => w.code)).toEqual(['UNRESOLVED_VARIABLE', 'UNRESOLVED_VARIABLE']);
    expect(variables).toEqual({ cdn: 'https://cdn.example.com' });
    expect(playlist.segments[0]!.keys).toEqual([
      { method: 'AES-128', uri: '{$cdn}/key?t={$token}', iv: '0x{$session}' },
    ]);
    expect(playlist.defines).toEqual([
      { kind: 'value', name: 'cdn', value: 'https://cdn.example.com' },
      { kind: 'import', name: 'token' },
      { kind: 'queryParam', name: 'session' },
    ]);
    expect(playlist.segments[0]!.uri).toBe('{$cdn}/seg1.ts?s={$session}');
    expect(serializePlaylist(playlist)).toBe(text);
  });

  it('substitutes URIs, quoted strings and hexadecimal values when asked', () => {
    const { playlist, variables } = parseMediaPlaylist(text, {
      substituteVariables: true,
      importVariables: { token: 'T0K' },
      queryParams: new URLSearchParams('session=00ff&x=1'),
    });
    expect(variables).toEqual({ cdn: 'https://cdn.example.com', token: 'T0K', session: '00ff' });
    expect(playlist.segments[0]!.keys).toEqual([
      { method: 'AES-128', uri: 'https://cdn.example.com/key?t=T0K', iv: '0x00ff' },
    ]);
    expect(playlist.segments[0]!.uri).toBe('https://cdn.example.com/seg1.ts?s=00ff');
  });

  it('an undefined reference is PLAYLIST_UNDEFINED_VARIABLE when substituting', () => {
    expect(codeOf(() => parseMediaPlaylist(text, { substituteVariables: true }))).toBe('PLAYLIST_UNDEFINED_VARIABLE');
  });
});

describe('multivariant playlists', () => {
  it('reads renditions, variants, I-frame streams, session keys and content steering', () => {
    const { playlist } = parseMasterPlaylist(`#EXTM3U
#EXT-X-VERSION:6
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-CONTENT-STEERING:SERVER-URI="https://steer.example/v1/steering/abc.json",PATHWAY-ID="CDN-A"
#EXT-X-SESSION-KEY:METHOD=SAMPLE-AES,URI="skd://k1",KEYFORMAT="com.apple.streamingkeydelivery",KEYFORMATVERSIONS="1"
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",LANGUAGE="en",NAME="English",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="audio/en.m3u8"
#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID="cc",NAME="CC1",INSTREAM-ID="CC1",LANGUAGE="en"
#EXT-X-STREAM-INF:BANDWIDTH=5000000,AVERAGE-BANDWIDTH=4500000,CODECS="avc1.640028,mp4a.40.2",RESOLUTION=1920x1080,FRAME-RATE=29.970,AUDIO="aac",CLOSED-CAPTIONS="cc",PATHWAY-ID="CDN-A"
1080p.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=800000,CODECS="avc1.4d401e,mp4a.40.2",RESOLUTION=640x360,AUDIO="aac",CLOSED-CAPTIONS=NONE
360p.m3u8
#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=300000,CODECS="avc1.640028",RESOLUTION=1920x1080,URI="1080p-iframes.m3u8"
`);
    expect(playlist.contentSteering).toEqual({
      serverUri: 'https://steer.example/v1/steering/abc.json',
      pathwayId: 'CDN-A',
    });
    expect(playlist.renditions[0]).toMatchObject({ type: 'AUDIO', default: true, autoselect: true, channels: '2' });
    expect(playlist.renditions[1]).toMatchObject({ type: 'CLOSED-CAPTIONS', instreamId: 'CC1' });
    expect(playlist.variants[0]).toMatchObject({ frameRate: 29.97, closedCaptions: 'cc', pathwayId: 'CDN-A' });
    expect(playlist.variants[1]!.closedCaptions).toBe('NONE');
    expect(playlist.iFrameVariants[0]!.uri).toBe('1080p-iframes.m3u8');
    expect(playlist.sessionKeys).toHaveLength(1);
    expect(playlist.order).toBeUndefined(); // canonical order: nothing recorded
  });

  it('a STREAM-INF without a URI is kept verbatim with MISSING_URI', () => {
    const text = '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n#EXT-X-STREAM-INF:BANDWIDTH=2\nv2.m3u8\n';
    const { playlist, warnings } = parseMasterPlaylist(text);
    expect(warnings.map((w) => w.code)).toEqual(['MISSING_URI']);
    expect(playlist.variants.map((v) => v.bandwidth)).toEqual([2]);
    expect(serializePlaylist(playlist)).toBe(text);
  });
});
