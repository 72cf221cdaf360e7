import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  makeAdClip,
  makeSampleClip,
  packageHls,
  playInChromium,
  probeWithFfmpeg,
  startChromium,
  startLiveChannel,
  startStaticServer,
  type ChromiumPlayer,
  type HlsLadder,
  type StaticServer,
} from '../src/index.ts';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('playInChromium', () => {
  let vod: HlsLadder;
  let cdn: StaticServer;
  let browser: ChromiumPlayer;
  beforeAll(async () => {
    browser = await startChromium();
    const clip = await makeSampleClip({ width: 320, height: 180, durationSeconds: 4 });
    vod = await packageHls(clip.path, { segmentSeconds: 2, segmentType: 'mpegts' });
    const adClip = await makeAdClip({ width: 320, height: 180, durationSeconds: 2 });
    await packageHls(adClip.path, { segmentSeconds: 2, outDir: join(vod.dir, 'ad') });
    // An interstitial (HLS Interstitials, hls.js ≥ 1.6) at 2 s of the content.
    const media = readFileSync(join(vod.dir, 'r0/index.m3u8'), 'utf8')
      .replace('#EXTINF', '#EXT-X-PROGRAM-DATE-TIME:2025-01-01T00:00:00.000Z\n#EXTINF')
      .replace(
        '#EXT-X-ENDLIST',
        '#EXT-X-DATERANGE:ID="ad1",CLASS="com.apple.hls.interstitial",START-DATE="2025-01-01T00:00:02.000Z",DURATION=2,X-ASSET-URI="../ad/master.m3u8",X-RESUME-OFFSET=0\n#EXT-X-ENDLIST',
      );
    cdn = await startStaticServer(vod.dir);
    writeFileSync(join(vod.dir, 'r0/interstitial.m3u8'), media.replace('X-ASSET-URI="../', `X-ASSET-URI="${cdn.url}/`));
    writeFileSync(
      join(vod.dir, 'interstitial.m3u8'),
      readFileSync(vod.masterPath, 'utf8').replace('r0/index.m3u8', 'r0/interstitial.m3u8'),
    );
    // The same ad as a post-roll (CUE="POST"): it plays after the content's end.
    writeFileSync(
      join(vod.dir, 'r0/postroll.m3u8'),
      media
        .replace('X-ASSET-URI="../', `X-ASSET-URI="${cdn.url}/`)
        .replace('ID="ad1"', 'ID="post1"')
        .replace('START-DATE="2025-01-01T00:00:02.000Z"', 'START-DATE="2025-01-01T00:00:00.000Z",CUE="POST"'),
    );
    writeFileSync(
      join(vod.dir, 'postroll.m3u8'),
      readFileSync(vod.masterPath, 'utf8').replace('r0/index.m3u8', 'r0/postroll.m3u8'),
    );
  });
  afterAll(async () => {
    await browser.close();
    expect(isRunning(browser.pid)).toBe(false);
    await cdn.close();
  });

  it('plays a VOD to the end with no fatal error, runs hooks, and closes its browser', async () => {
    let hookAt = -1;
    const report = await playInChromium(`${cdn.url}/master.m3u8`, {
      timeoutMs: 30_000,
      playbackRate: 2,
      hooks: [{ atPlayedSeconds: 1, run: () => void (hookAt = Date.now()) }],
    });
    expect(report.outcome).toBe('ended');
    expect(report.fatalErrors).toEqual([]);
    expect(report.playedSeconds).toBeGreaterThan(3.3);
    expect(report.playedSeconds).toBeLessThan(4.6);
    expect(report.duration).toBeGreaterThan(3.5);
    expect(report.levels).toHaveLength(1);
    expect(report.levels[0]).toMatchObject({ width: 320, height: 180 });
    const mainFrags = report.fragments.filter((f) => f.type === 'main' && f.sn !== 'initSegment');
    expect(mainFrags.map((f) => f.sn)).toEqual([0, 1]);
    expect(mainFrags[0]!.url).toBe(`${cdn.url}/r0/seg_000.ts`);
    expect(hookAt).toBeGreaterThan(0);
    expect(Number(report.hlsVersion.split('.')[1])).toBeGreaterThanOrEqual(report.hlsVersion.startsWith('1.') ? 6 : 0);
    expect(isRunning(report.browserPid)).toBe(false);
    expect(report.stalls).toEqual([]);
  });

  it('reports a rebuffer where it happened and how long it lasted', async () => {
    // The second segment arrives 3 s late: the first (2 s, played at 2×) runs out long before.
    cdn.fault('/r0/seg_001.ts', { kind: 'delay', delayMs: 3_000 }, 1);
    try {
      const report = await browser.play(`${cdn.url}/master.m3u8`, { timeoutMs: 30_000, playbackRate: 2 });
      expect(report.outcome).toBe('ended');
      expect(report.stalls).toHaveLength(1);
      const [stall] = report.stalls;
      expect(stall!.atSeconds).toBeGreaterThan(1.5);
      expect(stall!.atSeconds).toBeLessThan(2.1);
      expect(stall!.inInterstitial).toBe(false);
      expect(stall!.ms).toBeGreaterThan(500);
      expect(report.stallCount).toBe(1);
    } finally {
      cdn.clearFaults();
    }
  });

  it('reports fatal hls.js errors with their details', async () => {
    const report = await browser.play(`${cdn.url}/missing.m3u8`, { timeoutMs: 20_000 });
    expect(report.outcome).toBe('fatal');
    expect(report.fatalErrors[0]).toMatchObject({ type: 'networkError', details: 'manifestLoadError' });
    expect(report.playedSeconds).toBe(0);
  });

  it('schedules and plays an HLS interstitial and traces the ad fragments', async () => {
    const report = await browser.play(`${cdn.url}/interstitial.m3u8`, { timeoutMs: 30_000, playbackRate: 2 });
    expect(report.outcome).toBe('ended');
    expect(report.fatalErrors).toEqual([]);
    expect(report.interstitials.supported).toBe(true);
    expect(report.interstitials.events).toEqual([
      expect.objectContaining({ id: 'ad1', startSeconds: 2, durationSeconds: 2 }),
    ]);
    expect(report.interstitials.assetsStarted).toBe(1);
    expect(report.interstitials.assetsEnded).toBe(1);
    const adFrags = report.fragments.filter((f) => f.assetId !== undefined && f.sn !== 'initSegment');
    expect(adFrags.length).toBeGreaterThanOrEqual(1);
    expect(adFrags[0]!.url).toContain('/ad/r0/');
    // Content (4 s) plus the ad (2 s) played, each once.
    expect(report.playedSeconds).toBeGreaterThan(5.2);
    expect(report.playedSeconds).toBeLessThan(7);
  });

  it('ends a playback with a post-roll only once the post-roll has played, and keeps matching hls.js log lines', async () => {
    const report = await browser.play(`${cdn.url}/postroll.m3u8`, {
      timeoutMs: 20_000,
      playbackRate: 2,
      hlsLogPattern: 'INTERSTITIAL_(STARTED|ENDED)',
    });
    expect(report.outcome).toBe('ended');
    expect(report.fatalErrors).toEqual([]);
    const timeline = report.interstitials.timeline.map((t) => t.split(' @'));
    expect(timeline.map(([what]) => what)).toEqual([
      'started post1',
      'asset-started post1',
      'asset-ended post1',
      'ended post1',
    ]);
    // hls.js started the post-roll where the 4 s content ended, and the playback ended with it.
    expect(Number(timeline[0]![1])).toBeGreaterThan(3.9);
    expect(report.interstitials).toMatchObject({ started: 1, ended: 1, assetsStarted: 1, assetsEnded: 1 });
    expect(report.playedSeconds).toBeGreaterThan(5.2);
    expect(report.playedSeconds).toBeLessThan(7);
    expect(report.hlsLog.some((l) => l.includes('INTERSTITIAL_STARTED'))).toBe(true);
    expect(report.hlsLog.every((l) => /INTERSTITIAL_(STARTED|ENDED)/.test(l))).toBe(true);
  });

  it('applies hls.js config overrides and seeks once playing', async () => {
    const report = await browser.play(`${cdn.url}/interstitial.m3u8`, {
      timeoutMs: 30_000,
      playbackRate: 2,
      seekToSeconds: 1,
      hlsConfig: { enableInterstitialPlayback: false },
    });
    expect(report.outcome).toBe('ended');
    expect(report.interstitials.assetsStarted).toBe(0);
    expect(report.fragments.filter((f) => f.assetId !== undefined)).toEqual([]);
    // Played from 1 s to the end of the 4 s content.
    expect(report.playedSeconds).toBeGreaterThan(2.4);
    expect(report.playedSeconds).toBeLessThan(3.6);
  });

  it('plays a simulated live channel with monotonic sequence numbers', async () => {
    const ch = await startLiveChannel({
      dir: vod.dir,
      windowSegments: 3,
      cueStyle: 'daterange-splice-insert',
      breaks: [{ offsetSeconds: 2, durationSeconds: 2 }],
    });
    try {
      let outage = false;
      const report = await browser.play(ch.url, {
        playSeconds: 3,
        timeoutMs: 30_000,
        // The origin dies for a moment mid-playback; the buffer carries the player through.
        hooks: [
          {
            atPlayedSeconds: 1,
            run: async () => {
              await ch.kill();
              outage = true;
              await new Promise((r) => setTimeout(r, 300));
              await ch.restart();
            },
          },
        ],
      });
      expect(outage).toBe(true);
      expect(report.outcome).toBe('played');
      expect(report.fatalErrors).toEqual([]);
      expect(report.duration === null || report.duration > 0).toBe(true);
      const sns = report.fragments
        .filter((f) => f.type === 'main' && typeof f.sn === 'number')
        .map((f) => f.sn as number);
      expect(sns.length).toBeGreaterThanOrEqual(2);
      for (let i = 1; i < sns.length; i++) expect(sns[i]!).toBeGreaterThan(sns[i - 1]!);
      // The 2-segment VOD loops: hls.js puts every segment in the discontinuity domain of its loop.
      const main = report.fragments.filter((f) => f.type === 'main' && typeof f.sn === 'number');
      expect(main.map((f) => f.cc)).toEqual(main.map((f) => Math.floor((f.sn as number) / ch.segmentsPerLoop)));
      expect(main.some((f) => f.cc > 0)).toBe(true);
      expect(main.every((f) => f.programDateTimeMs !== undefined)).toBe(true);
    } finally {
      await ch.stop();
    }
  });
});

describe('probeWithFfmpeg', () => {
  it('decodes a stream as a second client and reports failures', async () => {
    const clip = await makeSampleClip({ width: 160, height: 90, durationSeconds: 3 });
    const ladder = await packageHls(clip.path, { segmentSeconds: 1 });
    const srv = await startStaticServer(ladder.dir);
    try {
      const ok = await probeWithFfmpeg(`${srv.url}/master.m3u8`);
      expect(ok.exitCode).toBe(0);
      expect(ok.decodedSeconds).toBeGreaterThan(2.5);
      expect(ok.decodedSeconds).toBeLessThan(3.5);
      expect(ok.durationSeconds).toBeCloseTo(3, 0);
      expect(ok.stderr).toBe('');
      // ffmpeg's HLS demuxer skips a missing segment (a warning, not an error): less media is decoded.
      srv.fault(/seg_002/, { kind: 'status', status: 404 });
      const broken = await probeWithFfmpeg(`${srv.url}/r0/index.m3u8`);
      expect(broken.decodedSeconds).toBeLessThan(ok.decodedSeconds - 0.5);
      const missing = await probeWithFfmpeg(`${srv.url}/nope.m3u8`);
      expect(missing.exitCode).not.toBe(0);
      expect(missing.stderr).toMatch(/404|not found/i);
    } finally {
      await srv.close();
    }
  });

  it('reads a stitched fMP4 playlist (timestamps restart at each discontinuity) as content + ad and fetches every segment in order', async () => {
    const clip = await makeSampleClip({ width: 160, height: 90, durationSeconds: 4 });
    const ladder = await packageHls(clip.path, { segmentSeconds: 2 });
    const adClip = await makeAdClip({ width: 160, height: 90, durationSeconds: 2 });
    await packageHls(adClip.path, { segmentSeconds: 2, outDir: join(ladder.dir, 'ad') });
    const segments = (path: string): string[] => {
      const lines = readFileSync(join(ladder.dir, path), 'utf8').split('\n');
      return lines.flatMap((l, i) => (l.startsWith('#EXTINF') ? [l, lines[i + 1]!] : []));
    };
    const content = segments('r0/index.m3u8').map((l) => (l.startsWith('#') ? l : `r0/${l}`));
    const ad = segments('ad/r0/index.m3u8').map((l) => (l.startsWith('#') ? l : `ad/r0/${l}`));
    // content 0–2 s, the ad, content 2–4 s: two discontinuities, each clip's timestamps from its own start.
    const stitched = [
      '#EXTM3U',
      '#EXT-X-VERSION:7',
      '#EXT-X-TARGETDURATION:2',
      '#EXT-X-PLAYLIST-TYPE:VOD',
      '#EXT-X-MAP:URI="r0/init.mp4"',
      ...content.slice(0, 2),
      '#EXT-X-DISCONTINUITY',
      '#EXT-X-MAP:URI="ad/r0/init.mp4"',
      ...ad,
      '#EXT-X-DISCONTINUITY',
      '#EXT-X-MAP:URI="r0/init.mp4"',
      ...content.slice(2),
      '#EXT-X-ENDLIST',
      '',
    ].join('\n');
    writeFileSync(join(ladder.dir, 'stitched.m3u8'), stitched);
    const srv = await startStaticServer(ladder.dir);
    try {
      const probe = await probeWithFfmpeg(`${srv.url}/stitched.m3u8`);
      expect(probe.exitCode).toBe(0);
      expect(probe.stderr).toBe('');
      expect(probe.durationSeconds).toBeCloseTo(6, 1);
      // Every segment of both clips was fetched, in playlist order.
      const fetched = probe.openedUrls.filter((u) => u.endsWith('.m4s')).map((u) => new URL(u).pathname);
      expect(fetched).toEqual(['/r0/seg_000.m4s', '/ad/r0/seg_000.m4s', '/r0/seg_001.m4s']);
    } finally {
      await srv.close();
    }
  });
});
