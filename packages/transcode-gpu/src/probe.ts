/** @module probeSource: what ffprobe says about the input (size, SAR, frame rate, duration, audio). */
import { existsSync } from 'node:fs';
import { TranscodeError } from './errors.ts';
import { ffprobeBinary, runCapture } from './ffmpeg.ts';
import type { FrameRate, SourceVideo } from './ladder.ts';

/** The facts about a source the job plans from. */
export interface SourceInfo {
  /** Container duration, seconds. */
  durationSeconds: number;
  /** The first video stream, or null for audio-only input. */
  video: SourceVideo | null;
  /** The first audio stream, or null when the input has none. */
  audio: { channels: number; sampleRateHz: number } | null;
}

interface ProbeJson {
  format?: { duration?: string };
  streams?: Array<{
    codec_type?: string;
    width?: number;
    height?: number;
    sample_aspect_ratio?: string;
    r_frame_rate?: string;
    avg_frame_rate?: string;
    channels?: number;
    sample_rate?: string;
    duration?: string;
    disposition?: { attached_pic?: number };
  }>;
}

function parseRational(text: string | undefined): FrameRate | undefined {
  const m = /^(\d+)[/:](\d+)$/.exec(text ?? '');
  if (!m) return undefined;
  const num = Number(m[1]);
  const den = Number(m[2]);
  return num > 0 && den > 0 ? { num, den } : undefined;
}

/** True when `input` names a network resource rather than a local file. */
export function isUrl(input: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(input);
}

/**
 * Probes the input with ffprobe. Throws INPUT_NOT_FOUND for a missing local file,
 * FFMPEG_MISSING without ffprobe, and INPUT_UNREADABLE for a corrupt file or one with
 * neither video nor audio.
 */
export async function probeSource(input: string, options: { ffprobePath?: string } = {}): Promise<SourceInfo> {
  if (!isUrl(input) && !existsSync(input)) throw new TranscodeError('INPUT_NOT_FOUND', `input not found: ${input}`);
  const { stdout, stderr, code } = await runCapture(ffprobeBinary(options.ffprobePath), [
    '-v',
    'error',
    '-show_entries',
    'format=duration:stream=codec_type,width,height,sample_aspect_ratio,r_frame_rate,avg_frame_rate,channels,sample_rate,duration:stream_disposition=attached_pic',
    '-of',
    'json',
    input,
  ]);
  if (code !== 0)
    throw new TranscodeError(
      'INPUT_UNREADABLE',
      `cannot read ${input}: ${stderr.trim().split('\n').pop() ?? 'ffprobe failed'}`,
    );
  let json: ProbeJson;
  try {
    json = JSON.parse(stdout) as ProbeJson;
  } catch (cause) {
    throw new TranscodeError('INPUT_UNREADABLE', `ffprobe printed no JSON for ${input}`, { cause });
  }
  const streams = json.streams ?? [];
  const v = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic && (s.width ?? 0) > 0);
  const a = streams.find((s) => s.codec_type === 'audio');
  const durationSeconds = Number(json.format?.duration ?? v?.duration ?? a?.duration);
  if (!v && !a) throw new TranscodeError('INPUT_UNREADABLE', `${input} has no video or audio stream`);
  if (!(durationSeconds > 0)) throw new TranscodeError('INPUT_UNREADABLE', `${input} has no usable duration`);
  let video: SourceVideo | null = null;
  if (v) {
    const sar = parseRational(v.sample_aspect_ratio) ?? { num: 1, den: 1 };
    // avg_frame_rate is the real rate for most files; r_frame_rate is the timebase-derived guess.
    const rate = parseRational(v.avg_frame_rate) ?? parseRational(v.r_frame_rate);
    if (!rate) throw new TranscodeError('INPUT_UNREADABLE', `${input}: the video stream has no frame rate`);
    video = { width: v.width ?? 0, height: v.height ?? 0, sarNum: sar.num, sarDen: sar.den, frameRate: rate };
  }
  const audio = a ? { channels: a.channels ?? 2, sampleRateHz: Number(a.sample_rate ?? 48_000) } : null;
  return { durationSeconds, video, audio };
}
