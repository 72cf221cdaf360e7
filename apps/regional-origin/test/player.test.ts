/** @module Real players against the zone server: hls.js in Chromium and ffmpeg play a VOD session end to end. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFreePort, makeSampleClip, packageHls, playInChromium, probeWithFfmpeg, startStaticServer, type StaticServer } from '@meridian/testkit';
import { assetJson, testConfig } from './helpers.ts';
import { startServer, type RunningServer } from '../src/server.ts';
import { createMemoryLogger } from '../src/log.ts';

let root: string;
let origin: StaticServer;
let zone: RunningServer;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'meridian-zone-player-'));
  const clip = await makeSampleClip({ durationSeconds: 6, width: 320, height: 180 });
  await packageHls(clip.path, { outDir: join(root, 'vod', 'clip'), segmentSeconds: 2, renditions: [{ height: 180, videoKbps: 300 }] });
  writeFileSync(join(root, 'vod', 'clip', 'asset.json'), JSON.stringify(assetJson('clip', { durationSeconds: clip.durationSeconds })));
  origin = await startStaticServer(root);
  const port = await getFreePort();
  zone = await startServer(testConfig([origin.url], { PORT: String(port), PUBLIC_BASE_URL: `http://127.0.0.1:${port}` }), createMemoryLogger());
}, 120_000);

afterAll(async () => {
  await zone?.shutdown();
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
    for (const f of report.fragments) expect(f.url).toMatch(new RegExp(`^${origin.url}/vod/clip/.+\\?session=[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$`));
  });

  it('ffmpeg decodes the same session without errors', async () => {
    const probe = await probeWithFfmpeg(`${zone.url}/v1/vod/clip/master.m3u8`, { timeoutMs: 60_000 });
    expect(probe.stderr).toBe('');
    expect(probe.exitCode).toBe(0);
    expect(probe.decodedSeconds).toBeGreaterThan(5);
  });
});
