/**
 * @module Edge bench, inside workerd (miniflare): (1) CPU time per rendered media playlist, p50
 * and p99, measured as the time of a request that renders K playlists minus an empty request's,
 * divided by K (workerd freezes its clocks while JavaScript runs, so in-Worker timers read 0);
 * (2) throughput of the real edge bundle serving a session's media playlist against a Worker
 * answering a static string of the same size, as a ratio. Run: `npm run bench -w @meridian/edge`.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { startFaultyServer } from '@meridian/testkit';

const COMPATIBILITY_DATE = '2025-09-01';
/** Renders per request: enough that one request's work dwarfs the dispatch overhead subtracted. */
const RENDERS_PER_REQUEST = { edge: 1_000, direct: 200 } as const;
const EDGE_SCRIPT = fileURLToPath(new URL('../dist/worker.js', import.meta.url));
const BAR_P99_MS = 1;

async function bundle(entry: string): Promise<string> {
  const out = await build({
    entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['browser', 'module', 'main'],
    logLevel: 'silent',
  });
  return out.outputFiles[0]?.text ?? '';
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;
}

async function timeRequest(mf: Miniflare, url: string): Promise<number> {
  const started = performance.now();
  const res = await mf.dispatchFetch(url);
  await res.text();
  return performance.now() - started;
}

/** CPU ms per rendered playlist of `segments` segments: p50 and p99 over `samples` requests. */
async function cpuPerPlaylist(script: string, mode: 'edge' | 'direct', segments: number, samples: number): Promise<{ p50: number; p99: number; overheadMs: number }> {
  const mf = new Miniflare({ modules: true, script, compatibilityDate: COMPATIBILITY_DATE });
  await mf.ready;
  try {
    const full = `http://bench.test/?mode=${mode}&segments=${segments}&n=${RENDERS_PER_REQUEST[mode]}`;
    const empty = `http://bench.test/?mode=${mode}&segments=${segments}&n=0`;
    for (let i = 0; i < 20; i++) await timeRequest(mf, full);
    const overheads: number[] = [];
    for (let i = 0; i < 100; i++) overheads.push(await timeRequest(mf, empty));
    overheads.sort((a, b) => a - b);
    const overheadMs = percentile(overheads, 0.5);
    const per: number[] = [];
    for (let i = 0; i < samples; i++) per.push(Math.max(0, (await timeRequest(mf, full)) - overheadMs) / RENDERS_PER_REQUEST[mode]);
    per.sort((a, b) => a - b);
    return { p50: percentile(per, 0.5), p99: percentile(per, 0.99), overheadMs };
  } finally {
    await mf.dispose();
  }
}

/** Requests per second for `total` GETs of `url`, `concurrency` at a time. */
async function throughput(mf: Miniflare, url: string, total: number, concurrency: number, init: { cf?: Record<string, string> } = {}): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        const res = await mf.dispatchFetch(url, init);
        if (res.status !== 200) throw new Error(`bench request answered ${res.status}`);
        await res.text();
      }
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  if (!existsSync(EDGE_SCRIPT)) throw new Error('dist/worker.js is missing: run `npm run build -w @meridian/edge` first');
  const renderScript = await bundle('./render-worker.ts');
  const staticScript = await bundle('./static-worker.ts');

  console.log('— CPU per rendered media playlist, inside workerd —');
  const cpu: Record<string, { p50: number; p99: number }> = {};
  for (const [mode, segments, samples] of [
    ['edge', 300, 100],
    ['edge', 1200, 100],
    ['direct', 300, 50],
    ['direct', 1200, 50],
  ] as const) {
    const r = await cpuPerPlaylist(renderScript, mode, segments, samples);
    cpu[`${mode} ${segments} segments`] = { p50: Number(r.p50.toFixed(4)), p99: Number(r.p99.toFixed(4)) };
    const bar = mode === 'edge' ? `  bar p99 < ${BAR_P99_MS} ms: ${r.p99 < BAR_P99_MS ? 'met' : 'NOT met'}` : '  (first render of a source, once per isolate)';
    console.log(`${mode.padEnd(6)} ${String(segments).padStart(5)} segments: p50 ${r.p50.toFixed(3)} ms  p99 ${r.p99.toFixed(3)} ms${bar}`);
  }

  console.log('\n— throughput: edge session playlist vs a static string of the same size —');
  const origin = await startFaultyServer();
  const segments = 300;
  const mediaLines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:6', '#EXT-X-PLAYLIST-TYPE:VOD', '#EXT-X-MEDIA-SEQUENCE:0'];
  for (let i = 0; i < segments; i++) mediaLines.push('#EXTINF:6.000,', `seg${i}.ts`);
  mediaLines.push('#EXT-X-ENDLIST', '');
  const asset = {
    version: 1,
    assetId: 'bench',
    status: 'ready',
    master: 'master.m3u8',
    durationSeconds: segments * 6,
    codec: 'h264',
    container: 'ts',
    segmentSeconds: 6,
    encoder: { kind: 'cpu', name: 'libx264' },
    renditions: [
      {
        name: '720p',
        playlist: '720p/index.m3u8',
        codecs: 'avc1.64001f',
        width: 1280,
        height: 720,
        frameRate: 30,
        targetBitrateBps: 3_000_000,
        peakBitrateBps: 3_000_000,
        averageBitrateBps: 3_000_000,
        bandwidthBps: 3_128_000,
        averageBandwidthBps: 3_128_000,
        segmentCount: segments,
        durationSeconds: segments * 6,
        locations: [],
      },
    ],
    audio: null,
    thumbnails: null,
    keyIds: [],
    locations: [],
    updatedAt: '2026-11-22T00:00:00Z',
  };
  origin.set('/vod/bench/asset.json', { kind: 'ok', body: JSON.stringify(asset) });
  origin.set('/vod/bench/master.m3u8', { kind: 'ok', body: '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=3128000\n720p/index.m3u8\n' });
  origin.set('/vod/bench/720p/index.m3u8', { kind: 'ok', body: mediaLines.join('\n') });
  const edge = new Miniflare({
    modules: true,
    scriptPath: EDGE_SCRIPT,
    compatibilityDate: COMPATIBILITY_DATE,
    bindings: { SIGNING_KEYS: 'k1:bench-secret-0123456789abcdef', PUBLIC_BASE_URL: 'https://edge.example', ORIGIN_URLS: origin.url },
  });
  try {
    const master = await edge.dispatchFetch('https://edge.example/v1/vod/bench/master.m3u8');
    await master.text();
    const mediaUrl = `https://edge.example/v1/sessions/${master.headers.get('x-meridian-session')}/v0.m3u8`;
    const body = await (await edge.dispatchFetch(mediaUrl)).text();
    const baseline = new Miniflare({ modules: true, script: staticScript, compatibilityDate: COMPATIBILITY_DATE, bindings: { BODY: body } });
    try {
      await throughput(edge, mediaUrl, 300, 8);
      await throughput(baseline, 'https://static.example/', 300, 8);
      const edgeRps = await throughput(edge, mediaUrl, 3_000, 8);
      const staticRps = await throughput(baseline, 'https://static.example/', 3_000, 8);
      console.log(`playlist ${body.length} bytes (${segments} segments, session token in every URL)`);
      console.log(`edge (verify session + render): ${edgeRps.toFixed(0)} req/s`);
      console.log(`static string Worker:           ${staticRps.toFixed(0)} req/s`);
      console.log(`ratio edge/static: ${(edgeRps / staticRps).toFixed(2)}`);
      console.log(`\nRESULT ${JSON.stringify({ cpuPerPlaylistMs: cpu, throughput: { edgeRps: Math.round(edgeRps), staticRps: Math.round(staticRps), ratio: Number((edgeRps / staticRps).toFixed(3)), bytes: body.length } })}`);
    } finally {
      await baseline.dispose();
    }
  } finally {
    await edge.dispose();
    await origin.close();
  }
}

await main();
