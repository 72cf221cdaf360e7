/** @module Tests of selectAdRendition: the ad rendition a content rendition gets (codec, then bandwidth within the player's budget, then picture size). */
import { describe, expect, it } from 'vitest';
import type { MediaPlaylist } from '../playlist/index.ts';
import { selectAdRendition } from './select.ts';
import type { AdAssetRendition, RenditionTarget } from './types.ts';

const empty: MediaPlaylist = { kind: 'media', targetDuration: 6, segments: [] };

function rendition(
  name: string,
  bandwidthBps: number | undefined,
  height: number | undefined,
  extra: Partial<AdAssetRendition> = {},
): AdAssetRendition {
  const r: AdAssetRendition = {
    uri: `https://ads.example.com/${name}.m3u8`,
    playlist: empty,
    codecs: 'avc1.64001f,mp4a.40.2',
    ...extra,
  };
  if (bandwidthBps !== undefined) r.bandwidthBps = bandwidthBps;
  if (height !== undefined) r.resolution = { width: Math.round((height * 16) / 9), height };
  return r;
}

const pick = (target: RenditionTarget, renditions: AdAssetRendition[]): string | undefined =>
  selectAdRendition(target, renditions)?.uri.replace(/^https:\/\/ads\.example\.com\/(.*)\.m3u8$/, '$1');

const p720 = (bandwidthBps: number): RenditionTarget => ({
  bandwidthBps,
  resolution: { width: 1280, height: 720 },
  codecs: 'avc1.64001f,mp4a.40.2',
});

describe('selectAdRendition', () => {
  it('matches bandwidth before picture size: a low-bitrate 720p rung gets the ad rung of its bitrate, not a heavier 720p', () => {
    expect(pick(p720(1_500_000), [rendition('720p-4M', 4_000_000, 720), rendition('480p-1.5M', 1_500_000, 480)])).toBe(
      '480p-1.5M',
    );
  });

  it("never picks a rendition more than 10 % above the content's bandwidth when one within budget exists", () => {
    // 3.5 Mb/s is nearer in ratio than 2.4 Mb/s, but 17 % over what the player chose for its throughput.
    expect(pick(p720(3_000_000), [rendition('3.5M', 3_500_000, 720), rendition('2.4M', 2_400_000, 720)])).toBe('2.4M');
    // 6.7 % over is within the tolerance: the nearest wins.
    expect(pick(p720(3_000_000), [rendition('3.2M', 3_200_000, 720), rendition('2.2M', 2_200_000, 720)])).toBe('3.2M');
    // Everything is over budget: the lightest.
    expect(
      pick(p720(500_000), [
        rendition('4M', 4_000_000, 1080),
        rendition('1M', 1_000_000, 360),
        rendition('2M', 2_000_000, 720),
      ]),
    ).toBe('1M');
  });

  it('keeps the codec family first (a codec switch at a discontinuity stalls players), then picture size breaks bandwidth ties', () => {
    expect(
      pick(p720(3_000_000), [
        rendition('hevc-3M', 3_000_000, 720, { codecs: 'hvc1.1.6.L93.B0,mp4a.40.2' }),
        rendition('avc-2M', 2_000_000, 720),
      ]),
    ).toBe('avc-2M');
    expect(pick(p720(3_000_000), [rendition('1080p-3M', 3_000_000, 1080), rendition('720p-3M', 3_000_000, 720)])).toBe(
      '720p-3M',
    );
    // Without bandwidths (an asset.json without BANDWIDTH), picture size decides.
    expect(
      pick({ resolution: { width: 640, height: 360 } }, [
        rendition('720p', undefined, 720),
        rendition('360p', undefined, 360),
      ]),
    ).toBe('360p');
  });

  it('matches demuxed audio by kind and language before bandwidth, and gives undefined when no rendition has the kind', () => {
    const audio = (name: string, bandwidthBps: number, language: string): AdAssetRendition =>
      rendition(name, bandwidthBps, undefined, { kind: 'audio', codecs: 'mp4a.40.2', language });
    const renditions = [
      rendition('video', 3_000_000, 720),
      audio('en-96k', 96_000, 'en'),
      audio('fr-128k', 128_000, 'fr'),
    ];
    expect(pick({ kind: 'audio', bandwidthBps: 128_000, language: 'en', codecs: 'mp4a.40.2' }, renditions)).toBe(
      'en-96k',
    );
    expect(pick({ kind: 'subtitles' }, renditions)).toBeUndefined();
  });
});
