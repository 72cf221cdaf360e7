/**
 * @module Live blackout in the zone (BLACKOUT_RULES with a wall-clock window): testkit's simulated
 * live channel on an injected clock, the slate on an HTTP origin. A viewer in the blacked-out
 * country gets the slate over the window's segments (by PROGRAM-DATE-TIME) with sequence numbers
 * that never step back, then the content again; another viewer gets the content throughout.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  sleep,
  startLiveChannel,
  startVastServer,
  type FaultyServer,
  type LiveChannel,
  type VastServer,
} from '@meridian/testkit';
import { buildApp, startOrigin, testConfig } from './helpers.ts';
import {
  checkSequence,
  writeChannelLadder,
  publishLadder,
  reload,
  type Reload,
  type Requester,
} from './live-helpers.ts';

/** Segments per loop of the channel (1 s each). */
const LOOP = 12;
/** The zone caches a live window for half a target duration (500 ms here): each clock step waits that long. */
const CACHE_MS = 520;
/** PROGRAM-DATE-TIME of the channel's first segment: segment g starts at T0 + g s. */
const T0 = Date.UTC(2026, 10, 22, 18, 0, 0);

let dir: string;
let origin: FaultyServer;
let channel: LiveChannel;
/** The same program with two SCTE-35 ad breaks per loop (loop offsets 3 s and 8 s, 2 s each). */
let withBreaks: LiveChannel;
let vast: VastServer;
let clockMs = T0 + 20_000;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meridian-live-blackout-'));
  writeChannelLadder(dir, 'ch1', LOOP);
  channel = await startLiveChannel({
    dir,
    masterName: 'ch1/master.m3u8',
    windowSegments: 6,
    now: () => clockMs,
    programDateTimeStartMs: T0,
  });
  writeChannelLadder(dir, 'ch2', LOOP);
  withBreaks = await startLiveChannel({
    dir,
    masterName: 'ch2/master.m3u8',
    windowSegments: 6,
    now: () => clockMs,
    programDateTimeStartMs: T0,
    breaks: [
      { offsetSeconds: 3, durationSeconds: 2 },
      { offsetSeconds: 8, durationSeconds: 2 },
    ],
  });
  origin = await startOrigin();
  publishLadder(origin, 'slate', 1);
  vast = await startVastServer({ ads: [] });
});

afterAll(async () => {
  await vast?.close();
  await channel?.stop();
  await withBreaks?.stop();
  await origin?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A rule blacking out DE over global segments [from, to) of the channel. */
const rules = (from: number, to: number): string =>
  JSON.stringify([
    {
      id: 'de-match',
      audience: { countries: ['DE'], match: 'ANY' },
      trigger: {
        kind: 'wallClock',
        start: new Date(T0 + from * 1000).toISOString(),
        end: new Date(T0 + to * 1000).toISOString(),
      },
      replacementId: 'slate',
    },
  ]);

async function startLive(app: Requester, country: string, query = '', channelId = 'ch1'): Promise<string> {
  const res = await app.request(`/v1/live/${channelId}/master.m3u8${query}`, {
    headers: { 'cloudfront-viewer-country': country },
  });
  expect(res.status).toBe(200);
  return res.headers.get('x-meridian-session') ?? '';
}

const isSlate = (uri: string): boolean => uri.includes('/vod/slate/');
/** The loop segment a content URI names (content7.m4s → 7). */
const loopIndex = (uri: string): number => Number(/content(\d+)\.m4s/.exec(uri)?.[1] ?? -1);

describe('live blackout', () => {
  for (const withAds of [false, true]) {
    it(`replaces the blacked-out wall-clock window with slate for a viewer in the country, and only for them${withAds ? ' (an ADS configured too)' : ''}`, async () => {
      const edge = channel.window(clockMs).lastSequence;
      // Blacked out: the 3 segments starting 3 s after the newest one now.
      const from = edge + 3;
      const to = edge + 6;
      const env: Record<string, string> = {
        BLACKOUT_RULES: rules(from, to),
        SLATE_URL: `${origin.url}/vod/slate/master.m3u8`,
      };
      if (withAds) env.ADS_URL_TEMPLATE = `${vast.vastUrl}?sid=[session.id]`;
      const { app } = buildApp(testConfig([origin.url, channel.baseUrl], env));
      const de = await startLive(app, 'de');
      const fr = await startLive(app, 'fr');
      const runs: Record<string, Reload[]> = { de: [], deAudio: [], fr: [] };
      for (let i = 0; i < 12; i++) {
        runs.de!.push(await reload(app, de, 'v1'));
        runs.deAudio!.push(await reload(app, de, 'r0'));
        runs.fr!.push(await reload(app, fr, 'v1'));
        // Every rendition of the blacked-out viewer agrees on MSN and DSN at one instant.
        const [v, a] = [runs.de!.at(-1)!, runs.deAudio!.at(-1)!];
        expect([a.msn, a.dsn], `step ${i}`).toEqual([v.msn, v.dsn]);
        clockMs += 1000;
        await sleep(CACHE_MS);
      }
      const deByMsn = checkSequence(runs.de!, 'de v1');
      const frByMsn = checkSequence(runs.fr!, 'fr v1');
      checkSequence(runs.deAudio!, 'de audio');

      // The 1 s slate replaces the 1 s segments one for one: the MSN of a segment is its global index.
      const slated = [...deByMsn].filter(([, uri]) => isSlate(uri)).map(([msn]) => msn);
      expect(slated).toEqual([from, from + 1, from + 2]);
      for (const [msn, uri] of deByMsn) {
        if (msn < from || msn >= to) expect(loopIndex(uri), `de MSN ${msn}: ${uri}`).toBe(msn % LOOP);
      }
      // The slate carries the blackout's decision id; a discontinuity before every slate segment (the
      // one-segment slate restarts its timestamps on each loop) and before the content that follows.
      const last = runs.de!.at(-1)!;
      expect(last.dsn).toBeGreaterThanOrEqual(runs.de![0]!.dsn);
      const slateUri = deByMsn.get(from)!;
      expect(slateUri).toContain('mbk=blackout%3Ade-match%3A');
      const withDiscontinuity = runs
        .de!.flatMap((r) => r.segments)
        .filter((s) => s.discontinuity)
        .map((s) => s.msn);
      // (The channel itself has one where its loop wraps; a window's first segment carries none: DSN counts it.)
      const loopWraps = [...new Set(runs.de!.flatMap((r) => r.segments.slice(1)).map((seg) => seg.msn))].filter(
        (msn) => msn % LOOP === 0,
      );
      expect(new Set(withDiscontinuity)).toEqual(new Set([from, from + 1, from + 2, to, ...loopWraps]));
      expect(
        new Set(
          runs
            .fr!.flatMap((r) => r.segments)
            .filter((s) => s.discontinuity)
            .map((s) => s.msn),
        ),
      ).toEqual(new Set(loopWraps));
      // Another country: the content throughout, no slate.
      expect([...frByMsn.values()].some(isSlate)).toBe(false);
      for (const [msn, uri] of frByMsn) expect(loopIndex(uri), `fr MSN ${msn}`).toBe(msn % LOOP);
      expect([...frByMsn.keys()]).toEqual(expect.arrayContaining([from, from + 1, from + 2]));
    }, 60_000);
  }

  it('in interstitials mode schedules the ad breaks outside the blackout, none inside it, and the slate over it', async () => {
    const edge = withBreaks.window(clockMs).lastSequence;
    // The next break at loop offset 8 that starts a few segments ahead, blacked out with a segment either side.
    let breakAt = edge + 3;
    while (breakAt % LOOP !== 8) breakAt++;
    const [from, to] = [breakAt - 1, breakAt + 3];
    const env = {
      BLACKOUT_RULES: rules(from, to),
      SLATE_URL: `${origin.url}/vod/slate/master.m3u8`,
      ADS_URL_TEMPLATE: `${vast.vastUrl}?sid=[session.id]`,
    };
    const { app } = buildApp(testConfig([origin.url, channel.baseUrl, withBreaks.baseUrl], env));
    const de = await startLive(app, 'de', '?mode=interstitials', 'ch2');
    const fr = await startLive(app, 'fr', '?mode=interstitials', 'ch2');
    const starts = (text: string): number[] =>
      text
        .split('\n')
        .filter((l) => l.includes('CLASS="com.apple.hls.interstitial"'))
        .map((l) => Date.parse(/START-DATE="([^"]+)"/.exec(l)?.[1] ?? ''));
    const seen = { de: new Set<number>(), fr: new Set<number>() };
    const runs: Reload[] = [];
    for (let i = 0; i < 20; i++) {
      const d = await reload(app, de, 'v1');
      runs.push(d);
      for (const t of starts(d.text)) seen.de.add(t);
      for (const t of starts((await reload(app, fr, 'v1')).text)) seen.fr.add(t);
      clockMs += 1000;
      await sleep(CACHE_MS);
    }
    const byMsn = checkSequence(runs, 'de v1');
    const window = [T0 + from * 1000, T0 + to * 1000] as const;
    const insideWindow = (t: number): boolean => t >= window[0] && t < window[1];
    // The viewer elsewhere is offered the blacked-out break; the blacked-out viewer is not, but gets the others.
    expect([...seen.fr].some(insideWindow)).toBe(true);
    expect([...seen.de].filter(insideWindow)).toEqual([]);
    expect([...seen.de].filter((t) => !insideWindow(t)).length).toBeGreaterThanOrEqual(1);
    expect([...seen.de].filter((t) => !insideWindow(t))).toEqual([...seen.fr].filter((t) => !insideWindow(t)));
    // And the slate over the window.
    expect([...byMsn].filter(([, uri]) => isSlate(uri)).map(([msn]) => msn)).toEqual([
      from,
      from + 1,
      from + 2,
      from + 3,
    ]);
  }, 60_000);

  it("fails a blacked-out viewer's live playlist (503) when the slate cannot be read, never serving the content; other viewers play on", async () => {
    const edge = channel.window(clockMs).lastSequence;
    const env = {
      BLACKOUT_RULES: rules(edge - 10, edge + 30),
      SLATE_URL: `${origin.url}/vod/missing-slate/master.m3u8`,
    };
    const { app } = buildApp(testConfig([origin.url, channel.baseUrl], env));
    const de = await startLive(app, 'de');
    const fr = await startLive(app, 'fr');
    const blocked = await app.request(`/v1/sessions/${de}/v1.m3u8`);
    expect(blocked.status).toBe(503);
    expect(((await blocked.json()) as { error: { code: string } }).error.code).toBe('DEPENDENCY_UNAVAILABLE');
    const other = await reload(app, fr, 'v1');
    expect(other.status).toBe(200);
    expect(other.segments.length).toBeGreaterThan(0);
  });
});
