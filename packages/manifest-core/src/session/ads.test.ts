/** @module Tests of session ads: the same session media function serves stitched ads and HLS Interstitials from src/ssai. */
import { describe, expect, it } from 'vitest';
import { parseMediaPlaylist } from '../playlist/parse.ts';
import { breaksFromVodOffsets } from '../ssai/breaks.ts';
import { planVodSession } from '../ssai/stitch.ts';
import type { AdPod } from '../ssai/types.ts';
import { mediaModelOf, renderSessionMedia, type SessionUrls, type SourcePlaylistText } from './playlist.ts';

const token = 'TOK.SIG';
const urls: SessionUrls = {
  sessionToken: token,
  mediaPlaylistUrl: (id) => `https://edge.example/v1/sessions/${token}/${id}.m3u8`,
  keyUrl: (k) => `https://edge.example/v1/keys/${k}?session=${token}`,
  steeringUrl: undefined,
  segmentBaseUrl: 'https://origin.example',
};

const content: SourcePlaylistText = {
  path: '/vod/enc1/720p/index.m3u8',
  text: [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    '#EXT-X-TARGETDURATION:6',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXT-X-KEY:METHOD=AES-128,URI="../keys/k-enc1.key",IV=0x00000000000000000000000000000001',
    ...Array.from({ length: 4 }, (_, i) => ['#EXTINF:6.000,', `seg${i}.ts`]).flat(),
    '#EXT-X-ENDLIST',
    '',
  ].join('\n'),
};

const adUri = 'https://ads.example/ad1/720p/index.m3u8';
const pod: AdPod = {
  ads: [
    {
      adId: 'ad1',
      durationSeconds: 12,
      assetUri: 'https://ads.example/ad1/master.m3u8',
      renditions: [
        {
          uri: adUri,
          bandwidthBps: 3_000_000,
          playlist: parseMediaPlaylist(
            [
              '#EXTM3U',
              '#EXT-X-TARGETDURATION:6',
              '#EXTINF:6,',
              'a0.ts',
              '#EXTINF:6,',
              'a1.ts',
              '#EXT-X-ENDLIST',
              '',
            ].join('\n'),
          ).playlist,
        },
      ],
    },
  ],
};

describe('renderSessionMedia with ads', () => {
  const breaks = breaksFromVodOffsets(mediaModelOf(content), { preRoll: true, midRollOffsetsSeconds: [12] });
  const pods = Object.fromEntries(breaks.map((b) => [b.id, pod]));

  it("stitches the session's decisions: ad segments keep their own URLs, the session key comes back after them", () => {
    const decisions = planVodSession(breaks, pods);
    const out = renderSessionMedia(content, urls, {
      mode: 'stitched',
      decisions,
      pods,
      rendition: { bandwidthBps: 3_000_000 },
    });
    const lines = out.split('\n');
    const uris = lines.filter((l) => l !== '' && !l.startsWith('#'));
    expect(uris).toHaveLength(8);
    expect(uris[0]).toMatch(/^https:\/\/ads\.example\/ad1\/720p\/a0\.ts\?mbk=/);
    expect(uris.filter((u) => u.startsWith('https://ads.example/'))).toHaveLength(4);
    expect(
      uris.filter((u) => u.startsWith('https://origin.example/vod/enc1/720p/seg') && u.endsWith(`?session=${token}`)),
    ).toHaveLength(4);
    expect(uris.some((u) => u.startsWith('https://ads.example/') && u.includes('session='))).toBe(false);
    expect(lines.filter((l) => l === '#EXT-X-DISCONTINUITY').length).toBeGreaterThanOrEqual(3);
    expect(out).toContain('#EXT-X-KEY:METHOD=NONE');
    const sessionKey = `#EXT-X-KEY:METHOD=AES-128,URI="https://edge.example/v1/keys/k-enc1?session=${token}",IV=0x00000000000000000000000000000001`;
    // The content key is re-emitted after each ad run: the first content segment and the one after the mid-roll.
    expect(lines.filter((l) => l === sessionKey)).toHaveLength(2);
    expect(lines.indexOf(sessionKey)).toBeLessThan(lines.indexOf(uris[2]!));
  });

  it("signals the session's breaks as HLS Interstitials and leaves the content as it is", () => {
    const out = renderSessionMedia(content, urls, {
      mode: 'interstitials',
      breaks,
      assetListUrl: (b) => `https://edge.example/v1/sessions/${token}/breaks/${b.id}.json`,
    });
    const ranges = out.split('\n').filter((l) => l.startsWith('#EXT-X-DATERANGE'));
    expect(ranges).toHaveLength(2);
    for (const r of ranges) expect(r).toContain('CLASS="com.apple.hls.interstitial"');
    expect(ranges[0]).toContain(
      `X-ASSET-LIST="https://edge.example/v1/sessions/${token}/breaks/${breaks[0]!.id}.json"`,
    );
    expect(out).not.toContain('#EXT-X-DISCONTINUITY');
    expect(out).not.toContain('ads.example');
    const plain = renderSessionMedia(content, urls);
    const segmentLines = (text: string) => text.split('\n').filter((l) => l.startsWith('https://'));
    expect(segmentLines(out)).toEqual(segmentLines(plain));
  });

  it('renders exactly the plain session playlist when no decision fills a break', () => {
    const decisions = planVodSession(breaks, {});
    expect(
      renderSessionMedia(content, urls, { mode: 'stitched', decisions, rendition: { bandwidthBps: 3_000_000 } })
        .split('\n')
        .filter((l) => l.startsWith('https://')),
    ).toEqual(
      renderSessionMedia(content, urls)
        .split('\n')
        .filter((l) => l.startsWith('https://')),
    );
  });
});
