/** @module Live end to end: a channel simulated from the VOD (sliding window, SCTE-35 cue-outs) plays through the edge across its breaks. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChromium, type ChromiumPlayer } from '@meridian/testkit';
import { startStack, type Stack } from '../../scripts/demo/stack.ts';
import { E2E_MEDIA, stackLog, summarise } from '../src/fixtures.ts';
import { fetchOk, uriLines } from '../src/hls.ts';

const SPEED = 2;

describe('live through the edge', () => {
  let stack: Stack;
  let chromium: ChromiumPlayer;

  beforeAll(async () => {
    stack = await startStack({ media: E2E_MEDIA, live: { speed: SPEED }, log: stackLog().log });
    chromium = await startChromium();
  });

  afterAll(async () => {
    await chromium?.close();
    await stack?.stop();
  });

  it('the edge serves a session master and zone-rendered media playlists whose window slides forward with the cues', async () => {
    const master = await fetchOk(stack.liveMaster!);
    expect(master.headers.get('x-meridian-session')).toBeTruthy();
    const mediaUrl = uriLines(await master.text(), stack.liveMaster!)[0]!;
    const sequences: number[] = [];
    let cueOuts = 0;
    for (let i = 0; i < 4; i++) {
      const media = await fetchOk(mediaUrl);
      expect(stack.zones.map((z) => z.id)).toContain(media.headers.get('x-meridian-zone'));
      const text = await media.text();
      expect(text).not.toContain('#EXT-X-ENDLIST');
      sequences.push(Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(text)![1]));
      cueOuts += (text.match(/#EXT-X-CUE-OUT:/g) ?? []).length;
      await new Promise((r) => setTimeout(r, (4 * 1000) / SPEED)); // one segment
    }
    // RFC 8216 §6.2.2: the media sequence never decreases; here it must also advance.
    for (let i = 1; i < sequences.length; i++) expect(sequences[i]).toBeGreaterThanOrEqual(sequences[i - 1]!);
    expect(sequences.at(-1)!).toBeGreaterThan(sequences[0]!);
    expect(cueOuts).toBeGreaterThan(0);
  });

  it('hls.js plays across both breaks and a loop with monotonic sequence numbers and no fatal error', async () => {
    const channel = stack.liveChannel!;
    const playSeconds = channel.loopSeconds + 8;
    const report = await chromium.play(stack.liveMaster!, { playSeconds, playbackRate: SPEED, timeoutMs: 150_000 });
    console.log(summarise('live edge', report));
    expect(report.fatalErrors).toEqual([]);
    expect(report.outcome).toBe('played');
    expect(report.playedSeconds).toBeGreaterThanOrEqual(playSeconds);
    for (const type of ['main', 'audio']) {
      const sns = report.fragments.filter((f) => f.type === type && f.sn !== 'initSegment').map((f) => f.sn as number);
      for (let i = 1; i < sns.length; i++) expect(sns[i], `${type} fragment ${i}: ${sns.join(',')}`).toBeGreaterThanOrEqual(sns[i - 1]!);
    }
    // A whole loop of segments went by, so every break position in the loop was played through.
    const main = report.fragments.filter((f) => f.type === 'main' && f.sn !== 'initSegment').map((f) => f.sn as number);
    expect(Math.max(...main) - Math.min(...main) + 1).toBeGreaterThanOrEqual(channel.segmentsPerLoop);
    expect(channel.breaks).toHaveLength(2);
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
    expect(report.outcome).toBe('played');
    expect(report.playedSeconds).toBeGreaterThanOrEqual(28);

    const master = await fetchOk(stack.liveMaster!);
    const mediaUrl = uriLines(await master.text(), stack.liveMaster!)[0]!;
    const media = await fetchOk(mediaUrl);
    expect(media.headers.get('x-meridian-zone')).toBe(survivor!.id);
  });
});
