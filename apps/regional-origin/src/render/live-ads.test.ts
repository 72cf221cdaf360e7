/** @module Unit tests of the live SSAI record (stored JSON read back, the more advanced of two copies) and the reference alignment of rendition windows. */
import { describe, expect, it } from 'vitest';
import { parseMediaPlaylist, type MediaPlaylist } from '@meridian/manifest-core';
import {
  alignToReference,
  createLiveAdsRecord,
  newerLiveAdsRecord,
  parseLiveAdsRecord,
  type LiveAdsRecord,
} from './live-ads.ts';

const windowOf = (first: number, count: number): MediaPlaylist =>
  parseMediaPlaylist(
    [
      '#EXTM3U',
      '#EXT-X-TARGETDURATION:4',
      `#EXT-X-MEDIA-SEQUENCE:${first}`,
      ...Array.from(
        { length: count },
        (_, i) =>
          `#EXT-X-PROGRAM-DATE-TIME:${new Date(Date.UTC(2026, 0, 1) + (first + i) * 4000).toISOString()}\n#EXTINF:4.0,\ns${first + i}.ts`,
      ),
      '',
    ].join('\n'),
  ).playlist;

const record = (edgeMsn: number, decisions: number): LiveAdsRecord => ({
  v: 1,
  state: {
    ...createLiveAdsRecord().state,
    edgeMsn,
    decisions: Array.from({ length: decisions }, (_, i) => ({
      id: `cue-${i * 10}`,
      fill: 'content' as const,
      cause: 'ad' as const,
      startMsn: i * 10,
      ads: [],
    })),
  },
  ads: {},
});

describe('live ads record', () => {
  it('reads back what it stored, and refuses anything else without throwing', () => {
    const stored: LiveAdsRecord = {
      ...record(12, 1),
      ads: {
        'cue-0': [
          {
            adId: 'a1',
            creativeId: 'c1',
            uri: 'http://cdn/vod/ad-1/master.m3u8',
            durationSeconds: 6,
            impressions: ['http://b/imp'],
            tracking: [],
          },
        ],
      },
    };
    expect(parseLiveAdsRecord(JSON.stringify(stored))).toEqual(stored);
    for (const bad of [
      'not json',
      'null',
      '{"v":2}',
      JSON.stringify({ ...stored, ads: { x: [{ adId: 1 }] } }),
      JSON.stringify({ ...stored, state: { v: 1 } }),
    ]) {
      expect(parseLiveAdsRecord(bad), bad).toBeUndefined();
    }
    expect(parseLiveAdsRecord(undefined)).toBeUndefined();
  });

  it('prefers the copy that has seen the newer origin window, then the one with more decisions', () => {
    const older = record(10, 3);
    const newer = record(11, 1);
    expect(newerLiveAdsRecord(older, newer)).toBe(newer);
    expect(newerLiveAdsRecord(newer, older)).toBe(newer);
    const more = record(11, 2);
    expect(newerLiveAdsRecord(newer, more)).toBe(more);
    expect(newerLiveAdsRecord(undefined, older)).toBe(older);
    expect(newerLiveAdsRecord(undefined, undefined)).toBeUndefined();
  });
});

describe('alignToReference', () => {
  it('cuts a rendition that is ahead of the reference back to its newest segment, and leaves others as they are', () => {
    const reference = windowOf(100, 5);
    const ahead = alignToReference(windowOf(101, 5), reference);
    expect(ahead.mediaSequence).toBe(101);
    expect(ahead.segments.map((s) => s.uri)).toEqual(['s101.ts', 's102.ts', 's103.ts', 's104.ts']);
    const behind = windowOf(99, 5);
    expect(alignToReference(behind, reference)).toBe(behind);
    expect(alignToReference(reference, reference)).toBe(reference);
    // A window entirely newer than the reference is served as it is rather than emptied.
    const far = windowOf(200, 5);
    expect(alignToReference(far, reference)).toBe(far);
  });
});
