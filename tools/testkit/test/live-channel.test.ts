import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decodeScte35,
  describeScte35Break,
  detectBreaks,
  parseMediaPlaylist,
  scte35PayloadToBytes,
} from '@meridian/manifest-core';
import { makeSampleClip, packageHls, startLiveChannel, type HlsLadder, type LiveChannel } from '../src/index.ts';

/** Each segment's discontinuity number as a player computes it (hls.js: DSEQ, +1 per DISCONTINUITY tag). */
function ccs(text: string): { sn: number; cc: number; uri: string }[] {
  const { playlist } = parseMediaPlaylist(text);
  let cc = playlist.discontinuitySequence ?? 0;
  return playlist.segments.map((s, i) => {
    if (s.discontinuity) cc++;
    return { sn: (playlist.mediaSequence ?? 0) + i, cc, uri: s.uri };
  });
}

function cueLines(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => /^#EXT-X-(CUE|DATERANGE|DISCONTINUITY|PROGRAM-DATE-TIME|MEDIA-SEQUENCE)/.test(l));
}

describe('startLiveChannel', () => {
  let ladder: HlsLadder;
  const channels: LiveChannel[] = [];
  let clock = 1_700_000_000_000;
  const now = (): number => clock;
  beforeAll(async () => {
    const clip = await makeSampleClip({ width: 320, height: 180, durationSeconds: 12 });
    ladder = await packageHls(clip.path, {
      segmentSeconds: 2,
      renditions: [{ height: 180 }, { height: 90, videoKbps: 150 }],
    });
  });
  afterAll(async () => {
    for (const c of channels) await c.stop();
  });

  it('slides a window that loops the VOD with discontinuities, monotonic sequences and PDT on every segment', async () => {
    clock = 1_700_000_000_000;
    const ch = await startLiveChannel({ dir: ladder.dir, windowSegments: 4, now });
    channels.push(ch);
    expect(ch.segmentsPerLoop).toBe(6);
    expect(ch.loopSeconds).toBeCloseTo(12, 0);

    const first = ccs(ch.mediaPlaylist(0));
    expect(first.map((s) => s.sn)).toEqual([0, 1, 2, 3]);
    expect(first.every((s) => s.cc === 0)).toBe(true);
    expect(ch.mediaPlaylist(0).match(/#EXT-X-PROGRAM-DATE-TIME/g)).toHaveLength(4);
    expect(ch.mediaPlaylist(0)).not.toContain('#EXT-X-ENDLIST');

    let lastSeq = -1;
    let lastDseq = -1;
    const seen = new Map<number, { cc: number; uri: string }>();
    for (let step = 0; step < 40; step++) {
      clock += 1_000; // 1 s steps across more than three loops
      const text = ch.mediaPlaylist(1);
      const { playlist } = parseMediaPlaylist(text);
      expect(playlist.segments).toHaveLength(4);
      expect(playlist.mediaSequence!).toBeGreaterThanOrEqual(lastSeq);
      expect(playlist.discontinuitySequence ?? 0).toBeGreaterThanOrEqual(lastDseq);
      lastSeq = playlist.mediaSequence!;
      lastDseq = playlist.discontinuitySequence ?? 0;
      for (const s of ccs(text)) {
        // The same sequence number always names the same segment in the same discontinuity domain.
        expect(s.cc).toBe(Math.floor(s.sn / 6));
        const before = seen.get(s.sn);
        if (before) expect(before).toEqual({ cc: s.cc, uri: s.uri });
        seen.set(s.sn, { cc: s.cc, uri: s.uri });
      }
      const pdts = playlist.segments.map((s) => Date.parse(s.programDateTime!));
      for (let i = 1; i < pdts.length; i++) expect(pdts[i]! - pdts[i - 1]!).toBeCloseTo(2000, -1);
    }
    expect(lastDseq).toBeGreaterThanOrEqual(2);
    expect(ch.window().loop).toBeGreaterThanOrEqual(3);
  });

  it('serves the master, live playlists and the VOD segments over HTTP, and dies and comes back', async () => {
    const ch = await startLiveChannel({ dir: ladder.dir, speed: 10 });
    channels.push(ch);
    const master = await fetch(ch.url);
    expect(master.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(await master.text()).toContain('r1/index.m3u8');
    const media = await (await fetch(ch.mediaUrls[0]!)).text();
    const { playlist } = parseMediaPlaylist(media);
    expect(playlist.segments.length).toBe(6);
    expect(playlist.segments[0]!.map?.uri.startsWith(`${ch.baseUrl}/vod/`)).toBe(true);
    const seg = await fetch(playlist.segments[0]!.uri);
    expect(seg.status).toBe(200);
    expect((await seg.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    // speed 10: 2 s segments arrive every 200 ms of wall-clock time.
    await new Promise((r) => setTimeout(r, 450));
    expect(ch.window().mediaSequence).toBeGreaterThanOrEqual(2);

    await ch.kill();
    await expect(fetch(ch.url)).rejects.toThrow();
    await ch.restart();
    expect((await fetch(ch.url)).status).toBe(200);
  });

  it('places legacy CUE-OUT / CONT / IN identically in every rendition', async () => {
    clock = 1_700_000_000_000;
    const ch = await startLiveChannel({
      dir: ladder.dir,
      windowSegments: 6,
      now,
      breaks: [{ offsetSeconds: 4.2, durationSeconds: 4 }],
    });
    channels.push(ch);
    expect(ch.breaks[0]).toMatchObject({ startSegment: 2, segmentCount: 2, startSeconds: 4 });
    const a = ch.mediaPlaylist(0);
    const b = ch.mediaPlaylist(1);
    expect(cueLines(a)).toEqual(cueLines(b));
    const { playlist } = parseMediaPlaylist(a);
    expect(playlist.segments[2]!.cueOut?.duration).toBe(4);
    expect(playlist.segments[3]!.cueOutCont).toMatchObject({ elapsedTime: 2, duration: 4 });
    expect(playlist.segments[4]!.cueIn).toBe(true);
    expect(playlist.segments.filter((s) => s.cueOut || s.cueIn || s.cueOutCont)).toHaveLength(3);
    // Meridian's own SSAI break detection reads the same break.
    expect(detectBreaks(playlist).breaks).toEqual([
      expect.objectContaining({ startMsn: 2, durationSeconds: 4, contentSegmentCount: 2, source: 'cue-out' }),
    ]);
  });

  it('signals DATERANGE splice_insert ad breaks and time_signal program blackouts with valid SCTE-35', async () => {
    clock = 1_700_000_000_000;
    const ch = await startLiveChannel({
      dir: ladder.dir,
      windowSegments: 6,
      now,
      cueStyle: 'daterange-splice-insert',
      breaks: [
        { offsetSeconds: 2, durationSeconds: 2 },
        { offsetSeconds: 6, durationSeconds: 4, kind: 'program', upid: 'GAME-1' },
      ],
    });
    channels.push(ch);
    clock += 2_000; // window = segments 1..6 (the last one starts the next loop)
    const text = ch.mediaPlaylist(0);
    expect(cueLines(text).filter((l) => l.startsWith('#EXT-X-DATERANGE'))).toEqual(
      cueLines(ch.mediaPlaylist(1)).filter((l) => l.startsWith('#EXT-X-DATERANGE')),
    );
    const { playlist } = parseMediaPlaylist(text);
    const ranges = playlist.segments.flatMap((s, i) => (s.dateRanges ?? []).map((d) => ({ at: i, d })));
    const adOut = ranges.find((r) => r.d.id === 'break-0-0' && r.d.scte35Out)!;
    const adIn = ranges.find((r) => r.d.id === 'break-0-0' && r.d.scte35In)!;
    expect(adOut.d.startDate).toBe(playlist.segments[adOut.at]!.programDateTime);
    expect(adIn.at - adOut.at).toBe(1);
    const out = describeScte35Break(decodeScte35(scte35PayloadToBytes(adOut.d.scte35Out!)));
    expect(out).toMatchObject({ kind: 'out', durationSeconds: 2, autoReturn: true });
    const back = describeScte35Break(decodeScte35(scte35PayloadToBytes(adIn.d.scte35In!)));
    expect(back).toMatchObject({ kind: 'in', eventId: out.eventId });

    const progOut = ranges.find((r) => r.d.id === 'program-1-0')!;
    const progIn = ranges.find((r) => r.d.id === 'program-1-0-end')!;
    expect(progIn.at - progOut.at).toBe(2);
    expect(progOut.d.scte35Out).toBeUndefined();
    expect(describeScte35Break(decodeScte35(scte35PayloadToBytes(progOut.d.scte35Cmd!)))).toMatchObject({
      kind: 'out',
      segmentationTypeId: 0x10,
      noRegionalBlackout: false,
      upid: 'GAME-1',
      durationSeconds: 4,
    });
    expect(describeScte35Break(decodeScte35(scte35PayloadToBytes(progIn.d.scte35Cmd!)))).toMatchObject({
      kind: 'in',
      segmentationTypeId: 0x11,
    });
    // Meridian's own SSAI break detection: one ad break (not the program) and the program signals.
    const detected = detectBreaks(playlist);
    expect(detected.breaks).toEqual([
      expect.objectContaining({ startMsn: 1, durationSeconds: 2, contentSegmentCount: 1 }),
    ]);
    expect(detected.programSignals.map((p) => [p.kind, p.msn])).toEqual([
      ['program-start', 3],
      ['program-end', 5],
    ]);

    // Once the OUT has slid out of the window it is not repeated, so no phantom break starts at the window's edge.
    clock += 4_000;
    const later = parseMediaPlaylist(ch.mediaPlaylist(0)).playlist;
    expect(later.mediaSequence).toBe(3);
    // Only the next loop's break (segment 1 of loop 1 = sequence 7) is found.
    expect(detectBreaks(later).breaks.map((b) => b.startMsn)).toEqual([7]);
  });

  it('carries EXT-X-KEY into the window (first segment, after each loop) with absolute URIs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'testkit-keyed-'));
    cpSync(ladder.dir, dir, { recursive: true });
    const mediaPath = join(dir, 'r1/index.m3u8');
    writeFileSync(
      mediaPath,
      readFileSync(mediaPath, 'utf8').replace(
        '#EXTINF',
        '#EXT-X-KEY:METHOD=AES-128,URI="key.bin",IV=0x000102030405060708090A0B0C0D0E0F\n#EXTINF',
      ),
    );
    writeFileSync(join(dir, 'r1/key.bin'), Buffer.alloc(16, 7));
    clock = 1_700_000_000_000;
    const ch = await startLiveChannel({ dir, windowSegments: 4, now });
    channels.push(ch);
    clock += 6_000; // window = segments 3..6, the loop restarts at 6
    const { playlist } = parseMediaPlaylist(ch.mediaPlaylist(1));
    const keyed = playlist.segments.map((s) => s.keys?.[0]?.uri ?? null);
    expect(keyed).toEqual([`${ch.baseUrl}/vod/r1/key.bin`, null, null, `${ch.baseUrl}/vod/r1/key.bin`]);
    expect(playlist.segments[3]!.discontinuity).toBe(true);
    expect(Buffer.from(await (await fetch(keyed[0]!)).arrayBuffer())).toEqual(Buffer.alloc(16, 7));
    expect(ch.mediaPlaylist(0)).not.toContain('#EXT-X-KEY');
  });

  it('refuses breaks that do not fit the loop', async () => {
    await expect(
      startLiveChannel({ dir: ladder.dir, breaks: [{ offsetSeconds: 10, durationSeconds: 8 }] }),
    ).rejects.toMatchObject({
      code: 'BAD_OPTIONS',
    });
  });
});
