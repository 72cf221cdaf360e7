/**
 * @module Edge bench, inside workerd (miniflare). Time in workerd stands still while JavaScript
 * runs, so every figure is a request's time seen from outside minus an empty request's:
 * (1) warm CPU per rendered media playlist, p50/p99 (a request renders K playlists; the rest
 * divided by K), for the template join, a source's first render with the edge's renderer and
 * with manifest-core's; (2) cold figures: the first render in a fresh isolate (one isolate per
 * sample, nothing compiled yet), split into parse, whole render and session-id verification, so
 * that it shows where a first render's time goes; (3) throughput of the real edge bundle serving
 * a session media playlist against a Worker answering a static string of the same size, as a
 * ratio. Run: `npm run build -w @meridian/edge && npm run bench -w @meridian/edge`.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Miniflare } from 'miniflare';
import { newSessionClaims, signSessionToken } from '@meridian/manifest-core';
import { bundleForWorkerd, startFaultyServer } from '@meridian/testkit';

const COMPATIBILITY_DATE = '2025-09-01';
/** Renders per request (warm): enough that one request's work dwarfs the dispatch overhead subtracted. */
const RENDERS_PER_REQUEST: Record<WarmMode, number> = { template: 1_000, 'first-edge': 200, 'first-core': 100 };
/** Fresh isolates per cold figure. */
const COLD_ISOLATES = 24;
const EDGE_SCRIPT = fileURLToPath(new URL('../dist/worker.js', import.meta.url));
const BAR_P99_MS = 1;
/** Interleaved throughput rounds (edge, then static, each round). */
const THROUGHPUT_ROUNDS = 5;

type WarmMode = 'template' | 'first-edge' | 'first-core';
type ColdMode = 'first-edge' | 'first-shared' | 'first-core' | 'parse' | 'verify';

async function bundle(entry: string): Promise<string> {
  return bundleForWorkerd(fileURLToPath(new URL(entry, import.meta.url)));
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;
}

async function timeRequest(
  fetcher: { fetch(url: string): Promise<Response> } | Miniflare,
  url: string,
): Promise<number> {
  const started = performance.now();
  const res = 'dispatchFetch' in fetcher ? await fetcher.dispatchFetch(url) : await fetcher.fetch(url);
  if (res.status !== 200) throw new Error(`bench request ${url} answered ${res.status}: ${await res.text()}`);
  await res.text();
  return performance.now() - started;
}

/** Warm CPU ms per rendered playlist of `segments` segments: p50 and p99 over `samples` requests. */
async function warmCpu(
  script: string,
  mode: WarmMode,
  segments: number,
  samples: number,
): Promise<{ p50: number; p99: number }> {
  const mf = new Miniflare({ modules: true, script, compatibilityDate: COMPATIBILITY_DATE });
  await mf.ready;
  try {
    const k = RENDERS_PER_REQUEST[mode];
    const full = `http://bench.test/?mode=${mode}&segments=${segments}&n=${k}`;
    const empty = `http://bench.test/?mode=${mode}&segments=${segments}&n=0`;
    for (let i = 0; i < 20; i++) await timeRequest(mf, full);
    const overheads: number[] = [];
    for (let i = 0; i < 100; i++) overheads.push(await timeRequest(mf, empty));
    overheads.sort((a, b) => a - b);
    const overheadMs = percentile(overheads, 0.5);
    const per: number[] = [];
    for (let i = 0; i < samples; i++) per.push(Math.max(0, (await timeRequest(mf, full)) - overheadMs) / k);
    per.sort((a, b) => a - b);
    return { p50: percentile(per, 0.5), p99: percentile(per, 0.99) };
  } finally {
    await mf.dispose();
  }
}

/**
 * Cold ms of one `mode` operation in a fresh isolate: per isolate, an empty request first (the
 * module is instantiated, the handler runs once), then one operation, then empty requests whose
 * median is subtracted. Nothing of the operation's code has run in that isolate before.
 */
async function coldCpu(
  script: string,
  mode: ColdMode,
  segments: number,
  token: string,
  afterPrelude = false,
): Promise<{ p50: number; max: number }> {
  const names = Array.from({ length: COLD_ISOLATES }, (_, i) => `cold${i}`);
  const mf = new Miniflare({
    workers: names.map((name) => ({ name, modules: true, script, compatibilityDate: COMPATIBILITY_DATE })),
  });
  await mf.ready;
  try {
    const query = `mode=${mode}&segments=${segments}&token=${token}${afterPrelude ? '&prelude=1' : ''}`;
    const per: number[] = [];
    for (const name of names) {
      const worker = await mf.getWorker(name);
      const fetcher = { fetch: (url: string) => worker.fetch(url) as unknown as Promise<Response> };
      await timeRequest(fetcher, `http://bench.test/?${query}&n=0`);
      const once = await timeRequest(fetcher, `http://bench.test/?${query}&n=1`);
      const empties: number[] = [];
      for (let i = 0; i < 9; i++) empties.push(await timeRequest(fetcher, `http://bench.test/?${query}&n=0`));
      empties.sort((a, b) => a - b);
      per.push(Math.max(0, once - percentile(empties, 0.5)));
    }
    per.sort((a, b) => a - b);
    return { p50: percentile(per, 0.5), max: per[per.length - 1] ?? NaN };
  } finally {
    await mf.dispose();
  }
}

/** Requests per second for `total` GETs of `url`, `concurrency` at a time. */
async function throughput(
  mf: Miniflare,
  url: string,
  total: number,
  concurrency: number,
  init: { cf?: Record<string, string> } = {},
): Promise<number> {
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
  if (!existsSync(EDGE_SCRIPT))
    throw new Error('dist/worker.js is missing: run `npm run build -w @meridian/edge` first');
  const renderScript = await bundle('./render-worker.ts');
  const staticScript = await bundle('./static-worker.ts');

  const keyring = { activeKid: 'k1', keys: { k1: 'bench-secret-0123456789abcdef' } };
  const claims = newSessionClaims(
    { kind: 'vod', contentId: 'bench', mode: 'stitched', adParams: {}, country: undefined },
    Date.now(),
    (n) => crypto.getRandomValues(new Uint8Array(n)),
  );
  const token = await signSessionToken(claims, keyring, 3_600);

  console.log('— warm CPU per rendered media playlist, inside workerd —');
  const cpu: Record<string, { p50: number; p99: number }> = {};
  for (const [mode, segments, samples, what] of [
    ['template', 300, 100, 'a source rendered before (join)'],
    ['template', 1200, 100, 'a source rendered before (join)'],
    ['first-edge', 300, 50, "a source's first render, edge renderer"],
    ['first-edge', 1200, 50, "a source's first render, edge renderer"],
    ['first-core', 300, 30, "a source's first render, manifest-core renderer (before)"],
    ['first-core', 1200, 30, "a source's first render, manifest-core renderer (before)"],
  ] as const) {
    const r = await warmCpu(renderScript, mode, segments, samples);
    cpu[`warm ${mode} ${segments}`] = { p50: Number(r.p50.toFixed(4)), p99: Number(r.p99.toFixed(4)) };
    const bar = mode === 'first-core' ? '' : `  bar p99 < ${BAR_P99_MS} ms: ${r.p99 < BAR_P99_MS ? 'met' : 'NOT met'}`;
    console.log(
      `${mode.padEnd(10)} ${String(segments).padStart(5)} segments: p50 ${r.p50.toFixed(3)} ms  p99 ${r.p99.toFixed(3)} ms${bar}  (${what})`,
    );
  }

  console.log(
    `\n— cold: the first operation in a fresh isolate (${COLD_ISOLATES} isolates each; dispatch subtracted) —`,
  );
  const cold: Record<string, { p50: number; max: number }> = {};
  for (const [mode, segments, what, afterPrelude] of [
    ['verify', 300, 'WebCrypto HMAC verification of the session id'],
    ['parse', 300, 'manifest-core parse alone'],
    ['parse', 1200, 'manifest-core parse alone'],
    ['first-core', 300, 'whole render, manifest-core renderer (before)'],
    ['first-core', 1200, 'whole render, manifest-core renderer (before)'],
    ['first-edge', 300, 'whole render, edge renderer'],
    ['first-edge', 1200, 'whole render, edge renderer'],
    [
      'first-edge',
      300,
      'whole render, edge renderer, after the media route prelude (session verification, master parse)',
      true,
    ],
    [
      'first-edge',
      1200,
      'whole render, edge renderer, after the media route prelude (session verification, master parse)',
      true,
    ],
    ['first-shared', 300, 'template another isolate shared (the first isolate renders it; cache I/O wait counted)'],
    ['first-shared', 1200, 'template another isolate shared (the first isolate renders it; cache I/O wait counted)'],
    [
      'first-shared',
      300,
      'template another isolate shared, after the media route prelude (cache I/O wait counted)',
      true,
    ],
    [
      'first-shared',
      1200,
      'template another isolate shared, after the media route prelude (cache I/O wait counted)',
      true,
    ],
  ] as const) {
    const r = await coldCpu(renderScript, mode, segments, token, afterPrelude === true);
    cold[`cold ${mode} ${segments}${afterPrelude === true ? ' after prelude' : ''}`] = {
      p50: Number(r.p50.toFixed(4)),
      max: Number(r.max.toFixed(4)),
    };
    console.log(
      `${mode.padEnd(10)} ${String(segments).padStart(5)} segments: p50 ${r.p50.toFixed(3)} ms  max ${r.max.toFixed(3)} ms  (${what})`,
    );
  }

  console.log('\n— throughput: edge session playlist vs a static string of the same size —');
  const origin = await startFaultyServer();
  const segments = 300;
  const mediaLines = [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    '#EXT-X-TARGETDURATION:6',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXT-X-MEDIA-SEQUENCE:0',
  ];
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
  origin.set('/vod/bench/master.m3u8', {
    kind: 'ok',
    body: '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=3128000\n720p/index.m3u8\n',
  });
  origin.set('/vod/bench/720p/index.m3u8', { kind: 'ok', body: mediaLines.join('\n') });
  const edge = new Miniflare({
    modules: true,
    scriptPath: EDGE_SCRIPT,
    compatibilityDate: COMPATIBILITY_DATE,
    bindings: {
      SIGNING_KEYS: 'k1:bench-secret-0123456789abcdef',
      PUBLIC_BASE_URL: 'https://edge.example',
      ORIGIN_URLS: origin.url,
    },
  });
  try {
    const master = await edge.dispatchFetch('https://edge.example/v1/vod/bench/master.m3u8');
    await master.text();
    const mediaUrl = `https://edge.example/v1/sessions/${master.headers.get('x-meridian-session')}/v0.m3u8`;
    const body = await (await edge.dispatchFetch(mediaUrl)).text();
    const baseline = new Miniflare({
      modules: true,
      script: staticScript,
      compatibilityDate: COMPATIBILITY_DATE,
      bindings: { BODY: body },
    });
    try {
      await throughput(edge, mediaUrl, 300, 8);
      await throughput(baseline, 'https://static.example/', 300, 8);
      // Interleaved rounds, so that load from elsewhere on the machine hits both sides alike; the ratio is the median round's.
      const rounds: Array<{ edgeRps: number; staticRps: number }> = [];
      for (let round = 0; round < THROUGHPUT_ROUNDS; round++) {
        const edgeRound = await throughput(edge, mediaUrl, 600, 8);
        const staticRound = await throughput(baseline, 'https://static.example/', 600, 8);
        rounds.push({ edgeRps: edgeRound, staticRps: staticRound });
      }
      rounds.sort((a, b) => a.edgeRps / a.staticRps - b.edgeRps / b.staticRps);
      const { edgeRps, staticRps } = rounds[Math.floor(rounds.length / 2)]!;
      console.log(
        `playlist ${body.length} bytes (${segments} segments, session token in every URL); ${THROUGHPUT_ROUNDS} interleaved rounds of 600 requests, 8 in flight`,
      );
      console.log(`edge (verify session + render): ${edgeRps.toFixed(0)} req/s (median round)`);
      console.log(`static string Worker:           ${staticRps.toFixed(0)} req/s`);
      console.log(
        `ratio edge/static: ${(edgeRps / staticRps).toFixed(2)} (rounds: ${rounds.map((r) => (r.edgeRps / r.staticRps).toFixed(2)).join(', ')})`,
      );
      console.log(
        `\nRESULT ${JSON.stringify({ cpuPerPlaylistMs: cpu, coldMs: cold, throughput: { edgeRps: Math.round(edgeRps), staticRps: Math.round(staticRps), ratio: Number((edgeRps / staticRps).toFixed(3)), bytes: body.length } })}`,
      );
    } finally {
      await baseline.dispose();
    }
  } finally {
    await edge.dispose();
    await origin.close();
  }
}

await main();
