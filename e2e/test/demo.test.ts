/** @module `npm run demo` as a newcomer runs it: READY line, playable URLs (stitched and interstitial ads), and Ctrl-C stops everything it started. */
import { afterAll, describe, expect, it } from 'vitest';
import { commandOf, descendantPids, isRunning } from '../src/processes.ts';
import { startDemoProcess, type DemoProcess } from '../src/demo-process.ts';
import { fetchOk, tagUri, totalDuration, uriLines } from '../src/hls.ts';
import { stitchedAdSeconds } from '../src/fixtures.ts';
import { interstitialDateRanges, type AssetList } from '../src/interstitials.ts';

describe('npm run demo', () => {
  let demo: DemoProcess | undefined;

  afterAll(async () => {
    // Only if the test failed before SIGINT: stop the demo we started, by its PID.
    if (demo && demo.child.exitCode === null && demo.child.signalCode === null) {
      demo.child.kill('SIGTERM');
      await demo.exited;
    }
  });

  it('prints READY with edge and regional masters that serve playlists and segments, and exits cleanly on SIGINT', async () => {
    demo = await startDemoProcess();
    const { ready } = demo;
    expect(demo.stdoutLines.filter((l) => l.startsWith('READY '))).toHaveLength(1);
    expect(ready.master).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/vod\/[^/]+\/master\.m3u8$/);
    expect(ready.regionalMaster).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/vod\/[^/]+\/master\.m3u8$/);

    // The player page and the hls.js it loads.
    const page = await (await fetchOk(ready.player)).text();
    expect(page).toContain('/hls.min.js');
    expect((await fetchOk(new URL('/hls.min.js', ready.player).href)).headers.get('content-type')).toMatch(
      /javascript/,
    );

    for (const [url, zone] of [
      [ready.master, 'edge'],
      [ready.regionalMaster, ready.zones[0]!.id],
    ] as const) {
      const master = await fetchOk(url);
      expect(master.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
      expect(master.headers.get('x-meridian-zone')).toBe(zone);
      expect(master.headers.get('access-control-expose-headers')).toMatch(/x-meridian-zone/);
      const masterText = await master.text();
      expect(masterText.startsWith('#EXTM3U')).toBe(true);
      const mediaUrl = uriLines(masterText, url)[0]!;
      const mediaText = await (await fetchOk(mediaUrl)).text();
      expect(mediaText).toContain('#EXT-X-ENDLIST');
      // A pre-roll and mid-rolls are stitched in at the edge and at the zone alike.
      expect(Math.abs(totalDuration(mediaText) - (ready.contentSeconds + stitchedAdSeconds(ready)))).toBeLessThan(1);
      const init = await fetchOk(tagUri(mediaText, 'EXT-X-MAP', mediaUrl)!);
      expect((await init.arrayBuffer()).byteLength).toBeGreaterThan(100);
      const segment = await fetchOk(uriLines(mediaText, mediaUrl)[0]!);
      expect(segment.headers.get('content-type')).toBe('video/iso.segment');
      expect(segment.headers.get('x-meridian-origin')).toBe('region-1');
      expect(segment.headers.get('access-control-expose-headers')).toMatch(/x-meridian-origin/);
      expect((await segment.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    }

    // The same content as HLS Interstitials: the untouched content with one interstitial DATERANGE per break.
    const interstitialsMaster = `${ready.master}?mode=interstitials`;
    const interstitialsMedia = await (
      await fetchOk(uriLines(await (await fetchOk(interstitialsMaster)).text(), interstitialsMaster)[0]!)
    ).text();
    expect(Math.abs(totalDuration(interstitialsMedia) - ready.contentSeconds)).toBeLessThan(1);
    const ranges = interstitialDateRanges(interstitialsMedia);
    expect(ranges.map((r) => r.offsetSeconds)).toEqual(ready.breakOffsetsSeconds);
    const assets = (await (await fetchOk(ranges[1]!.assetList!)).json()) as AssetList;
    expect(assets.ASSETS.map((a) => a.DURATION)).toEqual([ready.adSeconds]);

    // The player page's config names the stack's edge, zones and content.
    const config = (await (await fetchOk(new URL('/config.json', ready.player).href)).json()) as {
      edge: string;
      zones: { id: string }[];
      assetId: string;
    };
    expect(config.edge).toBe(ready.edge);
    expect(config.zones.map((z) => z.id)).toEqual(ready.zones.map((z) => z.id));

    // The live channel: a session master at the edge and a sliding media playlist with SCTE-35 cues.
    const liveMaster = String(ready.liveMaster);
    const live = await (await fetchOk(liveMaster)).text();
    const liveMedia = await (await fetchOk(uriLines(live, liveMaster)[0]!)).text();
    expect(liveMedia).toMatch(/#EXT-X-MEDIA-SEQUENCE:\d+/);
    expect(liveMedia).not.toContain('#EXT-X-ENDLIST');

    const started = [demo.child.pid!, ...descendantPids(demo.child.pid!)];
    expect(started.length).toBeGreaterThan(1); // workerd at least
    demo.child.kill('SIGINT');
    const exit = await demo.exited;
    expect(exit, demo.stderr()).toEqual({ code: 0, signal: null });
    // Give the kernel a moment to reap; then nothing the demo started may be left.
    for (let i = 0; i < 50 && started.some(isRunning); i++) await new Promise((r) => setTimeout(r, 100));
    expect(started.filter(isRunning).map((pid) => `${pid} ${commandOf(pid)}`)).toEqual([]);
    await expect(fetch(ready.master)).rejects.toThrow();
    await expect(fetch(ready.regionalMaster)).rejects.toThrow();
  });

  it('stops everything it started and exits 0 on SIGTERM too', async () => {
    demo = await startDemoProcess();
    const started = [demo.child.pid!, ...descendantPids(demo.child.pid!)];
    const player = demo.ready.player;
    expect((await fetchOk(player)).status).toBe(200);
    demo.child.kill('SIGTERM');
    const exit = await demo.exited;
    expect(exit, demo.stderr()).toEqual({ code: 0, signal: null });
    for (let i = 0; i < 50 && started.some(isRunning); i++) await new Promise((r) => setTimeout(r, 100));
    expect(started.filter(isRunning).map((pid) => `${pid} ${commandOf(pid)}`)).toEqual([]);
    await expect(fetch(player)).rejects.toThrow();
  });
});
