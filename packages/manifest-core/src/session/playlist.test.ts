/** @module Tests of session playlists: steered and plain masters, media URL personalisation, origin paths, templates. */
import { describe, expect, it } from 'vitest';
import {
  describeSourcePlaylist,
  sessionMediaPath,
  keyIdFromUri,
  listSessionRenditions,
  renderSessionMaster,
  renderSessionMedia,
  resolveOriginPath,
  type SessionPathway,
  type SessionUrls,
  type SourcePlaylistText,
} from './playlist.ts';
import { createSessionMediaRenderer } from './templates.ts';

const urlsFor = (token: string, over: Partial<SessionUrls> = {}): SessionUrls => ({
  sessionToken: token,
  mediaPlaylistUrl: (id) => `https://edge.example/v1/sessions/${token}/${id}.m3u8`,
  keyUrl: (k) => `https://edge.example/v1/keys/${encodeURIComponent(k)}?session=${token}`,
  steeringUrl: undefined,
  segmentBaseUrl: 'https://origin.example',
  ...over,
});
const urls = urlsFor('TOK.SIG');

const master: SourcePlaylistText = {
  path: '/vod/a1/master.m3u8',
  text: [
    '#EXTM3U',
    '#EXT-X-VERSION:6',
    '#EXT-X-SESSION-KEY:METHOD=AES-128,URI="keys/k1.key"',
    '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="English",LANGUAGE="en",DEFAULT=YES,URI="audio/index.m3u8"',
    '#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID="cc",NAME="CC1",INSTREAM-ID="CC1"',
    '#EXT-X-STREAM-INF:BANDWIDTH=628000,CODECS="avc1.64001f,mp4a.40.2",AUDIO="aud",CLOSED-CAPTIONS="cc"',
    '240p/index.m3u8',
    '#EXT-X-STREAM-INF:BANDWIDTH=3128000,CODECS="avc1.64001f,mp4a.40.2",AUDIO="aud",CLOSED-CAPTIONS="cc"',
    '720p/index.m3u8',
    '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=90000,URI="240p/iframes.m3u8"',
    '#X-UNKNOWN:kept',
    '',
  ].join('\n'),
};

const odd: SourcePlaylistText = {
  path: '/vod/odd1/240p/index.m3u8',
  text: [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    '#EXT-X-TARGETDURATION:6',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXT-X-MAP:URI="init.mp4"',
    '#EXT-X-KEY:METHOD=AES-128,URI="../keys/k%201.key",IV=0x00000000000000000000000000000001',
    '#EXTINF:6.000,',
    '../720p/seg0.m4s',
    '#EXTINF:6.000,',
    'sub/./seg1.m4s',
    '#EXTINF:6.000,',
    'seg%202.m4s?token=a%2Fb&x=1',
    '#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://key1",KEYFORMAT="com.apple.streamingkeydelivery"',
    '#EXT-X-BYTERANGE:1000@0',
    '#EXTINF:6.000,',
    '/abs/seg3.m4s',
    '#EXTINF:6.000,',
    'https://other.example/ads/seg4.m4s',
    '#EXT-X-UNKNOWN-TAG:KEPT=1',
    '#EXTINF:6.000,',
    'seg.5~x_y-z.m4s',
    '#EXT-X-ENDLIST',
    '',
  ].join('\n'),
};

describe('listSessionRenditions', () => {
  it('names variants v<n>, renditions with a URI r<n> and I-frame streams i<n>', () => {
    expect(Object.fromEntries(listSessionRenditions(master))).toEqual({
      v0: '240p/index.m3u8',
      v1: '720p/index.m3u8',
      r0: 'audio/index.m3u8',
      i0: '240p/iframes.m3u8',
    });
  });
});

describe('renderSessionMaster', () => {
  it('points every rendition at the session, rewrites session keys and keeps unknown tags', () => {
    const out = renderSessionMaster(master, urls);
    expect(out).toContain('\nhttps://edge.example/v1/sessions/TOK.SIG/v0.m3u8\n');
    expect(out).toContain('\nhttps://edge.example/v1/sessions/TOK.SIG/v1.m3u8\n');
    expect(out).toContain('URI="https://edge.example/v1/sessions/TOK.SIG/r0.m3u8"');
    expect(out).toContain('URI="https://edge.example/v1/sessions/TOK.SIG/i0.m3u8"');
    expect(out).toContain('#EXT-X-SESSION-KEY:METHOD=AES-128,URI="https://edge.example/v1/keys/k1?session=TOK.SIG"');
    expect(out).not.toContain('CONTENT-STEERING');
    expect(out.trimEnd().endsWith('#X-UNKNOWN:kept')).toBe(true);
  });

  it('names the steering server without a pathway when steering has no pathways', () => {
    const out = renderSessionMaster(master, { ...urls, steeringUrl: 'https://edge.example/v1/steering/TOK.SIG.json' });
    expect(out).toContain('#EXT-X-CONTENT-STEERING:SERVER-URI="https://edge.example/v1/steering/TOK.SIG.json"\n');
  });

  it('writes one copy of the ladder per pathway with PATHWAY-ID and per-pathway groups, captions once', () => {
    const pathways: SessionPathway[] = ['edge', 'zone-eu'].map((id) => ({
      id,
      mediaPlaylistUrl: (r) => `https://${id}.example/v1/sessions/TOK.SIG/${r}.m3u8`,
    }));
    const out = renderSessionMaster(
      master,
      { ...urls, steeringUrl: 'https://edge.example/v1/steering/TOK.SIG.json' },
      pathways,
    );
    const lines = out.split('\n');
    expect(out).toContain(
      '#EXT-X-CONTENT-STEERING:SERVER-URI="https://edge.example/v1/steering/TOK.SIG.json",PATHWAY-ID="edge"',
    );
    expect(lines.filter((l) => l.startsWith('#EXT-X-STREAM-INF'))).toHaveLength(4);
    expect(
      lines.filter(
        (l) =>
          l.includes('PATHWAY-ID="zone-eu"') && l.includes('AUDIO="aud-zone-eu"') && l.includes('CLOSED-CAPTIONS="cc"'),
      ),
    ).toHaveLength(2);
    expect(lines.filter((l) => l.startsWith('#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS'))).toHaveLength(1);
    expect(out).toContain(
      'GROUP-ID="aud-edge",NAME="English",LANGUAGE="en",DEFAULT=YES,URI="https://edge.example/v1/sessions/TOK.SIG/r0.m3u8"',
    );
    expect(out).toContain('\nhttps://zone-eu.example/v1/sessions/TOK.SIG/v1.m3u8\n');
    expect(out.match(/#EXT-X-I-FRAME-STREAM-INF:.*PATHWAY-ID="(edge|zone-eu)"/g)).toHaveLength(2);
    expect(out).toContain('#EXT-X-SESSION-KEY:METHOD=AES-128,URI="https://edge.example/v1/keys/k1?session=TOK.SIG"');
  });

  it("uses the first pathway's URLs when steering is off", () => {
    const out = renderSessionMaster(master, urls, [
      { id: 'zone', mediaPlaylistUrl: (r) => `https://zone.example/${r}.m3u8` },
    ]);
    expect(out).toContain('\nhttps://zone.example/v0.m3u8\n');
    expect(out).not.toContain('PATHWAY-ID');
  });
});

describe('renderSessionMedia', () => {
  it('makes segment, map and AES-128 key URIs absolute and session-bound, keeping signed queries, other keys and unknown tags', () => {
    expect(renderSessionMedia(odd, urls)).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:7',
        '#EXT-X-TARGETDURATION:6',
        '#EXT-X-PLAYLIST-TYPE:VOD',
        '#EXT-X-MAP:URI="https://origin.example/vod/odd1/240p/init.mp4?session=TOK.SIG"',
        '#EXT-X-KEY:METHOD=AES-128,URI="https://edge.example/v1/keys/k%201?session=TOK.SIG",IV=0x00000000000000000000000000000001',
        '#EXTINF:6,',
        'https://origin.example/vod/odd1/720p/seg0.m4s?session=TOK.SIG',
        '#EXTINF:6,',
        'https://origin.example/vod/odd1/240p/sub/seg1.m4s?session=TOK.SIG',
        '#EXTINF:6,',
        'https://origin.example/vod/odd1/240p/seg%202.m4s?token=a%2Fb&x=1&session=TOK.SIG',
        '#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://key1",KEYFORMAT="com.apple.streamingkeydelivery"',
        '#EXT-X-BYTERANGE:1000@0',
        '#EXTINF:6,',
        'https://origin.example/abs/seg3.m4s?session=TOK.SIG',
        '#EXTINF:6,',
        'https://other.example/ads/seg4.m4s?session=TOK.SIG',
        '#EXT-X-UNKNOWN-TAG:KEPT=1',
        '#EXTINF:6,',
        'https://origin.example/vod/odd1/240p/seg.5~x_y-z.m4s?session=TOK.SIG',
        '#EXT-X-ENDLIST',
        '',
      ].join('\n'),
    );
  });

  it('rewrites LL-HLS parts and preload hints, leaves origin paths host-relative with no segment base', () => {
    const ll: SourcePlaylistText = {
      path: '/live/ch1/480p.m3u8',
      text: [
        '#EXTM3U',
        '#EXT-X-VERSION:9',
        '#EXT-X-TARGETDURATION:4',
        '#EXT-X-PART-INF:PART-TARGET=1',
        '#EXT-X-MEDIA-SEQUENCE:100',
        '#EXTINF:4,',
        's100.ts',
        '#EXT-X-PART:DURATION=1,URI="s101.0.ts"',
        '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="s101.1.ts"',
        '',
      ].join('\n'),
    };
    const out = renderSessionMedia(ll, urlsFor('T.S', { segmentBaseUrl: '' }));
    expect(out).toContain('\n/live/ch1/s100.ts?session=T.S\n');
    expect(out).toContain('#EXT-X-PART:DURATION=1,URI="/live/ch1/s101.0.ts?session=T.S"');
    expect(out).toContain('#EXT-X-PRELOAD-HINT:TYPE=PART,URI="/live/ch1/s101.1.ts?session=T.S"');
  });

  it('rebases origin paths onto a CDN base that has a path of its own', () => {
    const out = renderSessionMedia(odd, urlsFor('T.S', { segmentBaseUrl: 'https://cdn.example/origin-a' }));
    expect(out).toContain('\nhttps://cdn.example/origin-a/abs/seg3.m4s?session=T.S\n');
    expect(out).toContain('\nhttps://cdn.example/origin-a/vod/odd1/720p/seg0.m4s?session=T.S\n');
  });
});

describe('createSessionMediaRenderer', () => {
  it('gives the same text and bytes as rendering directly, for each session', () => {
    const media = createSessionMediaRenderer();
    for (const token of ['A.B', 'CCCC.DDDD', 'A.B']) {
      const direct = renderSessionMedia(odd, urlsFor(token));
      expect(media.text(odd, token, (t) => urlsFor(t), 'base')).toBe(direct);
      expect(new TextDecoder().decode(media.bytes(odd, token, (t) => urlsFor(t), 'base'))).toBe(direct);
    }
  });

  it("keeps one template per key, so a different URL base is never served from another base's template", () => {
    const media = createSessionMediaRenderer();
    const a = media.text(odd, 'A.B', (t) => urlsFor(t), 'origin');
    const b = media.text(odd, 'A.B', (t) => urlsFor(t, { segmentBaseUrl: 'https://cdn.example' }), 'cdn');
    expect(a).toContain('https://origin.example/vod/');
    expect(b).toContain('https://cdn.example/vod/');
  });
});

describe('origin paths and key ids', () => {
  it("resolves against the playlist's origin path, keeping queries and refusing nothing silently", () => {
    expect(resolveOriginPath('master.m3u8', '/vod/a1/asset.json')).toBe('/vod/a1/master.m3u8');
    expect(resolveOriginPath('../720p/index.m3u8?x=a%2Fb', '/vod/a1/240p/index.m3u8')).toBe(
      '/vod/a1/720p/index.m3u8?x=a%2Fb',
    );
    expect(resolveOriginPath('%2e%2e/%2E%2E/secret', '/vod/a1/master.m3u8')).toBe('/secret');
    expect(resolveOriginPath('https://evil.example/x.m3u8', '/vod/a1/master.m3u8')).toBe('https://evil.example/x.m3u8');
    expect(resolveOriginPath('//evil.example/x.m3u8', '/vod/a1/master.m3u8')).toBe('http://evil.example/x.m3u8');
  });

  it('takes the last path segment without extension as the key id', () => {
    expect(keyIdFromUri('../keys/k-enc1.key?x=1')).toBe('k-enc1');
    expect(keyIdFromUri('/v1/keys/k%201')).toBe('k 1');
    expect(keyIdFromUri('k%E0.key')).toBe('k%E0');
  });
});

describe('describeSourcePlaylist', () => {
  it('tells live from VOD media playlists by their own tags, and masters by how they were read', () => {
    const vod = describeSourcePlaylist(
      '/v/a.m3u8',
      '#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:6,\na.ts\n',
      'primary',
      true,
    );
    expect(vod).toEqual({
      path: '/v/a.m3u8',
      text: expect.any(String),
      originId: 'primary',
      live: false,
      targetDurationSeconds: 6,
    });
    expect(
      describeSourcePlaylist('/l/a.m3u8', '\uFEFF#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\na.ts\n', 'o', false),
    ).toMatchObject({ live: true, targetDurationSeconds: 4 });
    expect(
      describeSourcePlaylist('/l/m.m3u8', '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\n', 'o', true),
    ).toMatchObject({ live: true, targetDurationSeconds: undefined });
    expect(
      describeSourcePlaylist('/v/m.m3u8', '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\n', 'o', false),
    ).toMatchObject({ live: false });
    expect(describeSourcePlaylist('/v/x', '<html>', 'o', false)).toBeUndefined();
  });
});

describe('sessionMediaPath', () => {
  it('maps a rendition id to its origin path, refusing unknown ids and other hosts', () => {
    expect(sessionMediaPath(master, 'r0')).toEqual({ ok: true, value: '/vod/a1/audio/index.m3u8' });
    expect(sessionMediaPath(master, 'v9')).toEqual({ ok: false, problem: 'NOT_FOUND', message: 'no rendition v9' });
    const hostile = {
      path: '/vod/x/master.m3u8',
      text: '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nhttps://evil.example/x.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=2\n//evil.example/y.m3u8\n',
    };
    expect(sessionMediaPath(hostile, 'v0')).toMatchObject({ ok: false, problem: 'BAD_ORIGIN_RESPONSE' });
    expect(sessionMediaPath(hostile, 'v1')).toMatchObject({ ok: false, problem: 'BAD_ORIGIN_RESPONSE' });
  });
});
