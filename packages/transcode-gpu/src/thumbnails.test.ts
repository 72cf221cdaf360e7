/** @module Unit tests of the sprite WebVTT index. */
import { describe, expect, it } from 'vitest';
import { buildSpriteVtt } from './thumbnails.ts';

describe('buildSpriteVtt', () => {
  it('points each interval at its tile, row by row, and clamps the last cue to the duration', () => {
    const vtt = buildSpriteVtt({
      count: 3,
      intervalSeconds: 10,
      durationSeconds: 25,
      image: 'sprite.jpg',
      tileWidth: 160,
      tileHeight: 90,
      columns: 2,
    });
    expect(vtt).toBe(
      [
        'WEBVTT',
        '',
        '00:00:00.000 --> 00:00:10.000',
        'sprite.jpg#xywh=0,0,160,90',
        '',
        '00:00:10.000 --> 00:00:20.000',
        'sprite.jpg#xywh=160,0,160,90',
        '',
        '00:00:20.000 --> 00:00:25.000',
        'sprite.jpg#xywh=0,90,160,90',
        '',
      ].join('\n'),
    );
  });
});
