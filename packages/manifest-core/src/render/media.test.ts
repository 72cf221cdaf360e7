/** @module Tests of media playlist rewriting: URIs, signed query strings, live-window trimming and the state carried over. */
import fc from 'fast-check';
import { Parser } from 'm3u8-parser';
import { describe, expect, it } from 'vitest';
import { isManifestError } from '../errors.ts';
import { parseMediaPlaylist, serializePlaylist } from '../playlist/index.ts';
import type { Key, MediaPlaylist, MediaSegment } from '../playlist/index.ts';
import { applyKeySignalling, KEYFORMAT } from './drm.ts';
import { rewriteMediaPlaylist, rewriteUri, trimLiveWindow } from './media.ts';
import { keysInForceAt } from './state.ts';

interface OracleManifest {
  segments: Array<{
    uri: string;
    duration: number;
    key?: { method: string; uri: string };
    map?: { uri: string };
    dateTimeString?: string;
  }>;
  mediaSequence?: number;
  discontinuitySequence?: number;
}

function oracle(text: string): OracleManifest {
  const parser = new Parser();
  parser.push(text);
  parser.end();
  return parser.manifest as OracleManifest;
}

const SIGNED =
  'Policy=eyJTdGF0ZW1lbnQiOlt7IlJlc291cmNlIjoiaHR0cHM6Ly9kMTExMTExYWJjZGVmOC5jbG91ZGZyb250Lm5ldC8qIn1dfQ__%2B%3D&Signature=abc~def%2Bghi%3D%3D&Key-Pair-Id=K2JCJMDEHXQW5F';

const ORIGIN = `#EXTM3U
#EXT-X-VERSION:6
#EXT-X-TARGETDURATION:6
#EXT-X-MEDIA-SEQUENCE:100
#EXT-X-DISCONTINUITY-SEQUENCE:7
#EXT-X-KEY:METHOD=AES-128,URI="keys/k1?${SIGNED}"
#EXT-X-MAP:URI="init.mp4"
#EXT-X-PROGRAM-DATE-TIME:2026-11-22T02:00:00.000Z
#EXT-X-BITRATE:3000
#EXTINF:6,
seg100.m4s?${SIGNED}
#EXT-X-DISCONTINUITY
#EXTINF:6,
seg101.m4s
#EXT-X-DATERANGE:ID="ad-1",START-DATE="2026-11-22T02:00:12.000Z",DURATION=30,SCTE35-OUT=0xFC
#EXTINF:6,
seg102.m4s
#EXTINF:6,
seg103.m4s
#EXTINF:6,
seg104.m4s
#EXTINF:6,
https://other.example/abs/seg105.m4s
#EXT-X-PART:DURATION=2,URI="part106.0.m4s"
#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part106.1.m4s"
#EXT-X-RENDITION-REPORT:URI="../audio/index.m3u8",LAST-MSN=105
`;

const BASE = 'https://origin.example/live/ch1/v720/index.m3u8';

describe('rewriteMediaPlaylist: URIs', () => {
  const input = parseMediaPlaylist(ORIGIN).playlist;
  const out = rewriteMediaPlaylist(input, {
    baseUrl: BASE,
    cdnPrefix: 'https://cdn.example/o',
    query: { session: 's 1' },
  });
  const text = serializePlaylist(out);

  it('makes every relative URI absolute on the CDN and appends the session query', () => {
    expect(out.segments[0]!.uri).toBe(`https://cdn.example/o/live/ch1/v720/seg100.m4s?${SIGNED}&session=s%201`);
    expect(out.segments[1]!.uri).toBe('https://cdn.example/o/live/ch1/v720/seg101.m4s?session=s%201');
    expect(out.segments[5]!.uri).toBe('https://other.example/abs/seg105.m4s?session=s%201');
    expect(out.segments[0]!.map!.uri).toBe('https://cdn.example/o/live/ch1/v720/init.mp4?session=s%201');
    expect(out.tail!.parts![0]!.uri).toBe('https://cdn.example/o/live/ch1/v720/part106.0.m4s?session=s%201');
    expect(out.preloadHints![0]!.uri).toBe('https://cdn.example/o/live/ch1/v720/part106.1.m4s?session=s%201');
    expect(out.renditionReports![0]!.uri).toBe('https://cdn.example/o/live/ch1/audio/index.m3u8?session=s%201');
  });

  it("keeps transcode-gpu's host-relative key URI and IV, adding the session for the key server", () => {
    const vod = parseMediaPlaylist(
      '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:6\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-MAP:URI="init_0.mp4"\n' +
        '#EXT-X-KEY:METHOD=AES-128,URI="/v1/keys/0a1b",IV=0x0102030405060708090a0b0c0d0e0f10\n#EXTINF:6.0,\nseg_00000.m4s\n#EXT-X-ENDLIST\n',
    ).playlist;
    const out = rewriteMediaPlaylist(vod, {
      baseUrl: 'https://store.example/assets/a1/720p/index.m3u8',
      cdnPrefix: 'https://cdn.example',
      query: { session: 's1' },
      keyQuery: { session: 's1' },
      resolveKinds: ['segment', 'map', 'part', 'preloadHint', 'renditionReport', 'interstitial'],
    });
    const m = oracle(serializePlaylist(out));
    expect(m.segments[0]!.uri).toBe('https://cdn.example/assets/a1/720p/seg_00000.m4s?session=s1');
    expect(m.segments[0]!.key!.uri).toBe('/v1/keys/0a1b?session=s1');
    expect(out.segments[0]!.keys![0]!.iv).toBe('0x0102030405060708090a0b0c0d0e0f10');
  });

  it('makes interstitial asset URIs absolute without giving them our token', () => {
    const withInterstitial = parseMediaPlaylist(
      ORIGIN.replace(
        '#EXTINF:6,\nseg103.m4s',
        '#EXT-X-DATERANGE:ID="i1",CLASS="com.apple.hls.interstitial",START-DATE="2026-11-22T02:00:18.000Z",X-ASSET-LIST="../ads/list.json?b=%2B",X-RESUME-OFFSET=0\n#EXTINF:6,\nseg103.m4s',
      ),
    ).playlist;
    const rewritten = rewriteMediaPlaylist(withInterstitial, { baseUrl: BASE, query: { session: 's' } });
    expect(rewritten.segments[3]!.dateRanges![0]!.clientAttributes).toEqual({
      'X-ASSET-LIST': 'https://origin.example/live/ch1/ads/list.json?b=%2B',
      'X-RESUME-OFFSET': 0,
    });
    expect(withInterstitial.segments[3]!.dateRanges![0]!.clientAttributes!['X-ASSET-LIST']).toBe(
      '../ads/list.json?b=%2B',
    );
  });

  it('keeps the signed key URI query byte for byte and adds no session to it by default', () => {
    expect(out.segments[0]!.keys![0]!.uri).toBe(`https://cdn.example/o/live/ch1/v720/keys/k1?${SIGNED}`);
  });

  it('changes no segment count, duration or sequence number, and m3u8-parser agrees', () => {
    const m = oracle(text);
    expect(m.segments.map((s) => s.duration)).toEqual(input.segments.map((s) => s.duration));
    expect(m.segments.map((s) => s.uri)).toEqual(out.segments.map((s) => s.uri));
    expect(m.mediaSequence).toBe(100);
    expect(m.discontinuitySequence).toBe(7);
    expect(m.segments[0]!.key!.uri).toBe(`https://cdn.example/o/live/ch1/v720/keys/k1?${SIGNED}`);
  });

  it('signals DRM after rewriting, so session key URIs stay on the edge and carry the token', () => {
    const drmOut = rewriteMediaPlaylist(input, {
      baseUrl: BASE,
      cdnPrefix: 'https://cdn.example/o',
      window: { maxSegments: 3 },
      drm: { method: 'AES-128', keyId: '00112233445566778899aabbccddeeff', sessionToken: 's1' },
    });
    const m = oracle(serializePlaylist(drmOut));
    expect(m.mediaSequence).toBe(103);
    expect(m.segments.map((s) => s.key?.uri)).toEqual(
      Array(3).fill('/v1/keys/00112233445566778899aabbccddeeff?session=s1'),
    );
    expect(m.segments[0]!.uri).toBe('https://cdn.example/o/live/ch1/v720/seg103.m4s');
  });

  it('leaves the input untouched', () => {
    expect(serializePlaylist(input)).toBe(serializePlaylist(parseMediaPlaylist(ORIGIN).playlist));
  });

  it('resolves relative URIs against a CDN prefix when there is no origin base', () => {
    expect(rewriteUri('v/seg.ts?a=%2F', 'segment', { cdnPrefix: 'https://cdn.example/asset-1' })).toBe(
      'https://cdn.example/asset-1/v/seg.ts?a=%2F',
    );
    expect(
      rewriteUri('skd://kid', 'key', { cdnPrefix: 'https://cdn.example', query: 'x=1', queryKinds: ['key'] }),
    ).toBe('skd://kid');
    expect(
      rewriteUri('k', 'key', { baseUrl: BASE, query: 'x=1', queryKinds: ['key'], mapUri: (u, kind) => `${u}#${kind}` }),
    ).toBe('https://origin.example/live/ch1/v720/k?x=1#key');
  });
});

describe('trimLiveWindow', () => {
  const input = parseMediaPlaylist(ORIGIN).playlist;

  it('moves MSN, DSN and the state in force onto the new first segment', () => {
    const { playlist, removedSegments, removedDiscontinuities } = trimLiveWindow(input, { maxSegments: 3 });
    expect(removedSegments).toBe(3);
    expect(removedDiscontinuities).toBe(1);
    expect(playlist.mediaSequence).toBe(103);
    expect(playlist.discontinuitySequence).toBe(8);
    const first = playlist.segments[0]!;
    expect(first.uri).toBe('seg103.m4s');
    expect(first.keys!.map((k) => k.uri)).toEqual([`keys/k1?${SIGNED}`]);
    expect(first.map!.uri).toBe('init.mp4');
    expect(first.bitrate).toBe(3000);
    // PDT restarts at the discontinuity before seg101 (no PDT there), so none can be computed …
    expect(first.programDateTime).toBeUndefined();
    // … while the running ad break's DATERANGE (12 s + 30 s) moves onto the new first segment.
    expect(first.dateRanges!.map((d) => d.id)).toEqual(['ad-1']);
    const m = oracle(serializePlaylist(playlist));
    expect(m.mediaSequence).toBe(103);
    expect(m.discontinuitySequence).toBe(8);
    expect(m.segments[0]!.key!.method).toBe('AES-128');
    expect(m.segments[0]!.map!.uri).toBe('init.mp4');
  });

  it('computes PROGRAM-DATE-TIME from the earlier one plus the durations since', () => {
    const noDisc = parseMediaPlaylist(ORIGIN.replace('#EXT-X-DISCONTINUITY\n', '')).playlist;
    const { playlist } = trimLiveWindow(noDisc, { maxDurationSeconds: 18 });
    expect(playlist.mediaSequence).toBe(103);
    expect(playlist.discontinuitySequence).toBe(7);
    expect(playlist.segments[0]!.programDateTime).toBe('2026-11-22T02:00:18.000Z');
    expect(oracle(serializePlaylist(playlist)).segments[0]!.dateTimeString).toBe('2026-11-22T02:00:18.000Z');
  });

  it('carries the state onto a first segment whose tags were written in a non-canonical order', () => {
    const text = [
      '#EXTM3U',
      '#EXT-X-VERSION:6',
      '#EXT-X-TARGETDURATION:4',
      '#EXT-X-MEDIA-SEQUENCE:9',
      '#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://k1",KEYFORMAT="com.apple.streamingkeydelivery",KEYFORMATVERSIONS="1"',
      '#EXT-X-KEY:METHOD=AES-128,URI="k1.key"',
      '#EXT-X-MAP:URI="init.mp4"',
      ...Array.from({ length: 5 }, (_, i) => [
        `#EXTINF:4,`,
        `#X-ORIGIN-NOTE:${i}`,
        '#EXT-X-PROGRAM-DATE-TIME:' + new Date(Date.UTC(2026, 0, 1, 0, 0, 4 * i)).toISOString(),
        `s${i}.m4s`,
      ]).flat(),
      '',
    ].join('\n');
    const input = parseMediaPlaylist(text).playlist;
    expect(input.segments[3]!.order).toBeDefined(); // the parser recorded the unusual order
    const out = trimLiveWindow(input, { maxSegments: 3 }).playlist;
    const reparsed = parseMediaPlaylist(serializePlaylist(out)).playlist;
    expect(reparsed.mediaSequence).toBe(11);
    expect(reparsed.segments[0]!.keys!.map((k) => k.uri)).toEqual(['skd://k1', 'k1.key']);
    expect(reparsed.segments[0]!.map!.uri).toBe('init.mp4');
    expect(reparsed.segments[0]!.extra).toEqual(['#X-ORIGIN-NOTE:2']);
    expect(oracle(serializePlaylist(out)).segments[0]!.key!.uri).toBe('k1.key');
  });

  it('never trims below 3× the target duration, nor VOD or EVENT playlists', () => {
    expect(trimLiveWindow(input, { maxSegments: 1 }).playlist.segments).toHaveLength(3);
    expect(trimLiveWindow({ ...input, playlistType: 'EVENT' }, { maxSegments: 1 }).removedSegments).toBe(0);
    expect(trimLiveWindow({ ...input, endList: true }, { maxSegments: 1 }).removedSegments).toBe(0);
  });

  it('rejects nonsense limits', () => {
    for (const window of [{ maxSegments: 0 }, { maxDurationSeconds: -1 }, { maxSegments: 2.5 }]) {
      let error: unknown;
      try {
        trimLiveWindow(input, window);
      } catch (e) {
        error = e;
      }
      expect(isManifestError(error) && error.code === 'INVALID_OPTIONS').toBe(true);
    }
  });
});

// ————————————————————————————————————————————————————————————————— properties

const FORMATS = [undefined, KEYFORMAT.fairPlay, KEYFORMAT.widevine] as const;

const keyArb: fc.Arbitrary<Key> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<Key>({ method: 'NONE' }) },
  {
    weight: 4,
    arbitrary: fc
      .record({ f: fc.integer({ min: 0, max: 2 }), n: fc.integer({ min: 0, max: 99 }) })
      .map(({ f, n }): Key => {
        const keyFormat = FORMATS[f];
        return keyFormat === undefined
          ? { method: 'AES-128', uri: `https://keys.example/k${n}` }
          : { method: 'SAMPLE-AES', uri: `skd://k${n}`, keyFormat };
      }),
  },
);

const segmentArb = (targetDuration: number): fc.Arbitrary<MediaSegment> =>
  fc
    .record({
      tenths: fc.integer({ min: 5, max: targetDuration * 10 }),
      discontinuity: fc.boolean(),
      keys: fc.option(fc.array(keyArb, { minLength: 1, maxLength: 3 }), { freq: 4, nil: undefined }),
      map: fc.option(fc.integer({ min: 0, max: 9 }), { freq: 6, nil: undefined }),
      query: fc.constantFrom('', `?${SIGNED}`, '?a=%2B%3D~b'),
    })
    .map(({ tenths, discontinuity, keys, map, query }) => {
      const seg: MediaSegment = { uri: `s-${tenths}.ts${query}`, duration: tenths / 10 };
      if (discontinuity) seg.discontinuity = true;
      if (keys !== undefined) seg.keys = keys;
      if (map !== undefined) seg.map = { uri: `init${map}.mp4` };
      return seg;
    });

const liveArb: fc.Arbitrary<MediaPlaylist> = fc.integer({ min: 1, max: 10 }).chain((targetDuration) =>
  fc
    .record({
      segments: fc.array(segmentArb(targetDuration), { minLength: 1, maxLength: 40 }),
      msn: fc.integer({ min: 0, max: 1e6 }),
      dsn: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
      pdt: fc.boolean(),
    })
    .map(({ segments, msn, dsn, pdt }): MediaPlaylist => {
      if (pdt) segments[0] = { ...segments[0]!, programDateTime: '2026-11-22T00:00:00.000Z' };
      const p: MediaPlaylist = { kind: 'media', targetDuration, mediaSequence: msn, segments };
      if (dsn !== undefined) p.discontinuitySequence = dsn;
      return p;
    }),
);

const windowArb = fc.record({
  maxSegments: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
  maxDurationSeconds: fc.option(fc.integer({ min: 1, max: 200 }), { nil: undefined }),
});

function sum(segments: readonly MediaSegment[]): number {
  return segments.reduce((a, s) => a + s.duration, 0);
}

/** Keys in force as a comparable string: a set per KEYFORMAT, so order does not matter. */
function strip(keys: readonly Key[]): string {
  return JSON.stringify(keys.map((k) => [k.keyFormat ?? 'identity', k.method, k.uri]).sort());
}

describe('rewriting properties', () => {
  it('trimming removes only head segments, keeps ≥ 3× target duration and keeps sequence numbers right', () => {
    fc.assert(
      fc.property(liveArb, windowArb, (input, window) => {
        const out = rewriteMediaPlaylist(input, { window, baseUrl: 'https://o.example/a/b.m3u8', query: { t: 'x' } });
        const removed = input.segments.length - out.segments.length;
        expect(removed).toBeGreaterThanOrEqual(0);
        // the remaining segments are the input's tail, durations unchanged
        expect(out.segments.map((s) => s.duration)).toEqual(input.segments.slice(removed).map((s) => s.duration));
        // RFC 8216 §6.2.2: never shorter than 3× the target duration (unless the input already was)
        const total = sum(input.segments);
        if (removed > 0) expect(sum(out.segments)).toBeGreaterThanOrEqual(3 * input.targetDuration - 1e-9);
        else expect(sum(out.segments)).toBe(total);
        // limits honoured unless removing one more would break the 3× floor (or empty the playlist)
        const over =
          out.segments.length > (window.maxSegments ?? Infinity) ||
          sum(out.segments) > (window.maxDurationSeconds ?? Infinity) + 1e-9;
        if (over) {
          expect(out.segments.length === 1 || sum(out.segments.slice(1)) < 3 * input.targetDuration - 1e-9).toBe(true);
        }
        expect(out.mediaSequence).toBe((input.mediaSequence ?? 0) + removed);
        const droppedDisc = input.segments.slice(0, removed).filter((s) => s.discontinuity === true).length;
        expect(out.discontinuitySequence ?? 0).toBe((input.discontinuitySequence ?? 0) + droppedDisc);
        // the window starts with every key in force, and each discontinuity re-states them
        const top = strip(out.segments[0]!.keys ?? []);
        for (const key of keysInForceAt(input, removed)) expect(top).toContain(strip([key]).slice(1, -1));
        out.segments.forEach((seg, i) => {
          expect(strip(keysInForceAt(out, i))).toBe(strip(keysInForceAt(input, removed + i)));
          if (seg.discontinuity === true && !(seg.keys ?? []).some((k) => k.method === 'NONE')) {
            expect(strip(seg.keys ?? [])).toBe(strip(keysInForceAt(out, i)));
          }
        });
        // signed query strings survive byte for byte
        out.segments.forEach((seg, i) => {
          const original = input.segments[removed + i]!.uri;
          const q = original.indexOf('?');
          if (q >= 0) expect(seg.uri).toContain(`${original.slice(q)}&t=x`);
        });
        // an independent parser agrees on what a player sees
        const m = oracle(serializePlaylist(out));
        expect(m.segments).toHaveLength(out.segments.length);
        expect(m.mediaSequence ?? 0).toBe(out.mediaSequence ?? 0);
        expect(m.discontinuitySequence ?? 0).toBe(out.discontinuitySequence ?? 0);
      }),
      { numRuns: 300 },
    );
  });

  it('signalled keys survive trimming: every window starts with the key of its period', () => {
    fc.assert(
      fc.property(liveArb, fc.integer({ min: 1, max: 8 }), windowArb, (input, every, window) => {
        const keyIds = ['00112233445566778899aabbccddeeff', 'ffeeddccbbaa99887766554433221100'];
        const signalled = applyKeySignalling(input, {
          method: 'AES-128',
          keyId: (p) => keyIds[p % 2]!,
          rotateEverySegments: every,
        });
        const out = rewriteMediaPlaylist(signalled, { window });
        const msn = out.mediaSequence ?? 0;
        const expected = `/v1/keys/${keyIds[Math.floor(msn / every) % 2]}`;
        expect(out.segments[0]!.keys?.map((k) => k.uri)).toEqual([expected]);
      }),
      { numRuns: 200 },
    );
  });
});
