/** @module The CLI as a user runs it: JSON lines off a terminal, a clear message and a distinct exit code per failure. */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startRedis, refusedUrl } from '@meridian/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRANSCODE_QUEUE, transcode } from '../src/index.ts';
import { makeSource, spawnCli } from './helpers.ts';

let dir: string;
let src: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tx-cli-'));
  src = await makeSource(join(dir, 'src.mp4'), { seconds: 4, size: '320x180' });
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; lines: Array<Record<string, unknown>> }> {
  const cli = spawnCli(args, env);
  const code = await cli.exited;
  return { code, lines: cli.lines };
}

describe('meridian-transcode', () => {
  it('gives each failure its own exit code and a JSON error line', async () => {
    const corrupt = join(dir, 'corrupt.mp4');
    writeFileSync(corrupt, Buffer.alloc(2048, 1));
    const refused = await refusedUrl();
    const cases: Array<[string[], Record<string, string>, number, string]> = [
      [['run', join(dir, 'missing.mp4'), '--out', join(dir, 'o1')], {}, 3, 'INPUT_NOT_FOUND'],
      [['run', corrupt, '--out', join(dir, 'o2')], {}, 4, 'INPUT_UNREADABLE'],
      [['run', src, '--out', join(dir, 'o3')], { FFPROBE_PATH: '/nonexistent/ffprobe' }, 5, 'FFMPEG_MISSING'],
      [['run', src, '--out', `s3://media/x?endpoint=${refused}`], {}, 8, 'STORAGE_FAILED'],
      [['run', src, '--out', join(dir, 'o5'), '--codec', 'vp9'], {}, 2, 'INVALID_OPTIONS'],
      [['run', src, '--out', join(dir, 'o6'), '--encoder', 'nvenc'], {}, 7, 'NVENC_UNAVAILABLE'],
    ];
    for (const [args, env, code, errorCode] of cases) {
      const r = await runCli(args, env);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.lines.at(-1), args.join(' ')).toMatchObject({ type: 'error', code: errorCode });
      expect(String(r.lines.at(-1)?.message).length).toBeGreaterThan(10);
    }
  }, 90_000);

  it('runs a job, printing progress with out_time in seconds and the asset', async () => {
    const out = join(dir, 'ok');
    const r = await runCli([
      'run',
      src,
      '--out',
      out,
      '--ladder',
      '90:150k,180:300k',
      '--preset',
      'veryfast',
      '--language',
      'de',
      '--thumb-interval',
      '2',
    ]);
    expect(r.code).toBe(0);
    const progress = r.lines.filter((l) => l.type === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    for (const p of progress) expect(p.outTimeSeconds as number).toBeLessThanOrEqual(4.1);
    const asset = r.lines.at(-1)!.asset as { renditions: Array<{ name: string }>; audio: { language: string } };
    expect(asset.renditions.map((x) => x.name)).toEqual(['90p', '180p']);
    expect(asset.audio.language).toBe('de');
    expect(existsSync(join(out, 'master.m3u8'))).toBe(true);
  }, 60_000);

  it('makes thumbnails on their own from an output rung (keyframes every 2 s)', async () => {
    const ladderOut = join(dir, 'for-thumbs');
    await transcode({
      input: src,
      output: ladderOut,
      ladder: [{ height: 180, bitrateBps: 300_000 }],
      encoder: 'cpu',
      cpuPreset: 'veryfast',
      thumbnails: false,
    });
    const out = join(dir, 'thumbs-only');
    const r = await runCli([
      'thumbnails',
      join(ladderOut, '180p', 'index.m3u8'),
      '--out',
      out,
      '--interval',
      '2',
      '--sizes',
      'small=64,large=128',
    ]);
    expect(r.code).toBe(0);
    expect(readdirSync(join(out, 'thumbs')).sort()).toEqual(['large', 'small', 'sprite.jpg', 'sprite.vtt']);
    expect(readdirSync(join(out, 'thumbs', 'small'))).toHaveLength(2);
  }, 60_000);

  it('enqueues a short local video on the priority lane', async () => {
    const server = await startRedis();
    const redis = new Redis(server.url);
    try {
      const r = await runCli(['enqueue', src, '--out', 's3://media/q1', '--redis', server.url, '--codec', 'hevc']);
      expect(r.code).toBe(0);
      expect(r.lines[0]).toMatchObject({ type: 'enqueued', stream: TRANSCODE_QUEUE.priority });
      const [[, fields]] = (await redis.xrange(TRANSCODE_QUEUE.priority, '-', '+')) as [[string, string[]]];
      expect(JSON.parse(fields[1] as string)).toMatchObject({
        input: src,
        output: 's3://media/q1',
        codec: 'hevc',
        durationSeconds: 4,
      });
    } finally {
      redis.disconnect();
      await server.stop();
    }
  }, 60_000);
});
