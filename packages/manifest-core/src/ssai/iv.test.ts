/**
 * @module Tests that stitched and replaced output keeps every content segment's AES-128 IV: RFC 8216 §5.2 makes a
 * segment's media sequence number its IV when EXT-X-KEY has no IV attribute, and stitching shifts MSNs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMediaPlaylist, serializePlaylist } from '../playlist/index.ts';
import type { Key, MediaPlaylist } from '../playlist/index.ts';
import { applyKeyLines, ivForMediaSequence } from '../render/index.ts';
import { ad1, ad2, fixturePlaylist, liveChannelText, pod12, slate } from '../../test/fixtures/ssai/fixtures.ts';
import type { LiveChannelOptions } from '../../test/fixtures/ssai/fixtures.ts';
import { planVodBlackouts } from './blackout.ts';
import type { BlackoutRule } from './blackout.ts';
import { breaksFromVodOffsets } from './breaks.ts';
import { advanceLiveSession, createLiveSession, pendingBreaks, renderLiveWindow } from './live.ts';
import type { LiveSessionState } from './live.ts';
import { isReplacementSegment, planVodSession, stitchVod } from './stitch.ts';
import type { AdPod, RenditionTarget } from './types.ts';

const V720: RenditionTarget = { bandwidthBps: 3_000_000, resolution: { width: 1280, height: 720 } };

/** Serialises and re-parses, so assertions see what a player would read. */
function asPlayerSees(p: MediaPlaylist): MediaPlaylist {
  const parsed = parseMediaPlaylist(serializePlaylist(p));
  expect(parsed.warnings).toEqual([]);
  return parsed.playlist;
}

/** The identity-format key a player decrypts with (RFC 8216 §5.2 applies to AES-128 and identity SAMPLE-AES only). */
function identityKey(keys: readonly Key[]): Key | undefined {
  return keys.find((k) => k.keyFormat === undefined || k.keyFormat === 'identity');
}

/** The IV a player uses for each segment: the explicit IV in force, else (RFC 8216 §5.2) the segment's MSN; undefined when clear. */
function effectiveIvs(p: MediaPlaylist): (string | undefined)[] {
  let inForce: readonly Key[] = [];
  const first = p.mediaSequence ?? 0;
  return p.segments.map((seg, i) => {
    inForce = applyKeyLines(inForce, seg.keys);
    const k = identityKey(inForce);
    if (k === undefined || (k.method !== 'AES-128' && k.method !== 'SAMPLE-AES')) return undefined;
    return k.iv ?? ivForMediaSequence(first + i);
  });
}

/** A VOD of `count` 6 s TS segments encrypted with AES-128 and no IV; the URI carries the origin MSN. */
function aesVod(
  firstMsn: number,
  count: number,
  options: { iv?: (msn: number) => string; method?: string; rotateEvery?: number } = {},
): MediaPlaylist {
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    '#EXT-X-TARGETDURATION:6',
    `#EXT-X-MEDIA-SEQUENCE:${firstMsn}`,
    '#EXT-X-PLAYLIST-TYPE:VOD',
  ];
  const method = options.method ?? 'METHOD=AES-128';
  for (let msn = firstMsn; msn < firstMsn + count; msn++) {
    const rotate = options.rotateEvery !== undefined && msn % options.rotateEvery === 0;
    if (msn === firstMsn || rotate || options.iv !== undefined) {
      const iv = options.iv === undefined ? '' : `,IV=${options.iv(msn)}`;
      lines.push(
        `#EXT-X-KEY:${method},URI="https://keys.example.com/k/${Math.floor(msn / (options.rotateEvery ?? 1e9))}"${iv}`,
      );
    }
    lines.push('#EXTINF:6.000,', `c/${msn}.ts`);
  }
  lines.push('#EXT-X-ENDLIST');
  return parseMediaPlaylist(lines.join('\n') + '\n').playlist;
}

/** Origin MSN of a content segment, from its URI (`c/<msn>.ts` or `live/<rendition>/<msn>.ts`). */
function originMsn(uri: string): number {
  return Number(/\/(\d+)\.ts$/.exec(uri)![1]);
}

/** Asserts every content segment of `out` decrypts with the IV of its origin MSN; returns how many were checked. */
function expectContentIvsKept(out: MediaPlaylist): number {
  const ivs = effectiveIvs(out);
  let checked = 0;
  out.segments.forEach((seg, i) => {
    if (isReplacementSegment(seg)) return;
    expect({ uri: seg.uri, iv: ivs[i] }).toEqual({ uri: seg.uri, iv: ivForMediaSequence(originMsn(seg.uri)) });
    checked++;
  });
  return checked;
}

describe('stitched AES-128 content without IV (RFC 8216 §5.2)', () => {
  it('a VOD pre-roll keeps each content segment decrypting with its original media sequence number', () => {
    const content = aesVod(0, 8);
    const breaks = breaksFromVodOffsets(content, { preRoll: true });
    const pods: Record<string, AdPod> = { 'vod-pre': { ads: [ad1()] } };
    const decisions = planVodSession(breaks, pods);
    const out = asPlayerSees(stitchVod(content, { decisions, pods, rendition: V720 }));
    expect(out.segments).toHaveLength(11);
    expect(expectContentIvsKept(out)).toBe(8);
    // RFC 8216 §7: the IV attribute needs protocol version 2.
    expect(out.version).toBeGreaterThanOrEqual(2);
    // One explicit IV applies until the next EXT-X-KEY, so every shifted segment carries its own key line.
    expect(out.segments.slice(3).every((s) => s.keys?.[0]?.iv !== undefined)).toBe(true);
  });

  it('a mid-roll and a post-roll over rotating keys: segments before the first ad are left as written', () => {
    // Mid-roll at 12 s of a VOD starting at MSN 100 whose key rotates every 4 segments.
    const content = aesVod(100, 10, { rotateEvery: 4 });
    const breaks = breaksFromVodOffsets(content, { midRollOffsetsSeconds: [12], postRoll: true });
    const pods: Record<string, AdPod> = { 'vod-12000': pod12(), 'vod-post': { ads: [ad2()] } };
    const decisions = planVodSession(breaks, pods, { slate: slate() });
    const out = asPlayerSees(stitchVod(content, { decisions, pods, fillers: [slate()], rendition: V720 }));
    expect(expectContentIvsKept(out)).toBe(10);
    expect(out.segments[0]!.keys).toEqual([{ method: 'AES-128', uri: 'https://keys.example.com/k/25' }]);
    expect(out.segments[1]!.keys).toBeUndefined();
  });

  it('identity SAMPLE-AES gets the IV too; content with explicit IVs is unchanged', () => {
    const identity = aesVod(5, 6, { method: 'METHOD=SAMPLE-AES,KEYFORMAT="identity"' });
    const pods: Record<string, AdPod> = { 'vod-pre': { ads: [ad1()] } };
    const decisions = planVodSession(breaksFromVodOffsets(identity, { preRoll: true }), pods);
    expect(expectContentIvsKept(asPlayerSees(stitchVod(identity, { decisions, pods, rendition: V720 })))).toBe(6);

    const explicit = aesVod(5, 6, { iv: (msn) => `0x${(msn * 7919).toString(16).padStart(32, 'a')}` });
    const outExplicit = asPlayerSees(stitchVod(explicit, { decisions, pods, rendition: V720 }));
    const contentSegs = outExplicit.segments.filter((s) => !isReplacementSegment(s));
    expect(contentSegs.map((s) => s.keys)).toEqual(explicit.segments.map((s) => s.keys));
  });

  it('a VOD blackout replaced by slate keeps the IVs of the content after it', () => {
    const content = aesVod(40, 8);
    // 6 s of content (one segment) replaced by three 2 s slate segments: everything after shifts by 2.
    const rules: BlackoutRule[] = [
      {
        id: 'rights',
        audience: { countries: ['US'], match: 'ANY' },
        trigger: { kind: 'mediaTime', startSeconds: 12, endSeconds: 18 },
        replacementId: 'slate',
      },
    ];
    const blackouts = planVodBlackouts(content, { rules, viewer: { country: 'US' }, fillers: [slate()] });
    const decisions = planVodSession([], {}, { blackouts });
    const out = asPlayerSees(stitchVod(content, { decisions, fillers: [slate()], rendition: V720 }));
    expect(out.segments.filter(isReplacementSegment)).toHaveLength(3);
    expect(expectContentIvsKept(out)).toBe(7);
  });

  it('a live blackout replaced by slate keeps the IVs of the content after it', () => {
    const EPOCH = Date.UTC(2026, 0, 1, 12, 0, 0);
    const rules: BlackoutRule[] = [
      {
        id: 'nfl-us',
        audience: { countries: ['US'], match: 'ANY' },
        trigger: { kind: 'wallClock', startMs: EPOCH + 1003 * 6000, endMs: EPOCH + 1004 * 6000 },
        replacementId: 'slate',
      },
    ];
    const w = parseMediaPlaylist(
      liveChannelText({
        firstMsn: 1000,
        windowSize: 10,
        segmentSeconds: 6,
        epochMs: EPOCH,
        breaks: [],
        rendition: 'v720',
      }),
    ).playlist;
    const state = advanceLiveSession(createLiveSession(), w, {
      blackout: { rules, viewer: { country: 'US' }, fillers: [slate()] },
    });
    const out = asPlayerSees(renderLiveWindow(state, w, { rendition: V720, fillers: [slate()] }));
    expect(out.segments.filter(isReplacementSegment)).toHaveLength(3);
    expect(expectContentIvsKept(out)).toBe(9);
  });

  it('FairPlay and Widevine key lines (SAMPLE-AES skd://, data:) never get an IV attribute', () => {
    const video = fixturePlaylist('vod-video-720p.m3u8');
    const pods: Record<string, AdPod> = { 'vod-pre': { ads: [ad1()] }, 'vod-30000': pod12() };
    const decisions = planVodSession(
      breaksFromVodOffsets(video, { preRoll: true, midRollOffsetsSeconds: [30] }),
      pods,
      { slate: slate() },
    );
    const out = asPlayerSees(stitchVod(video, { decisions, pods, fillers: [slate()], rendition: V720 }));
    const keys = out.segments.flatMap((s) => s.keys ?? []);
    expect(keys.filter((k) => k.method !== 'NONE').length).toBeGreaterThan(0);
    expect(keys.every((k) => k.iv === undefined)).toBe(true);
    // Only where the stitcher already wrote them: after each ad.
    expect(out.segments.filter((s) => s.keys !== undefined && s.keys[0]!.method !== 'NONE')).toHaveLength(2);
  });

  it('a fast-check property: random pre-, mid- and post-rolls over random MSNs and key rotation', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 3, max: 20 }),
        fc.boolean(),
        fc.boolean(),
        fc.uniqueArray(fc.integer({ min: 1, max: 19 }), { maxLength: 4 }),
        fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
        fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
        (firstMsn, count, preRoll, postRoll, mids, rotateEvery, breakSeconds) => {
          const content = aesVod(firstMsn, count, rotateEvery === undefined ? {} : { rotateEvery });
          const midRollOffsetsSeconds = mids.filter((m) => m < count).map((m) => m * 6);
          const breaks = breaksFromVodOffsets(content, {
            preRoll,
            postRoll,
            midRollOffsetsSeconds,
            ...(breakSeconds === undefined ? {} : { breakDurationSeconds: breakSeconds }),
          });
          const pods: Record<string, AdPod> = Object.fromEntries(
            breaks.map((b, i) => [b.id, i % 2 === 0 ? pod12() : { ads: [ad2()] }]),
          );
          const decisions = planVodSession(breaks, pods, { slate: slate() });
          const out = asPlayerSees(stitchVod(content, { decisions, pods, fillers: [slate()], rendition: V720 }));
          expect(expectContentIvsKept(out)).toBe(count);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('live windows over AES-128 without IV (RFC 8216 §5.2)', () => {
  const EPOCH = Date.UTC(2026, 0, 1, 12, 0, 0);
  const channel = (firstMsn: number, breaks: LiveChannelOptions['breaks'], windowSize = 10): MediaPlaylist =>
    parseMediaPlaylist(
      liveChannelText({
        firstMsn,
        windowSize,
        segmentSeconds: 6,
        epochMs: EPOCH,
        breaks,
        rendition: 'v720',
        keyPeriod: 4,
      }),
    ).playlist;

  function reload(
    state: LiveSessionState,
    w: MediaPlaylist,
    pod: AdPod,
    seen: Record<string, AdPod>,
  ): { state: LiveSessionState; out: MediaPlaylist } {
    for (const b of pendingBreaks(state, w)) seen[b.id] = pod;
    const next = advanceLiveSession(state, w, { pods: seen, slate: slate() });
    return {
      state: next,
      out: asPlayerSees(renderLiveWindow(next, w, { rendition: V720, pods: seen, fillers: [slate()] })),
    };
  }

  it('content after a replaced break keeps its origin IV on every reload', () => {
    const breaks = [{ startMsn: 1008, segments: 3 }];
    let state = createLiveSession();
    const seen: Record<string, AdPod> = {};
    let shifted = 0;
    for (let first = 1000; first <= 1020; first++) {
      const r = reload(state, channel(first, breaks), { ads: [ad1(), ad2()] }, seen);
      state = r.state;
      expectContentIvsKept(r.out);
      if (r.out.mediaSequence !== first) shifted++;
    }
    // 25 s of ads over an 18 s break: the windows after it are shifted by (5 − 3) MSNs.
    expect(shifted).toBeGreaterThan(5);
  });

  it('a fast-check property: random break positions and lengths, reloads across them', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1002, max: 1012 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 3 }),
        fc.boolean(),
        (startMsn, segments, step, shortPod) => {
          const breaks = [
            { startMsn, segments },
            { startMsn: startMsn + segments + 4, segments: 2 },
          ];
          let state = createLiveSession();
          const seen: Record<string, AdPod> = {};
          const pod: AdPod = shortPod ? { ads: [ad2()] } : pod12();
          for (let first = 1000; first <= 1024; first += step + 1) {
            const r = reload(state, channel(first, breaks), pod, seen);
            state = r.state;
            expectContentIvsKept(r.out);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('encrypted ads and slate without IV (RFC 8216 §5.2)', () => {
  /** An ad rendition of `count` segments encrypted with AES-128 and no IV: each segment's IV is its MSN in the ad's own playlist. */
  function aesAsset(
    dir: string,
    firstMsn: number,
    count: number,
    seconds: number,
  ): AdPod['ads'][number]['renditions'][number] {
    const lines = [
      '#EXTM3U',
      '#EXT-X-VERSION:3',
      `#EXT-X-TARGETDURATION:${Math.ceil(seconds)}`,
      `#EXT-X-MEDIA-SEQUENCE:${firstMsn}`,
      '#EXT-X-PLAYLIST-TYPE:VOD',
    ];
    lines.push(`#EXT-X-KEY:METHOD=AES-128,URI="https://keys.example.com/${dir}"`);
    for (let msn = firstMsn; msn < firstMsn + count; msn++) lines.push(`#EXTINF:${seconds.toFixed(3)},`, `${msn}.ts`);
    lines.push('#EXT-X-ENDLIST');
    return {
      uri: `https://ads.example.com/${dir}/index.m3u8`,
      playlist: parseMediaPlaylist(lines.join('\n') + '\n').playlist,
      bandwidthBps: 3_000_000,
    };
  }

  /** Asserts every replacement segment decrypts with the IV of its MSN in its own playlist (the number in its URI). */
  function expectReplacementIvsKept(out: MediaPlaylist): number {
    const ivs = effectiveIvs(out);
    let checked = 0;
    out.segments.forEach((seg, i) => {
      if (!isReplacementSegment(seg)) return;
      const own = Number(/\/(\d+)\.ts\?/.exec(seg.uri)![1]);
      expect({ uri: seg.uri, iv: ivs[i] }).toEqual({ uri: seg.uri, iv: ivForMediaSequence(own) });
      checked++;
    });
    return checked;
  }

  const encryptedAd: AdPod = {
    ads: [{ adId: 'enc-1', durationSeconds: 12, renditions: [aesAsset('enc-ad', 0, 2, 6)] }],
  };
  const encryptedSlate = { id: 'enc-slate', renditions: [aesAsset('enc-slate', 7, 2, 2)] };

  it("a VOD mid-roll of an encrypted ad keeps each ad segment's own IV, and the content's after it", () => {
    const content = aesVod(0, 6);
    const pods: Record<string, AdPod> = { 'vod-12000': encryptedAd };
    const decisions = planVodSession(breaksFromVodOffsets(content, { midRollOffsetsSeconds: [12] }), pods);
    const out = asPlayerSees(stitchVod(content, { decisions, pods, rendition: V720 }));
    expect(expectReplacementIvsKept(out)).toBe(2);
    expect(expectContentIvsKept(out)).toBe(6);
  });

  it('an encrypted slate looped over a VOD blackout restarts its IVs with every repetition', () => {
    const content = aesVod(0, 6);
    const rules: BlackoutRule[] = [
      {
        id: 'r',
        audience: { countries: ['US'], match: 'ANY' },
        trigger: { kind: 'mediaTime', startSeconds: 6, endSeconds: 18 },
        replacementId: 'enc-slate',
      },
    ];
    const blackouts = planVodBlackouts(content, { rules, viewer: { country: 'US' }, fillers: [encryptedSlate] });
    const out = asPlayerSees(
      stitchVod(content, {
        decisions: planVodSession([], {}, { blackouts }),
        fillers: [encryptedSlate],
        rendition: V720,
      }),
    );
    expect(expectReplacementIvsKept(out)).toBe(6);
    expect(expectContentIvsKept(out)).toBe(4);
  });

  it("a live break filled with an encrypted ad and slate keeps every replacement segment's own IV", () => {
    const EPOCH = Date.UTC(2026, 0, 1, 12, 0, 0);
    const w = parseMediaPlaylist(
      liveChannelText({
        firstMsn: 1000,
        windowSize: 12,
        segmentSeconds: 6,
        epochMs: EPOCH,
        breaks: [{ startMsn: 1003, segments: 4 }],
        rendition: 'v720',
      }),
    ).playlist;
    const pods: Record<string, AdPod> = {};
    for (const b of pendingBreaks(createLiveSession(), w)) pods[b.id] = encryptedAd;
    const state = advanceLiveSession(createLiveSession(), w, { pods, slate: encryptedSlate });
    const out = asPlayerSees(renderLiveWindow(state, w, { rendition: V720, pods, fillers: [encryptedSlate] }));
    // 24 s: two 6 s ad segments, then six 2 s slate segments.
    expect(expectReplacementIvsKept(out)).toBe(8);
    expect(expectContentIvsKept(out)).toBe(8);
  });
});
