/** @module Tests of master playlist rendering: filtering, ordering, groups, pathways, session keys, ladders from asset.json and origin masters. */
import fc from 'fast-check';
import { Parser } from 'm3u8-parser';
import { describe, expect, it } from 'vitest';
import type { AssetManifest } from '../asset/index.ts';
import { isManifestError } from '../errors.ts';
import { parseMasterPlaylist } from '../playlist/index.ts';
import { KEYFORMAT, sessionKeysFor } from './drm.ts';
import { codecFamily, ladderFromAsset, ladderFromMaster, orderVariants, renderMasterPlaylist } from './master.ts';
import type { Ladder, LadderVariant } from './master.ts';

interface OraclePlaylist {
  uri: string;
  attributes: Record<string, unknown> & { BANDWIDTH: number; RESOLUTION?: { width: number; height: number } };
}
interface OracleMaster {
  playlists: OraclePlaylist[];
  iFramePlaylists: OraclePlaylist[];
  mediaGroups: {
    AUDIO: Record<string, Record<string, { language?: string; default: boolean; autoselect: boolean; uri?: string }>>;
  };
  contentSteering?: { serverUri: string; pathwayId?: string };
}

function oracle(text: string): OracleMaster {
  const parser = new Parser();
  parser.push(text);
  parser.end();
  return parser.manifest as OracleMaster;
}

const rung = (id: string, height: number, bandwidthBps: number, video = 'avc1.64001f'): LadderVariant => ({
  id,
  uri: `${id}/index.m3u8`,
  bandwidthBps,
  averageBandwidthBps: Math.round(bandwidthBps * 0.8),
  codecs: `${video},mp4a.40.2`,
  width: Math.round((height * 16) / 9),
  height,
  frameRate: 29.97,
  audioGroupId: 'aud',
  subtitlesGroupId: 'subs',
});

const LADDER: Ladder = {
  variants: [
    rung('1080p', 1080, 5_600_000),
    rung('240p', 240, 560_000),
    rung('720p', 720, 3_300_000),
    rung('480p', 480, 1_700_000),
    rung('2160p-hevc', 2160, 15_000_000, 'hvc1.2.4.L153.B0'),
  ],
  media: [
    {
      type: 'AUDIO',
      id: 'en',
      groupId: 'aud',
      name: 'English',
      language: 'en',
      default: true,
      autoselect: true,
      uri: 'audio/en.m3u8',
      channels: '2',
    },
    {
      type: 'AUDIO',
      id: 'fr',
      groupId: 'aud',
      name: 'Français',
      language: 'fr',
      autoselect: true,
      uri: 'audio/fr.m3u8',
      channels: '2',
    },
    { type: 'SUBTITLES', id: 'en-sub', groupId: 'subs', name: 'English', language: 'en', uri: 'subs/en.m3u8' },
    { type: 'AUDIO', id: 'unused', groupId: 'other', name: 'Commentary', uri: 'audio/c.m3u8' },
  ],
  iFrameVariants: [
    { id: 'if-720', uri: '720p/iframes.m3u8', bandwidthBps: 300_000, codecs: 'avc1.64001f', width: 1280, height: 720 },
    { id: 'if-240', uri: '240p/iframes.m3u8', bandwidthBps: 60_000, codecs: 'avc1.64001f', width: 426, height: 240 },
  ],
};

function expectInvalid(fn: () => unknown): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(isManifestError(error) && error.code === 'INVALID_OPTIONS').toBe(true);
}

describe('renderMasterPlaylist', () => {
  it('writes every variant attribute and group a player reads, starting near 2 Mb/s', () => {
    const { text, playlist, warnings } = renderMasterPlaylist(LADDER, {}, { uri: '/v1/play/s1/{id}.m3u8' });
    expect(warnings).toEqual([]);
    const m = oracle(text);
    expect(m.playlists.map((p) => p.uri)).toEqual([
      '/v1/play/s1/480p.m3u8',
      '/v1/play/s1/240p.m3u8',
      '/v1/play/s1/720p.m3u8',
      '/v1/play/s1/1080p.m3u8',
      '/v1/play/s1/2160p-hevc.m3u8',
    ]);
    const first = m.playlists[0]!.attributes;
    expect(first).toMatchObject({
      BANDWIDTH: 1_700_000,
      'AVERAGE-BANDWIDTH': '1360000',
      CODECS: 'avc1.64001f,mp4a.40.2',
      'FRAME-RATE': 29.97,
    });
    expect(first.RESOLUTION).toEqual({ width: 853, height: 480 });
    expect(first.AUDIO).toBe('aud');
    expect(first.SUBTITLES).toBe('subs');
    expect(Object.keys(m.mediaGroups.AUDIO)).toEqual(['aud']); // the unreferenced group is left out
    expect(m.mediaGroups.AUDIO.aud!.English).toMatchObject({
      language: 'en',
      default: true,
      autoselect: true,
      uri: '/v1/play/s1/en.m3u8',
    });
    expect(m.mediaGroups.AUDIO.aud!['Français']).toMatchObject({ language: 'fr', default: false });
    expect(m.iFramePlaylists.map((p) => p.uri)).toEqual(['/v1/play/s1/if-240.m3u8', '/v1/play/s1/if-720.m3u8']);
    expect(text).toContain('#EXT-X-INDEPENDENT-SEGMENTS');
    expect(playlist.version).toBe(4); // I-frame streams
  });

  it('filters by height, bandwidth and codec support', () => {
    const { playlist } = renderMasterPlaylist(LADDER, { maxHeight: 720, unsupportedCodecFamilies: ['hevc'] });
    expect(playlist.variants.map((v) => v.uri)).toEqual(['480p/index.m3u8', '240p/index.m3u8', '720p/index.m3u8']);
    const cheap = renderMasterPlaylist(LADDER, { maxBandwidthBps: 2_000_000 }).playlist;
    expect(cheap.variants.map((v) => v.bandwidth)).toEqual([1_700_000, 560_000]);
    expect(cheap.iFrameVariants.map((v) => v.bandwidth)).toEqual([60_000, 300_000]);
    const noHevc = renderMasterPlaylist(LADDER, { supportsCodec: (c) => !c.startsWith('hvc1') }).playlist;
    expect(noHevc.variants.some((v) => v.codecs?.includes('hvc1'))).toBe(false);
  });

  it('never returns an empty master: keeps the lowest variant and warns', () => {
    const { playlist, warnings } = renderMasterPlaylist(LADDER, { maxHeight: 100 });
    expect(playlist.variants.map((v) => v.uri)).toEqual(['240p/index.m3u8']);
    expect(warnings.map((w) => w.code)).toEqual(['ALL_VARIANTS_FILTERED']);
    const none = renderMasterPlaylist(LADDER, { unsupportedCodecFamilies: ['aac'] });
    expect(none.playlist.variants.map((v) => v.uri)).toEqual(['240p/index.m3u8']);
    expect(none.warnings.map((w) => w.code)).toEqual(['NO_SUPPORTED_CODECS']);
  });

  it('repeats the ladder per pathway with content steering and stable ids', () => {
    const { text, playlist } = renderMasterPlaylist(
      LADDER,
      { maxHeight: 720 },
      {
        uri: (item) => `/v1/play/s1/${item.id}.m3u8`,
        query: 'tok=a%2Bb',
        pathways: [
          { id: 'cdn-a', baseUrl: 'https://a.example' },
          { id: 'cdn-b', baseUrl: 'https://b.example/' },
        ],
        contentSteering: { serverUri: '/v1/steering/s1.json' },
      },
    );
    expect(text).toContain('#EXT-X-CONTENT-STEERING:SERVER-URI="/v1/steering/s1.json",PATHWAY-ID="cdn-a"');
    const m = oracle(text);
    expect(m.contentSteering).toEqual({ serverUri: '/v1/steering/s1.json', pathwayId: 'cdn-a' });
    expect(m.playlists).toHaveLength(6);
    expect(m.playlists.map((p) => p.attributes['PATHWAY-ID'])).toEqual([
      'cdn-a',
      'cdn-a',
      'cdn-a',
      'cdn-b',
      'cdn-b',
      'cdn-b',
    ]);
    expect(m.playlists[3]!.uri).toBe('https://b.example/v1/play/s1/480p.m3u8?tok=a%2Bb');
    expect(m.playlists[3]!.attributes.AUDIO).toBe('aud-cdn-b');
    expect(m.mediaGroups.AUDIO['aud-cdn-b']!.English!.uri).toBe('https://b.example/v1/play/s1/en.m3u8?tok=a%2Bb');
    expect(playlist.variants.filter((v) => v.stableVariantId === '720p').map((v) => v.uri)).toEqual([
      'https://a.example/v1/play/s1/720p.m3u8?tok=a%2Bb',
      'https://b.example/v1/play/s1/720p.m3u8?tok=a%2Bb',
    ]);
    expect(playlist.renditions.every((r) => r.stableRenditionId !== undefined)).toBe(true);
  });

  it('writes EXT-X-SESSION-KEY lines and raises VERSION for KEYFORMAT', () => {
    const sessionKeys = sessionKeysFor({
      method: 'SAMPLE-AES',
      keyId: '0123456789abcdef0123456789abcdef',
      fairPlay: true,
      widevine: true,
    });
    const variant: LadderVariant = { id: '720p', bandwidthBps: 3e6, codecs: 'avc1.64001f,mp4a.40.2' };
    const { playlist, text } = renderMasterPlaylist({ variants: [variant] }, {}, { sessionKeys });
    expect(playlist.version).toBe(5);
    const lines = text.split('\n').filter((l) => l.startsWith('#EXT-X-SESSION-KEY:'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain(`KEYFORMAT="${KEYFORMAT.fairPlay}"`);
    expect(parseMasterPlaylist(text).playlist.sessionKeys).toEqual(
      sessionKeys.map((k) => expect.objectContaining({ uri: k.uri, keyFormat: k.keyFormat })),
    );
  });

  it('rejects bad ladders and options', () => {
    expectInvalid(() => renderMasterPlaylist({ variants: [] }));
    expectInvalid(() => renderMasterPlaylist({ variants: [rung('a', 240, 1e5)] })); // audio group without media
    expectInvalid(() =>
      renderMasterPlaylist({
        variants: [
          { id: 'a', bandwidthBps: 1e5 },
          { id: 'a', bandwidthBps: 2e5 },
        ],
      }),
    );
    expectInvalid(() => renderMasterPlaylist({ variants: [{ id: 'a b', bandwidthBps: 1e5 }] }));
    expectInvalid(() => renderMasterPlaylist({ variants: [{ id: 'a', bandwidthBps: -1 }] }));
    expectInvalid(() => renderMasterPlaylist(LADDER, {}, { pathways: [{ id: 'x y', baseUrl: 'https://a' }] }));
    expectInvalid(() => renderMasterPlaylist(LADDER, {}, { sessionKeys: [{ method: 'NONE' }] }));
    expectInvalid(() =>
      renderMasterPlaylist({
        variants: [{ id: 'a', bandwidthBps: 1e5, audioGroupId: 'g' }],
        media: [
          { type: 'AUDIO', id: 'x', groupId: 'g', name: 'A', default: true },
          { type: 'AUDIO', id: 'y', groupId: 'g', name: 'B', default: true },
        ],
      }),
    );
  });

  it('m3u8-parser sees every kept variant once per pathway, for any ladder and viewer (property)', () => {
    const variantArb = fc.record({
      bandwidthBps: fc.integer({ min: 50_000, max: 40_000_000 }),
      height: fc.constantFrom(240, 360, 480, 720, 1080, 2160),
      video: fc.constantFrom('avc1.64001f', 'hvc1.2.4.L153.B0', 'av01.0.08M.08'),
    });
    fc.assert(
      fc.property(
        fc.array(variantArb, { minLength: 1, maxLength: 8 }),
        fc.record({
          maxHeight: fc.option(fc.constantFrom(360, 720, 1080), { nil: undefined }),
          maxBandwidthBps: fc.option(fc.integer({ min: 100_000, max: 20_000_000 }), { nil: undefined }),
          unsupportedCodecFamilies: fc.subarray(['hevc', 'av1'] as const),
        }),
        fc.integer({ min: 0, max: 3 }),
        (rungs, viewer, pathwayCount) => {
          const ladder: Ladder = {
            variants: rungs.map((r, i) => rung(`v${i}`, r.height, r.bandwidthBps, r.video)),
            media: LADDER.media!,
          };
          const pathways = Array.from({ length: pathwayCount }, (_, i) => ({
            id: `p${i}`,
            baseUrl: `https://p${i}.example`,
          }));
          const { playlist, text, warnings } = renderMasterPlaylist(ladder, viewer, { pathways });
          const perPathway = playlist.variants.length / Math.max(1, pathwayCount);
          expect(perPathway).toBeGreaterThanOrEqual(1);
          const fits = ladder.variants.filter(
            (v) =>
              v.height! <= (viewer.maxHeight ?? Infinity) &&
              v.bandwidthBps <= (viewer.maxBandwidthBps ?? Infinity) &&
              !viewer.unsupportedCodecFamilies.includes(codecFamily(v.codecs!.split(',')[0]!) as 'hevc' | 'av1'),
          );
          if (fits.length > 0) {
            expect(perPathway).toBe(fits.length);
            expect(warnings).toEqual([]);
          } else {
            expect(perPathway).toBe(1);
            expect(warnings).toHaveLength(1);
          }
          const m = oracle(text);
          expect(m.playlists.map((p) => p.attributes.BANDWIDTH)).toEqual(playlist.variants.map((v) => v.bandwidth));
          expect(m.playlists.map((p) => p.uri)).toEqual(playlist.variants.map((v) => v.uri));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('keeps the start variant first and the rest ascending, for any ladder (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 50_000_000 }), { minLength: 1, maxLength: 12 }),
        (bandwidths) => {
          const variants = bandwidths.map((b, i) => ({ id: `v${i}`, bandwidthBps: b }));
          const ordered = orderVariants(variants);
          const distance = (b: number): number => Math.abs(b - 2_000_000);
          expect(ordered.every((v) => distance(ordered[0]!.bandwidthBps) <= distance(v.bandwidthBps))).toBe(true);
          const rest = ordered.slice(1).map((v) => v.bandwidthBps);
          expect(rest).toEqual([...rest].sort((a, b) => a - b));
          expect(ordered).toHaveLength(variants.length);
        },
      ),
    );
  });
});

describe('ladders', () => {
  const asset: AssetManifest = {
    version: 1,
    assetId: 'a1',
    status: 'ready',
    master: 'master.m3u8',
    durationSeconds: 60,
    codec: 'hevc',
    container: 'fmp4',
    segmentSeconds: 6,
    encoder: { kind: 'cpu', name: 'libx265' },
    renditions: [
      {
        name: '240p',
        playlist: '240p/index.m3u8',
        codecs: 'hvc1.1.6.L63.B0',
        width: 426,
        height: 240,
        frameRate: 25,
        targetBitrateBps: 5e5,
        peakBitrateBps: 6e5,
        averageBitrateBps: 5e5,
        bandwidthBps: 730_000,
        averageBandwidthBps: 630_000,
        segmentCount: 10,
        durationSeconds: 60,
        locations: [],
      },
      {
        name: '720p',
        playlist: '720p/index.m3u8',
        codecs: 'hvc1.1.6.L93.B0',
        width: 1280,
        height: 720,
        frameRate: 25,
        targetBitrateBps: 3e6,
        peakBitrateBps: 3.6e6,
        averageBitrateBps: 3e6,
        bandwidthBps: 3_730_000,
        averageBandwidthBps: 3_130_000,
        segmentCount: 10,
        durationSeconds: 60,
        locations: [],
      },
    ],
    audio: {
      name: 'audio',
      playlist: 'audio/index.m3u8',
      codecs: 'mp4a.40.2',
      language: 'en',
      groupId: 'aac',
      channels: 2,
      sampleRateHz: 48000,
      peakBitrateBps: 130_000,
      averageBitrateBps: 128_000,
      segmentCount: 10,
      durationSeconds: 60,
      locations: [],
    },
    thumbnails: null,
    keyIds: [],
    locations: [],
    updatedAt: '2026-11-22T00:00:00Z',
  };

  it('turns asset.json into a ladder whose master a player can use', () => {
    const { playlist, text } = renderMasterPlaylist(ladderFromAsset(asset, { audioName: 'English' }));
    expect(playlist.variants.map((v) => [v.uri, v.bandwidth, v.codecs, v.audio])).toEqual([
      ['240p/index.m3u8', 730_000, 'hvc1.1.6.L63.B0,mp4a.40.2', 'aac'], // 1.27 Mb/s from 2 Mb/s, closer than 720p
      ['720p/index.m3u8', 3_730_000, 'hvc1.1.6.L93.B0,mp4a.40.2', 'aac'],
    ]);
    expect(oracle(text).mediaGroups.AUDIO.aac!.English).toMatchObject({
      language: 'en',
      default: true,
      uri: 'audio/index.m3u8',
    });
    // A viewer without HEVC still gets a playable-looking master (the lowest variant is kept) and a warning.
    expect(renderMasterPlaylist(ladderFromAsset(asset), { unsupportedCodecFamilies: ['hevc'] }).warnings[0]!.code).toBe(
      'NO_SUPPORTED_CODECS',
    );
    expectInvalid(() => ladderFromAsset({ ...asset, status: 'processing' }));
    const audioOnly = ladderFromAsset({ ...asset, renditions: [] });
    expect(audioOnly.variants).toEqual([
      expect.objectContaining({ uri: 'audio/index.m3u8', codecs: 'mp4a.40.2', bandwidthBps: 130_000 }),
    ]);
  });

  it('turns an origin master into a ladder and back with absolute URIs', () => {
    const origin = parseMasterPlaylist(
      [
        '#EXTM3U',
        '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,URI="audio/en.m3u8"',
        '#EXT-X-STREAM-INF:BANDWIDTH=800000,CODECS="avc1.4d401e,mp4a.40.2",RESOLUTION=640x360,AUDIO="a"',
        'v360/index.m3u8?sig=a%2Bb',
        '#EXT-X-STREAM-INF:BANDWIDTH=2500000,CODECS="avc1.4d401f,mp4a.40.2",RESOLUTION=1280x720,AUDIO="a"',
        'v720/index.m3u8',
        '',
      ].join('\n'),
    ).playlist;
    const ladder = ladderFromMaster(origin, { baseUrl: 'https://origin.example/vod/m1/master.m3u8' });
    const { playlist } = renderMasterPlaylist(ladder);
    expect(playlist.variants.map((v) => v.uri)).toEqual([
      'https://origin.example/vod/m1/v720/index.m3u8',
      'https://origin.example/vod/m1/v360/index.m3u8?sig=a%2Bb',
    ]);
    expect(playlist.renditions[0]).toMatchObject({
      uri: 'https://origin.example/vod/m1/audio/en.m3u8',
      default: true,
      language: 'en',
    });
  });

  it('takes only the first pathway of an origin master that already steers', () => {
    const origin = parseMasterPlaylist(
      [
        '#EXTM3U',
        '#EXT-X-CONTENT-STEERING:SERVER-URI="/steer.json",PATHWAY-ID="A"',
        '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a-A",NAME="English",DEFAULT=YES,AUTOSELECT=YES,URI="en.m3u8"',
        '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a-B",NAME="English",DEFAULT=YES,AUTOSELECT=YES,URI="https://b.example/en.m3u8"',
        '#EXT-X-STREAM-INF:BANDWIDTH=800000,AUDIO="a-A",PATHWAY-ID="A",STABLE-VARIANT-ID="low",CLOSED-CAPTIONS=NONE',
        'low.m3u8',
        '#EXT-X-STREAM-INF:BANDWIDTH=800000,AUDIO="a-B",PATHWAY-ID="B",STABLE-VARIANT-ID="low",CLOSED-CAPTIONS=NONE',
        'https://b.example/low.m3u8',
        '',
      ].join('\n'),
    ).playlist;
    const ladder = ladderFromMaster(origin);
    expect(ladder.variants).toEqual([
      expect.objectContaining({ id: 'low', uri: 'low.m3u8', audioGroupId: 'a-A', closedCaptions: 'NONE' }),
    ]);
    expect(ladder.media!.map((m) => m.groupId)).toEqual(['a-A']);
    const { text } = renderMasterPlaylist(ladder, {}, { pathways: [{ id: 'X', baseUrl: 'https://x.example/p' }] });
    expect(text).toContain('CLOSED-CAPTIONS=NONE');
    expect(oracle(text).playlists[0]!.uri).toBe('https://x.example/p/low.m3u8');
    expectInvalid(() =>
      renderMasterPlaylist(
        ladder,
        {},
        { pathways: [{ id: 'X', baseUrl: 'https://x' }], contentSteering: { serverUri: '/s', pathwayId: 'Y' } },
      ),
    );
  });

  it('names codec families', () => {
    expect(
      ['avc1.64001f', 'hev1.1.6.L93.B0', 'dvh1.05.06', 'av01.0.08M.08', 'mp4a.40.2', 'mp4a.40.34', 'ec-3', 'wvtt'].map(
        codecFamily,
      ),
    ).toEqual(['h264', 'hevc', 'dolby-vision', 'av1', 'aac', 'mp3', 'ec3', 'other']);
  });
});
