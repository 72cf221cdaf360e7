/**
 * @module Test media made with the real ffmpeg: a sample clip with a visible frame counter, a
 * visibly different ad clip, ffprobe facts, and a plain-ffmpeg HLS VOD ladder to feed players
 * and the live-channel simulator.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { TestkitError } from './errors.ts';

/** What ffprobe reports about a media file. */
export interface MediaFacts {
  /** Container duration in seconds. */
  durationSeconds: number;
  /** Video width in pixels (0 when there is no video). */
  width: number;
  /** Video height in pixels (0 when there is no video). */
  height: number;
  /** Video frame rate in frames per second (0 when there is no video). */
  fps: number;
  /** True when the file has an audio stream. */
  hasAudio: boolean;
  /** Video codec name as ffprobe says it, e.g. `h264`. */
  videoCodec?: string;
  /** Audio codec name, e.g. `aac`. */
  audioCodec?: string;
}

/** A clip on disk and its probed facts. */
export interface Clip extends MediaFacts {
  /** Absolute path of the mp4. */
  path: string;
}

/** Options for {@link makeSampleClip} and {@link makeAdClip}. */
export interface ClipOptions {
  /** Output mp4 path; default `clip.mp4` (or `ad.mp4`) in a fresh temp directory. */
  path?: string;
  /** Width in pixels; default 640. Must be even. */
  width?: number;
  /** Height in pixels; default 360. Must be even. */
  height?: number;
  /** Duration in seconds; default 10. */
  durationSeconds?: number;
  /** Frames per second; default 25. */
  fps?: number;
  /** Include a stereo AAC sine tone; default true. */
  audio?: boolean;
  /** Tone frequency in Hz; default 1000 for the sample clip and 440 for the ad clip. */
  audioFrequencyHz?: number;
  /** Seconds between key frames (segments can only cut there); default 1. */
  keyframeIntervalSeconds?: number;
  /** Text burnt in beside the timecode when a font is available, e.g. `AD 1`; default none. */
  label?: string;
}

/** Fonts tried, in order, for the burnt-in timecode; without any the clip has no text overlay. */
const FONT_CANDIDATES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf',
];

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs ffmpeg or ffprobe, mapping a missing binary to FFMPEG_MISSING. */
export function runMediaTool(binary: 'ffmpeg' | 'ffprobe', args: string[], timeoutMs = 120_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        err.code === 'ENOENT'
          ? new TestkitError('FFMPEG_MISSING', `${binary} is not installed or not on PATH (apt-get install ffmpeg)`, {
              cause: err,
            })
          : new TestkitError('FFMPEG_FAILED', `cannot run ${binary}: ${err.message}`, { cause: err }),
      );
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

async function ffmpeg(args: string[], what: string): Promise<void> {
  const r = await runMediaTool('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args]);
  if (r.code !== 0)
    throw new TestkitError('FFMPEG_FAILED', `ffmpeg failed to ${what} (exit ${r.code}): ${r.stderr.trim()}`);
}

function parseRate(rate: string | undefined): number {
  if (!rate) return 0;
  const [n = '0', d = '1'] = rate.split('/');
  const value = Number(n) / Number(d);
  return Number.isFinite(value) ? Math.round(value * 1000) / 1000 : 0;
}

interface ProbeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
}

/**
 * Probes a media file or URL with ffprobe.
 * @example
 * const { durationSeconds, hasAudio } = await probeMedia('/tmp/clip.mp4');
 */
export async function probeMedia(input: string): Promise<MediaFacts> {
  const r = await runMediaTool('ffprobe', [
    '-v',
    'error',
    '-print_format',
    'json',
    '-show_streams',
    '-show_format',
    input,
  ]);
  if (r.code !== 0) throw new TestkitError('FFMPEG_FAILED', `ffprobe cannot read ${input}: ${r.stderr.trim()}`);
  let parsed: { streams?: ProbeStream[]; format?: { duration?: string } };
  try {
    parsed = JSON.parse(r.stdout) as typeof parsed;
  } catch (cause) {
    throw new TestkitError('FFMPEG_FAILED', `ffprobe printed no JSON for ${input}`, { cause });
  }
  const video = parsed.streams?.find((s) => s.codec_type === 'video');
  const audio = parsed.streams?.find((s) => s.codec_type === 'audio');
  const facts: MediaFacts = {
    durationSeconds: Number(parsed.format?.duration ?? 0),
    width: video?.width ?? 0,
    height: video?.height ?? 0,
    fps: parseRate(video?.avg_frame_rate !== '0/0' ? video?.avg_frame_rate : video?.r_frame_rate),
    hasAudio: audio !== undefined,
  };
  if (video?.codec_name) facts.videoCodec = video.codec_name;
  if (audio?.codec_name) facts.audioCodec = audio.codec_name;
  return facts;
}

let drawTextAvailable: Promise<boolean> | undefined;

/** True when this ffmpeg was built with libfreetype (the drawtext filter). */
function hasDrawText(): Promise<boolean> {
  drawTextAvailable ??= runMediaTool('ffmpeg', ['-hide_banner', '-filters'])
    .then((r) => /\sdrawtext\s/.test(r.stdout))
    .catch(() => {
      drawTextAvailable = undefined; // ask again next time (ffmpeg may be missing right now)
      return false;
    });
  return drawTextAvailable;
}

async function drawTextFilter(label: string | undefined, height: number): Promise<string | undefined> {
  const font = FONT_CANDIDATES.find((f) => existsSync(f));
  if (!font || !(await hasDrawText())) return undefined;
  // drawtext escaping: ':' separates options and '\' escapes inside the text expansion.
  const safeLabel = (label ?? '').replace(/[^A-Za-z0-9 _.-]/g, '');
  const text = `${safeLabel ? safeLabel + ' ' : ''}%{pts\\:hms} f%{n}`;
  const size = Math.max(12, Math.round(height / 12));
  return `drawtext=fontfile=${font}:text='${text}':x=8:y=8:fontsize=${size}:fontcolor=white:box=1:boxcolor=black@0.6`;
}

async function makeClip(kind: 'sample' | 'ad', options: ClipOptions): Promise<Clip> {
  const width = options.width ?? 640;
  const height = options.height ?? 360;
  const durationSeconds = options.durationSeconds ?? 10;
  const fps = options.fps ?? 25;
  const audio = options.audio ?? true;
  const frequencyHz = options.audioFrequencyHz ?? (kind === 'ad' ? 440 : 1000);
  const gop = Math.max(1, Math.round(fps * (options.keyframeIntervalSeconds ?? 1)));
  if (width % 2 || height % 2 || width <= 0 || height <= 0) {
    throw new TestkitError('BAD_OPTIONS', `clip size must be positive and even, got ${width}x${height}`);
  }
  if (!(durationSeconds > 0) || !(fps > 0))
    throw new TestkitError('BAD_OPTIONS', 'durationSeconds and fps must be > 0');
  const path =
    options.path ?? join(mkdtempSync(join(tmpdir(), 'meridian-clip-')), kind === 'ad' ? 'ad.mp4' : 'clip.mp4');
  mkdirSync(dirname(path), { recursive: true });

  // testsrc2 already shows a moving pattern and a frame counter; smptebars is unmistakably "not the show".
  const source = kind === 'ad' ? 'smptebars' : 'testsrc2';
  const args = ['-f', 'lavfi', '-i', `${source}=size=${width}x${height}:rate=${fps}:duration=${durationSeconds}`];
  if (audio) {
    args.push('-f', 'lavfi', '-i', `sine=frequency=${frequencyHz}:sample_rate=48000:duration=${durationSeconds}`);
  }
  const text = await drawTextFilter(options.label ?? (kind === 'ad' ? 'AD' : undefined), height);
  if (text) args.push('-vf', text);
  args.push(
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-profile:v',
    'main',
    '-g',
    String(gop),
    '-keyint_min',
    String(gop),
    '-sc_threshold',
    '0',
  );
  if (audio) args.push('-c:a', 'aac', '-b:a', '96k', '-ac', '2', '-shortest');
  args.push('-movflags', '+faststart', path);
  await ffmpeg(args, `make a ${kind} clip`);
  return { path, ...(await probeMedia(path)) };
}

/**
 * Generates a test clip (testsrc2 pattern with a frame counter, a 1 kHz tone) with ffmpeg.
 * @example
 * const clip = await makeSampleClip({ durationSeconds: 6, width: 320, height: 180 });
 * clip.path; // …/clip.mp4, clip.durationSeconds ≈ 6
 */
export function makeSampleClip(options: ClipOptions = {}): Promise<Clip> {
  return makeClip('sample', options);
}

/**
 * Generates an ad clip that looks and sounds different from the sample (SMPTE bars, a 440 Hz tone, an `AD` label).
 * @example
 * const ad = await makeAdClip({ durationSeconds: 4 });
 */
export function makeAdClip(options: ClipOptions = {}): Promise<Clip> {
  return makeClip('ad', options);
}

/** One rendition of an HLS ladder made by {@link packageHls}. */
export interface HlsRenditionSpec {
  /** Output height in pixels (width follows the aspect ratio); default the input's. */
  height?: number;
  /** Video bit rate in kilobits per second; default 500. */
  videoKbps?: number;
}

/** Options for {@link packageHls}. */
export interface PackageHlsOptions {
  /** Output directory; default a fresh temp directory. */
  outDir?: string;
  /** Target segment duration in seconds (`-hls_time`); default 2. */
  segmentSeconds?: number;
  /** Renditions, best first; default one at the input's size. */
  renditions?: HlsRenditionSpec[];
  /** `fmp4` (init + .m4s, the default) or `mpegts` (.ts). */
  segmentType?: 'fmp4' | 'mpegts';
}

/** An HLS VOD ladder on disk. */
export interface HlsLadder {
  /** The output directory. */
  dir: string;
  /** Absolute path of master.m3u8. */
  masterPath: string;
  /** Media playlist paths relative to `dir`, one per rendition, in ladder order. */
  mediaPlaylists: string[];
}

/**
 * Packages a clip as an HLS VOD ladder with plain ffmpeg (`-f hls`): master.m3u8 and one folder per rendition.
 * @example
 * const ladder = await packageHls(clip.path, { segmentSeconds: 2, renditions: [{ height: 360 }, { height: 180, videoKbps: 200 }] });
 * ladder.masterPath; // …/master.m3u8
 */
export async function packageHls(input: string, options: PackageHlsOptions = {}): Promise<HlsLadder> {
  const dir = options.outDir ?? mkdtempSync(join(tmpdir(), 'meridian-hls-'));
  mkdirSync(dir, { recursive: true });
  const facts = await probeMedia(input);
  const renditions = options.renditions?.length ? options.renditions : [{}];
  const segmentType = options.segmentType ?? 'fmp4';
  const gop = Math.max(1, Math.round((facts.fps || 25) * Math.min(1, options.segmentSeconds ?? 2)));
  const n = renditions.length;
  const split = renditions.map((_, i) => `[v${i}]`).join('');
  const scales = renditions.map((r, i) => `[v${i}]scale=-2:${r.height ?? facts.height}[o${i}]`).join(';');
  const args = ['-i', input, '-filter_complex', `[0:v]split=${n}${split};${scales}`];
  for (let i = 0; i < n; i++) args.push('-map', `[o${i}]`);
  if (facts.hasAudio) for (let i = 0; i < n; i++) args.push('-map', '0:a');
  args.push('-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-profile:v', 'main');
  renditions.forEach((r, i) => args.push(`-b:v:${i}`, `${r.videoKbps ?? 500}k`));
  args.push('-g', String(gop), '-keyint_min', String(gop), '-sc_threshold', '0');
  if (facts.hasAudio) args.push('-c:a', 'aac', '-b:a', '96k', '-ac', '2');
  const ext = segmentType === 'fmp4' ? 'm4s' : 'ts';
  args.push(
    '-f',
    'hls',
    '-hls_time',
    String(options.segmentSeconds ?? 2),
    '-hls_playlist_type',
    'vod',
    '-hls_segment_type',
    segmentType,
    // As transcode-gpu cuts fMP4: each fragment's first frame presented at its decode time (players ignore edit lists).
    ...(segmentType === 'fmp4' ? ['-hls_segment_options', 'movflags=+negative_cts_offsets'] : []),
    '-hls_segment_filename',
    join(dir, `%v/seg_%03d.${ext}`),
    '-master_pl_name',
    'master.m3u8',
    '-var_stream_map',
    renditions.map((_, i) => `v:${i}${facts.hasAudio ? `,a:${i}` : ''},name:r${i}`).join(' '),
    join(dir, '%v/index.m3u8'),
  );
  await ffmpeg(args, `package ${input} as HLS`);
  return {
    dir,
    masterPath: join(dir, 'master.m3u8'),
    mediaPlaylists: renditions.map((_, i) => `r${i}/index.m3u8`),
  };
}
