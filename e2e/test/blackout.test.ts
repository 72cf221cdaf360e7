/** @module Blackout end to end: a viewer in the blacked-out country gets slate during the window (hls.js through the edge); a viewer elsewhere gets the content. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChromium, type ChromiumPlayer } from '@meridian/testkit';
import { startStack, type Stack } from '../../scripts/demo/stack.ts';
import { E2E_MEDIA, stackLog, stitchedAdSeconds, summarise } from '../src/fixtures.ts';
import { fetchOk, uriLines } from '../src/hls.ts';

/** Content 4–8 s (the second 4 s segment) is blacked out in the US, where the edge's viewers are (miniflare's request.cf). */
const RULE_ID = 'us-rights';
const RULES = JSON.stringify({
  rules: [
    {
      id: RULE_ID,
      audience: { countries: ['US'], match: 'ANY' },
      trigger: { kind: 'mediaTime', startSeconds: 4, endSeconds: 8 },
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
    stack = await startStack({ media: E2E_MEDIA, blackoutRules: RULES, log: stackLog().log });
    chromium = await startChromium();
  });

  afterAll(async () => {
    await chromium?.close();
    await stack?.stop();
  });

  it('a viewer in the blacked-out country plays slate during the window and the content around it, to the end', async () => {
    const report = await chromium.play(stack.master, { playbackRate: 2, timeoutMs: 120_000 });
    console.log(summarise('blackout US viewer', report));
    expect(report.fatalErrors).toEqual([]);
    expect(report.outcome).toBe('ended');
    // The slate replaces content time for time: the total stays content + ads.
    expect(Math.abs(report.playedSeconds - (stack.contentSeconds + stitchedAdSeconds(stack)))).toBeLessThan(1.5);
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
