import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeAdClip, makeSampleClip, packageHls, probeMedia } from '../src/index.ts';

describe('makeSampleClip / makeAdClip', () => {
  it('makes clips of the asked size, length, rate and audio, and the ad looks different', async () => {
    const clip = await makeSampleClip({ width: 320, height: 180, durationSeconds: 3, fps: 30 });
    expect(clip).toMatchObject({
      width: 320,
      height: 180,
      fps: 30,
      hasAudio: true,
      videoCodec: 'h264',
      audioCodec: 'aac',
    });
    expect(clip.durationSeconds).toBeGreaterThan(2.9);
    expect(clip.durationSeconds).toBeLessThan(3.2);

    const silent = await makeSampleClip({ width: 160, height: 90, durationSeconds: 1, audio: false });
    expect(silent.hasAudio).toBe(false);
    expect(silent.width).toBe(160);

    const ad = await makeAdClip({ width: 320, height: 180, durationSeconds: 2 });
    expect(ad.hasAudio).toBe(true);
    expect(ad.durationSeconds).toBeGreaterThan(1.9);
    expect(readFileSync(ad.path).equals(readFileSync(clip.path))).toBe(false);
  });

  it('rejects odd sizes with a typed error', async () => {
    await expect(makeSampleClip({ width: 321 })).rejects.toMatchObject({ code: 'BAD_OPTIONS' });
  });

  it('says plainly when ffmpeg is missing', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(makeSampleClip({ durationSeconds: 1 })).rejects.toMatchObject({
        code: 'FFMPEG_MISSING',
        message: expect.stringContaining('apt-get install ffmpeg'),
      });
    } finally {
      process.env.PATH = path;
    }
  });
});

describe('packageHls', () => {
  it('writes a two-rendition fMP4 ladder that ffprobe reads back', async () => {
    const clip = await makeSampleClip({ width: 320, height: 180, durationSeconds: 4 });
    const ladder = await packageHls(clip.path, {
      segmentSeconds: 2,
      renditions: [{ height: 180 }, { height: 90, videoKbps: 150 }],
    });
    const master = readFileSync(ladder.masterPath, 'utf8');
    expect(master).toContain('RESOLUTION=320x180');
    expect(master).toContain('RESOLUTION=160x90');
    const media = readFileSync(join(ladder.dir, ladder.mediaPlaylists[1]!), 'utf8');
    expect(media).toContain('#EXT-X-MAP:URI=');
    expect(media.match(/#EXTINF/g)?.length).toBe(2);
    const facts = await probeMedia(join(ladder.dir, ladder.mediaPlaylists[0]!));
    expect(facts.height).toBe(180);
    expect(facts.durationSeconds).toBeGreaterThan(3.5);
  });
});
