/** @module Unit tests of playlist reading, RFC 8216bis peak measurement and RFC 6381 codec strings. */
import { describe, expect, it } from 'vitest';
import { measureBandwidth, readMediaPlaylist, videoCodecString } from './media.ts';

describe('measureBandwidth', () => {
  it('takes the peak over runs of 0.5–1.5 target durations, so a tiny tail segment cannot dominate', () => {
    const m = measureBandwidth(
      [
        { bytes: 75_000, durationSeconds: 6 }, // 100 kb/s
        { bytes: 150_000, durationSeconds: 6 }, // 200 kb/s
        { bytes: 2_000, durationSeconds: 0.02 }, // 800 kb/s alone, but too short to count
      ],
      6,
    );
    expect(m.peakBps).toBe(Math.ceil((152_000 * 8) / 6.02));
    expect(m.averageBps).toBe(Math.ceil((227_000 * 8) / 12.02));
  });
});

describe('readMediaPlaylist', () => {
  it('reads EXT-X-MAP, EXTINF and ENDLIST', () => {
    const p = readMediaPlaylist(
      '#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXT-X-MAP:URI="init_0.mp4"\n#EXTINF:6.006,\nseg_00000.m4s\n#EXTINF:2.5,\nseg_00001.m4s\n#EXT-X-ENDLIST\n',
    );
    expect(p).toEqual({
      targetDurationSeconds: 6,
      mapUri: 'init_0.mp4',
      ended: true,
      segments: [
        { uri: 'seg_00000.m4s', durationSeconds: 6.006 },
        { uri: 'seg_00001.m4s', durationSeconds: 2.5 },
      ],
    });
  });
});

describe('videoCodecString', () => {
  const box = (type: string, body: number[]): number[] => {
    const size = 8 + body.length;
    return [
      size >> 24,
      (size >> 16) & 255,
      (size >> 8) & 255,
      size & 255,
      ...[...type].map((c) => c.charCodeAt(0)),
      ...body,
    ];
  };
  it('reads avc1.PPCCLL from avcC', () => {
    expect(videoCodecString(Uint8Array.from(box('avcC', [1, 0x64, 0x00, 0x1f, 0xff])))).toBe('avc1.64001f');
  });
  it('reads hvc1 with reversed compatibility flags from hvcC (ISO/IEC 14496-15 E.3)', () => {
    // Main profile, Main tier, compat flags 0x60000000, constraints 0xB0, level 93 (3.1).
    const hvcc = [1, 0x01, 0x60, 0, 0, 0, 0xb0, 0, 0, 0, 0, 0, 93];
    expect(videoCodecString(Uint8Array.from(box('hvcC', hvcc)))).toBe('hvc1.1.6.L93.B0');
  });
  it('reads the first SPS of an MPEG-TS segment', () => {
    expect(
      videoCodecString(Uint8Array.from([0x47, 0, 0, 0, 1, 0x09, 0xf0, 0, 0, 0, 1, 0x67, 0x64, 0x00, 0x1e, 0xac])),
    ).toBe('avc1.64001e');
  });
});
