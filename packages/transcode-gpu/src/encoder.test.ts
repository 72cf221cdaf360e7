/** @module Encoder selection on this GPU-less host: a real NVENC test encode fails, `auto` falls back, the verdict is cached. */
import { describe, expect, it } from 'vitest';
import { isTranscodeError } from './errors.ts';
import { nvencTestArgs, probeNvenc, selectEncoder } from './encoder.ts';

describe('selectEncoder', () => {
  it('tests the whole GPU path in one frame: CUDA device, upload, scale_cuda, NVENC', () => {
    const args = nvencTestArgs('hevc').join(' ');
    expect(args).toContain('-init_hw_device cuda=gpu');
    expect(args).toContain('-frames:v 1');
    expect(args).toContain('hwupload_cuda,scale_cuda=128:128');
    expect(args).toContain('-c:v hevc_nvenc');
  });

  it('falls back to libx264 under auto, refuses under nvenc, and runs the test encode once per process', async () => {
    const first = probeNvenc('h264');
    expect(probeNvenc('h264')).toBe(first); // cached promise: one ffmpeg run
    expect((await first).ok).toBe(false);
    const auto = await selectEncoder('auto', 'h264');
    expect(auto).toMatchObject({ kind: 'cpu', name: 'libx264' });
    expect(auto.fallbackReason).toBe((await first).reason);
    expect(await selectEncoder('cpu', 'hevc')).toEqual({ kind: 'cpu', name: 'libx265' });
    const forced = await selectEncoder('nvenc', 'h264').catch((e: unknown) => e);
    expect(isTranscodeError(forced) && forced.code).toBe('NVENC_UNAVAILABLE');
  });
});
