/**
 * @module Chaos end to end: hls.js keeps playing with no fatal error when, mid-playback, a zone is
 * killed, Valkey is stopped, or the primary origin region goes away. One stack; the faults pile up
 * in file order (zone → Valkey → origin), as they would in a bad night.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  playInChromium,
  probeWithFfmpeg,
  startChromium,
  type ChromiumPlayer,
  type PlayOptions,
} from '@meridian/testkit';
import { startStack, type Stack } from '../../scripts/demo/stack.ts';
import { decodeErrors, E2E_MEDIA, stackLog, stitchedAdSeconds, summarise } from '../src/fixtures.ts';
import { contentKeyUri, fetchOk, uriLines } from '../src/hls.ts';
import { describeProbe, stitchedRead } from '../src/ffmpeg.ts';

// A short forward buffer, so most segments (and playlists on switches) load after the fault.
const SMALL_BUFFER: PlayOptions = {
  playbackRate: 2,
  timeoutMs: 150_000,
  hlsConfig: { maxBufferLength: 4, maxMaxBufferLength: 6, backBufferLength: 0 },
};

describe('chaos: playback continues through faults', () => {
  let stack: Stack;
  let chromium: ChromiumPlayer;

  beforeAll(async () => {
    stack = await startStack({ media: E2E_MEDIA, valkey: true, encrypted: true, log: stackLog().log });
    chromium = await startChromium();
  });

  afterAll(async () => {
    await chromium?.close();
    await stack?.stop();
  });

  it('a zone is killed mid-playback of AES-128 content: no fatal error, and the edge forwards key requests to the other zone', async () => {
    const killed = stack.zones[0]!.id;
    const survivor = stack.zones[1]!.id;
    const report = await chromium.play(stack.encryptedMaster!, {
      ...SMALL_BUFFER,
      hooks: [{ atPlayedSeconds: 6, run: () => stack.killZone(killed) }],
    });
    console.log(summarise(`zone ${killed} killed`, report));
    expect(stack.zones[0]!.alive).toBe(false);
    expect(report.fatalErrors).toEqual([]);
    // The viewer does not notice: no rebuffer while playlists and keys move to the other zone.
    expect(report.stalls, summarise(`zone ${killed} killed`, report)).toEqual([]);
    expect(report.outcome).toBe('ended');
    expect(Math.abs(report.playedSeconds - (stack.contentSeconds + stitchedAdSeconds(stack)))).toBeLessThan(1.5);

    // A new viewer after the kill: every key request the edge forwards is answered by the survivor.
    const masterUrl = stack.encryptedMaster!;
    const master = await (await fetchOk(masterUrl)).text();
    for (const mediaUrl of uriLines(master, masterUrl).slice(0, 2)) {
      const keyUrl = contentKeyUri(await (await fetchOk(mediaUrl)).text(), mediaUrl)!;
      const key = await fetchOk(keyUrl);
      expect(key.headers.get('x-meridian-zone')).toBe(survivor);
      expect((await key.arrayBuffer()).byteLength).toBe(16);
    }
  });

  it('Valkey is stopped mid-playback of a zone session: no fatal error, and new sessions still open', async () => {
    const zone = stack.zones.find((z) => z.alive)!;
    const master = `${zone.url}/v1/vod/demo/master.m3u8`;
    const report = await chromium.play(master, {
      ...SMALL_BUFFER,
      hooks: [{ atPlayedSeconds: 6, run: () => stack.stopValkey() }],
    });
    console.log(summarise(`valkey stopped (zone ${zone.id})`, report));
    expect(report.fatalErrors).toEqual([]);
    expect(report.stalls, summarise(`valkey stopped (zone ${zone.id})`, report)).toEqual([]);
    expect(report.outcome).toBe('ended');
    expect(Math.abs(report.playedSeconds - (stack.contentSeconds + stitchedAdSeconds(stack)))).toBeLessThan(1.5);

    // With Valkey gone, a new viewer still gets a session master and its media playlists.
    const fresh = await fetchOk(master);
    expect(fresh.headers.get('x-meridian-session')).toBeTruthy();
    const mediaUrl = uriLines(await fresh.text(), master)[0]!;
    expect(await (await fetchOk(mediaUrl)).text()).toContain('#EXT-X-ENDLIST');
  });

  it('the primary origin region is stopped mid-playback: no fatal error, later segments come from the replica region', async () => {
    let atKill: Record<string, number> = {};
    const kill = async (): Promise<void> => {
      await stack.killOrigin('region-1');
      atKill = stack.cdnServedBy();
    };
    // A fresh browser: the shared one may hold these (immutable-cached) segments from the tests
    // above, and then nothing after the kill would reach the CDN at all.
    const report = await playInChromium(stack.master, { ...SMALL_BUFFER, hooks: [{ atPlayedSeconds: 6, run: kill }] });
    console.log(summarise('origin region-1 stopped', report), JSON.stringify(stack.cdnServedBy()));
    expect(report.fatalErrors).toEqual([]);
    expect(report.stalls, summarise('origin region-1 stopped', report)).toEqual([]);
    expect(report.outcome).toBe('ended');
    expect(Math.abs(report.playedSeconds - (stack.contentSeconds + stitchedAdSeconds(stack)))).toBeLessThan(1.5);
    // Everything after the kill came from the replica.
    expect(stack.cdnServedBy()['region-1']).toBe(atKill['region-1']);
    expect(stack.cdnServedBy()['region-2']).toBeGreaterThan(atKill['region-2'] ?? 0);

    // ffmpeg as a second client, with the primary region still down.
    const probe = await probeWithFfmpeg(stack.master, { timeoutMs: 120_000 });
    console.log(describeProbe('ffmpeg with region-1 down', probe));
    expect(probe.exitCode).toBe(0);
    // ffmpeg has no content steering: it opens every pathway the master lists, and the edge still
    // lists the zone killed above (last, and left out of PATHWAY-PRIORITY). Refusals from that
    // zone are expected; any other error is not.
    const deadHosts = stack.zones.filter((z) => !z.alive).map((z) => new URL(z.url).host);
    expect(
      decodeErrors(probe.stderr).filter(
        (line) => !deadHosts.some((host) => line.includes(`tcp://${host} failed: Connection refused`)),
      ),
    ).toEqual([]);
    const read = stitchedRead(probe);
    expect(Math.abs(read.durationSeconds - (stack.contentSeconds + stitchedAdSeconds(stack)))).toBeLessThan(1);
    expect(read.breaks).toEqual(stack.breakOffsetsSeconds.map((_, i) => `b${i}`));
    expect(read.contentSegments).toBeGreaterThanOrEqual(Math.floor(stack.contentSeconds / E2E_MEDIA.segmentSeconds!));
  });
});
