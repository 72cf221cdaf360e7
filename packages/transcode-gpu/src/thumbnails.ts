/**
 * @module Thumbnails: a cheap CPU job that decodes only keyframes of an output rung
 * (`-skip_frame nokey`), writes three sizes at a fixed interval, and a scrubbing sprite
 * sheet (`tile`) with a WebVTT index of `sprite.jpg#xywh=x,y,w,h` cues.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AssetThumbnails } from '@meridian/manifest-core';
import { TranscodeError } from './errors.ts';
import { runFfmpeg } from './ffmpeg.ts';

/** One thumbnail size by width; the height follows the video's aspect ratio (even). */
export interface ThumbnailSize {
  name: string;
  width: number;
}

/** Default sizes: small 160, medium 320, large 640 pixels wide. */
export const DEFAULT_THUMBNAIL_SIZES: readonly ThumbnailSize[] = [
  { name: 'small', width: 160 },
  { name: 'medium', width: 320 },
  { name: 'large', width: 640 },
];

/** Options for {@link generateThumbnails}. */
export interface ThumbnailOptions {
  /** Seconds between thumbnails; default 10. Best as a multiple of the 2 s keyframe interval. */
  intervalSeconds?: number;
  sizes?: readonly ThumbnailSize[];
  /** Sprite tile width, pixels; default 160. Set `sprite: false` to skip the sprite. */
  spriteTileWidth?: number;
  /** Sprite columns; default 10. */
  spriteColumns?: number;
  sprite?: boolean;
}

/** Input of {@link generateThumbnails}. */
export interface GenerateThumbnailsInput extends ThumbnailOptions {
  /** A rung's media playlist (preferred: keyframes every 2 s) or any video file. */
  input: string;
  /** Local directory; files go to `<outDir>/thumbs/…`. */
  outDir: string;
  /** Width and height of the input video, for the aspect ratio. */
  videoWidth: number;
  videoHeight: number;
  durationSeconds: number;
  ffmpegPath?: string;
  signal?: AbortSignal;
}

/** What {@link generateThumbnails} produced: asset.json's thumbnails (without locations) and the file keys. */
export interface ThumbnailResult {
  info: Omit<AssetThumbnails, 'locations'>;
  /** Keys relative to `outDir`, e.g. `thumbs/small/0001.jpg`. */
  files: string[];
}

const even = (n: number): number => Math.max(2, 2 * Math.round(n / 2));

function vttTime(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

/** WebVTT index of a sprite: cue i covers [i·interval, (i+1)·interval) and points at its tile. */
export function buildSpriteVtt(o: {
  count: number;
  intervalSeconds: number;
  durationSeconds: number;
  image: string;
  tileWidth: number;
  tileHeight: number;
  columns: number;
}): string {
  const lines = ['WEBVTT', ''];
  for (let i = 0; i < o.count; i++) {
    const start = i * o.intervalSeconds;
    const end = Math.min((i + 1) * o.intervalSeconds, o.durationSeconds);
    if (end <= start) break;
    const x = (i % o.columns) * o.tileWidth;
    const y = Math.floor(i / o.columns) * o.tileHeight;
    lines.push(`${vttTime(start)} --> ${vttTime(end)}`, `${o.image}#xywh=${x},${y},${o.tileWidth},${o.tileHeight}`, '');
  }
  return lines.join('\n');
}

/** Runs the thumbnail job: one ffmpeg decoding keyframes only, writing every size and the sprite. */
export async function generateThumbnails(o: GenerateThumbnailsInput): Promise<ThumbnailResult> {
  const interval = o.intervalSeconds ?? 10;
  const sizes = o.sizes ?? DEFAULT_THUMBNAIL_SIZES;
  if (!(interval > 0) || sizes.length === 0 || sizes.some((s) => !/^[a-z0-9_-]+$/i.test(s.name) || !(s.width >= 16)))
    throw new TranscodeError('INVALID_OPTIONS', 'thumbnails need a positive interval and named sizes ≥ 16 px wide');
  const aspect = o.videoHeight / o.videoWidth;
  const dims = sizes.map((s) => ({ ...s, width: even(s.width), height: even(s.width * aspect) }));
  const withSprite = o.sprite !== false;
  const tileWidth = even(o.spriteTileWidth ?? 160);
  const tileHeight = even(tileWidth * aspect);
  const expected = Math.floor(o.durationSeconds / interval) + 1;
  const columns = Math.max(1, Math.min(o.spriteColumns ?? 10, expected));
  const rows = Math.ceil(expected / columns);

  const root = join(o.outDir, 'thumbs');
  for (const s of dims) await mkdir(join(root, s.name), { recursive: true });
  const outs = dims.length + (withSprite ? 1 : 0);
  const labels = Array.from({ length: outs }, (_, i) => `[t${i}]`);
  // Keyframes land every 2 s ± float error; a 10 ms slack keeps exact multiples selected.
  const filters = [
    `[0:v]select='isnan(prev_selected_t)+gte(t-prev_selected_t\\,${interval - 0.01})',split=${outs}${labels.join('')}`,
  ];
  dims.forEach((s, i) => filters.push(`[t${i}]scale=${s.width}:${s.height},setsar=1[o${i}]`));
  if (withSprite)
    filters.push(`[t${dims.length}]scale=${tileWidth}:${tileHeight},setsar=1,tile=${columns}x${rows}[sprite]`);
  const args = [
    '-hide_banner',
    '-nostdin',
    '-y',
    '-loglevel',
    'error',
    '-skip_frame',
    'nokey',
    '-i',
    o.input,
    '-filter_complex',
    filters.join(';'),
  ];
  dims.forEach((s, i) => args.push('-map', `[o${i}]`, '-fps_mode', 'vfr', '-q:v', '4', join(root, s.name, '%04d.jpg')));
  if (withSprite)
    args.push('-map', '[sprite]', '-fps_mode', 'vfr', '-frames:v', '1', '-q:v', '4', join(root, 'sprite.jpg'));
  const runOptions: { ffmpegPath?: string; signal?: AbortSignal } = {};
  if (o.ffmpegPath) runOptions.ffmpegPath = o.ffmpegPath;
  if (o.signal) runOptions.signal = o.signal;
  await runFfmpeg(args, runOptions);

  const files: string[] = [];
  const infoSizes: Omit<AssetThumbnails, 'locations'>['sizes'] = [];
  let count = 0;
  for (const s of dims) {
    const names = (await readdir(join(root, s.name))).filter((f) => f.endsWith('.jpg')).sort();
    count = names.length;
    files.push(...names.map((n) => `thumbs/${s.name}/${n}`));
    infoSizes.push({
      name: s.name,
      width: s.width,
      height: s.height,
      pattern: `thumbs/${s.name}/%04d.jpg`,
      count: names.length,
    });
  }
  if (count === 0) throw new TranscodeError('OUTPUT_INVALID', `no thumbnails came out of ${o.input}`);
  let sprite: Omit<AssetThumbnails, 'locations'>['sprite'] = null;
  if (withSprite) {
    const vtt = buildSpriteVtt({
      count: Math.min(count, columns * rows),
      intervalSeconds: interval,
      durationSeconds: o.durationSeconds,
      image: 'sprite.jpg',
      tileWidth,
      tileHeight,
      columns,
    });
    await writeFile(join(root, 'sprite.vtt'), vtt);
    files.push('thumbs/sprite.jpg', 'thumbs/sprite.vtt');
    sprite = { image: 'thumbs/sprite.jpg', vtt: 'thumbs/sprite.vtt', tileWidth, tileHeight, columns, rows };
  }
  return { info: { intervalSeconds: interval, sizes: infoSizes, sprite }, files };
}
