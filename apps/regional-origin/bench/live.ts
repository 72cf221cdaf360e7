/**
 * @module Benchmark: the cost of live SSAI per media-playlist reload, in process (`app.request`, no
 * sockets), against the same zone serving the same live sessions without ads (the templated
 * personalised window) in the same run. Many sessions, every rendition, breaks decided once.
 * Run: `npx tsx apps/regional-origin/bench/live.ts` (BENCH_SESSIONS, BENCH_REQUESTS; BENCH_DEBUG=1 prints every round's percentiles).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLiveChannel, startVastServer } from '@meridian/testkit';
import { adAssetIdFor } from '../src/ads/decisions.ts';
import { assetJson, buildApp, startOrigin, testConfig } from '../test/helpers.ts';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 200);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 6_000);
const WINDOW = 10;
const AD_MEDIA = 'http://media.example/ads/bench-ad.mp4';

const master = (media: (name: string) => string): string =>
  [
    '#EXTM3U',
    '#EXT-X-VERSION:6',
    `#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="en",DEFAULT=YES,AUTOSELECT=YES,URI="${media('audio')}"`,
    '#EXT-X-STREAM-INF:BANDWIDTH=628000,RESOLUTION=426x240,CODECS="avc1.64001f,mp4a.40.2",AUDIO="aud"',
    media('240p'),
    '#EXT-X-STREAM-INF:BANDWIDTH=3128000,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2",AUDIO="aud"',
    media('720p'),
    '',
  ].join('\n');
const vod = (count: number): string =>
  [
    '#EXTM3U',
    '#EXT-X-VERSION:6',
    '#EXT-X-TARGETDURATION:4',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXT-X-MAP:URI="init.mp4"',
    ...Array.from({ length: count }, (_, i) => `#EXTINF:4.000,\nseg${i}.m4s`),
    '#EXT-X-ENDLIST',
    '',
  ].join('\n');

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-live-bench-'));
  mkdirSync(join(dir, 'ch'), { recursive: true });
  writeFileSync(
    join(dir, 'ch', 'master.m3u8'),
    master((n) => `${n}/index.m3u8`),
  );
  for (const n of ['240p', '720p', 'audio']) {
    mkdirSync(join(dir, 'ch', n));
    writeFileSync(join(dir, 'ch', n, 'index.m3u8'), vod(30));
  }
  // The window holds two breaks (a 12 s one and an 8 s one), with the clock frozen so every run sees the same window.
  const nowMs = Date.UTC(2026, 10, 22, 6, 0, 0);
  const channel = await startLiveChannel({
    dir,
    masterName: 'ch/master.m3u8',
    windowSegments: WINDOW,
    now: () => nowMs,
    breaks: [
      { offsetSeconds: 8, durationSeconds: 12 },
      { offsetSeconds: 28, durationSeconds: 8 },
    ],
  });
  const origin = await startOrigin();
  const adId = adAssetIdFor(AD_MEDIA);
  origin.set(`/vod/${adId}/asset.json`, { kind: 'ok', body: JSON.stringify(assetJson(adId, { durationSeconds: 12 })) });
  origin.set(`/vod/${adId}/master.m3u8`, { kind: 'ok', body: master((n) => `${n}/index.m3u8`) });
  for (const n of ['240p', '720p', 'audio']) origin.set(`/vod/${adId}/${n}/index.m3u8`, { kind: 'ok', body: vod(3) });
  const vast = await startVastServer({
    ads: [{ id: 'bench-ad', mediaUrl: AD_MEDIA, durationSeconds: 12, height: 1080 }],
  });
  try {
    const measure = async (
      name: string,
      env: Record<string, string>,
    ): Promise<{ meanMs: number; p50Ms: number; p99Ms: number; ads: boolean }> => {
      const { app } = buildApp(testConfig([origin.url, channel.baseUrl], env));
      const sids: string[] = [];
      for (let i = 0; i < SESSIONS; i++)
        sids.push((await app.request('/v1/live/ch/master.m3u8')).headers.get('x-meridian-session') ?? '');
      const renditions = ['v0', 'v1', 'r0'];
      // Warm-up: every session reloads every rendition once (breaks decided, caches filled).
      let ads = false;
      for (const sid of sids)
        for (const r of renditions)
          ads ||= (await (await app.request(`/v1/sessions/${sid}/${r}.m3u8`)).text()).includes(`/vod/${adId}/`);
      const times: number[] = [];
      for (let i = 0; i < REQUESTS; i++) {
        const started = performance.now();
        const res = await app.request(`/v1/sessions/${sids[i % SESSIONS]}/${renditions[i % 3]}.m3u8`);
        await res.arrayBuffer();
        times.push(performance.now() - started);
        if (res.status !== 200) throw new Error(`${name}: status ${res.status}`);
      }
      times.sort((a, b) => a - b);
      if (process.env.BENCH_DEBUG)
        console.log(
          `${name}: p50/p90/p95/p98/p99/p99.9 ${[0.5, 0.9, 0.95, 0.98, 0.99, 0.999].map((p) => percentile(times, p).toFixed(2)).join(' ')} ms`,
        );
      return {
        meanMs: times.reduce((a, b) => a + b, 0) / times.length,
        p50Ms: percentile(times, 0.5),
        p99Ms: percentile(times, 0.99),
        ads,
      };
    };
    const rounds: Array<{ plain: Awaited<ReturnType<typeof measure>>; ssai: Awaited<ReturnType<typeof measure>> }> = [];
    for (let round = 0; round < 3; round++) {
      const plain = await measure('plain', {});
      const ssai = await measure('ssai', {
        ADS_URL_TEMPLATE: `${vast.vastUrl}?sid=[session.id]`,
        ADS_FALLBACK: 'content',
      });
      if (!ssai.ads) throw new Error('live SSAI did not place the ad');
      rounds.push({ plain, ssai });
    }
    const median = (values: number[]): number => [...values].sort((a, b) => a - b)[1]!;
    const f = (x: number): string => x.toFixed(3);
    const plain = { mean: median(rounds.map((r) => r.plain.meanMs)), p99: median(rounds.map((r) => r.plain.p99Ms)) };
    const ssai = { mean: median(rounds.map((r) => r.ssai.meanMs)), p99: median(rounds.map((r) => r.ssai.p99Ms)) };
    console.log(
      `live reloads, ${SESSIONS} sessions × 3 renditions, ${WINDOW}-segment window with 2 breaks, ${REQUESTS} requests per round, median of 3 rounds (in process):`,
    );
    console.log(`  plain personalised window: mean ${f(plain.mean)} ms, p99 ${f(plain.p99)} ms`);
    console.log(`  live SSAI (ads stitched):  mean ${f(ssai.mean)} ms, p99 ${f(ssai.p99)} ms`);
    console.log(`  cost ratio (SSAI / plain): ${(ssai.mean / plain.mean).toFixed(1)}×`);
  } finally {
    await vast.close();
    await channel.stop();
    await origin.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
