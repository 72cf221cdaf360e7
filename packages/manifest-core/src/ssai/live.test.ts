/** @module Tests of live sequencing and live blackout over hand-made reloads of a simulated channel. */
import { describe, expect, it } from 'vitest';
import { parseMediaPlaylist, serializePlaylist } from '../playlist/index.ts';
import type { MediaPlaylist } from '../playlist/index.ts';
import { ad1, ad2, liveChannelText, slate, timeSignalHex } from '../../test/fixtures/ssai/fixtures.ts';
import type { LiveChannelOptions } from '../../test/fixtures/ssai/fixtures.ts';
import type { BlackoutRule } from './blackout.ts';
import {
  advanceLiveSession,
  createLiveSession,
  parseLiveSessionState,
  pendingBreaks,
  renderLiveWindow,
} from './live.ts';
import type { LiveSessionState } from './live.ts';
import type { AdPod, RenditionTarget } from './types.ts';

const EPOCH = Date.UTC(2026, 0, 1, 12, 0, 0);
const V720: RenditionTarget = { bandwidthBps: 3_000_000, resolution: { width: 1280, height: 720 } };
const CHANNEL: Omit<LiveChannelOptions, 'firstMsn'> = {
  windowSize: 10,
  segmentSeconds: 6,
  epochMs: EPOCH,
  breaks: [{ startMsn: 1008, segments: 5 }],
  rendition: 'v720',
};

function window(firstMsn: number, extra: Partial<LiveChannelOptions> = {}): MediaPlaylist {
  return parseMediaPlaylist(liveChannelText({ ...CHANNEL, firstMsn, ...extra })).playlist;
}

/** One reload: advance with pods for the pending breaks, then render. */
function reload(
  state: LiveSessionState,
  w: MediaPlaylist,
  pod: AdPod,
): { state: LiveSessionState; out: MediaPlaylist } {
  const pods = Object.fromEntries(pendingBreaks(state, w).map((b) => [b.id, pod]));
  const allPods = { ...pods, 'cue-1008': pod };
  const next = advanceLiveSession(state, w, { pods, slate: slate() });
  const out = renderLiveWindow(next, w, { rendition: V720, pods: allPods, fillers: [slate()] });
  return { state: next, out: parseMediaPlaylist(serializePlaylist(out)).playlist };
}

const names = (p: MediaPlaylist): string[] =>
  p.segments.map((s) => s.uri.replace(/^https:\/\/[^/]+\//, '').replace(/\?mbk=.*\.(\d+)$/, '#$1'));

describe('live sequencing', () => {
  it('replaces a break that starts in the window, showing ad segments only as far as the content is published', () => {
    const pod = { ads: [ad1(), ad2()] }; // 25 s in a 30 s break: 5 s of slate
    let state = createLiveSession();
    // The window ends at MSN 1009: two 6 s segments of the break are out, so 12 s of ads.
    const r = reload(state, window(1000), pod);
    state = r.state;
    expect(names(r.out)).toEqual([
      'live/v720/1000.ts',
      'live/v720/1001.ts',
      'live/v720/1002.ts',
      'live/v720/1003.ts',
      'live/v720/1004.ts',
      'live/v720/1005.ts',
      'live/v720/1006.ts',
      'live/v720/1007.ts',
      'ad1/seg-0.m4s#0',
      'ad1/seg-1.m4s#1',
    ]);
    expect(r.out.mediaSequence).toBe(1000);
    expect(r.out.discontinuitySequence).toBe(0);
    const firstAd = r.out.segments[8]!;
    expect(firstAd.discontinuity).toBe(true);
    expect(firstAd.keys).toEqual([{ method: 'NONE' }]);
    expect(firstAd.programDateTime).toBe(new Date(EPOCH + 1008 * 6000).toISOString());
    expect(firstAd.dateRanges?.[0]?.id).toBe('1008-1');
    expect(state.decisions).toHaveLength(1);
    expect(state.decisions[0]).toMatchObject({ id: 'cue-1008', fill: 'ads', startMsn: 1008 });
    expect(state.decisions[0]!.endMsn).toBeUndefined();

    // Four segments later the break has closed (CUE-IN at 1013): all 25 s of ads, 5 s of slate, then content.
    const r2 = reload(state, window(1004), pod);
    expect(names(r2.out)).toEqual([
      'live/v720/1004.ts',
      'live/v720/1005.ts',
      'live/v720/1006.ts',
      'live/v720/1007.ts',
      'ad1/seg-0.m4s#0',
      'ad1/seg-1.m4s#1',
      'ad1/seg-2.m4s#2',
      'ad2/seg-0.m4s#3',
      'ad2/seg-1.m4s#4',
      'slate/slate-0.m4s#5',
      'slate/slate-0.m4s#6',
      'slate/slate-0.m4s#7',
      'live/v720/1013.ts',
    ]);
    expect(r2.out.mediaSequence).toBe(1004);
    const back = r2.out.segments[12]!;
    expect(back.discontinuity).toBe(true);
    expect(back.keys?.[0]?.uri).toBe('https://keys.example.com/k/101');
    expect(back.programDateTime).toBe(new Date(EPOCH + 1013 * 6000).toISOString());
    expect(r2.state.decisions[0]).toMatchObject({ endMsn: 1013, contentMs: 30_000 });
  });

  it('starts a window mid-ad with the right MSN, DSN, key and map, and keeps counting after the break slides out', () => {
    const pod = { ads: [ad1(), ad2()] };
    let state = createLiveSession();
    for (const first of [1000, 1004]) state = reload(state, window(first), pod).state;
    // Window 1010…1019: the break's content 1008–1012 has partly slid out, so the window opens inside ad 1.
    const mid = reload(state, window(1010), pod);
    expect(names(mid.out).slice(0, 3)).toEqual(['ad1/seg-2.m4s#2', 'ad2/seg-0.m4s#3', 'ad2/seg-1.m4s#4']);
    // 8 ad/slate segments replaced 5 content segments: +3 after the break.
    expect(mid.out.mediaSequence).toBe(1008 + 2);
    // Runs: ad1, ad2, slate ×3 → ad 1 is run 1.
    expect(mid.out.discontinuitySequence).toBe(1);
    expect(mid.out.segments[0]!.map?.uri).toBe('https://ads.example.com/ad1/init.mp4');
    expect(mid.out.segments[0]!.keys).toBeUndefined(); // the ad is clear, and nothing is in force before
    expect(mid.out.segments[0]!.dateRanges?.[0]?.id).toBe('1008-1');
    // The content after the break: its origin MSN + 3 and cc 0 + 5 runs + 1.
    const after = reload(state, window(1014), pod).out;
    expect(after.mediaSequence).toBe(1017);
    expect(after.discontinuitySequence).toBe(6);
    expect(after.segments[0]!.keys?.[0]?.uri).toBe('https://keys.example.com/k/101');
  });

  it('renders the same MSN and DSN for every rendition and serves a state that survives JSON', () => {
    const pod = { ads: [ad1()] };
    let state = createLiveSession();
    state = reload(state, window(1002), pod).state;
    const json = JSON.stringify(state);
    expect(json.length).toBeLessThan(400);
    const restored = parseLiveSessionState(json);
    const w720 = window(1009);
    const wAudio = window(1009, { rendition: 'audio-en' });
    const next = advanceLiveSession(restored, w720, { slate: slate() });
    const v = renderLiveWindow(next, w720, { rendition: V720, pods: { 'cue-1008': pod }, fillers: [slate()] });
    const a = renderLiveWindow(next, wAudio, {
      rendition: { kind: 'audio' },
      pods: { 'cue-1008': pod },
      fillers: [slate()],
    });
    expect([a.mediaSequence, a.discontinuitySequence]).toEqual([v.mediaSequence, v.discontinuitySequence]);
    expect(a.segments.map((s) => s.discontinuity === true)).toEqual(v.segments.map((s) => s.discontinuity === true));
    // The window starts at 1009, so the ad's first 6 s segment (which replaced 1008) has slid out.
    expect(a.segments[0]!.uri).toBe('https://ads.example.com/ad1/seg-1.m4s?mbk=cue-1008.1');
    expect(() => parseLiveSessionState('{"v":2}')).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
    expect(() => parseLiveSessionState('not json')).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
  });

  it('keeps the content for a viewer who joins mid-break, and when the ad server gives nothing and there is no slate', () => {
    const joined = reload(createLiveSession(), window(1010), { ads: [ad1()] });
    expect(joined.out.segments.every((s) => s.uri.startsWith('https://origin.'))).toBe(true);
    expect(serializePlaylist(joined.out)).not.toContain('CUE-');
    const w = window(1005);
    const state = advanceLiveSession(createLiveSession(), w, {});
    expect(state.decisions[0]?.fill).toBe('content');
    expect(renderLiveWindow(state, w, { rendition: V720 }).segments).toHaveLength(10);
  });

  it('writes regular-latency HLS: LL-HLS parts of the origin are left out', () => {
    const text = liveChannelText({ ...CHANNEL, firstMsn: 1000 }).replace(
      '#EXTINF:6.000,\nhttps://origin.example.com/live/v720/1005.ts',
      '#EXT-X-PART:DURATION=2,URI="1005.0.ts"\n#EXTINF:6.000,\nhttps://origin.example.com/live/v720/1005.ts',
    );
    const w = parseMediaPlaylist(
      `${text.replace('#EXT-X-VERSION:3', '#EXT-X-VERSION:9\n#EXT-X-PART-INF:PART-TARGET=2')}`,
    ).playlist;
    expect(w.segments[5]!.parts).toHaveLength(1);
    const out = renderLiveWindow(advanceLiveSession(createLiveSession(), w, { slate: slate() }), w, {
      rendition: V720,
      fillers: [slate()],
    });
    expect(serializePlaylist(out)).not.toContain('EXT-X-PART');
  });

  it('requires PROGRAM-DATE-TIME in the origin window', () => {
    const text = liveChannelText({ ...CHANNEL, firstMsn: 1000 }).replace(/#EXT-X-PROGRAM-DATE-TIME:.*\n/g, '');
    const w = parseMediaPlaylist(text).playlist;
    expect(() => advanceLiveSession(createLiveSession(), w)).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    );
  });
});

describe('live blackout', () => {
  const rules: BlackoutRule[] = [
    {
      id: 'nfl-us',
      audience: { countries: ['US'], match: 'ANY' },
      trigger: { kind: 'wallClock', startMs: EPOCH + 1003 * 6000, endMs: EPOCH + 1006 * 6000 },
      replacementId: 'slate',
    },
  ];

  function blackedOut(country: string, list = rules, w = window(1000, { breaks: [] })): MediaPlaylist {
    const state = advanceLiveSession(createLiveSession(), w, {
      blackout: { rules: list, viewer: { country }, fillers: [slate()] },
    });
    return renderLiveWindow(state, w, { rendition: V720, fillers: [slate()] });
  }

  it('replaces a wall-clock window with slate for the audience only, with discontinuities and keys as for ads', () => {
    const us = blackedOut('US');
    const uris = us.segments.map((s) => s.uri.split('?')[0]!.split('/').pop());
    expect(uris).toEqual([
      '1000.ts',
      '1001.ts',
      '1002.ts',
      ...Array(9).fill('slate-0.m4s'),
      '1006.ts',
      '1007.ts',
      '1008.ts',
      '1009.ts',
    ]);
    expect(us.segments[3]!.keys).toEqual([{ method: 'NONE' }]);
    expect(us.segments[12]!.discontinuity).toBe(true);
    expect(us.segments[12]!.keys?.[0]?.uri).toBe('https://keys.example.com/k/100');
    expect(us.segments[12]!.programDateTime).toBe(new Date(EPOCH + 1006 * 6000).toISOString());
    expect(blackedOut('FR').segments).toHaveLength(10);
  });

  it('reverses: only the audience may watch', () => {
    const reverse = [{ ...rules[0]!, reverse: true }];
    expect(blackedOut('US', reverse).segments).toHaveLength(10);
    expect(blackedOut('FR', reverse).segments.length).toBeGreaterThan(10);
  });

  it('starts at a SCTE-35 program start only when the blackout flags say so, and ends at the program end', () => {
    const text = (noRegionalBlackoutFlag: boolean): MediaPlaylist => {
      const start = timeSignalHex(0x10, 3, { noRegionalBlackoutFlag });
      const end = timeSignalHex(0x11, 3);
      const date = new Date(EPOCH).toISOString();
      return parseMediaPlaylist(
        liveChannelText({ ...CHANNEL, firstMsn: 1000, breaks: [] })
          .replace(
            '#EXTINF:6.000,\nhttps://origin.example.com/live/v720/1002.ts',
            `#EXT-X-DATERANGE:ID="ps",START-DATE="${date}",SCTE35-CMD=${start}\n#EXTINF:6.000,\nhttps://origin.example.com/live/v720/1002.ts`,
          )
          .replace(
            '#EXTINF:6.000,\nhttps://origin.example.com/live/v720/1004.ts',
            `#EXT-X-DATERANGE:ID="pe",START-DATE="${date}",SCTE35-CMD=${end}\n#EXTINF:6.000,\nhttps://origin.example.com/live/v720/1004.ts`,
          ),
      ).playlist;
    };
    const scteRules: BlackoutRule[] = [
      {
        id: 'regional',
        audience: { countries: ['US'], match: 'ALL' },
        trigger: { kind: 'scte35' },
        replacementId: 'slate',
      },
    ];
    const restricted = blackedOut('US', scteRules, text(false));
    expect(restricted.segments.filter((s) => s.uri.includes('slate')).length).toBe(6);
    expect(restricted.segments.map((s) => s.uri).filter((u) => u.includes('origin'))).toHaveLength(8);
    expect(blackedOut('US', scteRules, text(true)).segments).toHaveLength(10);
  });

  it('lets a blackout win over an ad break it overlaps', () => {
    const overlap: BlackoutRule[] = [
      { ...rules[0]!, trigger: { kind: 'wallClock', startMs: EPOCH + 1009 * 6000, endMs: EPOCH + 1020 * 6000 } },
    ];
    const w = window(1005);
    const pods = { 'cue-1008': { ads: [ad1()] } };
    const state = advanceLiveSession(createLiveSession(), w, {
      pods,
      slate: slate(),
      blackout: { rules: overlap, viewer: { country: 'US' }, fillers: [slate()] },
    });
    expect(state.decisions.map((d) => [d.cause, d.fill, d.startMsn])).toEqual([
      ['ad', 'content', 1008],
      ['blackout', 'filler', 1009],
    ]);
    const out = renderLiveWindow(state, w, { rendition: V720, pods, fillers: [slate()] });
    expect(out.segments.some((s) => s.uri.includes('ad1'))).toBe(false);
  });
});

describe('LL-HLS origin windows', () => {
  /** A 4 s LL-HLS window (MSN 100–109, 1 s parts on the last two segments and the one being written) with a 8 s break at MSN 103. */
  function llWindow(options: { skip?: boolean } = {}): MediaPlaylist {
    const lines = [
      '#EXTM3U',
      '#EXT-X-TARGETDURATION:4',
      '#EXT-X-VERSION:9',
      '#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=3,CAN-SKIP-UNTIL=24',
      '#EXT-X-PART-INF:PART-TARGET=1',
      '#EXT-X-MEDIA-SEQUENCE:100',
      '#EXT-X-MAP:URI="init.mp4"',
    ];
    if (options.skip) lines.push('#EXT-X-SKIP:SKIPPED-SEGMENTS=4');
    for (let m = options.skip ? 104 : 100; m < 110; m++) {
      lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(EPOCH + m * 4000).toISOString()}`);
      if (m === 103) lines.push('#EXT-X-CUE-OUT:DURATION=8');
      if (m === 105) lines.push('#EXT-X-CUE-IN');
      if (m >= 108)
        for (let p = 0; p < 4; p++)
          lines.push(`#EXT-X-PART:DURATION=1,URI="p${m}.${p}.mp4"${p === 0 ? ',INDEPENDENT=YES' : ''}`);
      lines.push('#EXTINF:4,', `s${m}.mp4`);
    }
    lines.push(
      '#EXT-X-PART:DURATION=1,URI="p110.0.mp4",INDEPENDENT=YES',
      '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="p110.1.mp4"',
    );
    lines.push('#EXT-X-RENDITION-REPORT:URI="../1M/index.m3u8",LAST-MSN=110,LAST-PART=0');
    return parseMediaPlaylist(lines.join('\n') + '\n').playlist;
  }

  it('stitched windows are coherent regular-latency HLS: no parts, hints, reports, PART-INF or SERVER-CONTROL, all content segments', () => {
    const w = llWindow();
    const pods = Object.fromEntries(pendingBreaks(createLiveSession(), w).map((b) => [b.id, { ads: [ad2()] }]));
    const state = advanceLiveSession(createLiveSession(), w, { pods, slate: slate() });
    for (const s of [state, createLiveSession()]) {
      const text = serializePlaylist(renderLiveWindow(s, w, { rendition: V720, pods, fillers: [slate()] }));
      for (const tag of [
        '#EXT-X-PART:',
        '#EXT-X-PART-INF',
        '#EXT-X-PRELOAD-HINT',
        '#EXT-X-RENDITION-REPORT',
        '#EXT-X-SERVER-CONTROL',
        '#EXT-X-SKIP',
      ]) {
        expect(text).not.toContain(tag);
      }
      const parsed = parseMediaPlaylist(text);
      expect(parsed.warnings).toEqual([]);
      // The full segments around the break are all there (the partial segment 110 is not, as in any regular playlist).
      const content = parsed.playlist.segments.map((seg) => seg.uri).filter((u) => /^s\d+\.mp4$/.test(u));
      expect(content).toEqual(
        s === state
          ? ['s100.mp4', 's101.mp4', 's102.mp4', 's105.mp4', 's106.mp4', 's107.mp4', 's108.mp4', 's109.mp4']
          : Array.from({ length: 10 }, (_, i) => `s${100 + i}.mp4`),
      );
    }
  });

  it('refuses a delta update (EXT-X-SKIP): its first listed segment is not EXT-X-MEDIA-SEQUENCE', () => {
    const w = llWindow({ skip: true });
    expect(() => advanceLiveSession(createLiveSession(), w)).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    );
    expect(() => renderLiveWindow(createLiveSession(), w, { rendition: V720 })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    );
  });
});

describe('live blackout replaced by an alternate live stream', () => {
  const rules: BlackoutRule[] = [
    {
      id: 'rights',
      audience: { countries: ['US'], match: 'ANY' },
      trigger: { kind: 'wallClock', startMs: EPOCH + 1005 * 6000, endMs: EPOCH + 1011 * 6000 },
      replacementId: 'alt-feed',
    },
  ];
  /** The alternate channel's window at the same wall clock (same 6 s cadence, its own URIs and keys). */
  const alternate = (firstMsn: number) => ({
    id: 'alt-feed',
    live: true,
    renditions: [
      {
        uri: 'https://origin.example.com/live/alt720.m3u8',
        bandwidthBps: 3_000_000,
        playlist: parseMediaPlaylist(liveChannelText({ ...CHANNEL, breaks: [], rendition: 'alt720', firstMsn }))
          .playlist,
      },
    ],
  });

  it("serves the alternate feed's own segments by wall clock, as one run, with sequence numbers that never go back", () => {
    let state = createLiveSession();
    let lastMsn = -1;
    let lastDsn = -1;
    const uriAt = new Map<number, string>();
    let sawAlternate = 0;
    for (let first = 998; first <= 1016; first++) {
      const w = window(first, { breaks: [] });
      const alt = alternate(first);
      state = advanceLiveSession(state, w, { blackout: { rules, viewer: { country: 'US' }, fillers: [alt] } });
      const text = serializePlaylist(renderLiveWindow(state, w, { rendition: V720, fillers: [alt] }));
      const out = parseMediaPlaylist(text).playlist;
      const msn = out.mediaSequence ?? 0;
      const dsn = out.discontinuitySequence ?? 0;
      expect(msn).toBeGreaterThanOrEqual(lastMsn);
      expect(dsn).toBeGreaterThanOrEqual(lastDsn);
      lastMsn = msn;
      lastDsn = dsn;
      const lines = text.split('\n');
      out.segments.forEach((seg, i) => {
        const seen = uriAt.get(msn + i);
        if (seen !== undefined) expect(seg.uri).toBe(seen);
        uriAt.set(msn + i, seg.uri);
        const m = /\/live\/(v720|alt720)\/(\d+)\.ts/.exec(seg.uri)!;
        const wallMsn = Math.round(
          (Date.parse(
            seg.programDateTime ??
              out.segments
                .slice(0, i + 1)
                .reverse()
                .find((s) => s.programDateTime)!.programDateTime!,
          ) -
            EPOCH) /
            6000,
        );
        if (m[1] === 'alt720') {
          sawAlternate++;
          // The alternate segment published for the same wall-clock time as the content it replaces.
          expect(Number(m[2])).toBeGreaterThanOrEqual(1005);
          expect(Number(m[2])).toBeLessThan(1011);
          expect(seg.programDateTime === undefined || Number(m[2]) === wallMsn).toBe(true);
        } else {
          expect(Number(m[2]) < 1005 || Number(m[2]) >= 1011).toBe(true);
        }
      });
      // One discontinuity into the alternate and one back: not one per alternate segment.
      const altCount = out.segments.filter((s) => s.uri.includes('/alt720/')).length;
      if (altCount > 1) expect(lines.filter((l) => l === '#EXT-X-DISCONTINUITY').length).toBeLessThanOrEqual(2);
    }
    expect(sawAlternate).toBeGreaterThan(20);
  });
});
