/** @module Tests of the other outputs of the break model: interstitials, asset lists, tracking, VAST mapping, VOD blackouts. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseMediaPlaylist, serializePlaylist } from '../playlist/index.ts';
import { parseVast } from '../vast/index.ts';
import { ad1, ad2, fixturePlaylist, liveChannelText, pod12, slate } from '../../test/fixtures/ssai/fixtures.ts';
import { planVodBlackouts, scte35Triggers } from './blackout.ts';
import { advanceLiveSession, createLiveSession } from './live.ts';
import type { Scte35Break } from '../scte35/index.ts';
import type { BlackoutRule } from './blackout.ts';
import { breaksFromVodOffsets, detectBreaks } from './breaks.ts';
import { INTERSTITIAL_CLASS, renderAssetList, renderInterstitials } from './interstitials.ts';
import { planVodSession, stitchVod } from './stitch.ts';
import { buildTrackingTimeline } from './tracking.ts';
import { adPodFromVast } from './vast-map.ts';
import type { AdPod } from './types.ts';

const EPOCH = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('renderInterstitials', () => {
  const vod = fixturePlaylist('vod-video-720p.m3u8');

  it('signals VOD breaks as interstitial DATERANGEs and leaves the content untouched', () => {
    const breaks = breaksFromVodOffsets(vod, {
      preRoll: true,
      midRollOffsetsSeconds: [30],
      postRoll: true,
      breakDurationSeconds: 30,
    });
    const pods: Record<string, AdPod> = { 'vod-pre': { ads: [ad1()] }, 'vod-30000': pod12(), 'vod-post': pod12() };
    const out = renderInterstitials(vod, {
      breaks,
      pods,
      assetListUrl: (b) => `https://edge.example.com/v1/sessions/s1/breaks/${b.id}.json`,
    });
    const text = serializePlaylist(out);
    const seen = parseMediaPlaylist(text);
    expect(seen.warnings).toEqual([]);
    const p = seen.playlist;
    expect(p.segments.map((s) => s.uri)).toEqual(vod.segments.map((s) => s.uri));
    expect(p.segments.some((s) => s.discontinuity)).toBe(false);
    expect(p.segments[0]!.keys).toHaveLength(2);
    // RFC 8216 §4.3.2.7: a PDT appears because DATERANGEs do.
    expect(p.segments[0]!.programDateTime).toBe('1970-01-01T00:00:00.000Z');
    const pre = p.segments[0]!.dateRanges![0]!;
    expect(pre).toMatchObject({
      id: 'vod-pre',
      class: INTERSTITIAL_CLASS,
      startDate: '1970-01-01T00:00:00.000Z',
      cue: ['PRE', 'ONCE'],
    });
    expect(pre.clientAttributes).toEqual({
      'X-ASSET-URI': 'https://ads.example.com/ad1/master.m3u8',
      'X-RESUME-OFFSET': 0,
      'X-PLAYOUT-LIMIT': 30,
    });
    const mid = p.segments[5]!.dateRanges![0]!;
    expect(mid.startDate).toBe('1970-01-01T00:00:30.000Z');
    expect(mid.cue).toEqual(['ONCE']);
    expect(mid.clientAttributes?.['X-ASSET-LIST']).toBe(
      'https://edge.example.com/v1/sessions/s1/breaks/vod-30000.json',
    );
    const post = p.tail?.dateRanges?.[0];
    expect(post).toMatchObject({ id: 'vod-post', cue: ['POST', 'ONCE'], startDate: '1970-01-01T00:01:00.000Z' });
  });

  it('snaps live replacement breaks and resumes after the replaced content, removing the source cue tags', () => {
    const text = liveChannelText({
      firstMsn: 1000,
      windowSize: 12,
      segmentSeconds: 6,
      epochMs: EPOCH,
      breaks: [{ startMsn: 1003, segments: 5 }],
      rendition: 'v720',
    });
    const live = parseMediaPlaylist(text).playlist;
    const { breaks } = detectBreaks(live);
    const out = renderInterstitials(live, { breaks, assetListUrl: (b) => `/breaks/${b.id}.json` });
    const range = out.segments[3]!.dateRanges![0]!;
    expect(range).toMatchObject({
      id: 'cue-1003',
      duration: 30,
      startDate: new Date(EPOCH + 1003 * 6000).toISOString(),
    });
    expect(range.clientAttributes).toMatchObject({
      'X-ASSET-LIST': '/breaks/cue-1003.json',
      'X-RESUME-OFFSET': 30,
      'X-PLAYOUT-LIMIT': 30,
      'X-SNAP': 'OUT,IN',
    });
    expect(range.cue).toBeUndefined();
    expect(serializePlaylist(out)).not.toContain('CUE-OUT');
    const noPdt = parseMediaPlaylist(text.replace(/#EXT-X-PROGRAM-DATE-TIME:.*\n/g, '')).playlist;
    expect(() => renderInterstitials(noPdt, { breaks, assetListUrl: () => '' })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    );
  });

  it('writes the X-ASSET-LIST body', () => {
    expect(JSON.parse(renderAssetList(pod12()))).toEqual({
      ASSETS: [
        { URI: 'https://ads.example.com/ad1/master.m3u8', DURATION: 15 },
        { URI: 'https://ads.example.com/ad2/master.m3u8', DURATION: 10 },
      ],
    });
  });
});

describe('buildTrackingTimeline', () => {
  it('gives each avail and ad its start on the stitched VOD timeline, with beacons at the quartiles', () => {
    const vod = fixturePlaylist('vod-video-720p.m3u8');
    const breaks = breaksFromVodOffsets(vod, { preRoll: true, midRollOffsetsSeconds: [30], breakDurationSeconds: 30 });
    const pods: Record<string, AdPod> = { 'vod-pre': pod12(), 'vod-30000': { ads: [ad2()] } };
    const decisions = planVodSession(breaks, pods, { slate: slate() });
    const timeline = buildTrackingTimeline(decisions, pods, { content: vod });
    expect(timeline.avails.map((a) => [a.availId, a.startTimeInSeconds, a.durationInSeconds])).toEqual([
      ['vod-pre', 0, 30],
      ['vod-30000', 60, 30],
    ]);
    const [first, second] = timeline.avails[0]!.ads;
    expect(first).toMatchObject({ adId: 'ad-1', startTimeInSeconds: 0, durationInSeconds: 15 });
    expect(first!.trackingEvents.map((e) => [e.eventType, e.startTimeInSeconds])).toEqual([
      ['impression', 0],
      ['start', 0],
      ['firstQuartile', 3.75],
      ['midpoint', 7.5],
      ['thirdQuartile', 11.25],
      ['complete', 15],
    ]);
    expect(first!.trackingEvents[5]!.beaconUrls).toEqual(['https://track.example.com/complete?ad=1']);
    expect(second).toMatchObject({ adId: 'ad-2', startTimeInSeconds: 15, durationInSeconds: 10 });
    // The stitched playlist agrees: the mid-roll's first ad segment starts 60 s in.
    const out = stitchVod(vod, { decisions, pods, fillers: [slate()], rendition: {} });
    let t = 0;
    for (const s of out.segments) {
      if (s.uri.includes('mbk=vod-30000.0')) break;
      t += s.duration;
    }
    expect(t).toBe(60);
  });
});

describe('adPodFromVast', () => {
  it('maps a VAST pod in sequence order to AdCreatives, skipping creatives not yet transcoded', () => {
    const xml = readFileSync(fileURLToPath(new URL('../../test/fixtures/vast/pod-3-ads.xml', import.meta.url)), 'utf8');
    const doc = parseVast(xml);
    const renditions = ad1().renditions;
    const pod = adPodFromVast(doc, {
      transcoded: (_ad, c) =>
        c.id === 'cs' ? undefined : { renditions, assetUri: `https://ads.example.com/${c.id}/master.m3u8` },
    });
    expect(pod.ads.map((a) => [a.adId, a.creativeId, a.durationSeconds])).toEqual([
      ['pod-1', 'c1', 20],
      ['pod-2', 'c2', 10.5],
      ['pod-3', 'c3', 15],
    ]);
    expect(pod.ads[0]!.tracking?.impression).toEqual(['https://ads.example.com/imp/1']);
  });
});

describe('planVodBlackouts', () => {
  const vod = fixturePlaylist('vod-video-720p.m3u8');
  const rules: BlackoutRule[] = [
    {
      id: 'eu-rights',
      audience: { continents: ['EU'], match: 'ANY' },
      trigger: { kind: 'mediaTime', startSeconds: 12, endSeconds: 30 },
      replacementId: 'slate',
    },
  ];

  it('replaces a media-time window for the audience and wins over an ad break inside it', () => {
    const blackouts = planVodBlackouts(vod, { rules, viewer: { continent: 'EU', country: 'FR' }, fillers: [slate()] });
    expect(blackouts.map((b) => [b.startMsn, b.endMsn, b.contentMs])).toEqual([[2, 5, 18000]]);
    const breaks = breaksFromVodOffsets(vod, { midRollOffsetsSeconds: [18, 42] });
    const pods = { 'vod-18000': { ads: [ad1()] }, 'vod-42000': { ads: [ad2()] } };
    const decisions = planVodSession(breaks, pods, { blackouts });
    expect(decisions.map((d) => d.id)).toEqual(['blackout:eu-rights:2', 'vod-42000']);
    const out = stitchVod(vod, { decisions, pods, fillers: [slate()], rendition: {} });
    const names = out.segments.map((s) => s.uri.split('?')[0]!.split('/').pop());
    expect(names).toEqual([
      'seg-000.m4s',
      'seg-001.m4s',
      ...Array(9).fill('slate-0.m4s'),
      'seg-005.m4s',
      'seg-006.m4s',
      'seg-0.m4s',
      'seg-1.m4s',
      'seg-007.m4s',
      'seg-008.m4s',
      'seg-009.m4s',
    ]);
    expect(out.segments[11]!.keys).toHaveLength(2);
    expect(planVodBlackouts(vod, { rules, viewer: { continent: 'NA' }, fillers: [slate()] })).toEqual([]);
  });

  it('matches audiences with ALL, ANY and NONE and rejects unknown fillers', () => {
    const none: BlackoutRule[] = [
      { ...rules[0]!, audience: { countries: ['US', 'CA'], devices: ['tv'], match: 'NONE' } },
    ];
    expect(
      planVodBlackouts(vod, { rules: none, viewer: { country: 'FR', device: 'mobile' }, fillers: [slate()] }),
    ).toHaveLength(1);
    expect(
      planVodBlackouts(vod, { rules: none, viewer: { country: 'FR', device: 'tv' }, fillers: [slate()] }),
    ).toHaveLength(0);
    const all: BlackoutRule[] = [
      { ...rules[0]!, audience: { countries: ['US'], subdivisions: ['US-CA'], match: 'ALL' } },
    ];
    expect(
      planVodBlackouts(vod, { rules: all, viewer: { country: 'US', subdivision: 'US-CA' }, fillers: [slate()] }),
    ).toHaveLength(1);
    expect(
      planVodBlackouts(vod, { rules: all, viewer: { country: 'US', subdivision: 'US-NY' }, fillers: [slate()] }),
    ).toHaveLength(0);
    expect(() =>
      planVodBlackouts(vod, { rules: [{ ...rules[0]!, replacementId: 'alt' }], viewer: {}, fillers: [slate()] }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
  });
});

describe('scte35Triggers', () => {
  const signal = (flags: { noRegionalBlackout?: boolean; deviceRestrictions?: number }): Scte35Break => ({
    kind: 'out',
    eventId: 1,
    segmentationTypeId: 0x10,
    ...flags,
  });
  const geo: BlackoutRule = {
    id: 'geo',
    audience: { countries: ['US'], match: 'ANY' },
    trigger: { kind: 'scte35' },
    replacementId: 'slate',
  };
  const device: BlackoutRule = {
    id: 'dev',
    audience: { devices: ['mobile'], match: 'ANY' },
    trigger: { kind: 'scte35', deviceGroup: 1 },
    replacementId: 'slate',
  };

  it('fires geographic rules only when no_regional_blackout_flag is 0, and device rules on their device group', () => {
    expect(scte35Triggers(geo, signal({ noRegionalBlackout: false }))).toBe(true);
    expect(scte35Triggers(geo, signal({ noRegionalBlackout: true }))).toBe(false);
    expect(scte35Triggers(geo, signal({}))).toBe(false); // delivery not restricted
    expect(scte35Triggers(device, signal({ noRegionalBlackout: true, deviceRestrictions: 1 }))).toBe(true);
    expect(scte35Triggers(device, signal({ noRegionalBlackout: true, deviceRestrictions: 3 }))).toBe(false);
    expect(
      scte35Triggers(
        { ...geo, trigger: { kind: 'scte35', upid: 'EP1' } },
        { ...signal({ noRegionalBlackout: false }), upid: 'EP2' },
      ),
    ).toBe(false);
  });
});

describe('live tracking timeline', () => {
  it('places live avails by PDT from the session origin', () => {
    const text = liveChannelText({
      firstMsn: 1000,
      windowSize: 14,
      segmentSeconds: 6,
      epochMs: EPOCH,
      breaks: [{ startMsn: 1003, segments: 5 }],
      rendition: 'v720',
    });
    const w = parseMediaPlaylist(text).playlist;
    const pods = { 'cue-1003': pod12() };
    const state = advanceLiveSession(createLiveSession(), w, { pods, slate: slate() });
    const timeline = buildTrackingTimeline(state.decisions, pods, { originPdtMs: EPOCH + 1000 * 6000 });
    expect(timeline.avails).toHaveLength(1);
    expect(timeline.avails[0]).toMatchObject({ availId: 'cue-1003', startTimeInSeconds: 18, durationInSeconds: 30 });
    expect(timeline.avails[0]!.ads.map((a) => [a.adId, a.startTimeInSeconds, a.durationInSeconds])).toEqual([
      ['ad-1', 18, 15],
      ['ad-2', 33, 10],
    ]);
  });
});
