/** @module Inputs and our VOD job of the SSAI benchmark, shared by bench/ssai.ts and its child process: the same content and ads for every stitcher. */
import {
  breaksFromVodOffsets,
  parseMediaPlaylist,
  planVodSession,
  serializePlaylist,
  stitchVod,
} from '../src/index.ts';
import type { AdCreative, AdPod } from '../src/index.ts';

/** Content segments of the VOD. */
export const SSAI_VOD_SEGMENTS = 1_200;
/** Mid-roll offsets in seconds: six breaks. */
export const SSAI_BREAK_OFFSETS_S = [600, 1_800, 3_000, 4_200, 5_400, 6_600];
/** Ads per break. */
export const SSAI_ADS_PER_BREAK = 4;
/** Bandwidth of the content's one rendition and of the ads' one rendition. */
export const SSAI_BANDWIDTH_BPS = 2_000_000;

/** A clear 1,200-segment TS VOD media playlist (6 s segments), the content both stitchers splice into. */
export function ssaiVodText(): string {
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    '#EXT-X-TARGETDURATION:6',
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD',
  ];
  for (let i = 0; i < SSAI_VOD_SEGMENTS; i++)
    lines.push('#EXTINF:6.000,', `https://origin.example.com/vod/720p/seg-${String(i).padStart(5, '0')}.ts`);
  lines.push('#EXT-X-ENDLIST');
  return lines.join('\n') + '\n';
}

/** The content's multivariant playlist (one variant), for hls-splice's load(). */
export function ssaiMasterText(): string {
  return [
    '#EXTM3U',
    `#EXT-X-STREAM-INF:BANDWIDTH=${SSAI_BANDWIDTH_BPS},RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2"`,
    '720p/index.m3u8',
    '',
  ].join('\n');
}

/** Ad `k` (0–3): a 15 s TS media playlist (6 + 6 + 3 s). */
export function ssaiAdMediaText(k: number): string {
  return [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    '#EXT-X-TARGETDURATION:6',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXTINF:6.000,',
    `https://ads.example.com/ad${k}/720p/seg-0.ts`,
    '#EXTINF:6.000,',
    `https://ads.example.com/ad${k}/720p/seg-1.ts`,
    '#EXTINF:3.000,',
    `https://ads.example.com/ad${k}/720p/seg-2.ts`,
    '#EXT-X-ENDLIST',
    '',
  ].join('\n');
}

/** Ad `k`'s multivariant playlist (one variant). */
export function ssaiAdMasterText(k: number): string {
  return [
    '#EXTM3U',
    `#EXT-X-STREAM-INF:BANDWIDTH=${SSAI_BANDWIDTH_BPS},RESOLUTION=1280x720`,
    `https://ads.example.com/ad${k}/720p/index.m3u8`,
    '',
  ].join('\n');
}

/** Our whole VOD job: parse the content and the 4 ads, place 6 breaks, decide, stitch, serialize. */
export function stitchVodJob(content: string, ads: readonly string[]): string {
  const vod = parseMediaPlaylist(content).playlist;
  const creatives: AdCreative[] = ads.map((text, k) => ({
    adId: `ad${k}`,
    durationSeconds: 15,
    renditions: [
      {
        uri: `https://ads.example.com/ad${k}/720p/index.m3u8`,
        playlist: parseMediaPlaylist(text).playlist,
        bandwidthBps: SSAI_BANDWIDTH_BPS,
      },
    ],
  }));
  const pod: AdPod = { ads: creatives };
  const breaks = breaksFromVodOffsets(vod, { midRollOffsetsSeconds: SSAI_BREAK_OFFSETS_S });
  const pods = Object.fromEntries(breaks.map((b) => [b.id, pod]));
  const decisions = planVodSession(breaks, pods);
  return serializePlaylist(stitchVod(vod, { decisions, pods, rendition: { bandwidthBps: SSAI_BANDWIDTH_BPS } }));
}
