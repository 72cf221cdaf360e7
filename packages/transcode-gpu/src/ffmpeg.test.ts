/** @module Unit tests of the `-progress` parser (out_time_ms is microseconds) and ffmpeg error mapping. */
import { describe, expect, it } from 'vitest';
import { createProgressParser, runFfmpeg, type FfmpegProgress } from './ffmpeg.ts';
import { isTranscodeError } from './errors.ts';

describe('createProgressParser', () => {
  it('emits one event per block, reading out_time_ms as microseconds, across chunk boundaries', () => {
    const seen: FfmpegProgress[] = [];
    const feed = createProgressParser((p) => seen.push(p));
    feed('frame=90\nfps=271.00\nout_time_ms=3003000\nout_time=00:00:03.003000\nspe');
    feed(
      'ed=9.14x\nprogress=continue\nframe=360\nout_time_us=12010667\nout_time_ms=12010667\nspeed=N/A\nprogress=end\n',
    );
    expect(seen).toEqual([
      { outTimeSeconds: 3.003, frame: 90, speed: 9.14, done: false },
      { outTimeSeconds: 12.010667, frame: 360, speed: undefined, done: true },
    ]);
  });
});

describe('runFfmpeg', () => {
  it('maps a missing binary to FFMPEG_MISSING and a failing run to FFMPEG_FAILED with the stderr tail', async () => {
    const missing = await runFfmpeg(['-version'], { ffmpegPath: '/nonexistent/ffmpeg' }).catch((e: unknown) => e);
    expect(isTranscodeError(missing) && missing.code).toBe('FFMPEG_MISSING');
    const failed = await runFfmpeg(['-hide_banner', '-i', '/nonexistent/input.mp4', '-f', 'null', '-']).catch(
      (e: unknown) => e,
    );
    expect(isTranscodeError(failed) && failed.code).toBe('FFMPEG_FAILED');
    expect(isTranscodeError(failed) && failed.message).toContain('No such file or directory');
  });
});
