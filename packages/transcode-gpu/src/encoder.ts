/** @module Encoder selection: `auto` runs one real one-frame NVENC test encode (cached) and falls back to the CPU. */
import { TranscodeError } from './errors.ts';
import type { EncoderKind } from './args.ts';
import { ffmpegBinary, runCapture } from './ffmpeg.ts';
import type { VideoCodec } from './ladder.ts';

/** What the caller asks for: `auto` (default), or force one family. */
export type EncoderChoice = 'auto' | EncoderKind;

/** The outcome of encoder selection, recorded in asset.json. */
export interface EncoderSelection {
  kind: EncoderKind;
  /** ffmpeg encoder name, e.g. `h264_nvenc` or `libx264`. */
  name: string;
  /** Why NVENC was not used, when `auto` fell back. */
  fallbackReason?: string;
}

const probeCache = new Map<string, Promise<{ ok: boolean; reason: string }>>();

/** ffmpeg arguments of the NVENC test: one frame through CUDA upload, scale_cuda and the NVENC encoder. */
export function nvencTestArgs(codec: VideoCodec): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-init_hw_device',
    'cuda=gpu',
    '-filter_hw_device',
    'gpu',
    '-f',
    'lavfi',
    '-i',
    'color=black:size=256x256:rate=30',
    '-frames:v',
    '1',
    '-vf',
    'format=nv12,hwupload_cuda,scale_cuda=128:128',
    '-c:v',
    codec === 'h264' ? 'h264_nvenc' : 'hevc_nvenc',
    '-f',
    'null',
    '-',
  ];
}

/** Runs the one-frame NVENC test encode once per (ffmpeg, codec) and caches the verdict for the process. */
export function probeNvenc(codec: VideoCodec, ffmpegPath?: string): Promise<{ ok: boolean; reason: string }> {
  const bin = ffmpegBinary(ffmpegPath);
  const key = `${bin}\0${codec}`;
  let cached = probeCache.get(key);
  if (!cached) {
    cached = runCapture(bin, nvencTestArgs(codec)).then(({ code, stderr }) => ({
      ok: code === 0,
      reason:
        code === 0
          ? 'NVENC test encode succeeded'
          : stderr.trim().split('\n').slice(-2).join(' ') || `exit code ${code}`,
    }));
    // A missing ffmpeg is not a verdict about the GPU: do not cache the rejection.
    cached.catch(() => probeCache.delete(key));
    probeCache.set(key, cached);
  }
  return cached;
}

/**
 * Chooses the encoder. `cpu` never touches the GPU; `nvenc` throws NVENC_UNAVAILABLE when
 * the test encode fails; `auto` uses NVENC when the test passes and the CPU otherwise.
 */
export async function selectEncoder(
  choice: EncoderChoice,
  codec: VideoCodec,
  ffmpegPath?: string,
): Promise<EncoderSelection> {
  const cpu = { kind: 'cpu' as const, name: codec === 'h264' ? 'libx264' : 'libx265' };
  const gpu = { kind: 'nvenc' as const, name: codec === 'h264' ? 'h264_nvenc' : 'hevc_nvenc' };
  if (choice === 'cpu') return cpu;
  const verdict = await probeNvenc(codec, ffmpegPath);
  if (verdict.ok) return gpu;
  if (choice === 'nvenc') throw new TranscodeError('NVENC_UNAVAILABLE', `NVENC test encode failed: ${verdict.reason}`);
  return { ...cpu, fallbackReason: verdict.reason };
}
