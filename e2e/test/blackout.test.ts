/** @module Blackout end to end: a viewer in the blacked-out country gets slate during the window (hls.js through the edge), VOD by media time and live by wall clock; a viewer elsewhere gets the content. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChromium, type ChromiumPlayer } from '@meridian/testkit';
import { startStack, type Stack } from '../../scripts/demo/stack.ts';
import { E2E_MEDIA, stackLog, stitchedAdSeconds, summarise } from '../src/fixtures.ts';
import { fetchOk, uriLines } from '../src/hls.ts';

/** Content 4–8 s (the second 4 s segment) is blacked out in the US, where the edge's viewers are (miniflare's request.cf). */
const RULE_ID = 'us-rights';
/** The live channel runs at twice real time (hls.js plays it at the same rate). */
const SPEED = 2;
const SEGMENT_MS = E2E_MEDIA.segmentSeconds! * 1000;
/** PROGRAM-DATE-TIME of the live channel's first segment: segment k starts at LIVE_EPOCH_MS + k × 4 s. */
const LIVE_EPOCH_MS = Math.floor(Date.now() / 1000) * 1000;
/**
 * Live: the channel's segments 16 and 17 (8 s of program, by wall clock through PROGRAM-DATE-TIME)
 * are blacked out in the US. The channel starts with segment 4 newest and publishes one every 2 s,
 * so segment 16 comes ~24 s after it starts: the player, started first thing, reaches it.
 */
const LIVE_RULE_ID = 'us-live-rights';
const LIVE_FROM_MS = LIVE_EPOCH_MS + 16 * SEGMENT_MS;
const LIVE_TO_MS = LIVE_EPOCH_MS + 18 * SEGMENT_MS;
const RULES = JSON.stringify({
  rules: [
    {
      id: RULE_ID,
      audience: { countries: ['US'], match: 'ANY' },
      trigger: { kind: 'mediaTime', startSeconds: 4, endSeconds: 8 },
      replacementId: 'slate',
    },
    {
      id: LIVE_RULE_ID,
      audience: { countries: ['US'], match: 'ANY' },
      trigger: {
        kind: 'wallClock',
        start: new Date(LIVE_FROM_MS).toISOString(),
        end: new Date(LIVE_TO_MS).toISOString(),
      },
      replacementId: 'slate',
    },
  ],
});

/** True for a segment the blackout put in (stitched replacement URIs carry `mbk=<decision id>.<n>`; a blackout decision is `blackout:<rule id>:<msn>`). */
const isSlate = (url: string): boolean =>
  new URL(url).searchParams.get('mbk')?.startsWith(`blackout:${RULE_ID}:`) === true;

describe('blackout', () => {
  let stack: Stack;
  let chromium: ChromiumPlayer;

  beforeAll(async () => {
    // Valkey: the edge spreads a live session's reloads over both zones, which must share its record.
    stack = await startStack({
      media: E2E_MEDIA,
      blackoutRules: RULES,
      live: { speed: SPEED, programDateTimeStartMs: LIVE_EPOCH_MS },
      valkey: true,
      log: stackLog().log,
    });
    chromium = await startChromium();
  });

  afterAll(async () => {
    await chromium?.close();
    await stack?.stop();
  });

  // First in the file: the live window comes ~24 s after the stack starts.
  it('live: a viewer in the blacked-out country plays slate over the wall-clock window and the program around it, without a fatal error', async () => {
    const report = await chromium.play(stack.liveMaster!, { playSeconds: 60, playbackRate: SPEED, timeoutMs: 150_000 });
    console.log(summarise('live blackout US viewer', report));
    expect(report.fatalErrors).toEqual([]);
    expect(report.stalls, summarise('live blackout US viewer', report)).toEqual([]);
    expect(report.outcome).toBe('played');
    expect(report.playedSeconds).toBeGreaterThanOrEqual(60);
    const main = report.fragments.filter((f) => f.type === 'main' && f.sn !== 'initSegment');
    const isLiveSlate = (url: string): boolean =>
      new URL(url).searchParams.get('mbk')?.startsWith(`blackout:${LIVE_RULE_ID}:`) === true;
    const slate = main.filter((f) => isLiveSlate(f.url));
    // The window's 8 s were played as slate (looped 4 s + 2 s segments of the 6 s clip), video and audio.
    expect(slate.length, main.map((f) => f.url).join('\n')).toBeGreaterThanOrEqual(2);
    expect(slate.reduce((sum, f) => sum + f.durationSeconds, 0)).toBeCloseTo(8, 0);
    expect(report.fragments.some((f) => f.type === 'audio' && isLiveSlate(f.url))).toBe(true);
    // No program segment from inside the window was fetched; the program before and after it was.
    const program = main.filter((f) => !new URL(f.url).searchParams.has('mbk') && f.programDateTimeMs !== undefined);
    const inside = program.filter((f) => f.programDateTimeMs! >= LIVE_FROM_MS && f.programDateTimeMs! < LIVE_TO_MS);
    expect(inside.map((f) => f.url)).toEqual([]);
    expect(program.some((f) => f.programDateTimeMs! < LIVE_FROM_MS)).toBe(true);
    expect(program.some((f) => f.programDateTimeMs! >= LIVE_TO_MS)).toBe(true);
    // Sequence numbers never step back across the blackout's discontinuities.
    const sns = main.map((f) => f.sn as number);
    for (let i = 1; i < sns.length; i++) expect(sns[i], sns.join(',')).toBeGreaterThanOrEqual(sns[i - 1]!);
  });

  it('a viewer in the blacked-out country plays slate during the window and the content around it, to the end', async () => {
    const report = await chromium.play(stack.master, { playbackRate: 2, timeoutMs: 120_000 });
    console.log(summarise('blackout US viewer', report));
    expect(report.fatalErrors).toEqual([]);
    expect(report.outcome).toBe('ended');
    // The slate replaces content time for time: the total stays content + ads.
    expect(Math.abs(report.playedSeconds - (stack.contentSeconds + stitchedAdSeconds(stack)))).toBeLessThan(1.5);
    // The slate is stitched like an ad: no rebuffer where it starts or ends.
    expect(report.stalls, summarise('blackout US viewer', report)).toEqual([]);
    const main = report.fragments.filter((f) => f.type === 'main' && f.sn !== 'initSegment');
    expect(main.some((f) => isSlate(f.url))).toBe(true);
    // The blacked-out content segment (the second) is never fetched.
    expect(main.some((f) => /\/vod\/demo\/[^/]+\/seg_00001\./.test(new URL(f.url).pathname))).toBe(false);
  });

  it('a viewer elsewhere gets every content segment and no slate', async () => {
    const zone = stack.zones[0]!;
    const master = await fetchOk(`${zone.url}/v1/vod/demo/master.m3u8`, {
      headers: { 'cloudfront-viewer-country': 'FR' },
    });
    const masterUrl = master.url;
    const mediaUrl = uriLines(await master.text(), masterUrl)[0]!;
    const media = uriLines(await (await fetchOk(mediaUrl)).text(), mediaUrl);
    expect(media.some(isSlate)).toBe(false);
    expect(media.some((u) => /\/vod\/demo\/[^/]+\/seg_00001\./.test(new URL(u).pathname))).toBe(true);
    // The same zone blacks out a US viewer's playlist.
    const us = await fetchOk(`${zone.url}/v1/vod/demo/master.m3u8`, { headers: { 'cloudfront-viewer-country': 'US' } });
    const usMedia = uriLines(await (await fetchOk(uriLines(await us.text(), us.url)[0]!)).text(), us.url);
    expect(usMedia.some(isSlate)).toBe(true);
  });
});
