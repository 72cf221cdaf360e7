/** @module The Valkey Streams worker against a real redis-server: priority lane, dead-letter, crash + XAUTOCLAIM, graceful SIGTERM. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startRedis, type RedisHandle } from '@meridian/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  TRANSCODE_QUEUE as Q,
  createTranscodeWorker,
  enqueueTranscodeJob,
  type TranscodeStatusEvent,
  type TranscodeWorker,
} from '../src/index.ts';
import { makeSource, spawnCli } from './helpers.ts';

let dir: string;
let shortSrc: string;
let longSrc: string;
let server: RedisHandle;
let redis: Redis;
const workers: TranscodeWorker[] = [];
const tiny = {
  ladder: [{ height: 90, bitrateBps: 150_000 }],
  thumbnails: false as const,
  cpuPreset: 'veryfast',
  encoder: 'cpu' as const,
};
// Three rungs of 12 s keep ffmpeg busy for a second or two; the tests act as soon as ffmpeg has started.
const busy = {
  ladder: [
    { height: 180, bitrateBps: 300_000 },
    { height: 240, bitrateBps: 500_000 },
    { height: 360, bitrateBps: 800_000 },
  ],
  thumbnails: false as const,
  cpuPreset: 'veryfast',
  encoder: 'cpu' as const,
};

async function events(): Promise<TranscodeStatusEvent[]> {
  const entries = await redis.xrange(Q.events, '-', '+');
  return entries.map(([, fields]) => JSON.parse(fields[1] as string) as TranscodeStatusEvent);
}

async function until<T>(fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

function startWorker(options: Partial<Parameters<typeof createTranscodeWorker>[0]> = {}): TranscodeWorker {
  const w = createTranscodeWorker({ redis, blockMs: 200, claimIdleMs: 1_000, ...options });
  workers.push(w);
  void w.run();
  return w;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tx-worker-'));
  shortSrc = await makeSource(join(dir, 'short.mp4'), { seconds: 4, size: '160x90' });
  longSrc = await makeSource(join(dir, 'long.mp4'), { seconds: 12, size: '640x360' });
  server = await startRedis();
  redis = new Redis(server.url);
}, 60_000);

beforeEach(async () => {
  await redis.flushall();
});

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop({ mode: 'handback' })));
});

afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('transcode worker', () => {
  it('reads the priority lane first, publishes processing → ready on the stream and the channel, and acks', async () => {
    const sub = new Redis(server.url);
    const published: TranscodeStatusEvent[] = [];
    await sub.subscribe(Q.channel);
    sub.on('message', (_ch: string, text: string) => published.push(JSON.parse(text) as TranscodeStatusEvent));
    try {
      const a = await enqueueTranscodeJob(redis, { input: shortSrc, output: join(dir, 'p-a'), ...tiny });
      const b = await enqueueTranscodeJob(redis, { input: shortSrc, output: join(dir, 'p-b'), ...tiny });
      const short = await enqueueTranscodeJob(redis, {
        input: shortSrc,
        output: join(dir, 'p-short'),
        durationSeconds: 4,
        assetId: 'short',
        ...tiny,
      });
      expect([a.stream, b.stream, short.stream]).toEqual([Q.jobs, Q.jobs, Q.priority]);
      startWorker();
      await until(async () => ((await events()).filter((e) => e.type === 'ready').length === 3 ? true : undefined));
      const evs = await events();
      expect(evs.filter((e) => e.type === 'processing').map((e) => e.jobId)).toEqual([short.jobId, a.jobId, b.jobId]);
      expect(evs.find((e) => e.type === 'ready' && e.jobId === short.jobId)).toMatchObject({
        assetId: 'short',
        output: join(dir, 'p-short'),
        attempt: 1,
        master: 'master.m3u8',
        renditions: ['90p'],
      });
      expect(existsSync(join(dir, 'p-short', 'master.m3u8'))).toBe(true);
      await until(async () => (published.length >= 6 ? true : undefined), 5_000);
      expect(published.map((e) => e.type)).toEqual(evs.map((e) => e.type));
      const pending = (await redis.xpending(Q.jobs, Q.group)) as [number, ...unknown[]];
      expect(pending[0]).toBe(0);
    } finally {
      sub.disconnect();
    }
  }, 60_000);

  it('retries a failing job and dead-letters it after 3 attempts with the error code', async () => {
    const { jobId } = await enqueueTranscodeJob(redis, { input: join(dir, 'missing.mp4'), output: join(dir, 'dead') });
    startWorker({ claimIdleMs: 150 });
    const dead = await until(async () => (await redis.xrange(Q.dead, '-', '+'))[0]);
    const fields = Object.fromEntries(
      Array.from({ length: dead[1].length / 2 }, (_, i) => [dead[1][2 * i], dead[1][2 * i + 1]]),
    );
    expect(fields).toMatchObject({ code: 'INPUT_NOT_FOUND', attempts: '3', stream: Q.jobs });
    expect(JSON.parse(fields.job as string).jobId).toBe(jobId);
    const failed = (await events()).filter((e) => e.type === 'failed');
    expect(failed.map((e) => [e.attempt, e.final, e.error?.code])).toEqual([
      [1, false, 'INPUT_NOT_FOUND'],
      [2, false, 'INPUT_NOT_FOUND'],
      [3, true, 'INPUT_NOT_FOUND'],
    ]);
    const pending = (await redis.xpending(Q.jobs, Q.group)) as [number, ...unknown[]];
    expect(pending[0]).toBe(0);
  }, 60_000);

  it('redelivers a crashed worker’s job to another worker via XAUTOCLAIM after the idle timeout', async () => {
    const { jobId } = await enqueueTranscodeJob(redis, { input: longSrc, output: join(dir, 'crash'), ...busy });
    const victim = spawnCli(['worker', '--redis', server.url, '--consumer', 'victim', '--claim-idle-ms', '60000']);
    const ff = await victim.waitFor((l) => l.type === 'ffmpeg');
    victim.kill('SIGKILL');
    process.kill(ff.pid as number, 'SIGKILL');
    await victim.exited;
    expect(existsSync(join(dir, 'crash', 'master.m3u8'))).toBe(false);

    const logs: Array<Record<string, unknown>> = [];
    startWorker({ consumer: 'rescuer', claimIdleMs: 1_000, onLog: (l) => logs.push(l) });
    const ready = await until(async () => (await events()).find((e) => e.type === 'ready' && e.jobId === jobId));
    expect(ready.attempt).toBe(2);
    expect(logs.some((l) => l.claimed !== undefined && l.jobId === jobId)).toBe(true);
    expect(existsSync(join(dir, 'crash', 'master.m3u8'))).toBe(true);
  }, 90_000);

  it('on SIGTERM with --shutdown handback, aborts ffmpeg and hands the job back unpenalised', async () => {
    const { jobId } = await enqueueTranscodeJob(redis, { input: longSrc, output: join(dir, 'handback'), ...busy });
    const w = spawnCli(['worker', '--redis', server.url, '--consumer', 'leaver', '--shutdown', 'handback']);
    await w.waitFor((l) => l.type === 'ffmpeg');
    w.kill('SIGTERM');
    expect(await w.exited).toBe(0);
    expect(w.lines.some((l) => l.handedBack === jobId)).toBe(true);
    expect(Number(await redis.hget(Q.attempts, jobId))).toBe(0);
    const pending = (await redis.xpending(Q.jobs, Q.group)) as [number, ...unknown[]];
    expect(pending[0]).toBe(0);
    startWorker({ consumer: 'next' });
    const ready = await until(async () => (await events()).find((e) => e.type === 'ready' && e.jobId === jobId));
    expect(ready.attempt).toBe(1);
  }, 90_000);

  it('on SIGTERM by default, finishes the running job before exiting', async () => {
    const { jobId } = await enqueueTranscodeJob(redis, { input: longSrc, output: join(dir, 'finish'), ...busy });
    const w = spawnCli(['worker', '--redis', server.url, '--consumer', 'finisher']);
    await w.waitFor((l) => l.type === 'ffmpeg');
    w.kill('SIGTERM');
    expect(await w.exited).toBe(0);
    expect((await events()).find((e) => e.type === 'ready' && e.jobId === jobId)).toBeDefined();
    expect(existsSync(join(dir, 'finish', 'master.m3u8'))).toBe(true);
  }, 90_000);
});
