/**
 * @module HLS Interstitials end to end: hls.js (≥ 1.6) in Chromium schedules the interstitial ads of a
 * `mode=interstitials` VOD session opened at the edge (a pre-roll, two mid-rolls), plays each ad's
 * asset list and resumes the untouched content to its end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChromium, type ChromiumPlayer, type FragmentLoad, type PlayReport } from '@meridian/testkit';
import { startStack, type Stack } from '../../scripts/demo/stack.ts';
import { E2E_MEDIA, stackLog, stitchedAdSeconds, summarise } from '../src/fixtures.ts';
import { fetchOk, isAdSegment, totalDuration, uriLines } from '../src/hls.ts';
import { interstitialDateRanges, type AssetList } from '../src/interstitials.ts';

/** Media fragments (no init segments) of the primary player (`assetId` undefined) or of one break's asset players. */
function mediaFragments(report: PlayReport, breakId?: string): FragmentLoad[] {
  return report.fragments.filter(
    (f) =>
      f.sn !== 'initSegment' &&
      f.type === 'main' &&
      (breakId === undefined ? f.assetId === undefined : f.assetId?.startsWith(`${breakId}-`) === true),
  );
}

/** Seconds covered by distinct fragments (hls.js may load one twice around a break). */
function coveredSeconds(fragments: FragmentLoad[]): number {
  const bySn = new Map<number | 'initSegment', number>();
  for (const f of fragments) bySn.set(f.sn, f.durationSeconds);
  return [...bySn.values()].reduce((a, b) => a + b, 0);
}

const breakIds = (stack: Stack): string[] => stack.breakOffsetsSeconds.map((_, i) => `b${i}`);

describe('HLS Interstitials through the edge', () => {
  let stack: Stack;
  let chromium: ChromiumPlayer;
  const { lines, log } = stackLog();

  beforeAll(async () => {
    stack = await startStack({ media: E2E_MEDIA, log });
    chromium = await startChromium();
  });

  afterAll(async () => {
    await chromium?.close();
    await stack?.stop();
  });

  it('a session opened with POST {"mode":"interstitials"} gets one interstitial DATERANGE per break over the untouched content, and asset lists naming the transcoded ad', async () => {
    const created = await fetchOk(`${stack.edge}/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ assetId: 'demo', mode: 'interstitials' }),
    });
    expect(created.status).toBe(201);
    const { sessionId, masterUrl } = (await created.json()) as { sessionId: string; masterUrl: string };
    const master = new URL(masterUrl, stack.edge).href;
    const mediaUrl = uriLines(await (await fetchOk(master)).text(), master)[0]!;
    const media = await (await fetchOk(mediaUrl)).text();

    // Nothing is stitched: the content's own segments and duration, no discontinuity.
    const segments = uriLines(media, mediaUrl);
    expect(segments.filter(isAdSegment)).toEqual([]);
    expect(Math.abs(totalDuration(media) - stack.contentSeconds)).toBeLessThan(0.5);
    expect(media).not.toContain('#EXT-X-DISCONTINUITY');

    const ranges = interstitialDateRanges(media);
    expect(ranges.map((r) => r.id)).toEqual(breakIds(stack));
    expect(ranges.map((r) => r.offsetSeconds)).toEqual(stack.breakOffsetsSeconds);
    expect(ranges[0]!.cue).toContain('PRE');
    for (const range of ranges) {
      // The asset list of this session's break, on the edge or the zone that rendered the playlist.
      expect(new URL(range.assetList!).pathname).toBe(`/v1/sessions/${sessionId}/breaks/${range.id}.json`);
      expect([stack.edge, ...stack.zones.map((z) => z.url)]).toContain(new URL(range.assetList!).origin);
      const list = (await (await fetchOk(range.assetList!)).json()) as AssetList;
      // The edge serves the same list (it forwards break lists to a zone).
      const viaEdge = (await (
        await fetchOk(`${stack.edge}/v1/sessions/${sessionId}/breaks/${range.id}.json`)
      ).json()) as AssetList;
      expect(viaEdge).toEqual(list);
      expect(list.ASSETS).toHaveLength(1);
      const asset = list.ASSETS[0]!;
      expect(asset.URI.startsWith(`${stack.cdn}/vod/ad-`)).toBe(true);
      // DURATION is what the ad really lasts: hls.js schedules the resumption with it.
      const adMaster = await (await fetchOk(asset.URI)).text();
      const adMedia = await (await fetchOk(uriLines(adMaster, asset.URI)[0]!)).text();
      expect(Math.abs(asset.DURATION - totalDuration(adMedia))).toBeLessThan(0.5);
      expect(Math.abs(asset.DURATION - stack.adSeconds)).toBeLessThan(0.5);
    }
  });

  it('hls.js schedules the pre-roll and mid-rolls at their offsets, plays every ad, resumes the content and plays it to the end', async () => {
    const report = await chromium.play(`${stack.master}?mode=interstitials`, {
      playbackRate: 2,
      timeoutMs: 150_000,
      hlsLogPattern: '\\[interstitials\\]|INTERSTITIAL|[Aa]sset',
    });
    const ints = report.interstitials;
    const adSeconds = breakIds(stack).map((id) => coveredSeconds(mediaFragments(report, id)));
    console.log(summarise('interstitials edge', report));
    console.log(
      `interstitials: events=${ints.events.map((e) => `${e.id}@${e.startSeconds}s`).join(',')} started=${ints.started} ended=${ints.ended} assetsStarted=${ints.assetsStarted} assetsEnded=${ints.assetsEnded} assetErrors=${ints.assetErrors} primaryResumed=${ints.primaryResumed} adSecondsLoaded=${adSeconds.join(',')} stalls=${report.stalls.length} waitingEvents=${report.stallCount} bufferStalledErrors=${report.bufferStalledErrors}\ninterstitial events: ${ints.timeline.join(', ')}`,
    );
    const context = `${summarise('interstitials edge', report)}\nnotes: ${report.notes.join(' | ')}\ninterstitial events: ${ints.timeline.join(', ')}\nhls.js:\n${report.hlsLog.slice(-60).join('\n')}\nstack:\n${lines.slice(-20).join('\n')}`;

    expect(
      Number(report.hlsVersion.split('.')[0]) * 100 + Number(report.hlsVersion.split('.')[1]),
    ).toBeGreaterThanOrEqual(106);
    expect(ints.supported).toBe(true);
    expect(report.fatalErrors, context).toEqual([]);
    expect(report.mediaError).toBeNull();
    expect(report.outcome, context).toBe('ended');

    // Scheduled where the DATERANGEs put them: a pre-roll, then the mid-rolls.
    expect(ints.events.map((e) => e.id)).toEqual(breakIds(stack));
    for (const [i, event] of ints.events.entries()) {
      expect(Math.abs(event.startSeconds - stack.breakOffsetsSeconds[i]!)).toBeLessThan(0.1);
      expect(event.assetListUrl).toMatch(new RegExp(`/v1/sessions/[^/]+/breaks/${event.id}\\.json$`));
    }

    // Every break's asset player started and ended, in order, and the primary came back after each.
    expect(ints.started).toBe(stack.breakOffsetsSeconds.length);
    expect(ints.ended).toBe(stack.breakOffsetsSeconds.length);
    expect(ints.assetsStarted).toBe(stack.breakOffsetsSeconds.length);
    expect(ints.assetsEnded).toBe(stack.breakOffsetsSeconds.length);
    expect(ints.assetErrors).toBe(0);
    expect(ints.primaryResumed).toBe(stack.breakOffsetsSeconds.length);
    expect(ints.assetIds.map((id) => id.split('-')[0])).toEqual(breakIds(stack));

    // Each asset player loaded the whole ad, from the transcoded creative on the CDN.
    for (const [i, id] of breakIds(stack).entries()) {
      const frags = mediaFragments(report, id);
      expect(frags.length).toBeGreaterThan(0);
      expect(frags.every((f) => f.url.startsWith(`${stack.cdn}/vod/ad-`))).toBe(true);
      expect(Math.abs(adSeconds[i]! - stack.adSeconds)).toBeLessThan(0.5);
    }
    // The pre-roll plays before any content: its segments are the first media hls.js loaded.
    expect(report.fragments.find((f) => f.sn !== 'initSegment')?.assetId?.startsWith('b0-')).toBe(true);

    // The primary is the content alone (no stitched ads), loaded whole and played to its end.
    const primary = mediaFragments(report);
    expect(primary.filter((f) => isAdSegment(f.url))).toEqual([]);
    expect(primary.every((f) => f.url.startsWith(`${stack.cdn}/vod/demo/`))).toBe(true);
    expect(Math.abs(coveredSeconds(primary) - stack.contentSeconds)).toBeLessThan(0.5);
    expect(Math.abs(report.currentTime - stack.contentSeconds)).toBeLessThan(0.5);
    // Watched: the content plus every ad, once each.
    expect(Math.abs(report.playedSeconds - (stack.contentSeconds + stitchedAdSeconds(stack)))).toBeLessThan(1);
    // hls.js plays an inserted (X-RESUME-OFFSET=0) interstitial in a fresh MediaSource, so the element
    // waits briefly (~20 ms here) at each switch into an ad and back: at most one wait per switch, each at
    // the start of the new source or at a break's offset — a wait anywhere else would be a real rebuffer.
    const switches = 2 * stack.breakOffsetsSeconds.length - 1;
    expect(report.stalls.length, context).toBeLessThanOrEqual(switches);
    for (const stall of report.stalls) {
      const atSwitch =
        stall.atSeconds < 0.5 || stack.breakOffsetsSeconds.some((o) => Math.abs(stall.atSeconds - o) < 0.5);
      expect(atSwitch, context).toBe(true);
    }
  });
});
