/** @module Unit tests of ladder planning: never upscale, even square-pixel sizes, levels, `--ladder` parsing. */
import { describe, expect, it } from 'vitest';
import { isTranscodeError } from './errors.ts';
import { DEFAULT_LADDER, h264Level, hevcLevel, parseLadder, planLadder } from './ladder.ts';

describe('planLadder', () => {
  it('drops rungs taller than the source and keeps the aspect ratio with even widths', () => {
    const rungs = planLadder(
      { width: 1280, height: 720, sarNum: 1, sarDen: 1, frameRate: { num: 30, den: 1 } },
      DEFAULT_LADDER,
      'h264',
    );
    expect(rungs.map((r) => `${r.name}:${r.width}x${r.height}`)).toEqual([
      '240p:426x240',
      '480p:854x480',
      '720p:1280x720',
    ]);
    for (const r of rungs) expect(r.width % 2).toBe(0);
  });

  it('turns anamorphic pixels square', () => {
    // 720x576 with SAR 16:15 displays as 768x576 (4:3).
    const [r] = planLadder(
      { width: 720, height: 576, sarNum: 16, sarDen: 15, frameRate: { num: 25, den: 1 } },
      [{ height: 480, bitrateBps: 1_500_000 }],
      'h264',
    );
    expect(r).toMatchObject({ width: 640, height: 480 });
  });

  it('makes one rung at the source height when every rung is taller', () => {
    const rungs = planLadder(
      { width: 256, height: 144, sarNum: 1, sarDen: 1, frameRate: { num: 30, den: 1 } },
      DEFAULT_LADDER,
      'h264',
    );
    expect(rungs).toHaveLength(1);
    expect(rungs[0]).toMatchObject({ height: 144, width: 256, bitrateBps: 500_000 });
  });

  it('picks levels that fit frame size, rate and peak bitrate', () => {
    expect(h264Level(854, 480, 30, 1_800_000)).toBe('3.1');
    expect(h264Level(1920, 1080, 30, 6_000_000)).toBe('4.0');
    expect(h264Level(1920, 1080, 60, 6_000_000)).toBe('4.2');
    expect(h264Level(3840, 2160, 30, 18_000_000)).toBe('5.1');
    expect(hevcLevel(3840, 2160, 30, 18_000_000)).toBe('5.0');
    expect(hevcLevel(3840, 2160, 60, 18_000_000)).toBe('5.1');
  });
});

describe('parseLadder', () => {
  it('reads height:bitrate lists with k/M units and names', () => {
    expect(parseLadder('240:500k, 720:3M,hd=1080:5.5M')).toEqual([
      { height: 240, bitrateBps: 500_000 },
      { height: 720, bitrateBps: 3_000_000 },
      { height: 1080, bitrateBps: 5_500_000, name: 'hd' },
    ]);
  });

  it('rejects odd heights, junk and duplicate names with INVALID_OPTIONS', () => {
    for (const bad of ['241:500k', '720', 'abc', '720:3M,720:4M', '']) {
      let err: unknown;
      try {
        parseLadder(bad);
      } catch (e) {
        err = e;
      }
      expect(isTranscodeError(err) && err.code, bad).toBe('INVALID_OPTIONS');
    }
  });
});
