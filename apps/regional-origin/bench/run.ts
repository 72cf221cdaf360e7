/**
 * @module Benchmark: personalised media playlists per second from the zone server (one process,
 * many sessions) against a plain Node static server serving bytes of the same size, same run.
 * Bar (SPEC §8): at least a third of the static server's throughput, with p99 under 10 ms. Both
 * sides get the same autocannon request list (500 session paths), so the client's cost per
 * request is the same. BENCH_SECONDS, BENCH_ROUNDS and BENCH_CPU_PROF tune a run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { getFreePort, waitForPort } from '@meridian/testkit';

const SEGMENTS = 300; // a 30-minute VOD at 6 s
const SESSIONS = 500;
const DURATION_SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 8;

function assetJson(): string {
  const rung = (name: string, height: number, bw: number) => ({
    name,
    playlist: `${name}/index.m3u8`,
    codecs: 'avc1.64001f',
    width: Math.round((height * 16) / 9),
    height,
    frameRate: 30,
    targetBitrateBps: bw,
    peakBitrateBps: bw,
    averageBitrateBps: bw,
    bandwidthBps: bw,
    averageBandwidthBps: bw,
    segmentCount: SEGMENTS,
    durationSeconds: SEGMENTS * 6,
    locations: [],
  });
  return JSON.stringify({
    version: 1,
    assetId: 'bench',
    status: 'ready',
    master: 'master.m3u8',
    durationSeconds: SEGMENTS * 6,
    codec: 'h264',
    container: 'ts',
    segmentSeconds: 6,
    encoder: null,
    renditions: [rung('240p', 240, 500_000), rung('720p', 720, 3_000_000)],
    audio: null,
    thumbnails: null,
    keyIds: [],
    locations: [],
    updatedAt: '2026-11-22T00:00:00Z',
  });
}
const master =
  '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-STREAM-INF:BANDWIDTH=500000,RESOLUTION=427x240\n240p/index.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=3000000,RESOLUTION=1280x720\n720p/index.m3u8\n';
const media = [
  '#EXTM3U',
  '#EXT-X-VERSION:3',
  '#EXT-X-TARGETDURATION:6',
  '#EXT-X-PLAYLIST-TYPE:VOD',
  '#EXT-X-MEDIA-SEQUENCE:0',
  ...Array.from({ length: SEGMENTS }, (_, i) => `#EXTINF:6.000,\nseg${i}.ts`),
  '#EXT-X-ENDLIST',
  '',
].join('\n');

async function listen(server: ReturnType<typeof createServer>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

function run(url: string, paths: string[]): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        connections: CONNECTIONS,
        duration: DURATION_SECONDS,
        requests: paths.map((path) => ({ method: 'GET', path })),
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

async function main(): Promise<void> {
  const origin = createServer((req, res) => {
    const path = req.url ?? '/';
    const body = path.endsWith('asset.json')
      ? assetJson()
      : path.endsWith('master.m3u8')
        ? master
        : path.endsWith('index.m3u8')
          ? media
          : undefined;
    res.writeHead(body ? 200 : 404).end(body ?? '');
  });
  const originPort = await listen(origin);

  const zonePort = await getFreePort();
  const root = fileURLToPath(new URL('..', import.meta.url));
  // BENCH_CPU_PROF=<dir>: the zone writes a V8 CPU profile there when it stops (open it in Chrome DevTools).
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];
  const zone: ChildProcess = spawn(process.execPath, [...profile, '--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(zonePort),
      SIGNING_KEYS: 'k1:bench-secret-0123456789abcdef',
      ORIGIN_URLS: `http://127.0.0.1:${originPort}`,
      LOG_REQUESTS: 'false',
      ZONE: 'bench',
    },
  });
  try {
    await waitForPort(zonePort, 30_000);
    const zoneUrl = `http://127.0.0.1:${zonePort}`;
    const paths: string[] = [];
    for (let i = 0; i < SESSIONS; i++) {
      const res = await fetch(`${zoneUrl}/v1/vod/bench/master.m3u8?ads.viewer=${i}`);
      const sid = res.headers.get('x-meridian-session');
      await res.text();
      if (!sid) throw new Error(`no session from the zone server (status ${res.status})`);
      paths.push(`/v1/sessions/${sid}/v${i % 2}.m3u8`);
    }
    const check = await fetch(`${zoneUrl}${paths[0]}`);
    const sample = await check.text();
    if (check.status !== 200) throw new Error(`media playlist answered ${check.status}`);
    const bytes = Buffer.from(sample);

    // The baseline: a plain node:http server in its own process answering with a pre-built buffer of the same size.
    const staticPort = await getFreePort();
    const staticServer = spawn(
      process.execPath,
      [
        '-e',
        `const b=Buffer.alloc(${bytes.length},97);require('node:http').createServer((q,r)=>{r.writeHead(200,{'content-type':'application/vnd.apple.mpegurl','content-length':b.length});r.end(b)}).listen(${staticPort},'127.0.0.1')`,
      ],
      { stdio: 'inherit' },
    );
    try {
      await waitForPort(staticPort);
      // Warm both up briefly so JIT and caches are in the steady state.
      await new Promise<void>((resolve) =>
        autocannon(
          { url: zoneUrl, connections: 4, duration: 1, requests: paths.slice(0, 50).map((path) => ({ path })) },
          () => resolve(),
        ),
      );
      // Interleaved rounds, median of each: other processes on a shared machine hit both sides alike.
      const personalisedRuns: autocannon.Result[] = [];
      const plainRuns: autocannon.Result[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        personalisedRuns.push(await run(zoneUrl, paths));
        // The same request list: autocannon's cost per request is then the same on both sides.
        plainRuns.push(await run(`http://127.0.0.1:${staticPort}`, paths));
      }
      const median = (runs: autocannon.Result[]): autocannon.Result =>
        [...runs].sort((a, b) => a.requests.average - b.requests.average)[Math.floor(runs.length / 2)] ?? runs[0]!;
      const personalised = median(personalisedRuns);
      const plain = median(plainRuns);
      const ratio = personalised.requests.average / plain.requests.average;
      const fmt = (name: string, r: autocannon.Result) =>
        `${name.padEnd(30)} ${r.requests.average.toFixed(0).padStart(8)} req/s   p50 ${String(r.latency.p50).padStart(4)} ms   p99 ${String(r.latency.p99).padStart(4)} ms   non-2xx ${r.non2xx}`;
      console.log(
        `regional-origin bench: ${SEGMENTS}-segment VOD media playlists (${bytes.length} bytes), ${SESSIONS} sessions, ${CONNECTIONS} connections, median of ${ROUNDS} interleaved ${DURATION_SECONDS} s rounds`,
      );
      console.log(fmt('personalised (regional-origin)', personalised));
      console.log(fmt('static (node:http, same bytes)', plain));
      const pass = ratio >= 1 / 3 && personalised.latency.p99 < 10 && personalisedRuns.every((r) => r.non2xx === 0);
      console.log(
        `ratio personalised/static = ${ratio.toFixed(2)} (bar ≥ 0.33), personalised p99 = ${personalised.latency.p99} ms (bar < 10 ms): ${pass ? 'PASS' : 'FAIL'}`,
      );
      process.exitCode = pass ? 0 : 1;
    } finally {
      staticServer.kill('SIGTERM');
    }
  } finally {
    zone.kill('SIGTERM');
    origin.close();
  }
}

await main();
