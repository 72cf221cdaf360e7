/** @module Spawning ffmpeg/ffprobe: `-progress pipe:1` parsing, abort, and error mapping to TranscodeError codes. */
import { spawn } from 'node:child_process';
import { TranscodeError } from './errors.ts';

/** One `-progress` block from ffmpeg. */
export interface FfmpegProgress {
  /** Output time reached, seconds. (`out_time_ms` is really microseconds — research note §1.) */
  outTimeSeconds: number;
  /** Frames written so far (first output stream). */
  frame: number;
  /** Encoding speed as a multiple of realtime, when ffmpeg reports it. */
  speed: number | undefined;
  /** True on the final block (`progress=end`). */
  done: boolean;
}

/** Incremental parser of ffmpeg's `-progress` key=value stream; feed it chunks, get completed blocks. */
export function createProgressParser(onProgress: (p: FfmpegProgress) => void): (chunk: string) => void {
  let buffer = '';
  let current: Record<string, string> = {};
  return (chunk) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      const eq = line.indexOf('=');
      if (eq < 0) continue;
      const key = line.slice(0, eq);
      const value = line.slice(eq + 1).trim();
      current[key] = value;
      if (key === 'progress') {
        // Prefer out_time_us; out_time_ms carries the same microsecond value in ffmpeg ≤ 7.
        const us = Number(current.out_time_us ?? current.out_time_ms);
        const speed = Number.parseFloat(current.speed ?? '');
        onProgress({
          outTimeSeconds: Number.isFinite(us) && us > 0 ? us / 1e6 : 0,
          frame: Number(current.frame ?? 0) || 0,
          speed: Number.isFinite(speed) ? speed : undefined,
          done: value === 'end',
        });
        current = {};
      }
    }
  };
}

/** Options for {@link runFfmpeg}. */
export interface RunFfmpegOptions {
  /** Binary; default `ffmpeg` (or $FFMPEG_PATH). */
  ffmpegPath?: string;
  /** Called for every `-progress` block (only when the args include `-progress pipe:1`). */
  onProgress?: (p: FfmpegProgress) => void;
  /** Called once the child is spawned, with its PID (the CLI prints it; tests kill it). */
  onSpawn?: (pid: number) => void;
  /** Aborting sends SIGTERM to this ffmpeg only; the promise rejects with ABORTED. */
  signal?: AbortSignal;
}

/** The ffmpeg binary to use: the option, else $FFMPEG_PATH, else `ffmpeg`. */
export function ffmpegBinary(path?: string): string {
  return path ?? process.env.FFMPEG_PATH ?? 'ffmpeg';
}

/** The ffprobe binary to use: the option, else $FFPROBE_PATH, else `ffprobe`. */
export function ffprobeBinary(path?: string): string {
  return path ?? process.env.FFPROBE_PATH ?? 'ffprobe';
}

/**
 * Runs ffmpeg to completion. Rejects with FFMPEG_MISSING when the binary cannot be
 * spawned, FFMPEG_FAILED (with the stderr tail) on a non-zero exit or a signal, and
 * ABORTED when `signal` fires.
 */
export function runFfmpeg(args: readonly string[], options: RunFfmpegOptions = {}): Promise<void> {
  const bin = ffmpegBinary(options.ffmpegPath);
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new TranscodeError('ABORTED'));
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const parse = options.onProgress ? createProgressParser(options.onProgress) : undefined;
    child.stdout.setEncoding('utf8').on('data', (d: string) => parse?.(d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-4_000);
    });
    const onAbort = (): void => void child.kill('SIGTERM');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.once('spawn', () => {
      if (child.pid !== undefined) options.onSpawn?.(child.pid);
    });
    child.once('error', (err: NodeJS.ErrnoException) => {
      options.signal?.removeEventListener('abort', onAbort);
      reject(
        err.code === 'ENOENT'
          ? new TranscodeError(
              'FFMPEG_MISSING',
              `${bin} not found on PATH — install ffmpeg (apt-get install ffmpeg) or set FFMPEG_PATH`,
              { cause: err },
            )
          : new TranscodeError('FFMPEG_FAILED', `cannot start ${bin}: ${err.message}`, { cause: err }),
      );
    });
    child.once('close', (code, sig) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (options.signal?.aborted) return reject(new TranscodeError('ABORTED', 'ffmpeg stopped: job aborted'));
      if (code === 0) return resolve();
      const tail = stderr.trim().split('\n').slice(-5).join('\n');
      reject(
        new TranscodeError(
          'FFMPEG_FAILED',
          `ffmpeg ${sig ? `killed by ${sig}` : `exited with code ${code}`}${tail ? `: ${tail}` : ''}`,
          {
            stderr,
          },
        ),
      );
    });
  });
}

/** Runs a short command and collects stdout; rejects like {@link runFfmpeg}. Used for ffprobe. */
export function runCapture(
  bin: string,
  args: readonly string[],
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-8_000)));
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'ENOENT'
          ? new TranscodeError('FFMPEG_MISSING', `${bin} not found on PATH — install ffmpeg (apt-get install ffmpeg)`, {
              cause: err,
            })
          : new TranscodeError('FFMPEG_FAILED', `cannot start ${bin}: ${err.message}`, { cause: err }),
      ),
    );
    child.once('close', (code) => resolve({ stdout, stderr, code }));
  });
}
