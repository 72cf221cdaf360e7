/** @module Benchmarks for SPEC §8: added latency with a refused or black-holed primary, and strict failover time against its configured worst case. */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { refusedUrl, startBlackHole, startFaultyServer } from '@meridian/testkit';
import { createOriginGroup, getAttempts, type OriginGroup } from '../src/index.node.ts';

const N = Number(process.env.BENCH_REQUESTS ?? 2_000);
const BODY = 'x'.repeat(16 * 1024); // a small segment-sized body, read fully every time

interface Stats {
  p50: number;
  p99: number;
  mean: number;
}

function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99), mean: s.reduce((x, y) => x + y, 0) / s.length };
}

async function measure(n: number, once: () => Promise<void>): Promise<Stats> {
  for (let i = 0; i < 300; i++) await once(); // warm keep-alive sockets and the JIT
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await once();
    samples.push(performance.now() - t);
  }
  return stats(samples);
}

const hedgeWins = new Map<OriginGroup, number>();

async function viaGroup(group: OriginGroup, expectOrigin: string): Promise<void> {
  const res = await group.fetch('/seg.ts');
  const text = await res.text();
  if (text.length !== BODY.length) throw new Error('short body');
  // A hedge may legitimately win when the expected origin stalls past its learned p95 (a GC pause, say).
  if (res.headers.get('x-meridian-origin') !== expectOrigin) {
    if (!getAttempts(res).some((a) => a.hedge && a.outcome === 'ok'))
      throw new Error(`unexpected answer from ${res.headers.get('x-meridian-origin')}`);
    hedgeWins.set(group, (hedgeWins.get(group) ?? 0) + 1);
  }
}

const fmt = (ms: number): string => `${ms.toFixed(3)} ms`;
const rows: string[][] = [];
const row = (name: string, s: Stats, base: Stats, bar?: number): void => {
  const added = s.p50 - base.p50;
  rows.push([
    name,
    fmt(s.p50),
    fmt(s.p99),
    `${(s.p50 / base.p50).toFixed(2)}×`,
    fmt(added),
    bar === undefined ? '' : added < bar ? `PASS (< ${bar} ms)` : `FAIL (≥ ${bar} ms)`,
  ]);
};

const server = await startFaultyServer({ '/seg.ts': { kind: 'ok', body: BODY } });
const refused = await refusedUrl();
const hole = await startBlackHole();

try {
  // Baseline: a direct, healthy undici request with keep-alive, in this same run.
  const direct = new Pool(server.url, { connections: 8 });
  const base = await measure(N, async () => {
    const res = await direct.request({ path: '/seg.ts', method: 'GET' });
    if ((await res.body.text()).length !== BODY.length) throw new Error('short body');
  });
  await direct.close();
  rows.push(['direct healthy fetch (baseline)', fmt(base.p50), fmt(base.p99), '1.00×', '—', '']);

  // Warm the group's code paths once, so that the first measured case does not pay for JIT compilation.
  const warm = createOriginGroup({
    origins: [
      { id: 'a', url: server.url },
      { id: 'b', url: server.url },
    ],
  });
  for (let i = 0; i < 2_000; i++) await (await warm.fetch('/seg.ts')).text();
  await warm.close();

  const healthy = createOriginGroup({
    origins: [
      { id: 'a', url: server.url },
      { id: 'b', url: server.url },
    ],
  });
  row('group, healthy primary (resilient)', await measure(N, () => viaGroup(healthy, 'a')), base);
  const healthyHedgeWins = hedgeWins.get(healthy) ?? 0;
  await healthy.close();

  // Refused primary, strict mode: no memory, so every request pays 3 refused connects (CF7, CF9).
  const strictRefused = createOriginGroup({
    mode: 'strict',
    origins: [
      { id: 'primary', url: refused },
      { id: 'secondary', url: server.url },
    ],
  });
  row(
    'refused primary, strict (3 refusals every request)',
    await measure(N, () => viaGroup(strictRefused, 'secondary')),
    base,
    5,
  );
  await strictRefused.close();

  // Refused primary, resilient mode without memory (ejection threshold out of reach): every request pays 1 refusal.
  const resilientRefused = createOriginGroup({
    origins: [
      { id: 'primary', url: refused },
      { id: 'secondary', url: server.url },
    ],
    ejection: { failureThreshold: 1e9 },
  });
  row(
    'refused primary, resilient (1 refusal every request)',
    await measure(N, () => viaGroup(resilientRefused, 'secondary')),
    base,
    5,
  );
  await resilientRefused.close();

  // Black-holed primary, resilient: the first requests detect it (hedges win, losers count), then it is ejected.
  const holeGroup = createOriginGroup({
    origins: [
      { id: 'primary', url: hole.url },
      { id: 'secondary', url: server.url },
    ],
    connectionTimeoutMs: 1_000,
  });
  const detection: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    await viaGroup(holeGroup, 'secondary');
    detection.push(performance.now() - t);
  }
  const afterDetection = await measure(N, () => viaGroup(holeGroup, 'secondary'));
  row('black-holed primary, resilient, after detection', afterDetection, base, 5);
  await holeGroup.close();

  // Strict failover time against the configured worst case (attempts × connect timeout).
  const strictCases: Array<[number, number]> = [
    [1, 1_000],
    [2, 1_000],
  ];
  const strictRows: string[][] = [];
  for (const [attempts, timeoutMs] of strictCases) {
    const g = createOriginGroup({
      mode: 'strict',
      connectionAttempts: attempts,
      connectionTimeoutMs: timeoutMs,
      origins: [
        { id: 'primary', url: hole.url },
        { id: 'secondary', url: server.url },
      ],
    });
    const t = performance.now();
    const res = await g.fetch('/seg.ts');
    await res.text();
    const took = performance.now() - t;
    const worst = attempts * timeoutMs;
    strictRows.push([
      `${attempts} × ${timeoutMs} ms`,
      fmt(worst),
      fmt(took),
      `${(took / worst).toFixed(3)}×`,
      getAttempts(res)
        .map((a) => a.outcome)
        .join(', '),
    ]);
    await g.close();
  }

  const table = (header: string[], body: string[][]): void => {
    const all = [header, ...body];
    const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
    for (const r of all) console.log(r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  '));
    console.log();
  };
  console.log(
    `@meridian/origin-failover bench — ${N} sequential GETs of ${BODY.length} bytes over loopback, Node ${process.version}\n`,
  );
  table(['case', 'p50', 'p99', 'p50 ratio', 'added p50', 'bar'], rows);
  console.log(
    `healthy group: ${healthyHedgeWins} of ${N + 300} requests were won by a hedge (learned p95 delay, 10 % budget)`,
  );
  console.log(
    `black-hole detection: first 3 requests took ${detection.map(fmt).join(', ')} (hedge after the default delay; lost hedges eject the primary)\n`,
  );
  table(['strict worst case', 'configured', 'measured', 'ratio', 'attempts'], strictRows);
} finally {
  await hole.close();
  await server.close();
}
