/** @module Tests of VOD stitching as a player reads it: discontinuities, keys, maps, PDT, ad DATERANGEs, slate, threshold, demuxed audio. */
import { describe, expect, it } from 'vitest';
import { parseMediaPlaylist, serializePlaylist } from '../playlist/index.ts';
import { applyKeySignalling } from '../render/index.ts';
import type { MediaPlaylist } from '../playlist/index.ts';
import { ad1, ad2, fixturePlaylist, fixtureText, pod12, slate } from '../../test/fixtures/ssai/fixtures.ts';
import { breaksFromVodOffsets, detectBreaks } from './breaks.ts';
import { AD_CREATIVE_DATERANGE_CLASS, isReplacementSegment, planVodSession, stitchVod } from './stitch.ts';
import type { AdPod, RenditionTarget } from './types.ts';

const V720: RenditionTarget = {
  bandwidthBps: 3_000_000,
  resolution: { width: 1280, height: 720 },
  codecs: 'avc1.64001f,mp4a.40.2',
};
const AUDIO: RenditionTarget = { kind: 'audio', bandwidthBps: 128_000, codecs: 'mp4a.40.2', language: 'en' };

/** Serialises and re-parses, so assertions see what a player would read. */
function asPlayerSees(p: MediaPlaylist): { text: string; playlist: MediaPlaylist; warnings: string[] } {
  const text = serializePlaylist(p);
  const parsed = parseMediaPlaylist(text);
  return { text, playlist: parsed.playlist, warnings: parsed.warnings.map((w) => w.code) };
}

function discontinuityIndexes(p: MediaPlaylist): number[] {
  return p.segments.flatMap((s, i) => (s.discontinuity ? [i] : []));
}

describe('stitchVod', () => {
  const video = fixturePlaylist('vod-video-720p.m3u8');
  const audio = fixturePlaylist('vod-audio-en.m3u8');

  it('inserts a pre-roll and a mid-roll pod with discontinuities, METHOD=NONE over the clear ads and every content key after them', () => {
    const breaks = breaksFromVodOffsets(video, { preRoll: true, midRollOffsetsSeconds: [30] });
    const pods: Record<string, AdPod> = { 'vod-pre': { ads: [ad1()] }, 'vod-30000': pod12() };
    const decisions = planVodSession(breaks, pods, { slate: slate() });
    const {
      playlist: out,
      warnings,
      text,
    } = asPlayerSees(stitchVod(video, { decisions, pods, fillers: [slate()], rendition: V720 }));
    expect(warnings).toEqual([]);
    // 3 pre-roll + 10 content + 3 + 2 mid-roll segments.
    expect(out.segments).toHaveLength(18);
    const uris = out.segments.map((s) => s.uri);
    expect(uris.slice(0, 3)).toEqual([
      'https://ads.example.com/ad1/seg-0.m4s?mbk=vod-pre.0',
      'https://ads.example.com/ad1/seg-1.m4s?mbk=vod-pre.1',
      'https://ads.example.com/ad1/seg-2.m4s?mbk=vod-pre.2',
    ]);
    expect(out.segments[0]!.map?.uri).toBe('https://ads.example.com/ad1/init.mp4');
    expect(out.segments[0]!.keys).toBeUndefined();
    // Back to content: discontinuity, FairPlay + Widevine keys, the content map and a PDT.
    const back = out.segments[3]!;
    expect(back.uri).toBe('v720/seg-000.m4s');
    expect(back.discontinuity).toBe(true);
    expect(back.keys?.map((k) => k.keyFormat)).toEqual([
      'com.apple.streamingkeydelivery',
      'urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed',
    ]);
    expect(back.map?.uri).toBe('init-v720.mp4');
    expect(back.programDateTime).toBe('1970-01-01T00:00:15.000Z');
    // Mid-roll after 5 content segments: METHOD=NONE, the ad's map, a DATERANGE per ad.
    const mid = out.segments[8]!;
    expect(mid.discontinuity).toBe(true);
    expect(mid.keys).toEqual([{ method: 'NONE' }]);
    expect(mid.map?.uri).toBe('https://ads.example.com/ad1/init.mp4');
    expect(out.segments[11]!.uri).toBe('https://ads.example.com/ad2/seg-0.m4s?mbk=vod-30000.3');
    expect(out.segments[11]!.discontinuity).toBe(true);
    const ranges = out.segments.flatMap((s) => s.dateRanges ?? []);
    expect(ranges.map((r) => [r.id, r.class, r.startDate, r.duration])).toEqual([
      ['0-1', AD_CREATIVE_DATERANGE_CLASS, '1970-01-01T00:00:00.000Z', 15],
      ['8-1', AD_CREATIVE_DATERANGE_CLASS, '1970-01-01T00:00:45.000Z', 15],
      ['8-2', AD_CREATIVE_DATERANGE_CLASS, '1970-01-01T00:01:00.000Z', 10],
    ]);
    const signalling = JSON.parse(atob(String(ranges[1]!.clientAttributes!['X-AD-CREATIVE-SIGNALING']))) as {
      identifiers: { value: string; ad_position: string }[];
    };
    expect(signalling.identifiers[0]).toMatchObject({ value: 'creative-1', ad_position: '8-1' });
    const resume = out.segments[13]!;
    expect(resume.uri).toBe('v720/seg-005.m4s');
    expect(resume.keys).toHaveLength(2);
    expect(resume.map?.uri).toBe('init-v720.mp4');
    // RFC 8216 §4.3.2.7: PDT is present wherever DATERANGE is.
    expect(text).toContain('#EXT-X-PROGRAM-DATE-TIME:1970-01-01T00:00:00.000Z');
    expect(out.endList).toBe(true);
  });

  it('gives each content rendition the nearest ad rendition by resolution and bandwidth', () => {
    const breaks = breaksFromVodOffsets(video, { midRollOffsetsSeconds: [30] });
    const pods = { 'vod-30000': pod12() };
    const decisions = planVodSession(breaks, pods);
    const low = stitchVod(video, {
      decisions,
      pods,
      rendition: { bandwidthBps: 700_000, resolution: { width: 640, height: 360 } },
    });
    const adUris = low.segments.filter((s) => s.uri.startsWith('https://ads.')).map((s) => s.uri.split('?')[0]);
    // ad 1 has a 360p rendition; ad 2 only 720p.
    expect(adUris).toEqual([
      'https://ads.example.com/ad1-360/seg-0.m4s',
      'https://ads.example.com/ad1-360/seg-1.m4s',
      'https://ads.example.com/ad1-360/seg-2.m4s',
      'https://ads.example.com/ad2/seg-0.m4s',
      'https://ads.example.com/ad2/seg-1.m4s',
    ]);
  });

  it('stitches demuxed audio with the same discontinuities at the same boundaries as video', () => {
    const breaks = breaksFromVodOffsets(video, {
      preRoll: true,
      midRollOffsetsSeconds: [18, 42],
      postRoll: true,
      breakDurationSeconds: 30,
    });
    const pods: Record<string, AdPod> = {
      'vod-pre': pod12(),
      'vod-18000': { ads: [ad2()] },
      'vod-42000': pod12(),
      'vod-post': { ads: [ad1()] },
    };
    const decisions = planVodSession(breaks, pods, { slate: slate() });
    const v = asPlayerSees(stitchVod(video, { decisions, pods, fillers: [slate()], rendition: V720 })).playlist;
    const a = asPlayerSees(stitchVod(audio, { decisions, pods, fillers: [slate()], rendition: AUDIO })).playlist;
    expect(a.segments).toHaveLength(v.segments.length);
    expect(discontinuityIndexes(a)).toEqual(discontinuityIndexes(v));
    expect(discontinuityIndexes(v).length).toBeGreaterThan(8);
    // The ad segments are the audio renditions, and the replacement timing is identical.
    const adA = a.segments.filter((s) => s.uri.startsWith('https://ads.'));
    const adV = v.segments.filter((s) => s.uri.startsWith('https://ads.'));
    expect(adA.map((s) => s.duration)).toEqual(adV.map((s) => s.duration));
    expect(adA.some((s) => s.uri.includes('ad1-audio') || s.uri.includes('/ad1/seg'))).toBe(true);
    expect(a.segments[0]!.map?.uri).toBe('https://ads.example.com/ad1/init.mp4');
    for (const i of discontinuityIndexes(v)) {
      const dv = Date.parse(v.segments[i]!.programDateTime!);
      const da = Date.parse(a.segments[i]!.programDateTime!);
      expect(Math.abs(dv - da)).toBeLessThan(100);
    }
  });

  it('fills underfill with slate and trims overfill at a segment boundary', () => {
    const under = breaksFromVodOffsets(video, { midRollOffsetsSeconds: [30], breakDurationSeconds: 20 });
    const pods = { 'vod-30000': pod12() };
    const decisions = planVodSession(under, pods, { slate: slate() });
    expect(decisions[0]!.ads.map((a) => a.segmentsMs)).toEqual([[6000, 6000, 3000]]);
    const out = stitchVod(video, { decisions, pods, fillers: [slate()], rendition: V720 });
    const inserted = out.segments.slice(5, out.segments.length - 5);
    expect(inserted.map((s) => s.duration)).toEqual([6, 6, 3, 2, 2, 1]);
    expect(inserted.slice(3).map((s) => s.uri)).toEqual([
      'https://ads.example.com/slate/slate-0.m4s?mbk=vod-30000.3',
      'https://ads.example.com/slate/slate-0.m4s?mbk=vod-30000.4',
      'https://ads.example.com/slate/slate-0.m4s?mbk=vod-30000.5',
    ]);
    // Every slate repetition restarts its timestamps: a discontinuity before each.
    expect(inserted.map((s) => s.discontinuity === true)).toEqual([true, false, false, true, true, true]);
    // Slate gets no ad DATERANGE (MediaTailor).
    expect(inserted.slice(3).every((s) => s.dateRanges === undefined)).toBe(true);
  });

  it('keeps the content when more of the break than the personalisation threshold would be slate', () => {
    const breaks = breaksFromVodOffsets(video, { midRollOffsetsSeconds: [30], breakDurationSeconds: 60 });
    const pods = { 'vod-30000': { ads: [ad1()] } };
    const strict = planVodSession(breaks, pods, { slate: slate(), personalizationThresholdSeconds: 10 });
    expect(strict[0]!.fill).toBe('content');
    expect(stitchVod(video, { decisions: strict, pods, rendition: V720 }).segments).toHaveLength(10);
    const lax = planVodSession(breaks, pods, { slate: slate(), personalizationThresholdSeconds: 50 });
    expect(stitchVod(video, { decisions: lax, pods, fillers: [slate()], rendition: V720 }).segments.length).toBe(
      10 + 3 + 23,
    );
  });

  it('replaces content under a VOD CUE-OUT with a duration and removes the cue tags unless passthrough is asked', () => {
    const text = serializePlaylist(video)
      .replace('#EXTINF:6,\nv720/seg-002.m4s', '#EXT-X-CUE-OUT:12\n#EXTINF:6,\nv720/seg-002.m4s')
      .replace('#EXTINF:6,\nv720/seg-004.m4s', '#EXT-X-CUE-IN\n#EXTINF:6,\nv720/seg-004.m4s');
    const content = parseMediaPlaylist(text).playlist;
    const { breaks } = detectBreaks(content);
    expect(breaks[0]).toMatchObject({ startMsn: 2, contentSegmentCount: 2, insert: false });
    const pods = { [breaks[0]!.id]: { ads: [ad2()] } };
    const decisions = planVodSession(breaks, pods, { slate: slate() });
    const out = asPlayerSees(stitchVod(content, { decisions, pods, fillers: [slate()], rendition: V720 }));
    expect(out.playlist.segments.map((s) => s.uri.split('?')[0]!.split('/').pop())).toEqual([
      'seg-000.m4s',
      'seg-001.m4s',
      'seg-0.m4s',
      'seg-1.m4s',
      'slate-0.m4s',
      'seg-004.m4s',
      'seg-005.m4s',
      'seg-006.m4s',
      'seg-007.m4s',
      'seg-008.m4s',
      'seg-009.m4s',
    ]);
    expect(out.text).not.toContain('CUE-');
    const kept = serializePlaylist(
      stitchVod(content, { decisions, pods, fillers: [slate()], rendition: V720, keepCueTags: true }),
    );
    expect(kept).toContain('#EXT-X-CUE-IN');
  });

  it('makes every ad segment URI unique and absolute even when a pod repeats a creative', () => {
    const breaks = breaksFromVodOffsets(video, { midRollOffsetsSeconds: [12, 36] });
    const pods = { 'vod-12000': { ads: [ad1(), ad1()] }, 'vod-36000': { ads: [ad1()] } };
    const out = stitchVod(video, { decisions: planVodSession(breaks, pods), pods, rendition: V720 });
    const adUris = out.segments.map((s) => s.uri).filter((u) => u.startsWith('https://'));
    expect(adUris).toHaveLength(9);
    expect(new Set(adUris).size).toBe(9);
    expect(out.segments.filter(isReplacementSegment)).toHaveLength(9);
  });

  it("composes with render's DRM key signalling: METHOD=NONE over the replacements, every KEYFORMAT back after them", () => {
    const breaks = breaksFromVodOffsets(video, { midRollOffsetsSeconds: [30] });
    const pods = { 'vod-30000': { ads: [ad1()] } };
    const stitched = stitchVod(video, { decisions: planVodSession(breaks, pods), pods, rendition: V720 });
    const drm = {
      method: 'SAMPLE-AES' as const,
      keyId: '0123456789abcdef0123456789abcdef',
      fairPlay: true,
      widevine: true,
      playReady: true,
    };
    const out = asPlayerSees(applyKeySignalling(stitched, drm, { isClear: isReplacementSegment })).playlist;
    const ad = out.segments.findIndex(isReplacementSegment);
    expect(ad).toBe(5);
    expect(out.segments[ad]!.keys).toEqual([{ method: 'NONE' }]);
    expect(out.segments[ad + 3]!.discontinuity).toBe(true);
    expect(out.segments[ad + 3]!.keys?.map((k) => k.keyFormat)).toEqual([
      'com.apple.streamingkeydelivery',
      'urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed',
      'com.microsoft.playready',
    ]);
  });

  it('matches the golden stitched playlist (pre-roll with slate, mid-roll pod with slate)', () => {
    const breaks = breaksFromVodOffsets(video, {
      preRoll: true,
      midRollOffsetsSeconds: [30],
      breakDurationSeconds: 30,
    });
    const pods = { 'vod-pre': { ads: [ad1()] }, 'vod-30000': pod12() };
    const decisions = planVodSession(breaks, pods, { slate: slate() });
    const out = stitchVod(video, { decisions, pods, fillers: [slate()], rendition: V720 });
    expect(serializePlaylist(out)).toBe(fixtureText('expected-vod-720p-pre-mid.m3u8'));
  });
});
