/** @module Real players against the zone server: hls.js in Chromium and ffmpeg play a VOD session end to end. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getFreePort,
  makeAdClip,
  makeSampleClip,
  packageHls,
  playInChromium,
  probeWithFfmpeg,
  startStaticServer,
  startVastServer,
  type StaticServer,
  type VastServer,
} from '@meridian/testkit';
import { assetJson, testConfig } from './helpers.ts';
import { startServer, type RunningServer } from '../src/server.ts';
import { adAssetIdFor } from '../src/index.ts';
import { createMemoryLogger } from '../src/log.ts';

let root: string;
let origin: StaticServer;
let zone: RunningServer;
let adZone: RunningServer;
let vast: VastServer;
const AD_MEDIA = 'https://ads.example/creatives/spot.mp4';
const AD_SECONDS = 4;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'meridian-zone-player-'));
  const clip = await makeSampleClip({ durationSeconds: 6, width: 320, height: 180 });
  await packageHls(clip.path, {
    outDir: join(root, 'vod', 'clip'),
    segmentSeconds: 2,
    renditions: [{ height: 180, videoKbps: 300 }],
  });
  writeFileSync(
    join(root, 'vod', 'clip', 'asset.json'),
    JSON.stringify(assetJson('clip', { durationSeconds: clip.durationSeconds })),
  );
  origin = await startStaticServer(root);
  const port = await getFreePort();
  zone = await startServer(
    testConfig([origin.url], { PORT: String(port), PUBLIC_BASE_URL: `http://127.0.0.1:${port}` }),
    createMemoryLogger(),
  );
  // A zone with ads: the transcoded ad sits beside the content, where the zone looks for a creative's asset.
  const adId = adAssetIdFor(AD_MEDIA);
  const ad = await makeAdClip({ durationSeconds: AD_SECONDS, width: 320, height: 180 });
  await packageHls(ad.path, {
    outDir: join(root, 'vod', adId),
    segmentSeconds: 2,
    renditions: [{ height: 180, videoKbps: 300 }],
  });
  writeFileSync(
    join(root, 'vod', adId, 'asset.json'),
    JSON.stringify(assetJson(adId, { durationSeconds: ad.durationSeconds })),
  );
  vast = await startVastServer({
    ads: [{ id: 'spot', mediaUrl: AD_MEDIA, durationSeconds: AD_SECONDS, title: 'spot' }],
  });
  const adPort = await getFreePort();
  adZone = await startServer(
    testConfig([origin.url], {
      PORT: String(adPort),
      PUBLIC_BASE_URL: `http://127.0.0.1:${adPort}`,
      ADS_URL_TEMPLATE: `${vast.vastUrl}?dur=[avail.duration]`,
      VOD_BREAK_OFFSETS_SECONDS: '0,4',
      AD_BREAK_DURATION_SECONDS: String(AD_SECONDS),
      ADS_FALLBACK: 'content',
    }),
    createMemoryLogger(),
  );
}, 120_000);

afterAll(async () => {
  await zone?.shutdown();
  await adZone?.shutdown();
  await vast?.close();
  await origin?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('players', () => {
  it('hls.js in Chromium plays a session to the end from another origin (CORS), every segment carrying the session', async () => {
    const report = await playInChromium(`${zone.url}/v1/vod/clip/master.m3u8?ads.tier=gold`, { timeoutMs: 60_000 });
    expect(report.fatalErrors).toEqual([]);
    expect(report.pageErrors).toEqual([]);
    expect(report.outcome).toBe('ended');
    expect(report.playedSeconds).toBeGreaterThan(5);
    const media = report.fragments.filter((f) => f.sn !== 'initSegment');
    expect(media.length).toBeGreaterThanOrEqual(3);
    for (const f of report.fragments)
      expect(f.url).toMatch(new RegExp(`^${origin.url}/vod/clip/.+\\?session=[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$`));
  });

  it('ffmpeg decodes the same session without errors', async () => {
    const probe = await probeWithFfmpeg(`${zone.url}/v1/vod/clip/master.m3u8`, { timeoutMs: 60_000 });
    expect(probe.stderr).toBe('');
    expect(probe.exitCode).toBe(0);
    expect(probe.decodedSeconds).toBeGreaterThan(5);
  });

  it('hls.js in Chromium plays a stitched session through a pre-roll and a mid-roll to the end: content plus ads', async () => {
    const report = await playInChromium(`${adZone.url}/v1/vod/clip/master.m3u8`, {
      timeoutMs: 90_000,
      playbackRate: 2,
    });
    expect(report.fatalErrors).toEqual([]);
    expect(report.outcome).toBe('ended');
    expect(report.stalls).toEqual([]);
    expect(Math.abs(report.playedSeconds - (6 + 2 * AD_SECONDS))).toBeLessThan(1);
    const adFragments = report.fragments.filter(
      (f) => f.sn !== 'initSegment' && f.url.includes(`/vod/${adAssetIdFor(AD_MEDIA)}/`),
    );
    // Two breaks of two 2 s segments each.
    expect(new Set(adFragments.map((f) => new URL(f.url).searchParams.get('mbk')?.split('.')[0]))).toEqual(
      new Set(['b0', 'b1']),
    );
    expect(adFragments[0]?.sn).toBe(0);
  });
});
