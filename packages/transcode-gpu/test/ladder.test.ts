/** @module Ladder checks on a real encode: IDR-aligned 6 s segments, measured master playlist, clean decode, thumbnails. */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAssetManifest, type AssetManifest } from '@meridian/manifest-core';
import { transcode, type TranscodeEvent } from '../src/index.ts';
import {
  decodeErrors,
  ffprobeJson,
  firstSliceNalType,
  fragmentTiming,
  frameCount,
  keyframeTimes,
  makeSource,
  measuredAverageBps,
  measuredPeakBps,
  readMaster,
  readMedia,
} from './helpers.ts';

const FPS = 30;
const SECONDS = 12;
let dir: string;
let out: string;
let asset: AssetManifest;
const events: TranscodeEvent[] = [];
const rungs = ['180p', '240p', '360p'];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tx-ladder-'));
  const src = await makeSource(join(dir, 'src.mp4'), { seconds: SECONDS, size: '640x360', rate: FPS });
  out = join(dir, 'out');
  const result = await transcode({
    input: src,
    output: out,
    // 480p is taller than the 360p source and must be dropped.
    ladder: [
      { height: 180, bitrateBps: 300_000 },
      { height: 240, bitrateBps: 500_000 },
      { height: 360, bitrateBps: 800_000 },
      { height: 480, bitrateBps: 1_500_000 },
    ],
    encoder: 'auto',
    cpuPreset: 'veryfast',
    audio: { language: 'en' },
    thumbnails: {
      intervalSeconds: 4,
      sizes: [
        { name: 'small', width: 96 },
        { name: 'medium', width: 160 },
        { name: 'large', width: 320 },
      ],
      spriteTileWidth: 64,
      spriteColumns: 2,
    },
    onEvent: (e) => events.push(e),
  });
  asset = result.asset;
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('one-pass ladder on this CPU-only host', () => {
  it('falls back from NVENC to libx264 after a real test encode, and records why', () => {
    expect(asset.encoder?.kind).toBe('cpu');
    expect(asset.encoder?.name).toBe('libx264');
    expect(asset.encoder?.fallbackReason).toBeTruthy();
    expect(events.find((e) => e.type === 'encoder')).toMatchObject({ kind: 'cpu' });
  });

  it('never upscales: only rungs up to the source height exist, even-sized with square pixels and the source frame rate', async () => {
    expect(asset.renditions.map((r) => r.name)).toEqual(rungs);
    expect(readdirSync(out).sort()).toEqual(['180p', '240p', '360p', 'asset.json', 'audio', 'master.m3u8', 'thumbs']);
    for (const name of rungs) {
      const json = (await ffprobeJson([
        '-select_streams',
        'v:0',
        '-show_entries',
        'stream=width,height,sample_aspect_ratio,r_frame_rate,profile,pix_fmt',
        join(out, name, 'index.m3u8'),
      ])) as {
        streams: Array<{
          width: number;
          height: number;
          sample_aspect_ratio?: string;
          r_frame_rate: string;
          profile: string;
          pix_fmt: string;
        }>;
      };
      const s = json.streams[0];
      expect(s?.height).toBe(Number.parseInt(name, 10));
      expect((s?.width ?? 1) % 2).toBe(0);
      expect(s?.sample_aspect_ratio ?? '1:1').toBe('1:1');
      expect(s?.r_frame_rate).toBe('30/1');
      expect(s?.profile).toBe('High');
      expect(s?.pix_fmt).toBe('yuv420p');
    }
  });

  it('cuts 6 s segments with the same EXTINF sequence in every rung, each ≤ 6.5 s, summing to the source duration within a frame', () => {
    const lists = rungs.map((r) => readMedia(join(out, r, 'index.m3u8')));
    const first = lists[0]!;
    expect(first.segments.length).toBe(2);
    for (const l of lists) {
      expect(l.targetDuration).toBe(6);
      expect(l.text).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
      expect(l.text).toContain('#EXT-X-ENDLIST');
      expect(l.map).toBeDefined();
      expect(l.segments.map((s) => s.duration)).toEqual(first.segments.map((s) => s.duration));
      for (const s of l.segments) expect(s.duration).toBeLessThanOrEqual(6.5);
      const total = l.segments.reduce((a, s) => a + s.duration, 0);
      expect(Math.abs(total - SECONDS)).toBeLessThanOrEqual(1 / FPS);
    }
  });

  it('puts keyframes every 2 s at identical times in every rung, and starts every segment with an IDR', async () => {
    const times = await Promise.all(rungs.map((r) => keyframeTimes(join(out, r, 'index.m3u8'))));
    expect(times[0]!.length).toBe(SECONDS / 2);
    for (const t of times) expect(t).toEqual(times[0]);
    const gaps = times[0]!.slice(1).map((t, i) => t - times[0]![i]!);
    for (const g of gaps) expect(g).toBeCloseTo(2, 3);
    for (const r of rungs) {
      const media = readMedia(join(out, r, 'index.m3u8'));
      for (const s of media.segments)
        expect(firstSliceNalType(readFileSync(join(out, r, s.uri)), 'h264'), `${r}/${s.uri}`).toBe(5);
    }
  });

  it("presents every segment's first frame at its decode time (CMAF negative composition offsets), so stitched ads leave no buffer holes", () => {
    for (const r of rungs) {
      const media = readMedia(join(out, r, 'index.m3u8'));
      const timings = media.segments.map((s) => fragmentTiming(readFileSync(join(out, r, s.uri))));
      // B-frames are on (offsets vary later in the fragment) yet the first sample is shown when decoded.
      for (const t of timings) expect(t.firstCompositionOffset, r).toBe(0);
      expect(timings[0]!.baseMediaDecodeTime, r).toBe(0);
    }
  });

  it('writes a master with measured BANDWIDTH ≥ peak and within 10 %, AVERAGE-BANDWIDTH, CODECS, RESOLUTION, FRAME-RATE and the audio group', () => {
    const master = readMaster(join(out, 'master.m3u8'));
    expect(master.text).toContain('#EXT-X-INDEPENDENT-SEGMENTS');
    expect(master.media).toHaveLength(1);
    expect(master.media[0]?.TYPE).toBe('AUDIO');
    const audioMedia = master.media[0]!;
    expect(audioMedia.LANGUAGE).toBe('en');
    expect(audioMedia.NAME).toBe('en');
    expect(audioMedia.DEFAULT).toBe('YES');
    const audioDir = join(out, 'audio');
    const audioList = readMedia(join(audioDir, 'index.m3u8'));
    const audioPeak = measuredPeakBps(audioDir, audioList);
    const audioAvg = measuredAverageBps(audioDir, audioList);
    // Apple HLS Authoring Spec 1.32: playback starts at the first variant, the one nearest 2 Mb/s; the rest ascend.
    const bandwidths = master.variants.map((v) => Number(v.attrs.BANDWIDTH));
    const nearest = Math.min(...bandwidths.map((b) => Math.abs(b - 2_000_000)));
    expect(Math.abs(bandwidths[0]! - 2_000_000)).toBe(nearest);
    expect(bandwidths.slice(1)).toEqual([...bandwidths.slice(1)].sort((a, b) => a - b));
    expect(master.variants.map((v) => v.uri).sort()).toEqual(rungs.map((r) => `${r}/index.m3u8`));
    for (const v of master.variants) {
      const name = v.uri.split('/')[0]!;
      const media = readMedia(join(out, v.uri));
      const peak = measuredPeakBps(join(out, name), media) + audioPeak;
      const avg = measuredAverageBps(join(out, name), media) + audioAvg;
      const bandwidth = Number(v.attrs.BANDWIDTH);
      expect(bandwidth).toBeGreaterThanOrEqual(peak);
      expect(bandwidth).toBeLessThanOrEqual(peak * 1.1);
      expect(Math.abs(Number(v.attrs['AVERAGE-BANDWIDTH']) - avg) / avg).toBeLessThan(0.1);
      expect(peak).toBeLessThanOrEqual(2 * avg); // Apple HLS Authoring Spec 1.30
      expect(v.attrs.CODECS).toMatch(/^avc1\.6400[0-9a-f]{2},mp4a\.40\.2$/);
      expect(v.attrs.RESOLUTION).toMatch(/^\d+x\d+$/);
      expect(Number(v.attrs['FRAME-RATE'])).toBe(30);
      expect(v.attrs.AUDIO).toBe(audioMedia['GROUP-ID']);
    }
    // No audio-only STREAM-INF in a video master (Apple HLS Authoring Spec 9.20).
    expect(master.variants.some((v) => v.uri.startsWith('audio/'))).toBe(false);
  });

  it('reports the level the stream really carries in CODECS', async () => {
    const json = (await ffprobeJson([
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=level',
      join(out, '360p', 'index.m3u8'),
    ])) as { streams: Array<{ level: number }> };
    const level = json.streams[0]!.level;
    const codecs = readMaster(join(out, 'master.m3u8')).variants.find((v) => v.uri === '360p/index.m3u8')!.attrs
      .CODECS!;
    expect(codecs.slice(0, 11)).toBe(`avc1.6400${level.toString(16).padStart(2, '0')}`);
  });

  it('decodes every rung and the audio with ffmpeg -v error printing nothing, with every source frame present', async () => {
    for (const r of [...rungs, 'audio']) expect(await decodeErrors(join(out, r, 'index.m3u8')), r).toBe('');
    expect(await frameCount(join(out, '240p', 'index.m3u8'))).toBe(SECONDS * FPS);
  });

  it('writes asset.json that parses, with measured bandwidths, segment counts, locations and a completion marker per rendition', () => {
    const parsed = parseAssetManifest(JSON.parse(readFileSync(join(out, 'asset.json'), 'utf8')));
    expect(parsed).toEqual(asset);
    expect(parsed.status).toBe('ready');
    expect(parsed.durationSeconds).toBeCloseTo(SECONDS, 1);
    expect(parsed.audio).toMatchObject({ codecs: 'mp4a.40.2', language: 'en', channels: 2 });
    for (const r of parsed.renditions) {
      expect(r.segmentCount).toBe(2);
      expect(r.locations).toEqual([out]);
      const marker = JSON.parse(readFileSync(join(out, r.name, '_complete.json'), 'utf8')) as {
        files: Array<{ key: string; bytes: number; sha256: string }>;
      };
      expect(marker.files.map((f) => f.key)).toContain(`${r.name}/index.m3u8`);
      for (const f of marker.files) expect(readFileSync(join(out, f.key)).length).toBe(f.bytes);
    }
  });

  it('writes thumbnails in three sizes from keyframes at the interval, and a sprite with a WebVTT index', async () => {
    const t = asset.thumbnails!;
    expect(t.sizes.map((s) => `${s.name}:${s.width}x${s.height}:${s.count}`)).toEqual([
      'small:96x54:3',
      'medium:160x90:3',
      'large:320x180:3',
    ]);
    for (const s of t.sizes) {
      const files = readdirSync(join(out, 'thumbs', s.name)).sort();
      expect(files).toEqual(['0001.jpg', '0002.jpg', '0003.jpg']);
      const json = (await ffprobeJson([
        '-show_entries',
        'stream=width,height',
        join(out, 'thumbs', s.name, '0002.jpg'),
      ])) as { streams: Array<{ width: number; height: number }> };
      expect(json.streams[0]).toEqual({ width: s.width, height: s.height });
    }
    const sprite = (await ffprobeJson(['-show_entries', 'stream=width,height', join(out, 'thumbs', 'sprite.jpg')])) as {
      streams: Array<{ width: number; height: number }>;
    };
    expect(sprite.streams[0]).toEqual({ width: 128, height: 72 }); // 2 columns × 2 rows of 64×36
    const vtt = readFileSync(join(out, 'thumbs', 'sprite.vtt'), 'utf8');
    expect(vtt.startsWith('WEBVTT')).toBe(true);
    expect(vtt).toContain('00:00:08.000 --> 00:00:12.000\nsprite.jpg#xywh=0,36,64,36');
  });

  it('reports progress from -progress with out_time in seconds, ending at 1', () => {
    const progress = events.filter((e): e is Extract<TranscodeEvent, { type: 'progress' }> => e.type === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)!.fraction).toBe(1);
    for (const p of progress) expect(p.outTimeSeconds).toBeLessThanOrEqual(SECONDS + 0.1);
  });
});
