/**
 * @module The edge's run-compressed media rendering against manifest-core's whole-source
 * rendering, inside workerd: for generated VOD playlists (runs of plain segments broken by
 * discontinuities, keys, maps, byte ranges, odd URIs, titles, varying durations) the two give the
 * same bytes, and the fast path is taken for the playlists transcoders write.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bundleForWorkerd } from '@meridian/testkit';
import { Miniflare } from 'miniflare';

interface Case {
  path: string;
  text: string;
  token: string;
  segmentBaseUrl: string;
}
interface Rendered {
  fast: string | null;
  templated: string | null;
  full: string | null;
}

const name = fc.stringMatching(/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,12}$/);
const oddUri = fc.constantFrom(
  '../720p/seg.m4s',
  'sub/./x.ts',
  'seg%202.ts?t=a%2Fb',
  '/abs/s.ts',
  'https://other.example/a.ts',
  '.hidden.ts',
  'a?b=c',
  'x.ts#frag',
);
const duration = fc.constantFrom('6.000', '6', '5.96', '6.006', '4.004000', '0.5', '10', '6.0000001', '2.002');
const title = fc.constantFrom('', '', '', 'title', ' spaced ', 'a,b');
const extra = fc.constantFrom(
  '#EXT-X-DISCONTINUITY',
  '#EXT-X-KEY:METHOD=AES-128,URI="../keys/k1.key",IV=0x00000000000000000000000000000001',
  '#EXT-X-KEY:METHOD=NONE',
  '#EXT-X-MAP:URI="init.mp4"',
  '#EXT-X-BYTERANGE:1000@0',
  '#EXT-X-PROGRAM-DATE-TIME:2026-11-22T00:00:00.000Z',
  '#EXT-X-UNKNOWN-TAG:KEPT=1',
  '#EXT-X-GAP',
  '#EXT-X-BITRATE:3000',
  '',
);
const segment = fc.record({
  before: fc.oneof(
    { weight: 6, arbitrary: fc.constant([] as string[]) },
    { weight: 1, arbitrary: fc.array(extra, { minLength: 1, maxLength: 2 }) },
  ),
  duration,
  title,
  uri: fc.oneof({ weight: 8, arbitrary: name }, { weight: 1, arbitrary: oddUri }),
});
const playlist = fc.record({
  version: fc.constantFrom(3, 6, 7),
  header: fc.subarray([
    '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-INDEPENDENT-SEGMENTS',
    '#EXT-X-MAP:URI="init.mp4"',
  ]),
  segments: fc.array(segment, { minLength: 1, maxLength: 40 }),
  endlist: fc.boolean(),
  trailingNewline: fc.boolean(),
  path: fc.constantFrom(
    '/vod/a1/720p/index.m3u8',
    '/vod/a1/./x/../720p/index.m3u8',
    '/index.m3u8',
    '/vod/$1/720p/i.m3u8',
  ),
  segmentBaseUrl: fc.constantFrom('https://cdn.example', 'http://127.0.0.1:9/base', '', 'https://cdn.example/$&'),
  token: fc.constantFrom('eyJhbGciOiJIUzI1NiJ9.abc_DEF-123', 'tok$1', 'short'),
});

type PlaylistSpec = typeof playlist extends fc.Arbitrary<infer T> ? T : never;

function textOf(p: PlaylistSpec): string {
  const lines = ['#EXTM3U', `#EXT-X-VERSION:${p.version}`, '#EXT-X-TARGETDURATION:10', ...p.header];
  for (const s of p.segments) lines.push(...s.before, `#EXTINF:${s.duration},${s.title}`, s.uri);
  if (p.endlist) lines.push('#EXT-X-ENDLIST');
  return lines.join('\n') + (p.trailingNewline ? '\n' : '');
}

describe('run-compressed media rendering (workerd)', () => {
  let mf: Miniflare;
  const render = async (cases: Case[]): Promise<Rendered[]> => {
    const res = await mf.dispatchFetch('http://compare.test/', { method: 'POST', body: JSON.stringify(cases) });
    expect(res.status).toBe(200);
    return (await res.json()) as Rendered[];
  };

  beforeAll(async () => {
    const script = await bundleForWorkerd(fileURLToPath(new URL('./workers/render-compare.ts', import.meta.url)));
    mf = new Miniflare({ modules: true, script, compatibilityDate: '2025-09-01' });
    await mf.ready;
  });
  afterAll(async () => {
    await mf?.dispose();
  });

  it('gives the bytes manifest-core renders for the whole source, for any mix of plain runs and other segments', async () => {
    const samples = fc.sample(playlist, { numRuns: 1000, seed: 7 });
    const cases = samples.map((p) => ({
      path: p.path,
      text: textOf(p),
      token: p.token,
      segmentBaseUrl: p.segmentBaseUrl,
    }));
    const results = await render(cases);
    let fastTaken = 0;
    for (const [i, r] of results.entries()) {
      const c = cases[i]!;
      if (r.fast !== null) {
        fastTaken++;
        expect({ text: c.text, out: r.fast }).toEqual({ text: c.text, out: r.full });
      }
      expect({ text: c.text, out: r.templated }).toEqual({ text: c.text, out: r.full });
    }
    // Most generated playlists have runs of plain segments: the fast path must be what serves them.
    expect(fastTaken).toBeGreaterThan(cases.length / 2);
  });

  it('takes the fast path for a transcoder playlist of 1,200 segments, with its last segment shorter', async () => {
    const lines = [
      '#EXTM3U',
      '#EXT-X-VERSION:3',
      '#EXT-X-TARGETDURATION:6',
      '#EXT-X-PLAYLIST-TYPE:VOD',
      '#EXT-X-MEDIA-SEQUENCE:0',
    ];
    for (let i = 0; i < 1200; i++) lines.push(`#EXTINF:${i === 1199 ? '3.200' : '6.000'},`, `seg${i}.ts`);
    lines.push('#EXT-X-ENDLIST', '');
    const [r] = await render([
      { path: '/vod/a1/720p/index.m3u8', text: lines.join('\n'), token: 'tok', segmentBaseUrl: 'https://cdn.example' },
    ]);
    expect(r?.fast).not.toBeNull();
    expect(r?.fast).toBe(r?.full);
    expect(r?.fast).toContain(
      '\n#EXTINF:6,\nhttps://cdn.example/vod/a1/720p/seg1198.ts?session=tok\n#EXTINF:3.2,\nhttps://cdn.example/vod/a1/720p/seg1199.ts?session=tok\n#EXT-X-ENDLIST\n',
    );
  });

  it('takes the fast path when durations alternate (fMP4 timestamps), many rare lines and many distinct ones alike', async () => {
    const playlist = (durationOf: (i: number) => string): string => {
      const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-TARGETDURATION:7', '#EXT-X-MAP:URI="init.mp4"'];
      for (let i = 0; i < 300; i++) lines.push(`#EXTINF:${durationOf(i)},`, `part${i}.m4s`);
      return [...lines, '#EXT-X-ENDLIST', ''].join('\n');
    };
    const texts = [
      playlist((i) => (i % 2 === 0 ? '6.006' : '5.994000')),
      playlist((i) => (6 + (i % 23) / 1000).toFixed(6)),
    ];
    const results = await render(
      texts.map((text) => ({
        path: '/vod/a1/720p/index.m3u8',
        text,
        token: 'tok',
        segmentBaseUrl: 'https://cdn.example',
      })),
    );
    for (const r of results) {
      expect(r.fast).not.toBeNull();
      expect(r.fast).toBe(r.full);
    }
  });

  it('declines playlists it cannot prove (CR line ends, probe-like names) and renders them whole', async () => {
    const crlf = '#EXTM3U\r\n#EXT-X-TARGETDURATION:6\r\n#EXTINF:6,\r\na.ts\r\n#EXTINF:6,\r\nb.ts\r\n#EXT-X-ENDLIST\r\n';
    const probeLike =
      '#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6,\na.ts\n#EXTINF:6,\nmeridian-run-probe-0-0.ts\n#EXT-X-ENDLIST\n';
    const results = await render(
      [crlf, probeLike].map((text) => ({ path: '/v/i.m3u8', text, token: 't', segmentBaseUrl: 'https://cdn.example' })),
    );
    for (const r of results) {
      expect(r.fast).toBeNull();
      expect(r.full).not.toBeNull();
      expect(r.templated).toBe(r.full);
    }
  });
});
