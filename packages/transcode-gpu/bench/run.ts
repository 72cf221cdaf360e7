/**
 * @module Bench: the one-pass ladder (decode once, split, scale N ways) against one ffmpeg run
 * per rung, on the same mezzanine-like source in the same run. Prints the wall-clock ratio,
 * the CPU-time ratio (children's utime+stime from /proc, immune to other load on a shared
 * host) and the realtime factors. Rounds are interleaved and the best of each is kept.
 * Bar: one-pass ≥ 1.5× faster. Knobs: BENCH_SECONDS (default 10), BENCH_ROUNDS (default 2),
 * BENCH_PRESET (default veryfast), BENCH_SIZE (default 1920x1080).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLadderArgs, planLadder, DEFAULT_LADDER, runFfmpeg, type Rung } from '../src/index.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const preset = process.env.BENCH_PRESET ?? 'veryfast';
const size = process.env.BENCH_SIZE ?? '1920x1080';
const [width, height] = size.split('x').map(Number) as [number, number];
const frameRate = { num: 30, den: 1 };

const dir = mkdtempSync(join(tmpdir(), 'tx-bench-'));
try {
  const src = join(dir, 'mezzanine.mp4');
  // A mezzanine-like source: high bitrate (CRF 12) with noise, so decoding costs what it does in production.
  execFileSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${size}:rate=30,noise=alls=12:allf=t`,
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=48000',
    '-t',
    String(seconds),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-crf',
    '12',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    src,
  ]);
  const rungs = planLadder({ width, height, sarNum: 1, sarDen: 1, frameRate }, DEFAULT_LADDER, 'h264');
  const common = {
    input: src,
    codec: 'h264' as const,
    container: 'fmp4' as const,
    encoder: 'cpu' as const,
    frameRate,
    cpuPreset: preset,
  };

  const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  // Fields 16 and 17 of /proc/self/stat: CPU time of waited-for children (ffmpeg), in ticks.
  const childCpuSeconds = (): number => {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[13]) + Number(fields[14])) / ticksPerSecond;
  };
  const measure = async (fn: () => Promise<void>): Promise<{ wall: number; cpu: number }> => {
    const c0 = childCpuSeconds();
    const t0 = performance.now();
    await fn();
    return { wall: (performance.now() - t0) / 1000, cpu: childCpuSeconds() - c0 };
  };
  const onePassRun = (): Promise<void> =>
    runFfmpeg(buildLadderArgs({ ...common, outDir: join(dir, 'one'), rungs, audio: {} }));
  const perRungRun = async (): Promise<void> => {
    for (const [i, rung] of rungs.entries()) {
      await runFfmpeg(
        buildLadderArgs({
          ...common,
          outDir: join(dir, `per-${i}`),
          rungs: [rung as Rung],
          audio: i === 0 ? {} : null,
        }),
      );
    }
  };

  console.log(
    `source: ${seconds} s ${size}@30 mezzanine; rungs ${rungs.map((r) => r.name).join(', ')}; libx264 ${preset}; ${cpus().length} CPUs; best of ${rounds}`,
  );
  const best = { one: { wall: Infinity, cpu: Infinity }, per: { wall: Infinity, cpu: Infinity } };
  for (let r = 0; r < rounds; r++) {
    const one = await measure(onePassRun);
    const per = await measure(perRungRun);
    console.log(
      `round ${r + 1}: one pass ${one.wall.toFixed(2)} s wall / ${one.cpu.toFixed(2)} s CPU; per rung ${per.wall.toFixed(2)} s wall / ${per.cpu.toFixed(2)} s CPU`,
    );
    best.one = { wall: Math.min(best.one.wall, one.wall), cpu: Math.min(best.one.cpu, one.cpu) };
    best.per = { wall: Math.min(best.per.wall, per.wall), cpu: Math.min(best.per.cpu, per.cpu) };
  }
  const wallRatio = best.per.wall / best.one.wall;
  const cpuRatio = best.per.cpu / best.one.cpu;
  console.log(
    `one pass:      ${best.one.wall.toFixed(2)} s wall (${(seconds / best.one.wall).toFixed(2)}× realtime), ${best.one.cpu.toFixed(2)} s CPU`,
  );
  console.log(
    `one run/rung:  ${best.per.wall.toFixed(2)} s wall (${(seconds / best.per.wall).toFixed(2)}× realtime), ${best.per.cpu.toFixed(2)} s CPU`,
  );
  console.log(
    `ratio: one pass is ${wallRatio.toFixed(2)}× faster by wall clock, ${cpuRatio.toFixed(2)}× by CPU time (bar ≥ 1.5×) — ${wallRatio >= 1.5 ? 'PASS' : 'BELOW BAR'}`,
  );
  process.exitCode = wallRatio >= 1.5 ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
