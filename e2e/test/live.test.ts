/**
 * @module Live end to end: a channel simulated from the VOD (sliding window, SCTE-35 cue-outs) plays
 * through the edge across its breaks, with the zones' live SSAI replacing each break with the ad.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChromium, type ChromiumPlayer, type PlayReport } from '@meridian/testkit';
import { startStack, type Stack } from '../../scripts/demo/stack.ts';
import { E2E_MEDIA, stackLog, summarise } from '../src/fixtures.ts';
import { fetchOk, isAdSegment, uriLines } from '../src/hls.ts';

const SPEED = 2;

/** Fragment timeline (type, sn, cc, start–end, PDT, gap to the previous fragment of its type): what a stall at a discontinuity is measured with. */
function describeTimeline(report: PlayReport): string {
  const lines: string[] = [];
  const lastEnd = new Map<string, number>();
  for (const f of report.fragments) {
    if (f.sn === 'initSegment') continue;
    const prev = lastEnd.get(f.type);
    const gap = prev === undefined ? '' : ` gap=${(f.startSeconds - prev).toFixed(3)}`;
    lastEnd.set(f.type, f.startSeconds + f.durationSeconds);
    const pdt =
      f.programDateTimeMs === undefined ? '' : ` pdt=${new Date(f.programDateTimeMs).toISOString().slice(14, 23)}`;
    lines.push(
      `${f.type} sn=${f.sn} cc=${f.cc} ${f.startSeconds.toFixed(3)}+${f.durationSeconds.toFixed(3)}${gap}${pdt} ${new URL(f.url).pathname.split('/').slice(-3).join('/')}`,
    );
  }
  return lines.join('\n');
}

describe('live through the edge', () => {
  let stack: Stack;
  let chromium: ChromiumPlayer;

  beforeAll(async () => {
    // Valkey: the edge spreads a session's reloads over both zones, and each live session's break
    // decisions (which shape its sequence numbers) must be the same in both — one shared record.
    stack = await startStack({ media: E2E_MEDIA, live: { speed: SPEED }, valkey: true, log: stackLog().log });
    chromium = await startChromium();
  });

  afterAll(async () => {
    await chromium?.close();
    await stack?.stop();
  });

  it('the edge serves zone-rendered media playlists whose window slides forward with the ad replacing each break, MSN/DSN identical across renditions', async () => {
    const master = await fetchOk(stack.liveMaster!);
    expect(master.headers.get('x-meridian-session')).toBeTruthy();
    const mediaUrls = uriLines(await master.text(), stack.liveMaster!);
    const video = mediaUrls[0]!;
    const audio = mediaUrls.find((u) => /\/r0\.m3u8/.test(u));
    const sequences: number[] = [];
    const adUris = new Set<string>();
    const channel = stack.liveChannel!;
    // One loop of the channel passes every break; reload once a segment, as a player does.
    const reloads = Math.ceil(channel.segmentsPerLoop) + 2;
    for (let i = 0; i < reloads; i++) {
      const [v, a] = await Promise.all([fetchOk(video), audio ? fetchOk(audio) : undefined]);
      expect(stack.zones.map((z) => z.id)).toContain(v.headers.get('x-meridian-zone'));
      const text = await v.text();
      expect(text).not.toContain('#EXT-X-ENDLIST');
      const msn = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(text)![1]);
      const dsn = Number(/#EXT-X-DISCONTINUITY-SEQUENCE:(\d+)/.exec(text)?.[1] ?? 0);
      sequences.push(msn);
      if (a) {
        const audioText = await a.text();
        // The same break decisions shape every rendition: the same sequence numbers at the same time
        // (a reload may straddle a new segment, so one step apart at most).
        const audioMsn = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(audioText)![1]);
        const audioDsn = Number(/#EXT-X-DISCONTINUITY-SEQUENCE:(\d+)/.exec(audioText)?.[1] ?? 0);
        expect(Math.abs(audioMsn - msn)).toBeLessThanOrEqual(1);
        if (audioMsn === msn) expect(audioDsn).toBe(dsn);
      }
      for (const uri of uriLines(text, video)) if (isAdSegment(uri)) adUris.add(uri);
      await new Promise((r) =>
        setTimeout(r, (stack.liveChannel!.loopSeconds * 1000) / channel.segmentsPerLoop / SPEED),
      );
    }
    // RFC 8216 §6.2.2: the media sequence never decreases; here it must also advance.
    for (let i = 1; i < sequences.length; i++) expect(sequences[i]).toBeGreaterThanOrEqual(sequences[i - 1]!);
    expect(sequences.at(-1)!).toBeGreaterThan(sequences[0]!);
    // Both breaks of the loop were replaced by the ad (one replacement segment each, tagged with its break).
    const breaks = new Set([...adUris].map((u) => new URL(u).searchParams.get('mbk')?.replace(/\.\d+$/, '')));
    expect(breaks.size, [...adUris].join('\n')).toBeGreaterThanOrEqual(2);
  });

  it('hls.js plays across both breaks with the ad, and a loop, with monotonic sequence numbers and no fatal error', async () => {
    const channel = stack.liveChannel!;
    const playSeconds = channel.loopSeconds + 8;
    const report = await chromium.play(stack.liveMaster!, { playSeconds, playbackRate: SPEED, timeoutMs: 150_000 });
    console.log(summarise('live edge', report));
    console.log(describeTimeline(report));
    expect(report.fatalErrors).toEqual([]);
    // Ads in and out and the channel's loop are discontinuities in one stream: no rebuffer at any of them.
    expect(report.stalls, summarise('live edge', report)).toEqual([]);
    expect(report.outcome).toBe('played');
    expect(report.playedSeconds).toBeGreaterThanOrEqual(playSeconds);
    for (const type of ['main', 'audio']) {
      const sns = report.fragments.filter((f) => f.type === type && f.sn !== 'initSegment').map((f) => f.sn as number);
      for (let i = 1; i < sns.length; i++)
        expect(sns[i], `${type} fragment ${i}: ${sns.join(',')}`).toBeGreaterThanOrEqual(sns[i - 1]!);
    }
    // Media timing across every discontinuity (ads in and out, the channel's loop): each next fragment
    // starts where the previous one ended, so no buffer hole opens (hls.js would stall on one).
    for (const type of ['main', 'audio']) {
      const frags = report.fragments.filter((f) => f.type === type && f.sn !== 'initSegment');
      for (let i = 1; i < frags.length; i++) {
        const [prev, f] = [frags[i - 1]!, frags[i]!];
        if (f.sn !== (prev.sn as number) + 1) continue;
        expect(
          Math.abs(f.startSeconds - (prev.startSeconds + prev.durationSeconds)),
          `${type} sn ${f.sn} (cc ${prev.cc}→${f.cc})`,
        ).toBeLessThan(0.1);
      }
    }
    // A whole loop of segments went by, so every break position in the loop was played through.
    const main = report.fragments.filter((f) => f.type === 'main' && f.sn !== 'initSegment');
    const sns = main.map((f) => f.sn as number);
    expect(Math.max(...sns) - Math.min(...sns) + 1).toBeGreaterThanOrEqual(channel.segmentsPerLoop);
    expect(channel.breaks).toHaveLength(2);
    // The ad played in both breaks: ad fragments of two different breaks were loaded, video and audio.
    const adBreaks = new Set(
      main.filter((f) => isAdSegment(f.url)).map((f) => new URL(f.url).searchParams.get('mbk')?.replace(/\.\d+$/, '')),
    );
    expect(adBreaks.size, main.map((f) => f.url).join('\n')).toBeGreaterThanOrEqual(2);
    expect(report.fragments.some((f) => f.type === 'audio' && isAdSegment(f.url))).toBe(true);
  });

  // Last in the file: it leaves one zone dead. Live media playlists are the requests the edge
  // forwards on every reload, so this is where losing a zone would show.
  it('a zone is killed mid-playback: live reloads move to the other zone and hls.js keeps playing', async () => {
    const [killed, survivor] = stack.zones;
    const report = await chromium.play(stack.liveMaster!, {
      // 22 s past the kill: more than the window ahead of the playhead, so hls.js must reload playlists after it.
      playSeconds: 28,
      playbackRate: SPEED,
      timeoutMs: 150_000,
      hooks: [{ atPlayedSeconds: 6, run: () => stack.killZone(killed!.id) }],
    });
    console.log(summarise(`live, zone ${killed!.id} killed`, report));
    expect(killed!.alive).toBe(false);
    expect(report.fatalErrors).toEqual([]);
    expect(report.stalls, summarise(`live, zone ${killed!.id} killed`, report)).toEqual([]);
    expect(report.outcome).toBe('played');
    expect(report.playedSeconds).toBeGreaterThanOrEqual(28);

    const master = await fetchOk(stack.liveMaster!);
    const mediaUrl = uriLines(await master.text(), stack.liveMaster!)[0]!;
    const media = await fetchOk(mediaUrl);
    expect(media.headers.get('x-meridian-zone')).toBe(survivor!.id);
  });
});
