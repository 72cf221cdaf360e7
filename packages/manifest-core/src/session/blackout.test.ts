/** @module Tests of session blackouts: per-viewer slate over blacked-out VOD media time, composed with stitched ads and interstitials. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ad1, pod12, slate } from '../../test/fixtures/ssai/fixtures.ts';
import { isManifestError } from '../errors.ts';
import { parseMediaPlaylist } from '../playlist/parse.ts';
import { ivForMediaSequence } from '../render/drm.ts';
import { parseBlackoutRules } from '../ssai/blackout-config.ts';
import type { BlackoutRule } from '../ssai/blackout.ts';
import { breaksFromVodOffsets } from '../ssai/breaks.ts';
import { planVodSession } from '../ssai/stitch.ts';
import type { AdPod, FillerAsset } from '../ssai/types.ts';
import type { SessionBlackout } from './blackout.ts';
import { mediaModelOf, renderSessionMedia, type SessionUrls, type SourcePlaylistText } from './playlist.ts';

const token = 'TOK.SIG';
const urls: SessionUrls = {
  sessionToken: token,
  mediaPlaylistUrl: (id) => `https://edge.example/v1/sessions/${token}/${id}.m3u8`,
  keyUrl: (k) => `https://edge.example/v1/keys/${k}?session=${token}`,
  steeringUrl: undefined,
  segmentBaseUrl: 'https://origin.example',
};

/** 10 × 6 s of AES-128 content whose key has no IV (RFC 8216 §5.2: the IV is each segment's MSN). */
const content: SourcePlaylistText = {
  path: '/vod/a1/720p/index.m3u8',
  text: [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    '#EXT-X-TARGETDURATION:6',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXT-X-KEY:METHOD=AES-128,URI="../keys/k1.key"',
    ...Array.from({ length: 10 }, (_, i) => ['#EXTINF:6.000,', `seg${i}.ts`]).flat(),
    '#EXT-X-ENDLIST',
    '',
  ].join('\n'),
};
const rendition = { bandwidthBps: 3_000_000, resolution: { width: 1280, height: 720 }, codecs: 'avc1.64001f' };
const fillers: FillerAsset[] = [slate()];

/** US viewers get slate from 12 s to 30 s (content segments 2, 3 and 4). */
const usRule: BlackoutRule = {
  id: 'us-rights',
  audience: { countries: ['US'], match: 'ANY' },
  trigger: { kind: 'mediaTime', startSeconds: 12, endSeconds: 30 },
  replacementId: 'slate',
};

const uriLines = (text: string): string[] => text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
const contentUris = (text: string): string[] => uriLines(text).filter((u) => u.startsWith('https://origin.example/'));
const slateUris = (text: string): string[] => uriLines(text).filter((u) => u.includes('/slate/'));
const adUrisOf = (text: string): string[] =>
  uriLines(text).filter((u) => u.startsWith('https://ads.example.com/') && !u.includes('/slate/'));
const seg = (i: number): string => `https://origin.example/vod/a1/720p/seg${i}.ts?session=${token}`;
const blackout = (country: string, rules: readonly BlackoutRule[] = [usRule]): SessionBlackout => ({
  rules,
  viewer: { country },
  fillers,
  rendition,
});

describe('renderSessionMedia with a blackout', () => {
  it('gives a viewer in the blacked-out country slate over the window, and another viewer the content', () => {
    const us = renderSessionMedia(content, urls, undefined, blackout('US'));
    expect(contentUris(us)).toEqual([0, 1, 5, 6, 7, 8, 9].map(seg));
    // 18 s of 2-second slate, each URI unique to this blackout.
    expect(slateUris(us)).toHaveLength(9);
    expect(new Set(slateUris(us)).size).toBe(9);
    const lines = us.split('\n');
    const firstSlate = lines.indexOf(slateUris(us)[0]!);
    expect(lines.slice(firstSlate - 6, firstSlate)).toContain('#EXT-X-DISCONTINUITY');
    expect(lines.slice(firstSlate - 6, firstSlate)).toContain('#EXT-X-KEY:METHOD=NONE');
    const back = lines.indexOf(seg(5));
    expect(lines.slice(back - 6, back)).toContain('#EXT-X-DISCONTINUITY');
    // RFC 8216 §5.2: seg5 was encrypted with IV = its origin MSN 5, though it is now MSN 11.
    expect(lines.slice(back - 6, back).find((l) => l.startsWith('#EXT-X-KEY'))).toBe(
      `#EXT-X-KEY:METHOD=AES-128,URI="https://edge.example/v1/keys/k1?session=${token}",IV=0x00000000000000000000000000000005`,
    );
    expect(us).toContain('#EXT-X-MEDIA-SEQUENCE:0');

    const fr = renderSessionMedia(content, urls, undefined, blackout('FR'));
    expect(fr).toBe(renderSessionMedia(content, urls));
  });

  it('applies a reverse blackout to everyone outside its audience', () => {
    const reverse: BlackoutRule = { ...usRule, id: 'us-only', reverse: true };
    expect(renderSessionMedia(content, urls, undefined, blackout('US', [reverse]))).toBe(
      renderSessionMedia(content, urls),
    );
    const fr = renderSessionMedia(content, urls, undefined, blackout('FR', [reverse]));
    expect(contentUris(fr)).toEqual([0, 1, 5, 6, 7, 8, 9].map(seg));
    expect(slateUris(fr)).toHaveLength(9);
  });

  it('composes with stitched ads: a break inside the blackout is dropped, the others play, sequencing stays whole', () => {
    const breaks = breaksFromVodOffsets(mediaModelOf(content), { preRoll: true, midRollOffsetsSeconds: [18, 42] });
    const pods: Record<string, AdPod> = Object.fromEntries(breaks.map((b) => [b.id, pod12()]));
    const decisions = planVodSession(breaks, pods);
    const ads = { mode: 'stitched' as const, decisions, pods, fillers, rendition };
    const us = renderSessionMedia(content, urls, ads, blackout('US'));
    const adUris = adUrisOf(us);
    // Pre-roll and the 42 s mid-roll (5 segments each: 6+6+3 and 6+4); the 18 s mid-roll fell in the blackout.
    expect(adUris).toHaveLength(10);
    expect(slateUris(us)).toHaveLength(9);
    expect(contentUris(us)).toEqual([0, 1, 5, 6, 7, 8, 9].map(seg));
    const order = uriLines(us).map((u) =>
      u.includes('/slate/') ? 'slate' : u.startsWith('https://ads.') ? 'ad' : 'content',
    );
    const runs = order.filter((k, i) => k !== order[i - 1]);
    expect(runs).toEqual(['ad', 'content', 'slate', 'content', 'ad', 'content']);
    // Before ad 2 of the pre-roll (the first segment needs none), the return, each of the 9 slate
    // repetitions, the return, both mid-roll ads, the return.
    const lines = us.split('\n');
    expect(lines.filter((l) => l === '#EXT-X-DISCONTINUITY')).toHaveLength(1 + 1 + 9 + 1 + 2 + 1);
    // Every content run after a clear run gets the session key back.
    const keyLines = lines.filter((l) => l.startsWith('#EXT-X-KEY:METHOD=AES-128'));
    expect(keyLines.length).toBeGreaterThanOrEqual(3);
    // Per-ad DATERANGEs only for ads that play.
    expect(lines.filter((l) => l.startsWith('#EXT-X-DATERANGE'))).toHaveLength(4);

    // A viewer outside the audience gets all three breaks and no slate.
    const fr = renderSessionMedia(content, urls, ads, blackout('FR'));
    expect(adUrisOf(fr)).toHaveLength(15);
    expect(slateUris(fr)).toHaveLength(0);
    expect(fr).toBe(renderSessionMedia(content, urls, ads));
  });

  it('composes with interstitials: breaks inside the blackout are not signalled, later ones stay on their content segment', () => {
    const breaks = breaksFromVodOffsets(mediaModelOf(content), { midRollOffsetsSeconds: [18, 42] });
    const ads = {
      mode: 'interstitials' as const,
      breaks,
      assetListUrl: (b: { id: string }) => `https://edge.example/v1/sessions/${token}/breaks/${b.id}.json`,
    };
    const us = renderSessionMedia(content, urls, ads, blackout('US'));
    const lines = us.split('\n');
    const ranges = lines.filter((l) => l.startsWith('#EXT-X-DATERANGE'));
    expect(ranges).toHaveLength(1);
    expect(ranges[0]).toContain(`ID="${breaks[1]!.id}"`);
    // The DATERANGE sits before seg7 (42 s) and its START-DATE is 42 s into the timeline, slate included.
    const at = lines.indexOf(ranges[0]!);
    expect(lines.slice(at).find((l) => !l.startsWith('#'))).toBe(seg(7));
    expect(ranges[0]).toContain('START-DATE="1970-01-01T00:00:42.000Z"');
    expect(slateUris(us)).toHaveLength(9);
  });

  it('takes rules from a BLACKOUT_RULES setting', () => {
    const rules = parseBlackoutRules(
      '[{"id":"ca","audience":{"continents":["na"],"match":"ANY"},"trigger":{"kind":"mediaTime","startSeconds":0,"endSeconds":12},"replacementId":"slate"}]',
      { fillerIds: ['slate'] },
    );
    const viewer = { country: 'CA', continent: 'NA' };
    const out = renderSessionMedia(content, urls, undefined, { rules, viewer, fillers, rendition });
    expect(contentUris(out)).toEqual([2, 3, 4, 5, 6, 7, 8, 9].map(seg));
    expect(slateUris(out)).toHaveLength(6);
  });

  it('refuses a live playlist and rules naming a missing filler with INVALID_OPTIONS', () => {
    const live: SourcePlaylistText = {
      path: '/live/c1/720p.m3u8',
      text: content.text.replace('#EXT-X-PLAYLIST-TYPE:VOD\n', '').replace('#EXT-X-ENDLIST\n', ''),
    };
    expect(parseMediaPlaylist(live.text).playlist.endList).toBeFalsy();
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        return isManifestError(e) ? e.code : 'untyped';
      }
      return undefined;
    };
    expect(code(() => renderSessionMedia(live, urls, undefined, blackout('US')))).toBe('INVALID_OPTIONS');
    expect(code(() => renderSessionMedia(content, urls, undefined, { ...blackout('US'), fillers: [] }))).toBe(
      'INVALID_OPTIONS',
    );
  });

  it("picks the slate rendition nearest to the content rendition and keeps ads' own renditions", () => {
    const twoSizes: FillerAsset = {
      id: 'slate',
      renditions: [
        ...slate().renditions,
        { ...ad1().renditions[1]!, uri: 'https://ads.example.com/slate-360/slate.m3u8' },
      ],
    };
    const low = renderSessionMedia(content, urls, undefined, {
      ...blackout('US'),
      fillers: [twoSizes],
      rendition: { bandwidthBps: 800_000, resolution: { width: 640, height: 360 } },
    });
    expect(uriLines(low).some((u) => u.startsWith('https://ads.example.com/slate-360/'))).toBe(true);
    const high = renderSessionMedia(content, urls, undefined, { ...blackout('US'), fillers: [twoSizes] });
    expect(uriLines(high).some((u) => u.startsWith('https://ads.example.com/slate-360/'))).toBe(false);
  });
});

describe('renderSessionMedia with a blackout and stitched ads (property)', () => {
  it('keeps exactly the content outside the window, in order, each segment decrypting with its origin IV, whatever the breaks', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 1, max: 10 }),
        fc.boolean(),
        fc.uniqueArray(fc.integer({ min: 1, max: 9 }), { maxLength: 3 }),
        fc.boolean(),
        (startSeg, lengthSegs, preRoll, mids, postRoll) => {
          const endSeg = Math.min(10, startSeg + lengthSegs);
          const rule: BlackoutRule = {
            ...usRule,
            trigger: { kind: 'mediaTime', startSeconds: startSeg * 6, endSeconds: endSeg * 6 },
          };
          const breaks = breaksFromVodOffsets(mediaModelOf(content), {
            preRoll,
            postRoll,
            midRollOffsetsSeconds: mids.map((m) => m * 6),
          });
          const pods: Record<string, AdPod> = Object.fromEntries(breaks.map((b) => [b.id, { ads: [ad1()] }]));
          const ads = { mode: 'stitched' as const, decisions: planVodSession(breaks, pods), pods, fillers, rendition };
          const text = renderSessionMedia(content, urls, ads, blackout('US', [rule]));
          const parsed = parseMediaPlaylist(text);
          expect(parsed.warnings).toEqual([]);
          const kept = Array.from({ length: 10 }, (_, i) => i).filter((i) => i < startSeg || i >= endSeg);
          expect(contentUris(text)).toEqual(kept.map(seg));
          expect(slateUris(text)).toHaveLength((endSeg - startSeg) * 3);
          // Every ad break outside the blackout plays (insertions at its edges too), none inside.
          const playing = breaks.filter((b) => !(b.startMsn > startSeg && b.startMsn < endSeg));
          expect(adUrisOf(text)).toHaveLength(playing.length * 3);
          // RFC 8216 §5.2: the IV in force on each content segment is its origin MSN.
          let iv: string | undefined;
          let method = 'NONE';
          parsed.playlist.segments.forEach((s, j) => {
            const key = s.keys?.find((k) => k.keyFormat === undefined);
            if (key !== undefined) {
              method = key.method;
              iv = key.iv;
            }
            const m = /\/seg(\d+)\.ts/.exec(s.uri);
            if (m === null) return;
            expect(method).toBe('AES-128');
            expect(iv ?? ivForMediaSequence((parsed.playlist.mediaSequence ?? 0) + j)).toBe(
              ivForMediaSequence(Number(m[1])),
            );
          });
        },
      ),
      { numRuns: 150 },
    );
  });
});
