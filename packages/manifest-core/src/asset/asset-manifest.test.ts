/** @module Unit tests of parseAssetManifest: a valid asset.json round-trips; bad fields name themselves. */
import { describe, expect, it } from 'vitest';
import { isManifestError } from '../errors.ts';
import { parseAssetManifest, type AssetManifest } from './asset-manifest.ts';

const valid: AssetManifest = {
  version: 1,
  assetId: 'a1',
  status: 'ready',
  master: 'master.m3u8',
  durationSeconds: 12,
  codec: 'h264',
  container: 'fmp4',
  segmentSeconds: 6,
  encoder: { kind: 'cpu', name: 'libx264', fallbackReason: 'no CUDA device' },
  renditions: [
    {
      name: '240p',
      playlist: '240p/index.m3u8',
      codecs: 'avc1.64001e',
      width: 426,
      height: 240,
      frameRate: 30,
      targetBitrateBps: 500_000,
      peakBitrateBps: 530_000,
      averageBitrateBps: 505_000,
      bandwidthBps: 660_000,
      averageBandwidthBps: 633_000,
      segmentCount: 2,
      durationSeconds: 12,
      keyId: '00ff',
      keyIv: '0x000102030405060708090a0b0c0d0e0f',
      locations: ['s3://media-eu/a1', 's3://media-us/a1'],
    },
  ],
  audio: {
    name: 'audio',
    playlist: 'audio/index.m3u8',
    codecs: 'mp4a.40.2',
    language: 'en',
    groupId: 'aud',
    channels: 2,
    sampleRateHz: 48_000,
    peakBitrateBps: 130_000,
    averageBitrateBps: 128_000,
    segmentCount: 2,
    durationSeconds: 12.03,
    locations: ['s3://media-eu/a1'],
  },
  thumbnails: {
    intervalSeconds: 10,
    sizes: [{ name: 'small', width: 160, height: 90, pattern: 'thumbs/small/%04d.jpg', count: 2 }],
    sprite: {
      image: 'thumbs/sprite.jpg',
      vtt: 'thumbs/sprite.vtt',
      tileWidth: 160,
      tileHeight: 90,
      columns: 2,
      rows: 1,
    },
    locations: ['s3://media-eu/a1'],
  },
  keyIds: ['00ff'],
  locations: ['s3://media-eu/a1', 's3://media-us/a1'],
  updatedAt: '2026-11-22T02:00:00.000Z',
};

describe('parseAssetManifest', () => {
  it('returns a valid asset.json unchanged', () => {
    expect(parseAssetManifest(JSON.parse(JSON.stringify(valid)))).toEqual(valid);
  });

  it('still reads an asset.json written before the IV was recorded: the key id stays, no IV is invented', () => {
    const { keyIv: _dropped, ...old } = valid.renditions[0]!;
    const parsed = parseAssetManifest(JSON.parse(JSON.stringify({ ...valid, renditions: [old] })));
    expect(parsed.renditions[0]!.keyId).toBe('00ff');
    expect(parsed.renditions[0]).not.toHaveProperty('keyIv');
  });

  it('throws INVALID_STATE naming the bad field', () => {
    const cases: Array<[unknown, string]> = [
      [null, 'asset must be an object'],
      [{ ...valid, version: 2 }, 'asset.version'],
      [{ ...valid, status: 'done' }, 'asset.status'],
      [{ ...valid, renditions: [{ ...valid.renditions[0], width: -1 }] }, 'asset.renditions[0].width'],
      [{ ...valid, renditions: [{ ...valid.renditions[0], locations: 'x' }] }, 'asset.renditions[0].locations'],
      [{ ...valid, audio: { ...valid.audio, codecs: 7 } }, 'asset.audio.codecs'],
      [{ ...valid, renditions: [{ ...valid.renditions[0], keyIv: '0x0102' }] }, 'asset.renditions[0].keyIv'],
      [{ ...valid, renditions: [{ ...valid.renditions[0], keyIv: 42 }] }, 'asset.renditions[0].keyIv'],
      [{ ...valid, audio: { ...valid.audio, keyIv: '0x000102030405060708090a0b0c0d0e0f' } }, 'asset.audio.keyIv'],
      [{ ...valid, renditions: [], audio: null }, 'asset.renditions'],
    ];
    for (const [input, field] of cases) {
      let err: unknown;
      try {
        parseAssetManifest(input);
      } catch (e) {
        err = e;
      }
      expect(isManifestError(err) && err.code, field).toBe('INVALID_STATE');
      expect((err as Error).message).toContain(field);
    }
  });
});
