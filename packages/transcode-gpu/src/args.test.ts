/** @module Unit tests of buildLadderArgs: the NVENC and CPU graphs, codecs, containers, audio shapes. */
import { describe, expect, it } from 'vitest';
import { buildLadderArgs, type LadderArgsOptions } from './args.ts';
import { isTranscodeError } from './errors.ts';
import { planLadder, DEFAULT_LADDER } from './ladder.ts';

const source = { width: 1920, height: 1080, sarNum: 1, sarDen: 1, frameRate: { num: 30000, den: 1001 } };
const base = (over: Partial<LadderArgsOptions> = {}): LadderArgsOptions => ({
  input: 'in.mp4',
  outDir: '/work',
  rungs: planLadder(source, DEFAULT_LADDER, over.codec ?? 'h264'),
  audio: { language: 'en' },
  codec: 'h264',
  container: 'fmp4',
  encoder: 'cpu',
  frameRate: source.frameRate,
  ...over,
});
const valueOf = (args: string[], flag: string): string | undefined =>
  args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined;

describe('buildLadderArgs', () => {
  it('builds the NVENC graph: CUDA decode, split, scale_cuda per rung, forced IDR every 2 s', () => {
    const args = buildLadderArgs(base({ encoder: 'nvenc' }));
    const joined = args.join(' ');
    expect(joined).toContain('-hwaccel cuda -hwaccel_output_format cuda -i in.mp4');
    expect(valueOf(args, '-filter_complex')).toBe(
      '[0:v:0]split=4[s0][s1][s2][s3];[s0]scale_cuda=426:240:format=nv12,setsar=1[v0];[s1]scale_cuda=854:480:format=nv12,setsar=1[v1];' +
        '[s2]scale_cuda=1280:720:format=nv12,setsar=1[v2];[s3]scale_cuda=1920:1080:format=nv12,setsar=1[v3]',
    );
    expect(valueOf(args, '-c:v')).toBe('h264_nvenc');
    expect(valueOf(args, '-forced-idr')).toBe('1');
    expect(valueOf(args, '-no-scenecut')).toBe('1');
    expect(valueOf(args, '-rc')).toBe('vbr');
    expect(valueOf(args, '-preset')).toBe('p5');
    expect(valueOf(args, '-force_key_frames')).toBe('expr:gte(t,n_forced*2)');
    expect(valueOf(args, '-g')).toBe('60'); // 29.97 fps × 2 s
    expect(valueOf(args, '-profile:v')).toBe('high');
    // Per-rung rate control and level.
    expect(valueOf(args, '-b:v:0')).toBe('500000');
    expect(valueOf(args, '-maxrate:v:0')).toBe('600000');
    expect(valueOf(args, '-bufsize:v:0')).toBe('1000000');
    expect(valueOf(args, '-b:v:3')).toBe('5000000');
    expect(valueOf(args, '-level:v:3')).toBe('4.0');
    expect(args).not.toContain('libx264');
  });

  it('builds the HEVC NVENC graph tagged hvc1', () => {
    const args = buildLadderArgs(base({ encoder: 'nvenc', codec: 'hevc' }));
    expect(valueOf(args, '-c:v')).toBe('hevc_nvenc');
    expect(valueOf(args, '-tag:v')).toBe('hvc1');
    expect(valueOf(args, '-profile:v')).toBe('main');
  });

  it('builds the CPU graph with closed GOPs and no scene-cut keyframes', () => {
    const args = buildLadderArgs(base({ cpuPreset: 'ultrafast' }));
    expect(args).not.toContain('-hwaccel');
    expect(valueOf(args, '-filter_complex')).toContain('[s0]scale=426:240:flags=bicubic,setsar=1,format=yuv420p[v0]');
    expect(valueOf(args, '-c:v')).toBe('libx264');
    expect(valueOf(args, '-preset')).toBe('ultrafast');
    expect(valueOf(args, '-x264-params')).toBe('keyint=60:min-keyint=60:scenecut=0:open-gop=0');
    expect(valueOf(args, '-forced-idr')).toBeUndefined();
  });

  it('writes 6 s fMP4 HLS with one audio group carrying the language', () => {
    const args = buildLadderArgs(base());
    expect(valueOf(args, '-hls_time')).toBe('6');
    expect(valueOf(args, '-hls_segment_type')).toBe('fmp4');
    expect(valueOf(args, '-hls_segment_options')).toBe('movflags=+negative_cts_offsets');
    expect(valueOf(args, '-hls_segment_filename')).toBe('/work/%v/seg_%05d.m4s');
    expect(valueOf(args, '-var_stream_map')).toBe(
      'v:0,agroup:aud,name:240p v:1,agroup:aud,name:480p v:2,agroup:aud,name:720p v:3,agroup:aud,name:1080p a:0,agroup:aud,name:audio,default:yes,language:en',
    );
    expect(args.join(' ')).toContain('-map 0:a:0 -c:v');
    expect(valueOf(args, '-c:a')).toBe('aac');
    expect(valueOf(args, '-ac')).toBe('2');
    expect(args[args.length - 1]).toBe('/work/%v/index.m3u8');
  });

  it('handles no audio, audio only, MPEG-TS and a resumed subset of rungs', () => {
    const silent = buildLadderArgs(base({ audio: null }));
    expect(silent).not.toContain('0:a:0');
    expect(valueOf(silent, '-var_stream_map')).toBe('v:0,name:240p v:1,name:480p v:2,name:720p v:3,name:1080p');
    const audioOnly = buildLadderArgs(base({ rungs: [], encoder: 'nvenc' }));
    expect(audioOnly).not.toContain('-filter_complex');
    expect(audioOnly).not.toContain('-hwaccel');
    expect(valueOf(audioOnly, '-var_stream_map')).toBe('a:0,name:audio');
    const ts = buildLadderArgs(base({ container: 'ts' }));
    expect(valueOf(ts, '-hls_segment_type')).toBe('mpegts');
    expect(valueOf(ts, '-hls_segment_options')).toBeUndefined();
    expect(valueOf(ts, '-hls_segment_filename')).toBe('/work/%v/seg_%05d.ts');
    const subset = buildLadderArgs(base({ rungs: planLadder(source, DEFAULT_LADDER, 'h264').slice(2) }));
    expect(valueOf(subset, '-filter_complex')).toMatch(/^\[0:v:0\]split=2\[s0\]\[s1\];\[s0\]scale=1280:720/);
    // Same keyframe expression whatever the subset: that is what keeps resumed rungs aligned.
    expect(valueOf(subset, '-force_key_frames')).toBe('expr:gte(t,n_forced*2)');
  });

  it('refuses HEVC in MPEG-TS and segments that are not a multiple of the keyframe interval', () => {
    const attempt = (o: Partial<LadderArgsOptions>): unknown => {
      try {
        buildLadderArgs(base(o));
      } catch (err) {
        return err;
      }
      return undefined;
    };
    const hevcTs = attempt({ codec: 'hevc', container: 'ts' });
    expect(isTranscodeError(hevcTs) && hevcTs.code).toBe('INVALID_OPTIONS');
    const odd = attempt({ segmentSeconds: 5 });
    expect(isTranscodeError(odd) && odd.code).toBe('INVALID_OPTIONS');
  });
});
