/** @module Unit tests of writeMasterPlaylist: every attribute Apple requires, the audio group, order. */
import { describe, expect, it } from 'vitest';
import { writeMasterPlaylist } from './master-playlist.ts';

describe('writeMasterPlaylist', () => {
  it('writes INDEPENDENT-SEGMENTS, the audio group with LANGUAGE and full STREAM-INF attributes, lowest first', () => {
    const text = writeMasterPlaylist({
      audio: { groupId: 'aud', name: 'English', language: 'en', uri: 'audio/index.m3u8' },
      variants: [
        { uri: '720p/index.m3u8', bandwidthBps: 3_400_000.2, averageBandwidthBps: 3_100_000, codecs: ['avc1.64001f', 'mp4a.40.2'], width: 1280, height: 720, frameRate: 30000 / 1001 },
        { uri: '240p/index.m3u8', bandwidthBps: 640_000, averageBandwidthBps: 610_000, codecs: ['avc1.64001e', 'mp4a.40.2'], width: 426, height: 240, frameRate: 30000 / 1001 },
      ],
    });
    expect(text).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:6',
        '#EXT-X-INDEPENDENT-SEGMENTS',
        '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="audio/index.m3u8"',
        '#EXT-X-STREAM-INF:BANDWIDTH=640000,AVERAGE-BANDWIDTH=610000,CODECS="avc1.64001e,mp4a.40.2",RESOLUTION=426x240,FRAME-RATE=29.970,AUDIO="aud"',
        '240p/index.m3u8',
        '#EXT-X-STREAM-INF:BANDWIDTH=3400001,AVERAGE-BANDWIDTH=3100000,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1280x720,FRAME-RATE=29.970,AUDIO="aud"',
        '720p/index.m3u8',
        '',
      ].join('\n'),
    );
  });

  it('writes an audio-only master without RESOLUTION or an AUDIO group', () => {
    const text = writeMasterPlaylist({
      audio: null,
      variants: [{ uri: 'audio/index.m3u8', bandwidthBps: 140_000, averageBandwidthBps: 131_000, codecs: ['mp4a.40.2'], width: 0, height: 0, frameRate: 0 }],
    });
    expect(text).toContain('#EXT-X-STREAM-INF:BANDWIDTH=140000,AVERAGE-BANDWIDTH=131000,CODECS="mp4a.40.2"\naudio/index.m3u8');
    expect(text).not.toContain('EXT-X-MEDIA');
  });
});
