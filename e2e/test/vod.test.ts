/** @module VOD end to end: hls.js in Chromium and ffmpeg play the content with its stitched ads (a pre-roll, two mid-rolls) through the edge and a zone; tracking lists the ad breaks. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeWithFfmpeg, startChromium, type ChromiumPlayer } from '@meridian/testkit';
import { startStack, type Stack } from '../../scripts/demo/stack.ts';
import { decodeErrors, E2E_MEDIA, stackLog, stitchedAdSeconds, summarise } from '../src/fixtures.ts';
import { fetchOk, isAdSegment } from '../src/hls.ts';
import { describeProbe, stitchedRead } from '../src/ffmpeg.ts';

describe('VOD through the edge', () => {
  let stack: Stack;
  let chromium: ChromiumPlayer;

  beforeAll(async () => {
    stack = await startStack({ media: E2E_MEDIA, log: stackLog().log });
    chromium = await startChromium();
  });

  afterAll(async () => {
    await chromium?.close();
    await stack?.stop();
  });

  it('hls.js plays the edge master start to end with no fatal error; segments come through the CDN, mostly from the primary region', async () => {
    const report = await chromium.play(stack.master, { playbackRate: 2, timeoutMs: 120_000 });
    console.log(summarise('vod edge', report));
    expect(report.fatalErrors).toEqual([]);
    expect(report.outcome).toBe('ended');
    // A pre-roll and two mid-rolls are stitched in: played time is the content plus every ad.
    expect(Math.abs(report.playedSeconds - (stack.contentSeconds + stitchedAdSeconds(stack)))).toBeLessThan(1);
    // Stitched ads are one continuous stream to the player: no rebuffer at the six ad boundaries.
    expect(report.stalls, summarise('vod edge', report)).toEqual([]);
    const media = report.fragments.filter((f) => f.sn !== 'initSegment');
    expect(media.length).toBeGreaterThan(0);
    expect(media.every((f) => f.url.startsWith(`${stack.cdn}/vod/`))).toBe(true);
    expect(media.some((f) => new URL(f.url).pathname.startsWith('/vod/demo/'))).toBe(true);
    expect(media.filter((f) => isAdSegment(f.url)).length).toBeGreaterThanOrEqual(stack.breakOffsetsSeconds.length);
    // The primary answers; a hedged request may occasionally be won by the replica on a loaded machine.
    expect(stack.cdnServedBy()['region-1']).toBeGreaterThan(stack.cdnServedBy()['region-2'] ?? 0);
  });

  it('hls.js plays the regional master (a zone, no edge) start to end', async () => {
    const report = await chromium.play(stack.regionalMaster, { playbackRate: 2, timeoutMs: 120_000 });
    console.log(summarise('vod zone', report));
    expect(report.fatalErrors).toEqual([]);
    expect(report.outcome).toBe('ended');
    expect(report.stalls, summarise('vod zone', report)).toEqual([]);
    expect(Math.abs(report.playedSeconds - (stack.contentSeconds + stitchedAdSeconds(stack)))).toBeLessThan(1);
    expect(report.fragments.filter((f) => isAdSegment(f.url)).length).toBeGreaterThanOrEqual(
      stack.breakOffsetsSeconds.length,
    );
  });

  it("ffmpeg decodes the edge master without errors, reading the content and every break's ad", async () => {
    const probe = await probeWithFfmpeg(stack.master, { timeoutMs: 120_000 });
    console.log(describeProbe('ffmpeg edge', probe));
    expect(probe.timedOut).toBe(false);
    expect(probe.exitCode).toBe(0);
    expect(decodeErrors(probe.stderr)).toEqual([]);
    const read = stitchedRead(probe);
    expect(Math.abs(read.durationSeconds - (stack.contentSeconds + stitchedAdSeconds(stack)))).toBeLessThan(1);
    expect(read.breaks).toEqual(stack.breakOffsetsSeconds.map((_, i) => `b${i}`));
    expect(read.contentSegments).toBeGreaterThanOrEqual(Math.floor(stack.contentSeconds / E2E_MEDIA.segmentSeconds!));
  });

  it('a session opened at the edge lists a pre-roll and two mid-rolls filled from the VAST server, and the ad plays', async () => {
    const created = await fetchOk(`${stack.edge}/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ assetId: 'demo' }),
    });
    expect(created.status).toBe(201);
    const { trackingUrl } = (await created.json()) as { trackingUrl: string };
    const tracking = await fetchOk(new URL(trackingUrl, stack.edge).href);
    expect(stack.zones.map((z) => z.id)).toContain(tracking.headers.get('x-meridian-zone'));
    const { avails } = (await tracking.json()) as {
      avails: {
        startTimeInSeconds: number;
        durationInSeconds: number;
        fill: string;
        ads: { uri: string; durationInSeconds: number }[];
      }[];
    };
    expect(avails.map((a) => a.startTimeInSeconds)).toEqual(stack.breakOffsetsSeconds);
    for (const avail of avails) {
      expect(avail.fill).toBe('ads');
      expect(avail.ads).toHaveLength(1);
      expect(avail.ads[0]!.durationInSeconds).toBe(stack.adSeconds);
    }
    const ad = await probeWithFfmpeg(avails[0]!.ads[0]!.uri, { timeoutMs: 60_000 });
    expect(ad.exitCode).toBe(0);
    expect(Math.abs(ad.decodedSeconds - stack.adSeconds)).toBeLessThan(1);
  });
});
