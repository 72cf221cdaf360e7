/** @module The bitrate ladder: defaults, parsing `--ladder`, and planning rungs for one source (never upscale). */
import { TranscodeError } from './errors.ts';

/** Video codec of every rung. HEVC is written as `hvc1` and only in fMP4 (Apple HLS Authoring Spec 1.5, 1.10). */
export type VideoCodec = 'h264' | 'hevc';

/** Segment container: fragmented MP4 (default) or MPEG-TS. */
export type Container = 'fmp4' | 'ts';

/** One requested rung: a target height and average bitrate. */
export interface RungSpec {
  /** Output height in pixels (even); width follows the source's display aspect ratio. */
  height: number;
  /** Target average video bitrate, bits per second. */
  bitrateBps: number;
  /** Rendition name and folder; default `<height>p`. */
  name?: string;
}

/** The default ladder (SPEC §4): 240p 0.5 Mb/s, 480p 1.5, 720p 3, 1080p 5, 2160p 15. */
export const DEFAULT_LADDER: readonly RungSpec[] = [
  { height: 240, bitrateBps: 500_000 },
  { height: 480, bitrateBps: 1_500_000 },
  { height: 720, bitrateBps: 3_000_000 },
  { height: 1080, bitrateBps: 5_000_000 },
  { height: 2160, bitrateBps: 15_000_000 },
];

/** A frame rate as an exact rational (30000/1001 stays exact). */
export interface FrameRate {
  num: number;
  den: number;
}

/** What the planner needs to know about the source video. */
export interface SourceVideo {
  width: number;
  height: number;
  /** Sample aspect ratio; 1:1 for square pixels. */
  sarNum: number;
  sarDen: number;
  frameRate: FrameRate;
}

/** One planned rung: exact output size, rate control and level. */
export interface Rung {
  name: string;
  width: number;
  height: number;
  bitrateBps: number;
  /** VBV maximum rate, bits per second (1.2 × average). */
  maxrateBps: number;
  /** VBV buffer size, bits (2 × average: two seconds, one GOP). */
  bufsizeBits: number;
  /** Codec level as ffmpeg's `-level` takes it, e.g. `3.1`. */
  level: string;
}

/** Parses `240:500k,480:1.5M,720:3000000` (height:bitrate[,…], optional `name=` prefix) into rung specs. */
export function parseLadder(spec: string): RungSpec[] {
  const rungs: RungSpec[] = [];
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^(?:([A-Za-z0-9_-]+)=)?(\d+)p?:(\d+(?:\.\d+)?)([kKmM]?)$/.exec(part);
    if (!m) throw new TranscodeError('INVALID_OPTIONS', `ladder entry "${part}" is not height:bitrate (e.g. 720:3M)`);
    const [, name, h = '', value = '', unit = ''] = m;
    const mult = unit.toLowerCase() === 'k' ? 1_000 : unit.toLowerCase() === 'm' ? 1_000_000 : 1;
    const rung: RungSpec = { height: Number(h), bitrateBps: Math.round(Number(value) * mult) };
    if (name) rung.name = name;
    rungs.push(rung);
  }
  validateLadder(rungs);
  return rungs;
}

/** Throws INVALID_OPTIONS unless every rung has an even height ≥ 64, a positive bitrate and a unique name. */
export function validateLadder(ladder: readonly RungSpec[]): void {
  if (ladder.length === 0) throw new TranscodeError('INVALID_OPTIONS', 'the ladder is empty');
  const names = new Set<string>();
  for (const r of ladder) {
    if (!Number.isInteger(r.height) || r.height < 64 || r.height % 2 !== 0)
      throw new TranscodeError('INVALID_OPTIONS', `rung height ${r.height} must be an even integer ≥ 64`);
    if (!Number.isFinite(r.bitrateBps) || r.bitrateBps < 50_000)
      throw new TranscodeError('INVALID_OPTIONS', `rung ${r.height}p bitrate ${r.bitrateBps} b/s is below 50 kb/s`);
    const name = rungName(r);
    if (!/^[A-Za-z0-9_-]+$/.test(name) || name === 'audio' || names.has(name))
      throw new TranscodeError('INVALID_OPTIONS', `rung name "${name}" is invalid or repeated`);
    names.add(name);
  }
}

function rungName(r: RungSpec): string {
  return r.name ?? `${r.height}p`;
}

/** Frames per second as a float. */
export function fps(rate: FrameRate): number {
  return rate.num / rate.den;
}

/**
 * Chooses the rungs for a source: rungs taller than the source are dropped (never
 * upscale); if every rung is taller, one rung at the source height (rounded down to even)
 * keeps the lowest rung's bitrate. Widths follow the display aspect ratio, rounded to even,
 * and the output has square pixels.
 */
export function planLadder(source: SourceVideo, ladder: readonly RungSpec[], codec: VideoCodec): Rung[] {
  validateLadder(ladder);
  const sorted = [...ladder].sort((a, b) => a.height - b.height);
  let kept = sorted.filter((r) => r.height <= source.height);
  if (kept.length === 0) {
    const lowest = sorted[0] as RungSpec;
    kept = [{ ...lowest, height: Math.max(2, source.height - (source.height % 2)) }];
  }
  const displayWidth = (source.width * source.sarNum) / (source.sarDen || 1);
  return kept.map((r) => {
    const width = Math.max(2, 2 * Math.round((displayWidth * r.height) / source.height / 2));
    const maxrateBps = Math.round(r.bitrateBps * 1.2);
    return {
      name: rungName(r),
      width,
      height: r.height,
      bitrateBps: r.bitrateBps,
      maxrateBps,
      bufsizeBits: r.bitrateBps * 2,
      level:
        codec === 'h264'
          ? h264Level(width, r.height, fps(source.frameRate), maxrateBps)
          : hevcLevel(width, r.height, fps(source.frameRate), maxrateBps),
    };
  });
}

// ITU-T H.264 Table A-1: MaxMBPS, MaxFS (macroblocks), MaxBR (kb/s, ×1.25 for High profile).
const H264_LEVELS: ReadonlyArray<readonly [string, number, number, number]> = [
  ['3.0', 40_500, 1_620, 10_000],
  ['3.1', 108_000, 3_600, 14_000],
  ['3.2', 216_000, 5_120, 20_000],
  ['4.0', 245_760, 8_192, 20_000],
  ['4.1', 245_760, 8_192, 50_000],
  ['4.2', 522_240, 8_704, 50_000],
  ['5.0', 589_824, 22_080, 135_000],
  ['5.1', 983_040, 36_864, 240_000],
  ['5.2', 2_073_600, 36_864, 240_000],
];

/** The lowest H.264 High-profile level that fits the frame size, frame rate and peak bitrate. */
export function h264Level(width: number, height: number, framesPerSecond: number, maxrateBps: number): string {
  const frameMbs = Math.ceil(width / 16) * Math.ceil(height / 16);
  for (const [level, maxMbps, maxFs, maxBrKbps] of H264_LEVELS) {
    if (frameMbs <= maxFs && frameMbs * framesPerSecond <= maxMbps && maxrateBps <= maxBrKbps * 1_250) return level;
  }
  return '5.2';
}

// ITU-T H.265 Table A.8 (Main tier): MaxLumaPs, MaxLumaSr (samples/s), MaxBR (kb/s).
const HEVC_LEVELS: ReadonlyArray<readonly [string, number, number, number]> = [
  ['3.0', 552_960, 16_588_800, 6_000],
  ['3.1', 983_040, 33_177_600, 10_000],
  ['4.0', 2_228_224, 66_846_720, 12_000],
  ['4.1', 2_228_224, 133_693_440, 20_000],
  ['5.0', 8_912_896, 267_386_880, 25_000],
  ['5.1', 8_912_896, 534_773_760, 40_000],
  ['5.2', 8_912_896, 1_069_547_520, 60_000],
];

/** The lowest HEVC Main-tier level that fits the frame size, luma sample rate and peak bitrate. */
export function hevcLevel(width: number, height: number, framesPerSecond: number, maxrateBps: number): string {
  const ps = width * height;
  for (const [level, maxPs, maxSr, maxBrKbps] of HEVC_LEVELS) {
    if (ps <= maxPs && ps * framesPerSecond <= maxSr && maxrateBps <= maxBrKbps * 1_000) return level;
  }
  return '6.0';
}
