/** @module Crash safety for real: kill ffmpeg mid-encode, kill -9 the CLI mid-upload, resume only what is missing, re-run a finished job with zero PUTs. */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { startS3, type S3Handle } from '@meridian/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transcode, type TranscodeEvent } from '../src/index.ts';
import {
  decodeErrors,
  downloadPrefix,
  keyframeTimes,
  makeSource,
  readMedia,
  spawnCli,
  startS3Proxy,
  type S3Proxy,
} from './helpers.ts';

let dir: string;
let src: string;
let s3: S3Handle;
let proxy: S3Proxy;
const ladder = [
  { height: 180, bitrateBps: 300_000 },
  { height: 240, bitrateBps: 500_000 },
  { height: 360, bitrateBps: 800_000 },
];
const ladderFlag = '180:300k,240:500k,360:800k';
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tx-resume-'));
  src = await makeSource(join(dir, 'src.mp4'), { seconds: 12, size: '640x360' });
  s3 = await startS3({ buckets: ['media'] });
  proxy = await startS3Proxy(s3.endpoint);
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await s3?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

async function exists(key: string): Promise<boolean> {
  try {
    await s3.client.send(new HeadObjectCommand({ Bucket: 'media', Key: key }));
    return true;
  } catch {
    return false;
  }
}

describe('crash safety', () => {
  it('kill -9 of ffmpeg mid-encode fails the run with FFMPEG_FAILED and publishes nothing; the re-run completes', async () => {
    const out = join(dir, 'killed-ffmpeg');
    // The medium preset keeps ffmpeg busy for a few seconds, so the kill lands mid-encode.
    const cli = spawnCli([
      'run',
      src,
      '--out',
      out,
      '--ladder',
      ladderFlag,
      '--preset',
      'medium',
      '--encoder',
      'cpu',
      '--json',
    ]);
    const spawned = await cli.waitFor((l) => l.type === 'ffmpeg');
    await cli.waitFor((l) => l.type === 'progress');
    process.kill(spawned.pid as number, 'SIGKILL');
    expect(await cli.exited).toBe(6);
    expect(cli.lines.at(-1)).toMatchObject({ type: 'error', code: 'FFMPEG_FAILED' });
    expect(cli.lines.some((l) => l.type === 'rendition')).toBe(false);
    expect(existsSync(join(out, 'master.m3u8'))).toBe(false);

    const again = await transcode({
      input: src,
      output: out,
      ladder,
      encoder: 'cpu',
      cpuPreset: 'veryfast',
      thumbnails: false,
    });
    expect(again.encoded).toEqual(['180p', '240p', '360p', 'audio']);
    expect(readdirSync(out).sort()).toEqual(['180p', '240p', '360p', 'asset.json', 'audio', 'master.m3u8']);
  }, 60_000);

  it('kill -9 of the CLI mid-upload: the re-run encodes only the unfinished rungs, which still line up, and a further re-run PUTs nothing', async () => {
    const prefix = 'assets/a1';
    // The primary hangs on every 240p write, so the process is stuck after 180p is complete.
    proxy.hold = (method, path) => method === 'PUT' && path.includes('/240p/');
    const cli = spawnCli([
      'run',
      src,
      '--out',
      `s3://media/${prefix}?endpoint=${proxy.url}`,
      '--ladder',
      ladderFlag,
      '--preset',
      'veryfast',
      '--encoder',
      'cpu',
      '--thumb-interval',
      '4',
      '--json',
    ]);
    await cli.waitFor((l) => l.type === 'rendition' && l.rendition === '180p');
    cli.kill('SIGKILL');
    await cli.exited;
    proxy.hold = () => false;
    expect(await exists(`${prefix}/180p/_complete.json`)).toBe(true);
    expect(await exists(`${prefix}/240p/_complete.json`)).toBe(false);
    expect(await exists(`${prefix}/master.m3u8`)).toBe(false);

    const events: TranscodeEvent[] = [];
    const output = `s3://media/${prefix}?endpoint=${proxy.url}`;
    const resumed = await transcode({
      input: src,
      output,
      s3: { credentials },
      ladder,
      encoder: 'cpu',
      cpuPreset: 'veryfast',
      thumbnails: { intervalSeconds: 4 },
      onEvent: (e) => events.push(e),
    });
    expect(events.find((e) => e.type === 'plan')).toEqual({
      type: 'plan',
      encode: ['240p', '360p', 'audio'],
      complete: ['180p'],
    });
    expect(resumed.encoded).toEqual(['240p', '360p', 'audio']);
    expect(resumed.asset.renditions.map((r) => r.name)).toEqual(['180p', '240p', '360p']);

    // The 180p from the killed run and the re-encoded rungs share segment boundaries and keyframes.
    const local = join(dir, 'downloaded');
    await downloadPrefix(s3.client, 'media', prefix, local);
    const lists = ['180p', '240p', '360p'].map((r) => readMedia(join(local, r, 'index.m3u8')));
    for (const l of lists) expect(l.segments.map((s) => s.duration)).toEqual(lists[0]!.segments.map((s) => s.duration));
    const kf = await Promise.all(['180p', '240p', '360p'].map((r) => keyframeTimes(join(local, r, 'index.m3u8'))));
    for (const k of kf) expect(k).toEqual(kf[0]);
    for (const r of ['180p', '240p', '360p', 'audio'])
      expect(await decodeErrors(join(local, r, 'index.m3u8'))).toBe('');

    const putsBefore = proxy.puts.length;
    const rerun = await transcode({
      input: src,
      output,
      s3: { credentials },
      ladder,
      encoder: 'cpu',
      cpuPreset: 'veryfast',
      thumbnails: { intervalSeconds: 4 },
    });
    expect(rerun.encoded).toEqual([]);
    expect(rerun.uploads).toBe(0);
    expect(proxy.puts.length - putsBefore).toBe(0);
    expect(rerun.asset).toEqual(resumed.asset);
  }, 90_000);
});
