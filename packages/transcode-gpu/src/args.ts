/** @module buildLadderArgs: the one-pass ffmpeg command line (decode once, split, scale N ways, HLS out) for NVENC or CPU. */
import { TranscodeError } from './errors.ts';
import type { Container, FrameRate, Rung, VideoCodec } from './ladder.ts';
import { fps } from './ladder.ts';

/** Which encoder family runs: NVIDIA NVENC on the GPU, or libx264/libx265 on the CPU. */
export type EncoderKind = 'nvenc' | 'cpu';

/** The audio rendition: one AAC-LC stereo group (Apple HLS Authoring Spec 9.5). */
export interface AudioOutput {
  /** Default 128 000 b/s. */
  bitrateBps?: number;
  /** BCP 47 language for EXT-X-MEDIA LANGUAGE; default `und`. */
  language?: string;
}

/** Options for {@link buildLadderArgs}. */
export interface LadderArgsOptions {
  /** Input path or URL, handed to ffmpeg `-i`. */
  input: string;
  /** Directory ffmpeg writes into; each rendition gets `<outDir>/<name>/`. */
  outDir: string;
  /** Video rungs to encode (may be a subset on resume; may be empty for audio-only). */
  rungs: readonly Rung[];
  /** Audio rendition, or null when the source has none (or it is already complete). */
  audio: AudioOutput | null;
  codec: VideoCodec;
  container: Container;
  encoder: EncoderKind;
  /** The source frame rate, kept in every rung. */
  frameRate: FrameRate;
  /** Target segment duration, seconds; default 6 (Apple 7.5). */
  segmentSeconds?: number;
  /** Forced IDR interval, seconds; default 2 (Apple 1.13). Must divide segmentSeconds. */
  keyframeSeconds?: number;
  /** libx264/libx265 preset; default `veryfast` (tests pass `ultrafast`). */
  cpuPreset?: string;
  /** NVENC preset p1…p7; default `p5`. */
  nvencPreset?: string;
  /** ffmpeg `-threads` for the encoders; default unset (ffmpeg decides). */
  threads?: number;
}

/** File extension of media segments for a container. */
export function segmentExtension(container: Container): string {
  return container === 'fmp4' ? 'm4s' : 'ts';
}

/** The rendition name used for the audio group (its folder too). */
export const AUDIO_RENDITION = 'audio';

/** Revision of the segment layout {@link buildLadderArgs} writes; caches of transcoded output key on it. */
export const PACKAGING_REVISION = 'cmaf-negative-cts-1';

/**
 * Builds ffmpeg arguments (without the `ffmpeg` word) for the whole ladder in one process.
 * Keyframes are forced at `n × keyframeSeconds` with scene-cut off and closed GOPs, so any
 * subset of rungs encoded later lines up with the rest (research note §0.5).
 * @example
 * spawn('ffmpeg', buildLadderArgs({ input: 'in.mp4', outDir: 'work', rungs, audio: {}, codec: 'h264',
 *   container: 'fmp4', encoder: 'cpu', frameRate: { num: 30, den: 1 } }));
 */
export function buildLadderArgs(o: LadderArgsOptions): string[] {
  const segmentSeconds = o.segmentSeconds ?? 6;
  const keyframeSeconds = o.keyframeSeconds ?? 2;
  if (
    !(segmentSeconds > 0) ||
    !(keyframeSeconds > 0) ||
    Math.abs(segmentSeconds / keyframeSeconds - Math.round(segmentSeconds / keyframeSeconds)) > 1e-9
  )
    throw new TranscodeError(
      'INVALID_OPTIONS',
      `segment length ${segmentSeconds}s must be a positive multiple of the keyframe interval ${keyframeSeconds}s`,
    );
  if (o.codec === 'hevc' && o.container !== 'fmp4')
    throw new TranscodeError('INVALID_OPTIONS', 'HEVC needs fMP4 segments (Apple HLS Authoring Spec 1.5)');
  if (o.rungs.length === 0 && o.audio === null)
    throw new TranscodeError('INVALID_OPTIONS', 'nothing to encode: no rungs and no audio');

  const nvenc = o.encoder === 'nvenc';
  const gop = Math.max(1, Math.round(fps(o.frameRate) * keyframeSeconds));
  const args = [
    '-hide_banner',
    '-nostdin',
    '-y',
    '-loglevel',
    'error',
    '-nostats',
    '-progress',
    'pipe:1',
    '-stats_period',
    '1',
  ];
  // Decode on the GPU and keep frames there, so split/scale_cuda/NVENC never copy to host memory.
  if (nvenc && o.rungs.length > 0) args.push('-hwaccel', 'cuda', '-hwaccel_output_format', 'cuda');
  args.push('-i', o.input);

  const maps: string[] = [];
  if (o.rungs.length > 0) {
    const n = o.rungs.length;
    const splits = o.rungs.map((_, i) => `[s${i}]`).join('');
    const scales = o.rungs.map((r, i) =>
      nvenc
        ? `[s${i}]scale_cuda=${r.width}:${r.height}:format=nv12,setsar=1[v${i}]`
        : `[s${i}]scale=${r.width}:${r.height}:flags=bicubic,setsar=1,format=yuv420p[v${i}]`,
    );
    args.push('-filter_complex', `[0:v:0]split=${n}${splits};${scales.join(';')}`);
    o.rungs.forEach((_, i) => maps.push('-map', `[v${i}]`));
  }
  if (o.audio) maps.push('-map', '0:a:0');
  args.push(...maps);

  if (o.rungs.length > 0) {
    const forceKeyframes = `expr:gte(t,n_forced*${keyframeSeconds})`;
    if (nvenc) {
      args.push(
        '-c:v',
        o.codec === 'h264' ? 'h264_nvenc' : 'hevc_nvenc',
        '-preset',
        o.nvencPreset ?? 'p5',
        '-tune',
        'hq',
      );
      // -forced-idr 1: without it a forced frame is only intra, not IDR, and the HLS muxer
      // never cuts there (research §0.1). -no-scenecut needs lookahead on. -keyint_min is ignored by NVENC.
      args.push(
        '-rc',
        'vbr',
        '-rc-lookahead',
        '20',
        '-no-scenecut',
        '1',
        '-forced-idr',
        '1',
        '-spatial-aq',
        '1',
        '-bf',
        '3',
      );
      args.push('-g', String(gop));
    } else {
      args.push('-c:v', o.codec === 'h264' ? 'libx264' : 'libx265', '-preset', o.cpuPreset ?? 'veryfast');
      const params = `keyint=${gop}:min-keyint=${gop}:scenecut=0:open-gop=0`;
      if (o.codec === 'h264') args.push('-x264-params', params);
      args.push('-g', String(gop));
    }
    args.push('-force_key_frames', forceKeyframes);
    if (o.codec === 'h264') args.push('-profile:v', 'high');
    else args.push('-profile:v', 'main', '-tag:v', 'hvc1');
    if (o.threads) args.push('-threads', String(o.threads));
    o.rungs.forEach((r, i) => {
      args.push(
        `-b:v:${i}`,
        String(r.bitrateBps),
        `-maxrate:v:${i}`,
        String(r.maxrateBps),
        `-bufsize:v:${i}`,
        String(r.bufsizeBits),
      );
      if (nvenc || o.codec === 'h264') args.push(`-level:v:${i}`, r.level);
      else
        args.push(
          `-x265-params:v:${i}`,
          `keyint=${gop}:min-keyint=${gop}:scenecut=0:open-gop=0:level-idc=${r.level}:log-level=error`,
        );
    });
  }
  if (o.audio) {
    args.push(
      '-c:a',
      'aac',
      '-profile:a',
      'aac_low',
      '-b:a',
      String(o.audio.bitrateBps ?? 128_000),
      '-ac',
      '2',
      '-ar',
      '48000',
    );
  }

  const ext = segmentExtension(o.container);
  args.push(
    '-max_muxing_queue_size',
    '4096',
    '-f',
    'hls',
    '-hls_time',
    String(segmentSeconds),
    '-hls_playlist_type',
    'vod',
  );
  args.push('-hls_flags', 'independent_segments', '-hls_segment_type', o.container === 'fmp4' ? 'fmp4' : 'mpegts');
  if (o.container === 'fmp4') {
    args.push('-hls_fmp4_init_filename', 'init.mp4');
    // CMAF-style timing (ISO/IEC 23000-19 §7.5.13: trun v1 with negative composition offsets), so
    // each clip's first frame is presented at its first decode time. Without it B-frames push video
    // 2 frames later than the audio, which players ignoring edit lists (hls.js) turn into a buffer
    // hole at every discontinuity a stitched ad creates: stalls and a stream that never ends.
    args.push('-hls_segment_options', 'movflags=+negative_cts_offsets');
  }
  args.push('-hls_segment_filename', `${o.outDir}/%v/seg_%05d.${ext}`);
  const streams: string[] = o.rungs.map((r, i) => `v:${i},${o.audio ? 'agroup:aud,' : ''}name:${r.name}`);
  if (o.audio) {
    streams.push(
      o.rungs.length > 0
        ? `a:0,agroup:aud,name:${AUDIO_RENDITION},default:yes,language:${o.audio.language ?? 'und'}`
        : `a:0,name:${AUDIO_RENDITION}`,
    );
  }
  args.push('-var_stream_map', streams.join(' '), `${o.outDir}/%v/index.m3u8`);
  return args;
}
