/** @module Tests of break detection: every marker kind, merging, earliest cue-in, windows that begin mid-break, VOD offsets. */
import { describe, expect, it } from 'vitest';
import { parseMediaPlaylist } from '../playlist/index.ts';
import {
  fixturePlaylist,
  liveChannelText,
  spliceInsertOutBase64,
  timeSignalHex,
} from '../../test/fixtures/ssai/fixtures.ts';
import { breaksFromVodOffsets, detectBreaks } from './breaks.ts';

const EPOCH = Date.UTC(2026, 0, 1, 12, 0, 0);

function media(lines: string[]): ReturnType<typeof parseMediaPlaylist>['playlist'] {
  return parseMediaPlaylist(['#EXTM3U', '#EXT-X-TARGETDURATION:6', '#EXT-X-MEDIA-SEQUENCE:100', ...lines].join('\n'))
    .playlist;
}

function seg(msn: number, tags: string[] = []): string[] {
  return [
    `#EXT-X-PROGRAM-DATE-TIME:${new Date(EPOCH + msn * 6000).toISOString()}`,
    ...tags,
    '#EXTINF:6.000,',
    `${msn}.ts`,
  ];
}

describe('detectBreaks', () => {
  it('finds a CUE-OUT / CUE-OUT-CONT / CUE-IN break with its MSN, PDT and replaced segments', () => {
    const p = parseMediaPlaylist(
      liveChannelText({
        firstMsn: 1000,
        windowSize: 12,
        segmentSeconds: 6,
        epochMs: EPOCH,
        breaks: [{ startMsn: 1003, segments: 5 }],
        rendition: 'v720',
      }),
    ).playlist;
    const { breaks, warnings } = detectBreaks(p);
    expect(warnings).toEqual([]);
    expect(breaks).toHaveLength(1);
    expect(breaks[0]).toMatchObject({
      id: 'cue-1003',
      source: 'cue-out',
      startMsn: 1003,
      startOffsetSeconds: 18,
      startPdtMs: EPOCH + 1003 * 6000,
      durationSeconds: 30,
      contentSegmentCount: 5,
      contentDurationSeconds: 30,
      insert: false,
    });
  });

  it('keeps a break open while its end is beyond the live edge', () => {
    const p = parseMediaPlaylist(
      liveChannelText({
        firstMsn: 0,
        windowSize: 6,
        segmentSeconds: 6,
        epochMs: EPOCH,
        breaks: [{ startMsn: 4, segments: 5 }],
        rendition: 'v',
      }),
    ).playlist;
    const [b] = detectBreaks(p).breaks;
    expect(b?.startMsn).toBe(4);
    expect(b?.contentSegmentCount).toBeUndefined();
  });

  it('names the break after the SCTE-35 event id of an EXT-OATCLS-SCTE35 cue', () => {
    const cue = spliceInsertOutBase64(4242, 12);
    const p = media([
      ...seg(100),
      ...seg(101, [`#EXT-OATCLS-SCTE35:${cue}`, '#EXT-X-CUE-OUT:12']),
      ...seg(102),
      ...seg(103, ['#EXT-X-CUE-IN']),
      ...seg(104),
    ]);
    const [b] = detectBreaks(p).breaks;
    expect(b).toMatchObject({ id: 'scte35-4242-101', startMsn: 101, durationSeconds: 12, contentSegmentCount: 2 });
    expect(b?.scte35?.eventId).toBe(4242);
  });

  it('ends a DATERANGE SCTE35-OUT break at the earliest of its DURATION and SCTE35-IN (MediaTailor)', () => {
    const out = timeSignalHex(0x34, 7, { durationSeconds: 30 });
    const inCue = timeSignalHex(0x35, 7);
    const date = (msn: number): string => new Date(EPOCH + msn * 6000).toISOString();
    const p = media([
      ...seg(100),
      ...seg(101, [`#EXT-X-DATERANGE:ID="7",START-DATE="${date(101)}",PLANNED-DURATION=30,SCTE35-OUT=${out}`]),
      ...seg(102),
      ...seg(103, [`#EXT-X-DATERANGE:ID="7",START-DATE="${date(103)}",SCTE35-IN=${inCue}`]),
      ...seg(104),
      ...seg(105),
    ]);
    const [b] = detectBreaks(p).breaks;
    expect(b).toMatchObject({ id: 'scte35-7-101', source: 'daterange', durationSeconds: 30, contentSegmentCount: 2 });
  });

  it('ends a break at its DURATION when no cue-in arrives', () => {
    const out = timeSignalHex(0x34, 9, { durationSeconds: 12 });
    const p = media([
      ...seg(100, [
        `#EXT-X-DATERANGE:ID="9",START-DATE="${new Date(EPOCH + 600000).toISOString()}",DURATION=12,SCTE35-OUT=${out}`,
      ]),
      ...seg(101),
      ...seg(102),
      ...seg(103),
    ]);
    const [b] = detectBreaks(p).breaks;
    expect(b?.contentSegmentCount).toBe(2);
  });

  it('reads EXT-X-SPLICEPOINT-SCTE35 out and in cues and a DATERANGE SCTE35-CMD', () => {
    const outB64 = Buffer.from(timeSignalHex(0x30, 11, { durationSeconds: 18 }).slice(2), 'hex').toString('base64');
    const inB64 = Buffer.from(timeSignalHex(0x31, 11).slice(2), 'hex').toString('base64');
    const p = media([
      ...seg(100, [`#EXT-X-SPLICEPOINT-SCTE35:${outB64}`]),
      ...seg(101),
      ...seg(102, [`#EXT-X-SPLICEPOINT-SCTE35:${inB64}`]),
      ...seg(103),
    ]);
    const [b] = detectBreaks(p).breaks;
    expect(b).toMatchObject({
      id: 'scte35-11-100',
      source: 'splicepoint-scte35',
      contentSegmentCount: 2,
      durationSeconds: 18,
    });

    const cmd = timeSignalHex(0x34, 12, { durationSeconds: 6 });
    const q = media([
      ...seg(100),
      ...seg(101, [`#EXT-X-DATERANGE:ID="c",START-DATE="${new Date(EPOCH).toISOString()}",SCTE35-CMD=${cmd}`]),
      ...seg(102),
      ...seg(103),
    ]);
    expect(detectBreaks(q).breaks[0]).toMatchObject({ startMsn: 101, contentSegmentCount: 1 });
  });

  it('merges markers that signal one break at the same segment', () => {
    const cue = spliceInsertOutBase64(77, 12);
    const hex = '0x' + Buffer.from(cue, 'base64').toString('hex');
    const p = media([
      ...seg(100, [
        `#EXT-X-DATERANGE:ID="77",START-DATE="${new Date(EPOCH + 600000).toISOString()}",SCTE35-OUT=${hex}`,
        `#EXT-OATCLS-SCTE35:${cue}`,
        '#EXT-X-CUE-OUT:12',
      ]),
      ...seg(101),
      ...seg(102, ['#EXT-X-CUE-IN']),
    ]);
    const { breaks } = detectBreaks(p);
    expect(breaks).toHaveLength(1);
    expect(breaks[0]?.id).toBe('scte35-77-100');
  });

  it('reports a window that starts inside a break, and an undecodable cue as a warning', () => {
    const p = media([
      ...seg(100, ['#EXT-X-CUE-OUT-CONT:ElapsedTime=12,Duration=30']),
      ...seg(101),
      ...seg(102, ['#EXT-X-CUE-IN', '#EXT-X-SPLICEPOINT-SCTE35:AAAA']),
    ]);
    const { breaks, warnings } = detectBreaks(p);
    expect(breaks[0]).toMatchObject({
      startsBeforeWindow: true,
      startPdtMs: EPOCH + 100 * 6000 - 12000,
      contentSegmentCount: 2,
    });
    expect(warnings.map((w) => w.code)).toEqual(['SCTE35_UNREADABLE']);
  });

  it('treats EXT-X-CUE-OUT:0 in VOD as an insertion point (MediaTailor)', () => {
    const p = parseMediaPlaylist(
      [
        '#EXTM3U',
        '#EXT-X-TARGETDURATION:6',
        '#EXT-X-PLAYLIST-TYPE:VOD',
        '#EXTINF:6,',
        'a.ts',
        '#EXT-X-CUE-OUT:0',
        '#EXTINF:6,',
        'b.ts',
        '#EXT-X-ENDLIST',
      ].join('\n'),
    ).playlist;
    expect(detectBreaks(p).breaks[0]).toMatchObject({ insert: true, startMsn: 1, contentSegmentCount: 0 });
  });

  it('reports program start and end signals for blackouts', () => {
    const start = timeSignalHex(0x10, 5, { noRegionalBlackoutFlag: false });
    const end = timeSignalHex(0x11, 5);
    const p = media([
      ...seg(100, [`#EXT-X-DATERANGE:ID="p",START-DATE="${new Date(EPOCH).toISOString()}",SCTE35-CMD=${start}`]),
      ...seg(101),
      ...seg(102, [`#EXT-X-DATERANGE:ID="p2",START-DATE="${new Date(EPOCH).toISOString()}",SCTE35-CMD=${end}`]),
    ]);
    const { breaks, programSignals } = detectBreaks(p);
    expect(breaks).toEqual([]);
    expect(programSignals.map((s) => [s.kind, s.msn, s.scte35.noRegionalBlackout])).toEqual([
      ['program-start', 100, false],
      ['program-end', 102, undefined],
    ]);
  });
});

describe('breaksFromVodOffsets', () => {
  it('snaps mid-roll offsets to the nearest segment boundary and adds pre- and post-rolls', () => {
    const vod = fixturePlaylist('vod-video-720p.m3u8');
    const breaks = breaksFromVodOffsets(vod, {
      preRoll: true,
      midRollOffsetsSeconds: [20, 31, 29, 33.1, 1000],
      postRoll: true,
    });
    expect(breaks.map((b) => [b.id, b.position, b.startMsn, b.startOffsetSeconds])).toEqual([
      ['vod-pre', 'pre', 0, 0],
      ['vod-18000', 'mid', 3, 18],
      ['vod-30000', 'mid', 5, 30],
      ['vod-36000', 'mid', 6, 36],
      ['vod-post', 'post', 10, 60],
    ]);
    expect(breaks.every((b) => b.insert && b.contentSegmentCount === 0)).toBe(true);
  });

  it('rejects a negative offset with a typed error', () => {
    expect(() => breaksFromVodOffsets(fixturePlaylist('vod-video-720p.m3u8'), { midRollOffsetsSeconds: [-1] })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    );
  });
});
